"""Behind a reverse proxy: rate limits count per client, never per proxy, and only the proxies
named in REPORTIT_TRUSTED_PROXIES may say who the client is (X-Forwarded-For)."""

from __future__ import annotations

import dataclasses
from typing import AsyncIterator

import httpx
import pytest

from reportit.limits import RateLimiter
from tests.api.test_limits import fresh
from reportit.settings import SettingsError, load_settings
from reportit.app_state import services

PROXY = "10.20.0.5"  # inside the trusted network below


@pytest.fixture
async def behind_proxy(app, settings) -> AsyncIterator:
    """An app that trusts 10.20.0.0/16, each test with a fresh two-registration bucket."""
    from reportit import database
    from reportit.app import create_app

    application = create_app(dataclasses.replace(settings, config=dataclasses.replace(
        settings.config, trusted_proxies=("10.20.0.0/16", "192.0.2.1"))))
    services(application).device_limiter = RateLimiter(per_hour=60, capacity=2, what="new app registrations", scope=fresh())
    yield application
    database.use(services(app).engine)


def client_from(application, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def register(http: httpx.AsyncClient, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return (await http.post("/api/devices", headers=headers)).status_code


async def test_through_a_trusted_proxy_each_client_has_its_own_bucket(behind_proxy):
    async with client_from(behind_proxy, PROXY) as proxy:
        assert [await register(proxy, "203.0.113.7") for _ in range(3)] == [201, 201, 429]
        # Another resident behind the same proxy is not locked out by the first.
        assert await register(proxy, "198.51.100.9") == 201
        # The client may write anything at the left; the right-most address the trusted proxies
        # did not add is the one counted (here via a second trusted hop, 192.0.2.1).
        assert await register(proxy, "1.1.1.1, 203.0.113.7, 192.0.2.1") == 429
        assert await register(proxy, "2.2.2.2, 203.0.113.7") == 429


async def test_x_forwarded_for_from_an_untrusted_sender_is_ignored(behind_proxy, app):
    async with client_from(behind_proxy, "198.51.100.77") as direct:
        answers = [await register(direct, f"203.0.113.{n}") for n in range(3)]
    assert answers == [201, 201, 429]  # a made-up address per request does not buy a fresh bucket


async def test_without_the_setting_no_one_is_trusted_not_even_loopback(app, settings):
    assert settings.config.trusted_proxies == ()
    services(app).device_limiter, saved = RateLimiter(per_hour=60, capacity=1, what="new app registrations", scope=fresh()), \
        services(app).device_limiter
    try:
        async with client_from(app, "127.0.0.1") as local:
            assert [await register(local, f"203.0.113.{n}") for n in range(2)] == [201, 429]
    finally:
        services(app).device_limiter = saved


def test_a_trusted_proxy_that_is_not_an_address_is_a_configuration_error(server_env):
    with pytest.raises(SettingsError, match="REPORTIT_TRUSTED_PROXIES"):
        load_settings({**server_env, "REPORTIT_TRUSTED_PROXIES": "10.0.0.1, proxy.internal"})
    parsed = load_settings({**server_env, "REPORTIT_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,::1"})
    assert parsed.config.trusted_proxies == ("10.0.0.1", "172.16.0.0/12", "::1")


async def test_forwarded_headers_with_no_trusted_proxy_are_named_in_the_log_once(app, settings, caplog):
    """After an upgrade behind a proxy with the setting unset, every resident shares the proxy's
    allowance: the operator is told why, once, not left to find it from locked-out staff."""
    from reportit import database
    from reportit.app import create_app

    application = create_app(settings)
    try:
        with caplog.at_level("WARNING", logger="reportit.security"):
            async with client_from(application, "127.0.0.1") as local:
                for _ in range(2):
                    await local.get("/api/categories", headers={"X-Forwarded-For": "203.0.113.5"})
        warnings = [r.getMessage() for r in caplog.records if "forwarded_header_ignored" in r.getMessage()]
        assert len(warnings) == 1 and "REPORTIT_TRUSTED_PROXIES" in warnings[0]
    finally:
        database.use(services(app).engine)  # tables follow the most recent app: hand them back
