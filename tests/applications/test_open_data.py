"""Open data: GET /api/applications near a point (or in a box) with filters and paging, the GeoJSON
variant, one application with its history, and the permanent page /a/{reference} with no JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.applications.conftest import LICENSING_COLUMNS, csv_text, planning_row, unique

# A quiet corner of the example council's area, so other tests' applications are not in the way.
HERE = (51.5300, -0.2000)


def point(north_m: float = 0, east_m: float = 0) -> str:
    lat = HERE[0] + north_m / 111_320
    lng = HERE[1] + east_m / (111_320 * 0.6225)  # cos(51.53°)
    return f"POINT ({lng:.6f} {lat:.6f})"


@pytest.fixture(scope="module")
def area(tmp_path_factory, server_env, app) -> dict[str, str]:
    """Five applications at known distances from HERE (and one licensing), imported once."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    tag = unique("OD")
    refs = {"at": f"{tag}/1", "200m": f"{tag}/2", "450m": f"{tag}/3", "decided": f"{tag}/4", "far": f"{tag}/5",
            "pub": f"{tag}/6"}
    rows = [planning_row(refs["at"], point=point()),
            planning_row(refs["200m"], point=point(north_m=200), **{"planning-application-type": "householder"}),
            planning_row(refs["450m"], point=point(east_m=450)),
            planning_row(refs["decided"], point=point(north_m=-100), **{"planning-application-status": "decided",
                                                                     "planning-decision": "granted-with-conditions",
                                                                     "decision-date": "2026-12-15"}),
            planning_row(refs["far"], point=point(east_m=3000))]
    folder = tmp_path_factory.mktemp("open-data")
    (folder / "p.csv").write_text(csv_text(rows))
    lic = {"reference": refs["pub"], "application-type": "new-premises", "address": "The Feathers", "latitude":
           f"{HERE[0] + 50 / 111_320:.6f}", "longitude": f"{HERE[1]:.6f}", "status": "under consultation",
           "start-date": "2026-11-20", "end-date": "2026-12-18", "description": "Alcohol until 23:00"}
    (folder / "l.csv").write_text(csv_text([lic], LICENSING_COLUMNS))
    for name, regime in (("p.csv", "planning"), ("l.csv", "licensing")):
        done = subprocess.run([sys.executable, "-m", "reportit.cli", "applications", "import", str(folder / name),
                               "--regime", regime], env={**os.environ, **server_env}, cwd=ROOT, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
    return refs


def near(radius: int = 500, **params: str) -> dict:
    return {"near": f"{HERE[0]},{HERE[1]}", "radius": str(radius), **params}


async def test_near_a_point_lists_those_inside_the_radius_nearest_first(client, area):
    response = await client.get("/api/applications", params=near(500))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    found = [a["reference"] for a in body["applications"]]
    assert found == [area["at"], area["pub"], area["decided"], area["200m"], area["450m"]]
    assert area["far"] not in found
    assert body["total"] == 5
    distances = [a["distance_m"] for a in body["applications"]]
    assert distances == sorted(distances) and 190 <= distances[3] <= 210


async def test_filters_by_regime_status_and_type(client, area):
    async def refs(**params):
        return [a["reference"] for a in (await client.get("/api/applications", params=near(500, **params))).json()["applications"]]
    assert await refs(regime="licensing") == [area["pub"]]
    assert await refs(status="decided") == [area["decided"]]
    assert await refs(status="under consultation", regime="planning", type="householder") == [area["200m"]]
    decided = (await client.get("/api/applications", params=near(500, status="decided"))).json()["applications"][0]
    assert decided["deadline"]["text"] == "Decided on Tuesday 15 December: Granted with conditions."


async def test_pages_follow_next_until_the_end(client, area):
    seen, url, params = [], "/api/applications", near(500, limit="2")
    while url:
        body = (await client.get(url, params=params)).json()
        seen += [a["reference"] for a in body["applications"]]
        url, params = body["next"], None
    assert len(seen) == 5 and len(set(seen)) == 5


async def test_a_bounding_box_and_the_geojson_variant(client, area):
    box = f"{HERE[0] - 0.001},{HERE[1] - 0.001},{HERE[0] + 0.0025},{HERE[1] + 0.001}"
    response = await client.get("/api/applications.geojson", params={"bbox": box})
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    ids = {f["id"] for f in collection["features"]}
    assert ids == {area["at"], area["200m"], area["decided"], area["pub"]}
    at = next(f for f in collection["features"] if f["id"] == area["at"])
    assert at["geometry"] == {"type": "Point", "coordinates": [HERE[1], HERE[0]]}


async def test_one_application_with_its_history_and_as_geojson(client, area):
    body = (await client.get(f"/api/applications/{area['pub']}")).json()
    assert body["reference"] == area["pub"]
    assert body["url"].endswith(f"/a/{area['pub']}")
    assert body["deadline"]["late_comments"] == "refused"
    assert body["history"][0]["summary"] == "New licensing application received."
    feature = (await client.get(f"/api/applications/{area['pub']}", params={"format": "geojson"})).json()
    assert feature["type"] == "Feature" and feature["properties"]["reference"] == area["pub"]


@pytest.mark.parametrize(("params", "field"), [
    ({"near": "51.5"}, "near"), ({"near": "north,south"}, "near"), ({"near": "91,0"}, "near"),
    ({"near": "51.5,-0.1", "radius": "0"}, "radius"), ({"near": "51.5,-0.1", "radius": "50000"}, "radius"),
    ({"bbox": "51.6,-0.1,51.5,-0.2"}, "bbox"), ({"status": "pending"}, "status"), ({"regime": "parking"}, "regime"),
    ({"limit": "1000"}, "limit"), ({"offset": "-1"}, "offset"),
])
async def test_bad_searches_get_a_422_saying_what_to_change(client, params, field):
    response = await client.get("/api/applications", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_unknown_reference_is_a_404_problem_and_a_404_page(client):
    response = await client.get("/api/applications/NO/SUCH/1")
    assert response.status_code == 404 and response.json()["title"] == "No such application"
    page = await client.get("/a/NO/SUCH/1")
    assert page.status_code == 404 and "We cannot find that application" in page.text


async def test_the_permanent_page_needs_no_javascript(client, area):
    page = await client.get(f"/a/{area['decided']}")
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html
    assert "Decided on Tuesday 15 December: Granted with conditions." in html
    assert f"https://planning.example/{area['decided']}" in html
    assert re.search(r"<h2>History</h2>", html)
    assert "New planning application received." in html


async def test_the_api_is_described_in_openapi(client):
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert {"/api/applications", "/api/applications.geojson", "/api/applications/{reference}"} <= set(paths)
