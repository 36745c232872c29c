"""Joined up: a status change on the console reaches the reporter's phone as a Web Push that the
mock push service decrypts; a duplicate merge tells each follower once.

Uses the push tests' mock service and helpers, with an app of its own for this module only, so
no other module's sender or mailbox is disturbed.
"""

from __future__ import annotations

import dataclasses
from typing import AsyncIterator

import httpx
import pytest

from tests.console.conftest import new_client, post_form, sign_in
from tests.push.conftest import new_report, settled, subscribe, unique_name
from tests.push.mock_push import Browser, MockPushService
from reportit.app_state import services


@pytest.fixture(scope="module")
async def push_world(app, settings) -> AsyncIterator[dict]:
    from reportit import database
    from reportit.app import create_app
    from reportit.push.vapid import load_or_create

    browser = Browser.new()
    mock = MockPushService(browser, vapid_public_key=load_or_create(settings.config.data_dir).application_server_key)
    mock.start()
    from reportit.push import sender as senders

    # Only this module's sender may send to this module's mock: every sender running in this
    # process (the shared app's, and the push tests' app's when an earlier module started it) is
    # parked, and restarted afterwards only if it ran before.
    parked = list(senders._running)
    for each in parked:
        await each.stop()
    application = create_app(dataclasses.replace(settings, config=dataclasses.replace(
        settings.config, push_hosts=(mock.host,), push_ca_file=mock.ca_file)))
    try:
        async with application.router.lifespan_context(application):
            yield {"app": application, "mock": mock, "browser": browser}
    finally:
        database.use(services(app).engine)
        mock.stop()
        for each in parked:
            each.start()


async def resident(http: httpx.AsyncClient, world: dict) -> tuple[dict, str]:
    """A resident's device subscribed at the mock push service; returns it and its mock path name."""
    body = (await http.post("/api/devices")).json()
    device = {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}
    name = unique_name()
    await subscribe(http, device, world["browser"], world["mock"].url("ok", name))
    return device, name


async def test_a_console_status_change_reaches_the_reporters_phone(push_world, staff):
    world, mock = push_world, push_world["mock"]
    async with new_client(world["app"]) as http, new_client(world["app"]) as officer:
        device, name = await resident(http, world)
        reference = await new_report(http, device)
        await sign_in(officer, staff["officer"])
        message = f"We filled the pothole you reported ({reference[:4]}-{reference[4:]}). Thank you."
        response = await post_form(officer, f"/console/reports/{reference}/status", {
            "template": "pothole_fixed", "action": "save", "status": "fixed", "public_message": message,
            "internal_note": "Contractor invoice 42 - internal",
        })
        assert response.status_code == 303
        await settled(reference)

    [push] = mock.delivered(name)
    notification = push.payload["notification"]
    assert notification["title"].endswith(": Fixed")
    assert notification["body"] == message
    assert notification["navigate"].endswith(f"/r/{reference}")
    assert "Contractor" not in str(push.payload)


async def test_the_sender_is_woken_once_the_whole_console_action_has_committed(push_world, staff, monkeypatch):
    """change_status runs inside the console's transaction (with the audit row): woken there, the
    sender could not yet see the rows, so the wake waits for the outer commit."""
    from reportit.push import handlers
    from reportit.reports.tables import Report

    world, mock = push_world, push_world["mock"]
    woken: list[bool] = []
    wake = handlers.wake_senders

    def spy() -> None:
        woken.append(Report._meta.db.current_transaction.get() is None)  # outside any transaction
        wake()

    monkeypatch.setattr(handlers, "wake_senders", spy)
    async with new_client(world["app"]) as http, new_client(world["app"]) as officer:
        device, name = await resident(http, world)
        reference = await new_report(http, device)
        await sign_in(officer, staff["officer"])
        response = await post_form(officer, f"/console/reports/{reference}/status",
                                   {"status": "investigating", "action": "save", "public_message": "Looking now."})
        assert response.status_code == 303
        await settled(reference)
    assert woken == [True]
    assert len(mock.delivered(name)) == 1


async def test_a_duplicate_merge_tells_each_follower_once_and_then_they_follow_the_original(push_world, staff):
    world, mock = push_world, push_world["mock"]
    async with new_client(world["app"]) as http, new_client(world["app"]) as officer:
        original_device, original_name = await resident(http, world)
        original = await new_report(http, original_device)
        duplicate_device, duplicate_name = await resident(http, world)
        duplicate = await new_report(http, duplicate_device)
        both_device, both_name = await resident(http, world)  # already follows both reports
        for reference in (original, duplicate):
            followed = await http.post(f"/api/reports/{reference}/follow", headers=both_device["headers"])
            assert followed.status_code in (200, 201, 204)
        await sign_in(officer, staff["officer"])

        merged = await post_form(officer, f"/console/reports/{duplicate}/duplicate", {"original": original})
        assert merged.status_code == 303
        await settled(duplicate)
        assert len(mock.delivered(duplicate_name)) == 1
        assert len(mock.delivered(both_name)) == 1
        assert mock.delivered(original_name) == []
        told = mock.delivered(duplicate_name)[0].payload["notification"]
        assert told["title"].endswith(": Duplicate") and original[:4] in told["body"]

        later = await post_form(officer, f"/console/reports/{original}/status",
                                {"status": "in_progress", "action": "save", "public_message": "Crew on the way."})
        assert later.status_code == 303
        await settled(original)
    assert [len(mock.delivered(n)) for n in (original_name, duplicate_name, both_name)] == [1, 2, 2]
