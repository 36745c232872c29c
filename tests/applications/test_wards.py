"""Applications get their ward and street when recorded (issue 13: "every report (and application)
gets its ward at intake"): named by the import, shown in the API, searched by ward; and those imported
before the wards or streets exist are named when `reportit areas import` / `streets import` run."""

from __future__ import annotations


from reportit.applications.tables import Application
from tests.api.test_cli import fresh_env, query, reportit  # noqa: F401 (fixture)
from tests.applications.conftest import csv_text, planning_row, unique
from tests.conftest import BACKEND, ROOT
from tests.places.conftest import demo_places  # noqa: F401 (fixture)

DEMO = ROOT / "server" / "reportit" / "places" / "demo"
ST_JAMES = "POINT (-0.1357 51.4975)"  # inside the demo St James's ward
WEST_END = "POINT (-0.1385 51.5127)"  # on Regent Street, in the demo West End ward


def test_applications_imported_before_the_wards_are_named_when_the_wards_and_streets_arrive(
        fresh_env, tmp_path):  # noqa: F811
    assert reportit(fresh_env, "migrate").returncode == 0
    first = tmp_path / "first.csv"
    first.write_text(csv_text([planning_row("W13/1", point=ST_JAMES), planning_row("W13/2", point=WEST_END),
                               planning_row("W13/3", point="")]))
    done = reportit(fresh_env, "applications", "import", str(first), "--regime", "planning")
    assert done.returncode == 0, done.stderr
    assert query(fresh_env, "SELECT reference, ward, street FROM application ORDER BY reference") == [
        ("W13/1", "", ""), ("W13/2", "", ""), ("W13/3", "", "")]

    wards = reportit(fresh_env, "areas", "import", str(DEMO / "wards.geojson"), "--kind", "ward")
    assert wards.returncode == 0, wards.stderr
    assert "; 2 applications named." in wards.stdout
    streets = reportit(fresh_env, "streets", "import", str(DEMO / "streets.geojson"))
    assert streets.returncode == 0, streets.stderr
    assert "applications named" in streets.stdout
    rows = query(fresh_env, "SELECT reference, ward, street FROM application ORDER BY reference")
    assert [(r[0], r[1]) for r in rows] == [("W13/1", "St James's"), ("W13/2", "West End"), ("W13/3", "")]
    assert rows[1][2] == "Regent Street"
    again = reportit(fresh_env, "areas", "import", str(DEMO / "wards.geojson"), "--kind", "ward")
    assert "applications named" not in again.stdout  # nothing left to name

    later = tmp_path / "later.csv"
    later.write_text(csv_text([planning_row("W13/4", point=WEST_END)]))
    assert reportit(fresh_env, "applications", "import", str(later)).returncode == 0
    assert query(fresh_env, "SELECT ward, street, usrn <> '' FROM application WHERE reference = 'W13/4'") == [
        ("West End", "Regent Street", True)]


async def test_the_api_shows_an_applications_ward_and_searches_by_it(client, demo_places, import_cli,  # noqa: F811
                                                                     write_file):
    tag = unique("WD")
    rows = [planning_row(f"{tag}/1", point=ST_JAMES), planning_row(f"{tag}/2", point=WEST_END)]
    done = await import_cli(write_file("wards.csv", csv_text(rows)))
    assert done.returncode == 0, done.stderr

    one = (await client.get(f"/api/applications/{tag}/2")).json()
    assert one["ward"] == "West End"
    assert one["street"] == "Regent Street"
    assert one["place"] == "Regent Street, West End ward"

    box = {"bbox": "51.49,-0.15,51.52,-0.12", "limit": "200"}
    found = (await client.get("/api/applications", params={**box, "ward": "st james's"})).json()
    references = [a["reference"] for a in found["applications"]]
    assert f"{tag}/1" in references and f"{tag}/2" not in references
    assert all(a["ward"] == "St James's" for a in found["applications"])

    bad = await client.get("/api/applications", params={**box, "ward": "Atlantis"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    [error] = bad.json()["errors"]
    assert error["field"] == "ward" and "West End" in error["message"]

    # The point moves (a corrected position): the ward follows it, and so does a search near it.
    near_west_end = {"near": "51.5127,-0.1385", "radius": "50", "limit": "200"}
    before = (await client.get("/api/applications", params=near_west_end)).json()["applications"]
    assert f"{tag}/2" in [a["reference"] for a in before] and f"{tag}/1" not in [a["reference"] for a in before]
    moved = await import_cli(write_file("moved.csv", csv_text([planning_row(f"{tag}/1",
                                                                                                point=WEST_END)])))
    assert moved.returncode == 0, moved.stderr
    assert (await client.get(f"/api/applications/{tag}/1")).json()["ward"] == "West End"
    after = (await client.get("/api/applications", params={**near_west_end, "ward": "West End"})).json()
    assert {f"{tag}/1", f"{tag}/2"} <= {a["reference"] for a in after["applications"]}
    if BACKEND == "sqlite":  # the R*Tree the search asks holds every point, kept by triggers
        [row] = await Application.raw("SELECT (SELECT count(*) FROM application_point) AS indexed, "
                                      "(SELECT count(*) FROM application WHERE latitude IS NOT NULL) AS placed")
        assert row["indexed"] == row["placed"]


async def test_officers_see_each_applications_ward_and_filter_by_it(client, demo_places, import_cli,  # noqa: F811
                                                                   write_file, officer):
    tag = unique("WC")
    done = await import_cli(write_file("console.csv", csv_text([planning_row(f"{tag}/1", point=ST_JAMES),
                                                                 planning_row(f"{tag}/2", point=WEST_END)])))
    assert done.returncode == 0, done.stderr

    page = await officer.get("/console/applications", params={"q": tag, "ward": "West End"})

    assert page.status_code == 200 and '<option value="West End" selected>' in page.text
    assert f"/console/applications/{tag}/2" in page.text and f"/console/applications/{tag}/1" not in page.text
    assert "West End ward" in page.text
    public = await client.get(f"/a/{tag}/2")
    assert "Regent Street, West End ward" in public.text
