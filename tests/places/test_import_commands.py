"""`reportit streets import` and `reportit areas import` as an operator runs them, on a fresh
database of the backend under test: both column sets, idempotence, and every kind of bad input."""

from __future__ import annotations

import json

import pytest

from tests.api.test_cli import fresh_env, query, reportit  # noqa: F401 (fixture)
from tests.conftest import ROOT

DEMO = ROOT / "server" / "reportit" / "places" / "demo"

LLPG_CSV = """usrn,street_descriptor,locality,town,maintaining_authority,geometry
8400001,Regent Street,West End,London,Westminster City Council,"LINESTRING (-0.1345 51.5100, -0.1375 51.5117, -0.1395 51.5136)"
8400002,Victoria Embankment,Westminster,London,Transport for London,"LINESTRING (-0.1235 51.5010, -0.1220 51.5075)"
8400003,Broken Street,Westminster,London,Westminster City Council,"LINESTRING (-0.1 51.5,"
8400004,Grid Street,Westminster,London,Westminster City Council,"LINESTRING (529500 181200, 529600 181250)"
8400001,Regent Street Again,West End,London,Westminster City Council,"LINESTRING (-0.1345 51.5100, -0.1375 51.5117)"
8400005,,Westminster,London,Westminster City Council,"LINESTRING (-0.13 51.50, -0.131 51.501)"
8400006,Swapped Street,Westminster,London,Westminster City Council,"LINESTRING (51.4975 -0.1357, 51.498 -0.136)"
"""


@pytest.fixture
def migrated(fresh_env):  # noqa: F811
    assert reportit(fresh_env, "migrate").returncode == 0
    return fresh_env


def test_an_llpg_street_extract_imports_its_good_lines_and_names_each_bad_one(migrated, tmp_path):
    path = tmp_path / "streets.csv"
    path.write_text(LLPG_CSV)
    result = reportit(migrated, "streets", "import", str(path))
    assert result.returncode == 1  # some lines were left out; the rest are in
    assert "Streets: 2 added, 0 updated, 0 unchanged." in result.stdout
    errors = result.stderr
    assert "line 4: The geometry must be WKT (POINT, LINESTRING or MULTILINESTRING) or GeoJSON." in errors
    assert "line 5: These look like British National Grid eastings and northings" in errors
    assert "line 6: USRN 8400001 appears again (first on line 2): this one is left out." in errors
    assert "line 7: The street with USRN 8400005 has no name." in errors
    assert "line 8: The latitude and longitude look the wrong way round" in errors
    assert "5 lines were left out (listed above); the rest were imported." in errors
    rows = query(migrated, "SELECT usrn, name, authority FROM place_street ORDER BY usrn")
    assert rows == [("8400001", "Regent Street", "Westminster City Council"),
                    ("8400002", "Victoria Embankment", "Transport for London")]

    again = reportit(migrated, "streets", "import", str(path))
    assert "Streets: 0 added, 0 updated, 2 unchanged." in again.stdout  # idempotent
    assert query(migrated, "SELECT count(*) FROM place_street") == [(2,)]


def test_os_open_names_roads_joined_to_usrns_import_named_roads_only(migrated, tmp_path):
    features = [
        {"type": "Feature", "properties": {"USRN": "8400101", "NAME1": "Strutton Ground", "LOCAL_TYPE": "Named Road",
                                           "POPULATED_PLACE": "Westminster", "DISTRICT_BOROUGH": "City of Westminster"},
         "geometry": {"type": "LineString", "coordinates": [[-0.1340, 51.4979], [-0.1335, 51.4962]]}},
        {"type": "Feature", "properties": {"USRN": "8400102", "NAME1": "Victoria", "LOCAL_TYPE": "Suburban Area"},
         "geometry": {"type": "Point", "coordinates": [-0.14, 51.49]}},
        {"type": "Feature", "properties": {"USRN": "8400103", "NAME1": "Marsham Street", "LOCAL_TYPE": "Named Road"},
         "geometry": {"type": "Polygon", "coordinates": []}},
    ]
    path = tmp_path / "open-names.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = reportit(migrated, "streets", "import", str(path))
    assert "Streets: 1 added, 0 updated, 0 unchanged; 1 entries that are not named roads left out." in result.stdout
    assert "feature 3: A street must be a LineString, MultiLineString or Point, not 'Polygon'." in result.stderr
    assert query(migrated, "SELECT usrn, name, locality, town FROM place_street") == [
        ("8400101", "Strutton Ground", "Westminster", "City of Westminster")]

    csv_box = tmp_path / "open-names.csv"
    csv_box.write_text("USRN,NAME1,LOCAL_TYPE,MBR_XMIN,MBR_YMIN,MBR_XMAX,MBR_YMAX\n"
                       "8400101,Strutton Ground,Named Road,-0.1341,51.4960,-0.1334,51.4980\n"
                       "8400104,Old Pye Street,Named Road,529500,179300,529700,179400\n")
    changed = reportit(migrated, "streets", "import", str(csv_box))
    assert "Streets: 0 added, 1 updated, 0 unchanged." in changed.stdout
    assert "line 3: These look like British National Grid" in changed.stderr


def test_a_file_in_british_national_grid_is_refused_whole(migrated, tmp_path):
    path = tmp_path / "bng.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::27700"}}, "features": []}))
    result = reportit(migrated, "streets", "import", str(path))
    assert result.returncode == 1
    assert "British National Grid" in result.stderr and "EPSG:4326" in result.stderr
    missing = reportit(migrated, "streets", "import", str(tmp_path / "nothing.csv"))
    assert "There is no file" in missing.stderr


def test_wards_import_whole_or_not_at_all_and_name_the_reports(migrated, tmp_path):
    assert reportit(migrated, "demo", "--reports", "30").returncode == 0  # loads the illustrative places too
    wards = json.loads((DEMO / "wards.geojson").read_text())
    broken = json.loads(json.dumps(wards))
    broken["features"][1]["geometry"]["coordinates"][0] = broken["features"][1]["geometry"]["coordinates"][0][:3]
    broken["features"][2]["properties"] = {"code": "X"}
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(broken))
    before = query(migrated, "SELECT name FROM place_area ORDER BY name")
    result = reportit(migrated, "areas", "import", str(path), "--kind", "ward")
    assert result.returncode == 1
    assert "feature 2: A polygon's ring must have at least 4 positions and end where it starts." in result.stderr
    assert "feature 3: The area has no name" in result.stderr
    assert "no ward was changed" in result.stderr
    assert query(migrated, "SELECT name FROM place_area ORDER BY name") == before  # nothing half-imported

    renamed = json.loads(json.dumps(wards))
    for feature in renamed["features"]:
        feature["properties"]["name"] = feature["properties"]["name"] + " North"
    path.write_text(json.dumps(renamed))
    done = reportit(migrated, "areas", "import", str(path), "--kind", "district")
    assert done.returncode == 0, done.stderr
    assert "Areas: 8 of kind district imported" in done.stdout
    assert query(migrated, "SELECT count(*) FROM place_area WHERE kind = 'ward'") == [(8,)]  # other kinds untouched
    # Every demo report was named from the illustrative streets and wards.
    assert query(migrated, "SELECT count(*) FROM report WHERE street = '' OR ward = ''") == [(0,)]
    bad_kind = reportit(migrated, "areas", "import", str(path), "--kind", "two words")
    assert "The kind must be a single word" in bad_kind.stderr
