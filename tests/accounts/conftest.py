"""Accounts fixtures and helpers that sign a device in the way a resident does, with the code read
from the email. The SMTP server (aiosmtpd), the mock push service and `push_client` are push's
shared fixtures (tests/push/fixtures.py)."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.console import conftest as console_fixtures
# The console's staff, signed in through its form (for the case page and the admin's My data tools).
staff = console_fixtures.staff
officer = console_fixtures.officer
admin = console_fixtures.admin
warden = console_fixtures.warden


def new_email() -> str:
    return f"resident-{uuid.uuid4().hex[:10]}@example.org"


async def new_device(client: httpx.AsyncClient, user_agent: str = "") -> dict:
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = await client.post("/api/devices", headers=headers)
    assert response.status_code == 201
    body = response.json()
    # The client stands for every phone at once: each speaks by its bearer token, and its cookie
    # (what a browser opening a link sends) is kept aside, as tests/conftest.py's `device` does.
    client.cookies.delete("reportit_device")
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}", **headers},
            "cookie": response.cookies["reportit_device"]}


def code_from(mailbox, email: str) -> str:
    """The newest code sent to `email`, read from the message as a resident would (other emails, a
    receipt say, may have come since)."""
    messages = mailbox.to(email)
    assert messages, f"no email to {email}"
    codes = [re.search(r"is: (\d{6})", m.get_body(("plain",)).get_content()) for m in messages]
    found = [c.group(1) for c in codes if c]
    assert found, f"no code in the emails to {email}"
    return found[-1]


async def ask_code(client, device, email: str) -> httpx.Response:
    response = await client.post("/api/me/sign-in", json={"email": email}, headers=device["headers"])
    assert response.status_code == 202, response.text
    return response


async def sign_in(client, device, mailbox, email: str) -> dict:
    await ask_code(client, device, email)
    response = await client.post("/api/me/sign-in/verify", json={"email": email, "code": code_from(mailbox, email)},
                                 headers=device["headers"])
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def phone(push_client) -> dict:
    return await new_device(push_client, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36")


@pytest.fixture
async def other_phone(push_client) -> dict:
    return await new_device(push_client, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1")
