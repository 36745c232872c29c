"""The console's applications: the list and its filters, an application's versions, and recording
a decision (a new version, what residents watching it are told, and the audit log)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportit.applications.importer import import_file
from reportit.console.tables import AuditLog
from tests.applications.conftest import csv_text, planning_row, unique
from tests.console.conftest import post_form


@pytest.fixture
async def imported(settings, tmp_path: Path) -> str:
    reference = f"{unique('CON')}/FULL"
    path = tmp_path / "c.csv"
    path.write_text(csv_text([planning_row(reference, description="Console test: a roof terrace")]))
    await import_file(path, "planning", settings)
    return reference


async def test_the_list_filters_and_finds_an_application(officer, imported):
    page = await officer.get("/console/applications", params={"q": imported, "regime": "planning"})
    assert page.status_code == 200
    assert f'href="/console/applications/{imported}"' in page.text
    none = await officer.get("/console/applications", params={"q": imported, "regime": "licensing"})
    assert f"/console/applications/{imported}" not in none.text and "No applications match" in none.text


async def test_the_list_filters_are_described_and_cleared_as_the_cases_filters_are(officer, imported):
    for path in ("/console/", "/console/applications"):
        page = await officer.get(path, params={"q": "roof"})
        assert page.status_code == 200
        form = re.search(r'<form method="get"[^>]*id="filters".*?</form>', page.text, re.S)
        assert form, path
        assert 'aria-describedby="q-hint"' in form.group(0) and 'class="hint" id="q-hint"' in form.group(0), path
        assert re.search(rf'<div class="actions">\s*<button type="submit">Apply filters</button>\s*'
                         rf'<a href="{path}">Clear filters</a>', form.group(0)), path


async def test_recording_a_decision_makes_a_version_and_an_audit_entry(officer, staff, imported, client):
    page = await officer.get(f"/console/applications/{imported}")
    assert page.status_code == 200 and "Record a decision" in page.text
    response = await post_form(officer, f"/console/applications/{imported}/decision",
                               {"decision": "Granted with conditions", "decision_date": "2026-11-25"})
    assert response.status_code == 303
    body = (await client.get(f"/api/applications/{imported}")).json()
    assert body["status"]["code"] == "decided" and body["decision"] == "Granted with conditions"
    assert [v["number"] for v in body["history"]] == [2, 1]
    assert body["history"][0]["summary"] == "Decided: Granted with conditions."
    assert body["history"][0]["source"] == "console"
    assert staff["officer"] not in str(body)  # who recorded it is for staff only
    audit = await AuditLog.select().where(AuditLog.target == imported)
    assert [(a["action"], a["actor"]) for a in audit] == [("application_decided", staff["officer"])]
    versions = await officer.get(f"/console/applications/{imported}")
    assert f"console: {staff['officer']}" in versions.text


async def test_importing_the_same_file_again_does_not_undo_a_decision_recorded_in_the_console(
        officer, client, settings, tmp_path):
    reference = f"{unique('RED')}/FULL"
    path = tmp_path / "again.csv"
    path.write_text(csv_text([planning_row(reference)]))
    await import_file(path, "planning", settings)
    await post_form(officer, f"/console/applications/{reference}/decision",
                    {"decision": "Refused", "decision_date": "2026-11-25"})

    again = await import_file(path, "planning", settings)  # the planning system's file, unchanged

    body = (await client.get(f"/api/applications/{reference}")).json()
    assert body["status"]["code"] == "decided" and body["decision"] == "Refused"
    assert [v["source"] for v in body["history"]] == ["console", "import"]
    assert again.words() == "0 new, 0 changed, 1 unchanged."
    # A file that says something new still counts: here, the consultation is extended.
    path.write_text(csv_text([planning_row(reference, **{"end-date": "2026-12-30"})]))
    await import_file(path, "planning", settings)
    body = (await client.get(f"/api/applications/{reference}")).json()
    assert body["decision"] == "Refused" and body["history"][0]["source"] == "import"


@pytest.mark.parametrize(("form", "message"), [
    ({"decision": "", "decision_date": "2026-11-25"}, "Enter the decision"),
    ({"decision": "Granted", "decision_date": "25/11"}, "Enter the date of the decision"),
    ({"decision": "Granted", "decision_date": "2099-01-01"}, "cannot be in the future"),
    ({"decision": "Granted", "decision_date": "2026-01-01"}, "before the consultation started"),
])
async def test_a_bad_decision_is_refused_and_nothing_is_written(officer, imported, client, form, message):
    response = await post_form(officer, f"/console/applications/{imported}/decision", form)
    assert response.status_code == 422
    assert message in response.text
    assert len((await client.get(f"/api/applications/{imported}")).json()["history"]) == 1


async def test_a_warden_can_read_but_not_decide(warden, imported):
    assert (await warden.get(f"/console/applications/{imported}")).status_code == 200
    response = await post_form(warden, f"/console/applications/{imported}/decision",
                               {"decision": "Granted", "decision_date": "2026-11-25"})
    assert response.status_code == 403
