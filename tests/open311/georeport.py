"""A small GeoReport v2 client, used the way another council system or FixMyStreet would use us."""

from __future__ import annotations

import re
import uuid
from xml.etree import ElementTree

import httpx

BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
INSIDE = {"lat": "51.4975", "long": "-0.1357"}

REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]


def pothole(api_key: str, **extra) -> dict:
    """A FixMyStreet-shaped pothole request: api_key in the body, attributes as attribute[CODE]."""
    return {
        "api_key": api_key,
        "service_code": "pothole",
        **INSIDE,
        "attribute[danger]": "no",
        "attribute[size]": "large",
        "description": f"Pothole {uuid.uuid4().hex[:8]} by the zebra crossing",
        **extra,
    }


async def post_request(client: httpx.AsyncClient, data: dict, fmt: str = "json") -> httpx.Response:
    return await client.post(f"{BASE}/requests.{fmt}", data=data)


async def create(client: httpx.AsyncClient, data: dict) -> str:
    response = await post_request(client, data)
    assert response.status_code == 200, response.text
    return response.json()[0]["service_request_id"]


def parse_xml(response: httpx.Response, root: str) -> ElementTree.Element:
    """Strictly parsed XML with the spec's declaration, content type and root element."""
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    assert response.content.startswith(XML_DECLARATION), response.content[:80]
    element = ElementTree.fromstring(response.content)
    assert element.tag == root, element.tag
    return element


def children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    """Direct children, all of which must be called `name`."""
    found = list(element)
    assert [child.tag for child in found] == [name] * len(found), [child.tag for child in found]
    return found


def fields(element: ElementTree.Element) -> dict[str, str | None]:
    return {child.tag: child.text for child in element}


def assert_errors(response: httpx.Response, status: int, fmt: str = "json", contains: str = "") -> list[str]:
    """The spec's error shape: [{code, description}] or <errors><error><code/><description/></error></errors>."""
    assert response.status_code == status, response.text
    if fmt == "json":
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert isinstance(body, list) and body
        assert all(set(error) == {"code", "description"} and error["code"] == status for error in body)
        descriptions = [error["description"] for error in body]
    else:
        errors = children(parse_xml(response, "errors"), "error")
        assert errors
        assert all([child.tag for child in error] == ["code", "description"] for error in errors)
        assert all(error.findtext("code") == str(status) for error in errors)
        descriptions = [error.findtext("description") or "" for error in errors]
    assert all(descriptions), descriptions
    assert any(contains in d for d in descriptions), descriptions
    return descriptions
