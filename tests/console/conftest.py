"""Console fixtures: staff of each role, and HTTP clients signed in as them through the sign-in form."""

from __future__ import annotations

import re
import secrets
from typing import AsyncIterator

import httpx
import pytest

from tests.api.test_reports_api import pothole, send

PASSWORD = "correct horse battery staple"
ROLES = ("warden", "officer", "admin")


def csrf_of(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """The way a browser signs in: load the form (which sets the CSRF cookie), then post it."""
    page = await client.get("/console/sign-in")
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    # Someone already signed in is redirected away from the form; the cookie holds the same token.
    token = match.group(1) if match else csrf_of(client)
    return await client.post("/console/sign-in", data={"email": email, "password": password, "csrftoken": token})


async def post_form(client: httpx.AsyncClient, path: str, data: dict | None = None) -> httpx.Response:
    return await client.post(path, data={**(data or {}), "csrftoken": csrf_of(client)})


@pytest.fixture(scope="session")
async def staff(app) -> dict[str, str]:
    """One account per role: {role: email}."""
    from reportit.accounts.staff import add_staff

    accounts = {}
    for role in ROLES:
        email = f"{role}-{secrets.token_hex(3)}@council.example"
        await add_staff(email, PASSWORD, role)
        accounts[role] = email
    return accounts


def new_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


async def _signed_in(app, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(app) as client:
        response = await sign_in(client, email)
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture
async def officer(app, staff) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _signed_in(app, staff["officer"]):
        yield client


@pytest.fixture
async def admin(app, staff) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _signed_in(app, staff["admin"]):
        yield client


@pytest.fixture
async def warden(app, staff) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _signed_in(app, staff["warden"]):
        yield client


@pytest.fixture
async def report(client, device) -> dict:
    """A resident's pothole report, as the API returned it."""
    response = await send(client, device, pothole(description="Deep hole by the zebra crossing, call Sam on 020 7946 0991"))
    assert response.status_code == 201, response.text
    return response.json()
