"""The map libraries' digest names the cache phones keep them in: an upgrade must change it."""

from __future__ import annotations

from reportit.basemap import libraries


def test_a_changed_library_file_changes_the_version(tmp_path, monkeypatch):
    leaflet = tmp_path / "leaflet"
    leaflet.mkdir()
    (leaflet / "leaflet-src.esm.js").write_text("export const version = '1.9.4';")
    (leaflet / "README.md").write_text("not served")
    monkeypatch.setattr(libraries, "LIBRARIES", {"leaflet": leaflet})
    before = libraries.version()
    (leaflet / "README.md").write_text("still not served")
    assert libraries.version() == before  # only what is served counts
    (leaflet / "leaflet-src.esm.js").write_text("export const version = '2.0.0';")
    assert libraries.version() != before



async def test_the_app_is_told_the_version_of_the_libraries_it_is_served(client):
    manifest = (await client.get("/precache-manifest.js")).text
    assert f'export const VENDOR_VERSION = "{libraries.version()}";' in manifest
