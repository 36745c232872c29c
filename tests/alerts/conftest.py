"""Alerts fixtures and helpers: a resident's phone saves alerts through the API, and the
applications domain's events are published the way that domain will, inside a write transaction.
The mock push service, the SMTP server and `push_client` are push's shared fixtures."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from datetime import datetime, timedelta, timezone

from reportit import database, events
from reportit.push.tables import Notification
from tests.places.conftest import demo_places  # noqa: F401 - the demo streets and wards, a fixture

HOME = (51.4975, -0.1357)  # Westminster, inside the example council
# About 300 m north and 1.5 km east of home.
NEAR = (51.5002, -0.1357)
FAR = (51.4975, -0.1140)


def unique_reference(prefix: str = "24/") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}/FULL"


async def publish_received(settings, reference: str, point: tuple[float, float] | None, *, regime: str = "planning",
                           description: str = "Rear extension and loft conversion",
                           address: str = "12 Example Street, London SW1") -> None:
    """As the applications domain's import does: in the write transaction that records it."""
    lat, lng = point if point else (None, None)
    async with database.write_transaction(Notification._meta.db):
        await events.publish(events.ApplicationReceived(
            application_id=1, version_id=1, reference=reference, regime=regime, application_type="full",
            address=address, description=description, latitude=lat, longitude=lng), settings)


async def publish_changed(settings, reference: str, point: tuple[float, float] | None, summary: str) -> None:
    lat, lng = point if point else (None, None)
    async with database.write_transaction(Notification._meta.db):
        await events.publish(events.ApplicationChanged(
            application_id=1, version_id=2, reference=reference, regime="planning", changes=("consultation_end",),
            summary=summary, address="12 Example Street, London SW1", latitude=lat, longitude=lng), settings)


async def save_alert(client, device, **body) -> dict:
    payload = {"label": "Home", "latitude": HOME[0], "longitude": HOME[1], "radius": 500,
               "kinds": ["planning", "licensing"], **body}
    response = await client.post("/api/me/alerts", json=payload, headers=device["headers"])
    assert response.status_code == 201, response.text
    return response.json()


async def alert_rows(url: str) -> list[dict]:
    return await Notification.select(*Notification.all_columns()).where(Notification.url == url).order_by(
        Notification.id)


async def settled_url(url: str, timeout: float = 15.0) -> list[dict]:
    """The outbox rows leading to `url`, once none is due any more (background senders send them)."""
    from reportit.push.sender import wake_senders

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await alert_rows(url)
        now = datetime.now(timezone.utc)
        busy = [r for r in rows if r["state"] == "pending"
                and (r["claim_token"] or r["next_attempt_at"] <= now + timedelta(seconds=1))]
        if not busy:
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox did not settle: {rows}")
        wake_senders()
        await asyncio.sleep(0.05)


@pytest.fixture(autouse=True)
async def no_alert_outlives_its_test(push_app):
    """Alerts watching Westminster would hear of every other test's reports there (and queue
    outbox rows those tests count): each test's alerts go with it."""
    yield
    from reportit.alerts.tables import Alert

    await Alert.delete(force=True)
