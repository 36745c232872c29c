"""Errors a user can cause, rendered as RFC 9457 `application/problem+json` for the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # written for a resident: what is wrong and what to do


@dataclass
class Problem(Exception):
    status: int
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict:
        body: dict = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return body


def invalid(errors: list[FieldError], title: str = "Please check your report") -> Problem:
    detail = errors[0].message if len(errors) == 1 else f"There are {len(errors)} things to put right."
    return Problem(422, title, detail, errors)


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    body = problem.body()
    if request is not None:
        body["instance"] = request.url.path
    return JSONResponse(body, status_code=problem.status, media_type="application/problem+json", headers=problem.headers)


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request)
