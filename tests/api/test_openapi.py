"""/api/openapi.json describes the answers the API really gives: each case below provokes one over
HTTP, then looks it up in the document."""

from __future__ import annotations

import pytest

from reportit.limits import RateLimiter
from tests.api.test_limits import fresh
from tests.api.test_limits import limiter_swap  # noqa: F401 - a fixture
from tests.api.test_reports_api import pothole, send


async def documented(client, method: str, path: str, status: int) -> bool:
    spec = (await client.get("/api/openapi.json")).json()
    return str(status) in spec["paths"][path][method.lower()]["responses"]


async def test_rate_limited_answers_are_documented(client, device, limiter_swap):  # noqa: F811
    limiter_swap.device_limiter = RateLimiter(per_hour=1, capacity=1, what="new app registrations", scope=fresh())
    limiter_swap.report_limiter = RateLimiter(per_hour=1, capacity=1, what="reports", scope=fresh())
    await client.post("/api/devices")
    refused = await client.post("/api/devices")
    assert refused.status_code == 429 and await documented(client, "POST", "/api/devices", 429)

    await send(client, device, pothole())
    refused = await send(client, device, pothole(description="another"))
    assert refused.status_code == 429 and await documented(client, "POST", "/api/reports", 429)


@pytest.mark.parametrize("method, path, body, content_type, status", [
    ("POST", "/api/session", b"email=a%40b.c&password=x", "application/x-www-form-urlencoded", 415),
    ("PUT", "/api/me/push-subscription", b'{"endpoint": "' + b"x" * 9000 + b'"}', "application/json", 413),
    ("DELETE", "/api/me/push-subscription", b"not json", "application/json", 400),
])
async def test_refusals_are_documented(client, device, method, path, body, content_type, status):
    response = await client.request(method, path, content=body,
                                    headers={**device["headers"], "Content-Type": content_type})
    assert response.status_code == status
    assert await documented(client, method, path, status)


async def test_following_with_a_bad_email_is_documented(client, device):
    reference = (await send(client, device, pothole())).json()["reference"]
    response = await client.post(f"/api/reports/{reference}/follow", json={"email": "nope"}, headers=device["headers"])
    assert response.status_code == 422
    assert await documented(client, "POST", "/api/reports/{reference}/follow", 422)
    spec = (await client.get("/api/openapi.json")).json()
    follow = spec["paths"]["/api/reports/{reference}/follow"]["post"]
    assert {"429", "503"} <= set(follow["responses"]) and "email" in str(follow["requestBody"])


async def test_options_allows_every_method_a_path_answers(client):
    spec = (await client.get("/api/openapi.json")).json()
    for path, operations in spec["paths"].items():
        response = await client.options(path.replace("{reference}", "K7QM4XRT"))
        allowed = {m.strip() for m in response.headers.get("allow", "").split(",")}
        assert {m.upper() for m in operations} <= allowed, (path, response.headers.get("allow"))
