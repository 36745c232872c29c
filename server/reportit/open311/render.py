"""Open311 output: one data shape rendered as JSON or as the spec's XML, and errors in the spec's shape.

The JSON follows the spec's own mapping of its XML: a container of one repeated element
(`<services><service>`) is a JSON array; `<discovery>` and `<service_definition>` are objects.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree

from starlette.responses import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element each repeated child of a container is called in XML.
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
}

# Characters XML 1.0 cannot carry at all; a resident's text may hold them, a strict parser would fail on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """A request the caller can put right: 400, 403 (api_key) or 404, with one description per problem."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions) or ["The request could not be processed."]
        self.headers = headers or {}  # Retry-After with a 503


def w3c(value: datetime | None) -> str | None:
    """W3C datetime in UTC without fractional seconds, the form GeoReport validators accept."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        item = ITEM_NAMES[element.tag]
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    return XML_DECLARATION.encode() + ElementTree.tostring(element, encoding="unicode").encode()


def render(fmt: str, root: str, data: Any, status_code: int = 200) -> Response:
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type=FORMATS[fmt])


def error_response(fmt: str, error: Open311Error) -> Response:
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    response = render(fmt if fmt in FORMATS else "xml", "errors", body, status_code=error.status)
    response.headers.update(error.headers)
    return response
