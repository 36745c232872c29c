"""Reading JSON from a client: one way, used by every JSON route and JSON-in-a-field.

Capped in size while the body streams, so a 250 MB body costs at most the cap in memory (it used to
be read whole, then measured). Every way JSON can be bad is a ValueError the caller turns into a 4xx:
nesting deep enough to exhaust the parser's recursion ("[" x 50,000), and the NUL character, which
PostgreSQL cannot store in text and no person types.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from reportit.problems import FieldError, Problem, invalid

MAX_JSON_BYTES = 64 * 1024  # the biggest JSON we take (a push subscription, a sign-in) is under 1 KB
MAX_DEPTH = 32  # ours are two or three levels deep


NUL_MESSAGE = "This has a hidden control character we can't store. Please type it again."


class BadJson(ValueError):
    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.field = field  # where a NUL was found, as a dotted path ("keys.auth"); "" for the whole body


def loads(text: str | bytes) -> Any:
    """json.loads that fails only with BadJson, for any input."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadJson("nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise BadJson("not JSON") from exc
    _check(value)
    return value


def has_nul(text: str) -> bool:
    return "\x00" in text


def _check(value: Any) -> None:
    """Depth and NUL, walked without recursion so the check cannot itself overflow."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadJson("nested too deeply")
        if isinstance(item, str):
            if has_nul(item):
                raise BadJson("contains a NUL character", path)
        elif isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else str(key)
                if has_nul(key):
                    raise BadJson("contains a NUL character", path)
                stack.append((child, where, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, path, depth + 1) for child in item)


async def read_json(request: Request, detail: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The request's JSON body (None when empty). `detail` tells the caller what to send instead."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
    if not body.strip():
        return None
    try:
        return loads(bytes(body))
    except BadJson as exc:
        if exc.field:
            raise invalid([FieldError(exc.field, NUL_MESSAGE)], title="Please check what you sent") from None
        raise Problem(400, "Could not read the request", detail) from None


def _too_large(max_bytes: int) -> Problem:
    return Problem(413, "Request too large", f"This request is larger than the {max_bytes // 1024} KB we accept.")
