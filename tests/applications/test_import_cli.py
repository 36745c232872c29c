"""`reportit applications import FILE [--regime planning|licensing] [--strict]`, run as an officer
runs it, checked through the open-data API as anyone would read the result."""

from __future__ import annotations

import json

from tests.applications.conftest import LICENSING_COLUMNS, csv_text, geojson, planning_row, unique


async def fetch(client, reference: str) -> dict | None:
    response = await client.get(f"/api/applications/{reference}")
    return response.json() if response.status_code == 200 else None


async def test_a_planning_csv_is_imported_and_shown_with_one_clear_deadline(client, import_cli, write_file):
    reference = f"{unique()}/FULL"
    done = await import_cli(write_file("planning.csv", csv_text([planning_row(reference)])))
    assert done.returncode == 0, done.stderr
    assert "1 new, 0 changed, 0 unchanged" in done.stdout
    application = await fetch(client, reference)
    assert application["regime"] == "planning"
    assert application["type"]["name"] == "Full planning permission"  # from the council's TOML
    assert application["location"] == {"latitude": 51.4975, "longitude": -0.1357}
    assert application["status"]["code"] == "under_consultation"
    assert application["consultation"]["closes_on"] == "2026-12-11"
    assert application["deadline"]["late_comments"] == "considered"
    assert "11 December" in application["deadline"]["text"]
    assert [v["number"] for v in application["history"]] == [1]


async def test_importing_the_same_file_again_changes_nothing(client, import_cli, write_file):
    reference = unique()
    path = write_file("same.csv", csv_text([planning_row(reference)]))
    assert (await import_cli(path)).returncode == 0
    again = await import_cli(path)
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed, 1 unchanged" in again.stdout
    assert len((await fetch(client, reference))["history"]) == 1


async def test_a_changed_row_makes_a_new_version_saying_what_changed(client, import_cli, write_file):
    reference = unique()
    await import_cli(write_file("v1.csv", csv_text([planning_row(reference)])))
    changed = await import_cli(write_file("v2.csv", csv_text([planning_row(reference, **{"end-date": "2026-12-18"})])))
    assert "0 new, 1 changed" in changed.stdout
    application = await fetch(client, reference)
    newest, first = application["history"]
    assert newest["number"] == 2 and newest["changes"] == ["consultation_end"]
    assert newest["summary"] == "The consultation now closes on Friday 18 December."
    assert first["number"] == 1  # kept, not overwritten
    assert application["consultation"]["end"] == "2026-12-18"


async def test_every_bad_row_is_reported_with_its_line_and_the_rest_imported(client, import_cli, write_file):
    good, twice = unique(), unique()
    rows = [
        planning_row(good),                                                      # line 2
        planning_row(""),                                                        # 3 missing reference
        planning_row(unique(), point="POINT (-0.13)"),                           # 4 bad WKT
        planning_row(unique(), point="POINT (-1.5 52.0)"),                       # 5 outside the council
        planning_row(unique(), **{"planning-application-status": "pending"}),    # 6 unknown status
        planning_row(unique(), **{"start-date": "2026-12-11", "end-date": "2026-11-20"}),  # 7 dates in wrong order
        planning_row(twice),                                                     # 8
        planning_row(twice, description="the same again"),                      # 9 duplicate reference
    ]
    text = csv_text(rows).encode() + f"{unique()},Caf\xe9 Rouge,{rows[0]['point']},x,full,received,,,,,\n".encode("latin-1")
    done = await import_cli(write_file("mixed.csv", text))
    assert done.returncode == 1
    assert "2 new, 0 changed, 0 unchanged, 7 refused" in done.stdout
    errors = done.stderr
    assert "line 3: the reference is missing" in errors
    assert "line 4: point: ‘POINT (-0.13)’ is not a WKT point" in errors
    assert "line 5: point: 52.00000, -1.50000 is outside the council's area" in errors
    assert "line 6: planning-application-status: ‘pending’ is not a status we know" in errors
    assert "line 7: end-date 2026-11-20 is before start-date 2026-12-11" in errors
    assert f"line 9: reference {twice} is in this file already, on line 8" in errors
    assert "line 10: this row is not UTF-8 text" in errors
    assert await fetch(client, good) is not None
    assert (await fetch(client, twice))["description"] == "Change of use to a café"


