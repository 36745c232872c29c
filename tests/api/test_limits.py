"""One client cannot exhaust the service: body sizes and request rates are bounded, with answers
a resident can act on (and a Retry-After the app honours)."""

from __future__ import annotations

import uuid

import pytest

from reportit.accounts.failed_logins import FailedLogins
from reportit.limits import RateLimiter
from reportit.problems import Problem
from tests.api.test_reports_api import pothole, send
from reportit.app_state import services


@pytest.fixture
def limiter_swap(app):
    saved = {name: getattr(services(app), name) for name in ("device_limiter", "report_limiter")}
    saved["failed_logins"] = getattr(services(app), "failed_logins", None)
    yield services(app)
    for name, value in saved.items():
        setattr(services(app), name, value)


async def test_a_bucket_refills_over_time(app):
    limiter = RateLimiter(per_hour=60, capacity=2, what="reports", scope=fresh())
    await limiter.check("a", now=0)
    await limiter.check("a", now=0)
    with pytest.raises(Problem) as refused:
        await limiter.check("a", now=1)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "59"
    await limiter.check("b", now=1)  # another client is not affected
    await limiter.check("a", now=61)
    with pytest.raises(Problem):  # the refusal took nothing, and the refill gave one token
        await limiter.check("a", now=62)


def fresh() -> str:
    """A scope no other test's buckets have: the buckets live in the shared test database."""
    return f"test-{uuid.uuid4().hex}"


async def test_registering_devices_from_one_address_is_rate_limited(client, limiter_swap):
    limiter_swap.device_limiter = RateLimiter(per_hour=60, capacity=2, what="new app registrations", scope=fresh())
    assert (await client.post("/api/devices")).status_code == 201
    assert (await client.post("/api/devices")).status_code == 201
    refused = await client.post("/api/devices")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Nothing is lost" in refused.json()["detail"]


async def test_sending_reports_is_rate_limited_per_device_and_the_report_can_be_sent_later(client, device, limiter_swap):
    limiter_swap.report_limiter = RateLimiter(per_hour=3600, capacity=1, what="reports", scope=fresh())
    assert (await send(client, device, pothole())).status_code == 201
    refused = await send(client, device, pothole(description="another"))
    assert refused.status_code == 429 and "retry-after" in refused.headers


async def test_a_json_body_over_the_limit_is_refused_before_it_is_read(client, device):
    huge = b'{"endpoint": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.put("/api/me/push-subscription", content=huge,
                                headers={**device["headers"], "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


READING = [("POST", "/api/reports/{reference}/follow"), ("DELETE", "/api/me/push-subscription"),
           ("POST", "/api/session"), ("POST", "/open311/v2/servicerequestupdates.json")]
NOT_READING = [("POST", "/api/devices"), ("POST", "/api/reports/"), ("PUT", "/api/reports"),
               ("POST", "/console/sign-in"), ("POST", "/open311/v2/requests.jsonx")]


@pytest.mark.parametrize("method, path", READING)
async def test_a_streamed_body_over_a_megabyte_is_refused_by_every_route_but_the_photo_ones(client, device, method, path):
    reference = (await send(client, device, pothole())).json()["reference"]

    async def two_megabytes():
        for _ in range(32):
            yield b"[" * 65536

    kind = "application/x-www-form-urlencoded" if path.startswith("/open311") else "application/json"
    response = await client.request(method, path.format(reference=reference), content=two_megabytes(),
                                    headers={**device["headers"], "Content-Type": kind})
    # Open311 answers in its own error shape, 400, at its own smaller cap for forms.
    assert response.status_code == (400 if path.startswith("/open311") else 413), response.text


@pytest.mark.parametrize("method, path", READING + NOT_READING)
async def test_a_declared_body_over_a_megabyte_is_refused_by_every_route_but_the_photo_ones(client, device, method, path):
    reference = (await send(client, device, pothole())).json()["reference"]
    response = await client.request(method, path.format(reference=reference), content=b"x" * (2 * 1024 * 1024),
                                    headers={**device["headers"], "Content-Type": "application/json"})
    assert response.status_code == 413, response.text


async def test_app_sign_in_accepts_only_json(client):
    response = await client.post("/api/session", content=b'{"email": "a@b.c", "password": "x"}',
                                 headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


async def test_password_spraying_from_one_address_is_stopped(client, limiter_swap):
    limiter_swap.failed_logins = FailedLogins(scope=fresh())
    for n in range(20):
        wrong = await client.post("/api/session", json={"email": f"person{n}@westminster.example", "password": "guess"})
        assert wrong.status_code == 401
    refused = await client.post("/api/session", json={"email": "someone-new@westminster.example", "password": "guess"})
    assert refused.status_code == 429


async def test_failed_console_sign_ins_count_against_the_app_sign_in_too(app, limiter_swap):
    import httpx

    from tests.console.conftest import sign_in

    limiter_swap.failed_logins = FailedLogins(scope=fresh())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        for _ in range(5):
            await sign_in(browser, "officer-target@westminster.example", "wrong password")
        refused = await browser.post("/api/session", json={"email": "officer-target@westminster.example",
                                                            "password": "another guess"})
    assert refused.status_code == 429
