"""Push fixtures and helpers. The mock push service, the SMTP server and the app that uses both
(`push_app`, `push_client`, `mailbox`, `mock_push`…) are in tests/push/fixtures.py, registered once
for the whole run by the root conftest and shared with tests/accounts. Senders in this process are
real; tests wait for the outbox to settle."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.api.test_reports_api import pothole, send
from tests.push.mock_push import Browser


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