async def test_strict_writes_nothing_when_one_row_is_bad(client, import_cli, write_file):
    good = unique()
    done = await import_cli(write_file("strict.csv", csv_text([planning_row(good), planning_row(unique(), point="nowhere")])),
                      "--strict")
    assert done.returncode == 1
    assert "Nothing was imported (--strict)" in done.stdout
    assert "line 3: point" in done.stderr
    assert await fetch(client, good) is None
    fine = await import_cli(write_file("strict-ok.csv", csv_text([planning_row(good)])), "--strict")
    assert fine.returncode == 0 and "1 new" in fine.stdout


async def test_geojson_and_planning_data_json_are_read(client, import_cli, write_file):
    first, second = unique(), unique()
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-0.14, 51.5]},
                 "properties": {"reference": first, "description": "Roof extension", "address-text": "3 Rochester Row",
                                "planning-application-type": "householder", "planning-application-status": "validated"}}]
    done = await import_cli(write_file("feed.geojson", geojson(features)))
    assert done.returncode == 0, done.stderr
    assert (await fetch(client, first))["location"] == {"latitude": 51.5, "longitude": -0.14}
    entities = {"entities": [{"reference": second, "point": "POINT (-0.135 51.497)", "description": "Shopfront",
                              "planning-application-type": "advertisement", "entry-date": "2026-11-01"}]}
    done = await import_cli(write_file("planning.json", json.dumps(entities)))
    assert done.returncode == 0, done.stderr
    assert (await fetch(client, second))["type"]["name"] == "Advertisement consent"


async def test_a_licensing_csv_uses_the_licensing_rules(client, import_cli, write_file):
    reference = f"{unique('LIC')}/LIPN"
    row = {"reference": reference, "application-type": "minor-variation", "address": "The Red Lion, 48 Parliament Street",
           "uprn": "100023336956", "latitude": "51.5025", "longitude": "-0.1262", "description": "Move the bar",
           "status": "under consultation", "start-date": "2026-12-04", "hearing-date": "2026-12-30"}
    done = await import_cli(write_file("licensing.csv", csv_text([row], LICENSING_COLUMNS)), "--regime", "licensing")
    assert done.returncode == 0, done.stderr
    application = await fetch(client, reference)
    assert application["regime"] == "licensing"
    assert application["uprn"] == "100023336956"
    # 10 working days from Friday 4 December, from the TOML: Friday 18 December.
    assert application["consultation"]["closes_on"] == "2026-12-18"
    assert application["deadline"]["late_comments"] == "refused"
    assert application["hearing_date"] == "2026-12-30"


async def test_a_reference_known_under_the_other_regime_is_refused(client, import_cli, write_file):
    reference = unique()
    await import_cli(write_file("p.csv", csv_text([planning_row(reference)])))
    row = {"reference": reference, "application-type": "new-premises", "status": "received"}
    done = await import_cli(write_file("l.csv", csv_text([row], LICENSING_COLUMNS)), "--regime", "licensing", "--strict")
    assert done.returncode == 1
    assert f"{reference} is a planning application already" in done.stderr
    assert (await fetch(client, reference))["regime"] == "planning"


async def test_a_file_that_is_not_applications_says_so(import_cli, write_file):
    done = await import_cli(write_file("notes.csv", "name,phone\nAnn,0207\n"))
    assert done.returncode == 1
    assert "the header has no ‘reference’ column" in done.stderr
    done = await import_cli(write_file("broken.json", '{"features": [{"reference": "X1", '))
    assert done.returncode == 1
    assert "JSON" in done.stderr


async def test_working_days_skip_the_councils_bank_holidays(client, import_cli, write_file):
    """A minor variation's 10 working days over Christmas: Christmas Day, the Boxing Day substitute
    (Monday 28) and New Year's Day are not working days (the TOML's bank_holidays)."""
    reference = f"{unique('LIC')}/XMAS"
    row = {"reference": reference, "application-type": "minor-variation", "address": "The Red Lion, 48 Parliament Street",
           "latitude": "51.5025", "longitude": "-0.1262", "description": "Later hours on Fridays",
           "status": "under consultation", "start-date": "2026-12-18"}
    done = await import_cli(write_file("licensing.csv", csv_text([row], LICENSING_COLUMNS)), "--regime", "licensing")
    assert done.returncode == 0, done.stderr
    application = await fetch(client, reference)
    # Weekends alone would make it Friday 1 January, a bank holiday.
    assert application["consultation"]["closes_on"] == "2027-01-06"
    assert "Wednesday 6 January 2027" in application["deadline"]["text"]
    page = await client.get(f"/a/{reference}")
    assert "Wednesday 6 January 2027" in page.text
