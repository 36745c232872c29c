"""Served over HTTPS (REPORTIT_SECURE_COOKIES=true): browsers are told to keep to HTTPS (HSTS)."""

from __future__ import annotations

import dataclasses

import httpx
from reportit.app_state import services


async def test_hsts_is_sent_only_when_the_service_says_it_is_on_https(app, settings, client):
    from reportit import database
    from reportit.app import create_app

    secure = create_app(dataclasses.replace(settings, config=dataclasses.replace(settings.config, secure_cookies=True)))
    try:
        transport = httpx.ASGITransport(app=secure, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as https:
            for path in ("/", "/api/categories", "/open311/v2/services.json", "/no-such-page"):
                response = await https.get(path)
                assert response.headers["strict-transport-security"] == "max-age=31536000", path
    finally:
        database.use(services(app).engine)
    plain = await client.get("/api/categories")
    assert "strict-transport-security" not in plain.headers
