"""Domain events: a domain function that runs where nothing was wired fails loudly, before any of
its change commits; wiring gives every kind of event its subscribers."""

from __future__ import annotations

import pytest

from reportit import events, wiring
from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report, StatusChange
from tests.api.test_reports_api import pothole, send


async def test_a_status_change_in_a_process_never_wired_is_refused_and_changes_nothing(client, device, settings):
    response = await send(client, device, pothole())
    assert response.status_code == 201
    reference = response.json()["reference"]
    events.subscribe_all({})
    try:
        with pytest.raises(events.NotWired, match="StatusChanged"):
            await change_status(reference, "fixed", settings=settings, actor=Actor("test"), public_message="Done")
    finally:
        wiring.wire_domains()
    report = await Report.select(Report.id, Report.status).where(Report.reference == reference).first()
    assert report["status"] == "received"
    assert await StatusChange.count().where(StatusChange.report == report["id"]) == 1


async def test_a_report_sent_to_a_process_never_wired_is_refused_and_not_stored(client, device):
    events.subscribe_all({})
    try:
        response = await send(client, device, pothole(description="Never stored"))
    finally:
        wiring.wire_domains()
    assert response.status_code == 500
    assert not await Report.exists().where(Report.description == "Never stored")


def test_wiring_gives_every_kind_of_event_a_subscriber():
    wiring.wire_domains()
    once = {kind: len(events.subscribers(kind)) for kind in events.KINDS}
    wiring.wire_domains()  # twice (an app and a command in one process) runs nothing twice
    assert {kind: len(events.subscribers(kind)) for kind in events.KINDS} == once
    assert all(count >= 1 for count in once.values())
    # An erasure is heard by every domain that holds a resident's rows.
    assert {handler.__module__ for handler in events.subscribers(events.AccountErased)} == {
        "reportit.push.personal", "reportit.reports.personal", "reportit.alerts.handlers",
        "reportit.applications.representations_personal"}


async def test_an_event_published_outside_a_write_transaction_is_refused(settings):
    wiring.wire_domains()
    event = events.ReportCreated(report_id=1, reference="K7QM4XRT", device_id=None, contact_email="")
    with pytest.raises(RuntimeError, match="outside a write transaction"):
        await events.publish(event, settings)
