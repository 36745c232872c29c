"""Push fixtures: a mock push service and a real SMTP server on loopback, and an app whose
settings allow both. Senders in this process are real; tests wait for the outbox to settle."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import AsyncIterator, Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.api.test_reports_api import pothole, send
from tests.push.mock_push import Browser, MockPushService


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def browser() -> Browser:
    return Browser.new()


@pytest.fixture(scope="session")
def mock_push(browser, settings) -> Iterator[MockPushService]:
    from reportit.push.vapid import load_or_create

    service = MockPushService(browser, vapid_public_key=load_or_create(settings.data_dir).application_server_key)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def push_settings(settings, mock_push, mailbox):
    return dataclasses.replace(
        settings,
        push_hosts=(f"127.0.0.1:{mock_push.port}",),
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="Report It <reportit@westminster.example>",
        vapid_subject="mailto:push-tests@westminster.example",
    )


@pytest.fixture(scope="session")
async def push_app(app, push_settings) -> AsyncIterator:
    from reportit import database
    from reportit.app import create_app

    # The shared app's sender has no SMTP and another VAPID subject: park it, so what the mock
    # sees comes from this app's sender.
    shared = getattr(app.state, "push_sender", None)
    if shared is not None:
        await shared.stop()
    application = create_app(push_settings)
    async with application.router.lifespan_context(application):
        yield application
    database.use(app.state.engine)  # tables follow the most recent app: hand them back
    if shared is not None:
        shared.start()


@pytest.fixture
async def push_client(push_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=push_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def resident(push_client) -> dict:
    response = await push_client.post("/api/devices")
    body = response.json()
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}


@pytest.fixture
async def quiet_senders() -> AsyncIterator[None]:
    """Stop this process's background senders, so a test drives its own and nothing races them."""
    from reportit.push import sender

    running = list(sender._running)
    for each in running:
        await each.stop()
    yield
    for each in running:
        each.start()


class FakeClock:
    """A clock tests move by hand, so leases can run out without waiting for them."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def clock(push_app) -> FakeClock:
    """An hour ahead: rows parked there are due for these senders only, never for real-time ones.

    Rows earlier tests left waiting (a 429's Retry-After, a 5xx back-off) would be due on this
    clock too, and a sender driven by this test would send them: they are moved out of its way."""
    from reportit.push.tables import Notification

    now = datetime.now(timezone.utc)
    await Notification.update({Notification.next_attempt_at: now + timedelta(days=365)}).where(
        (Notification.state == "pending") & (Notification.next_attempt_at <= now + timedelta(days=1)))
    return FakeClock(now + timedelta(hours=1))


# -- helpers tests call ---------------------------------------------------------------------

async def new_report(client, device, **extra) -> str:
    response = await send(client, device, pothole(**extra))
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def new_private_report(client, device, **extra) -> str:
    """A report in a private category: only its reporter (and staff) may see or follow it."""
    data = {**pothole(**extra), "category": "noise_neighbour", "answers": json.dumps({"threatened": "no"})}
    response = await send(client, device, data)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def subscribe(client, device, browser: Browser, endpoint: str) -> httpx.Response:
    body = {"endpoint": endpoint, "expirationTime": None, "keys": browser.keys}
    response = await client.put("/api/me/push-subscription", json=body, headers=device["headers"])
    assert response.status_code in (200, 201), response.text
    return response


async def settled(reference: str, timeout: float = 15.0) -> list[dict]:
    """The report's outbox rows, once none is due any more (background senders do the sending)."""
    from reportit.push.sender import wake_senders
    from reportit.push.tables import Notification

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await Notification.select(*Notification.all_columns()).where(
            Notification.report.reference == reference).order_by(Notification.id)
        now = datetime.now(timezone.utc)
        due = [r for r in rows if r["state"] == "pending" and r["next_attempt_at"] <= now + timedelta(seconds=1)
               and r["channel"] in ("push", "email")]
        in_flight = [r for r in rows if r["state"] == "pending" and r["claim_token"]]
        if not due and not in_flight:
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox did not settle: {rows}")
        wake_senders()
        await asyncio.sleep(0.05)


def unique_name() -> str:
    return uuid.uuid4().hex[:12]
