"""What the applications domain tells the rest (alerts): ApplicationReceived when an application is
first recorded, ApplicationChanged when a version changes its status, consultation dates, hearing
or decision, each published inside the transaction that wrote the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportit import database, events, wiring
from reportit.applications.importer import import_file
from tests.applications.conftest import csv_text, planning_row, unique


@pytest.fixture
def heard(app):
    """Every application event, as a subscriber wired beside the alerts handlers hears it (and
    whether it arrived inside a write transaction)."""
    received: list[tuple[object, bool]] = []

    async def listen(event, settings) -> None:
        received.append((event, database.in_write_transaction()))

    kinds = {kind: list(events.subscribers(kind)) for kind in events.KINDS}
    kinds[events.ApplicationReceived].append(listen)
    kinds[events.ApplicationChanged].append(listen)
    events.subscribe_all(kinds)
    yield received
    wiring.wire_domains()


async def run(tmp_path: Path, settings, rows) -> None:
    path = tmp_path / f"{unique()}.csv"
    path.write_text(csv_text(rows))
    result = await import_file(path, "planning", settings)
    assert not result.errors, result.errors


async def test_a_new_application_is_announced_once(heard, settings, tmp_path):
    reference = unique()
    await run(tmp_path, settings, [planning_row(reference)])
    await run(tmp_path, settings, [planning_row(reference)])  # the same again: nothing to say
    assert len(heard) == 1
    event, in_transaction = heard[0]
    assert isinstance(event, events.ApplicationReceived)
    assert in_transaction
    assert (event.reference, event.regime, event.application_type) == (reference, "planning", "full")
    assert (event.latitude, event.longitude) == (51.4975, -0.1357)
    assert event.address == "1 Victoria Street, London SW1" and event.description == "Change of use to a café"


async def test_changes_residents_care_about_are_announced_in_their_words(heard, settings, tmp_path):
    reference = unique()
    await run(tmp_path, settings, [planning_row(reference)])
    await run(tmp_path, settings, [planning_row(reference, description="Amended: five flats")])  # not news
    await run(tmp_path, settings, [planning_row(reference, description="Amended: five flats",
                                                **{"end-date": "2026-12-18"})])
    await run(tmp_path, settings, [planning_row(reference, description="Amended: five flats", **{
        "end-date": "2026-12-18", "planning-application-status": "decided", "planning-decision": "refused",
        "decision-date": "2026-12-22"})])
    changed = [event for event, _ in heard if isinstance(event, events.ApplicationChanged)]
    assert [e.changes for e in changed] == [("consultation_end",), ("status", "decision", "decision_date")]
    assert changed[0].summary == "The consultation now closes on Friday 18 December."
    assert changed[1].summary == "Decided: Refused."
    assert all(in_transaction for _, in_transaction in heard)
    assert changed[1].reference == reference and changed[1].regime == "planning"


async def test_an_extension_and_a_hearing_are_news(heard, settings, tmp_path):
    reference = unique()
    columns = {"consultation-extended-to": "2027-01-08", "hearing-date": "2027-01-20"}
    await run(tmp_path, settings, [planning_row(reference)])
    path = tmp_path / "extended.csv"
    from tests.applications.conftest import PLANNING_COLUMNS

    path.write_text(csv_text([planning_row(reference, **columns)], PLANNING_COLUMNS + list(columns)))
    await import_file(path, "planning", settings)
    event = heard[-1][0]
    assert isinstance(event, events.ApplicationChanged)
    assert event.changes == ("consultation_extended_to", "hearing_date")
    assert event.summary == "Consultation extended to Friday 8 January 2027. Hearing on Wednesday 20 January 2027."
