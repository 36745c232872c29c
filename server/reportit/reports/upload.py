"""Streaming multipart parsing with limits, so an oversized upload is refused early.

Starlette's parser has no per-file size limit; here each part is capped while it streams, the
number of files and fields is capped, and a declared Content-Length over the total is refused
before any of the body is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from python_multipart.exceptions import FormParserError
from starlette.requests import Request

from reportit.problems import FieldError, Problem
from reportit.reports.upload_budget import Claim


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytearray = field(default_factory=bytearray)


@dataclass
class ParsedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[-1] if values else default

    def nul_fields(self) -> list[str]:
        """Fields holding a NUL character: PostgreSQL cannot store one in text, and no person types it."""
        return sorted(name for name, values in self.fields.items() if "\x00" in name or any("\x00" in v for v in values))


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_field_bytes: int = 64 * 1024
    max_fields: int = 100

    @property
    def max_body_bytes(self) -> int:
        return self.max_files * self.max_file_bytes + self.max_fields * self.max_field_bytes


def _too_large(limits: Limits) -> Problem:
    megabytes = limits.max_file_bytes // (1024 * 1024)
    return Problem(
        413,
        "Photo too large",
        f"Each photo must be smaller than {megabytes} MB. Please choose a smaller photo.",
        [FieldError("photo", f"Each photo must be smaller than {megabytes} MB.")],
    )


async def parse_multipart(request: Request, limits: Limits, file_field: str = "photo",
                          claim: Claim | None = None) -> ParsedForm:
    """The form, refused as soon as it breaks a limit. With a claim, every byte received is also
    taken from the budget all uploads in flight share (503 when it is spent)."""
    content_type = request.headers.get("content-type", "")
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise Problem(415, "Wrong kind of request", "Send the report as multipart/form-data.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise _too_large(limits)

    form = ParsedForm()
    state: dict = {"name": b"", "value": b"", "headers": {}, "part": None}

    def on_part_begin() -> None:
        state["headers"] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["name"].lower()] = state["value"]
        state["name"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name != file_field:
                raise Problem(400, "Unexpected file", f"Files must be sent in the '{file_field}' field.")
            if len(form.files) >= limits.max_files:
                raise Problem(
                    422,
                    "Too many photos",
                    f"You can add up to {limits.max_files} photos to a report.",
                    [FieldError(file_field, f"You can add up to {limits.max_files} photos. Remove one and try again.")],
                )
            part = UploadedFile(
                field=name,
                filename=options[b"filename"].decode("utf-8", "replace"),
                content_type=state["headers"].get(b"content-type", b"").decode("latin-1"),
            )
            form.files.append(part)
        else:
            if sum(len(v) for v in form.fields.values()) >= limits.max_fields:
                raise Problem(400, "Too many fields", "The report has more fields than we accept.")
            part = (name, bytearray())
        state["part"] = part

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part = state["part"]
        if isinstance(part, UploadedFile):
            if len(part.data) + (end - start) > limits.max_file_bytes:
                raise _too_large(limits)
            part.data += data[start:end]
        else:
            if len(part[1]) + (end - start) > limits.max_field_bytes:
                raise Problem(
                    413, "Field too long", f"The '{part[0]}' field is longer than we accept.",
                    [FieldError(part[0], "This is longer than we accept. Please shorten it.")],
                )
            part[1].extend(data[start:end])

    def on_part_end() -> None:
        part = state["part"]
        if isinstance(part, tuple):
            form.fields.setdefault(part[0], []).append(part[1].decode("utf-8", "replace"))
        state["part"] = None

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise _too_large(limits)
            if claim is not None:
                claim.take(len(chunk))
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise Problem(400, "Damaged upload", "The report arrived damaged. Please send it again.") from exc
    return form
