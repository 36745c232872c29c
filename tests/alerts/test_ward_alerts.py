"""Alerts for a ward (issue 12 item 4, issue 13 item 2): a resident saves `{"ward": …}` instead of a
place and a distance; an application imported into that ward (by the officers' command) and a new
public report in it reach them, one outside does not; the estimate counts the ward; a ward we don't
know is a 422 naming the field."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from urllib.parse import quote

import pytest

from reportit.alerts.tables import Alert
from tests.accounts.conftest import new_device
from tests.alerts.conftest import publish_received, settled_url, unique_reference
from tests.api.test_reports_api import pothole, send
from tests.applications.conftest import csv_text, planning_row
from tests.conftest import ROOT
from tests.push.conftest import subscribe, unique_name

DEMO = ROOT / "server" / "reportit" / "places" / "demo"
WEST_END = (51.5300, -0.1300)  # demo West End ward, a corner no other test reports at
ST_JAMES = (51.5000, -0.1300)


@pytest.fixture
async def demo_wards(push_app):
    from reportit.places.areas import read_area_file, replace_areas
    from reportit.places.tables import Area

    await replace_areas("ward", read_area_file(DEMO / "wards.geojson")[0])
    yield {r["name"]: r["id"] for r in await Area.select(Area.id, Area.name).where(Area.kind == "ward")}
    await Area.delete(force=True)


def wkt(point: tuple[float, float]) -> str:
    return f"POINT ({point[1]} {point[0]})"


async def import_applications(server_env, tmp_path, rows) -> None:
    """`reportit applications import FILE` as an officer runs it (off the event loop, so the app's
    sender keeps working meanwhile)."""
    path = tmp_path / "applications.csv"
    path.write_text(csv_text(rows))
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "reportit.cli", "applications", "import",
                                                    str(path)], env={**os.environ, **server_env}, cwd=ROOT,
                                   capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


async def test_a_ward_alert_is_saved_by_name_or_id_and_listed_with_its_ward(push_client, resident, demo_wards):
    by_name = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                     json={"ward": "west end", "kinds": ["planning", "problems"]})
    assert by_name.status_code == 201, by_name.text
    saved = by_name.json()
    assert saved["ward"] == "West End" and saved["radius"] is None and saved["latitude"] is None
    by_id = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                   json={"ward": demo_wards["Pimlico"], "kinds": ["licensing"], "label": "Gran's"})
    assert by_id.status_code == 201, by_id.text
    assert by_id.json()["ward"] == "Pimlico"
    listed = (await push_client.get("/api/me/alerts", headers=resident["headers"])).json()["alerts"]
    assert [(a["ward"], a["kinds"]) for a in listed] == [("West End", ["planning", "problems"]),
                                                          ("Pimlico", ["licensing"])]
    changed = await push_client.put(f"/api/me/alerts/{saved['id']}", headers=resident["headers"],
                                    json={"ward": "St James's", "kinds": ["planning"]})
    assert changed.status_code == 200 and changed.json()["ward"] == "St James's"


@pytest.mark.parametrize("ward", ["Atlantis", 99999999, True, ["West End"], "", None])
async def test_a_ward_we_do_not_know_is_a_422_naming_the_field_and_nothing_is_saved(push_client, resident,
                                                                                   demo_wards, ward):
    response = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                      json={"ward": ward, "kinds": ["planning"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["ward"]
    assert "ward" in response.json()["errors"][0]["message"]
    assert (await push_client.get("/api/me/alerts", headers=resident["headers"])).json()["alerts"] == []


async def test_with_no_wards_imported_a_ward_alert_says_so(push_client, resident):
    response = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                      json={"ward": "West End", "kinds": ["planning"]})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "ward" and "no wards" in error["message"]


async def test_an_application_imported_into_the_ward_reaches_its_alert_and_one_outside_does_not(
        push_client, resident, browser, mock_push, demo_wards, server_env, tmp_path):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    saved = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                   json={"ward": "West End", "kinds": ["planning"]})
    assert saved.status_code == 201, saved.text
    inside, outside = unique_reference("W/"), unique_reference("W/")

    await import_applications(server_env, tmp_path, [planning_row(inside, point=wkt(WEST_END)),
                                                      planning_row(outside, point=wkt(ST_JAMES))])
    await settled_url(f"/a/{quote(inside, safe='')}")
    await settled_url(f"/a/{quote(outside, safe='')}")

    [push] = mock_push.delivered(name)
    assert push.payload["notification"]["title"] == "New planning application in West End ward"
    assert push.payload["notification"]["navigate"].endswith(f"/a/{quote(inside, safe='')}")


async def test_a_new_public_report_in_the_ward_reaches_those_watching_it(push_client, resident, browser, mock_push,
                                                                         demo_wards):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    saved = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                   json={"ward": "West End", "kinds": ["problems"], "categories": ["pothole"]})
    assert saved.status_code == 201, saved.text
    neighbour = await new_device(push_client)
    inside = await send(push_client, neighbour, pothole(latitude=str(WEST_END[0]), longitude=str(WEST_END[1])))
    outside = await send(push_client, neighbour, pothole(latitude=str(ST_JAMES[0]), longitude=str(ST_JAMES[1])))
    assert inside.status_code == outside.status_code == 201
    await settled_url(f"/r/{inside.json()['reference']}")

    [push] = mock_push.delivered(name)
    assert push.payload["notification"]["title"] == "Pothole reported in West End ward"
    assert push.payload["notification"]["navigate"].endswith(f"/r/{inside.json()['reference']}")


async def test_the_estimate_counts_what_the_ward_heard_of(push_client, resident, push_settings, demo_wards):
    query = {"ward": "Harrow Road", "kinds": "planning"}
    before = await push_client.get("/api/me/alerts/estimate", params=query, headers=resident["headers"])
    assert before.status_code == 200, before.text
    for _ in range(13):  # one a week over 13 weeks, inside the demo Harrow Road ward
        await publish_received(push_settings, unique_reference(), (51.53, -0.19))
    await publish_received(push_settings, unique_reference(), (51.50, -0.19))  # Lancaster Gate

    body = (await push_client.get("/api/me/alerts/estimate", params=query, headers=resident["headers"])).json()
    assert body["ward"] == "Harrow Road"
    assert body["counts"]["planning"] - before.json()["counts"]["planning"] == 13
    bad = await push_client.get("/api/me/alerts/estimate", params={**query, "ward": "Atlantis"},
                                headers=resident["headers"])
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["ward"]


async def test_deleting_the_ward_alert_leaves_no_row(push_client, resident, demo_wards):
    saved = (await push_client.post("/api/me/alerts", headers=resident["headers"],
                                    json={"ward": "Hyde Park", "kinds": ["planning"]})).json()
    assert (await push_client.delete(f"/api/me/alerts/{saved['id']}", headers=resident["headers"])).status_code == 204
    assert not await Alert.exists().where(Alert.ward == "Hyde Park")
