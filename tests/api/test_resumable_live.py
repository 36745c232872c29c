"""Photos sent after their report, against a real `reportit serve`: stored in S3-compatible object
storage as on disk, and carried on from the server's offset after the server restarts mid-photo."""

from __future__ import annotations

import hashlib
import io
import uuid

import httpx
from PIL import Image

from reportit.reports.photos import assert_no_metadata
from tests.api.live_http import multipart
from tests.api.test_object_storage_live import _objects, _serving
from tests.api.test_reports_api import pothole
from tests.api.test_resumable_uploads import fresh_photo
from tests.conftest import running_server, separate_env

PARTIAL = "application/partial-upload"


def _report_first(url: str, token: str, *photos: bytes) -> dict:
    """The report, naming its photos by SHA-256 and size (as the app sends it)."""
    content_type, parts = multipart(pothole())
    named = [f'--reportit-test\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for photo in photos
             for name, value in (("photo_sha256", hashlib.sha256(photo).hexdigest()), ("photo_size", len(photo)))]
    response = httpx.post(f"{url}/api/reports", content=b"".join(parts[:-1] + named + parts[-1:]), timeout=30, headers={
        "Content-Type": content_type, "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def _append(url: str, token: str, upload_url: str, data: bytes, offset: int, complete: bool) -> httpx.Response:
    return httpx.patch(f"{url}{upload_url}", content=data, timeout=30, headers={
        "Authorization": f"Bearer {token}", "Content-Type": PARTIAL, "Upload-Offset": str(offset),
        "Upload-Complete": "?1" if complete else "?0"})


def test_a_photo_sent_in_parts_is_stored_in_object_storage_stripped(server_env, tmp_path, object_server):
    bucket = object_server.new_bucket()
    photo = fresh_photo(640, 480)
    with _serving(server_env, tmp_path, object_server, bucket) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        report = _report_first(url, token, photo)
        upload = report["uploads"][0]
        preview = httpx.put(f"{url}{upload['preview_url']}", content=fresh_photo(160, 120), timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})
        assert preview.status_code == 200, preview.text
        assert _append(url, token, upload["upload_url"], photo[:5000], 0, False).status_code == 204
        done = _append(url, token, upload["upload_url"], photo[5000:], 5000, True)
        assert done.status_code == 200, done.text
        shown = httpx.get(f"{url}{done.json()['photo']['url']}")
        assert shown.status_code == 200
        assert_no_metadata(shown.content)
        keys = _objects(object_server, bucket)
        assert f"photos/{done.json()['photo']['url'][7:9]}/{done.json()['photo']['url'][9:11]}/{done.json()['photo']['url'][7:]}" in keys
        assert not list((tmp_path / "uploads").glob("*.part"))


def test_a_photo_carries_on_from_the_offset_on_disk_after_the_server_restarts(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    photo = fresh_photo(800, 600)
    with running_server(env) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        report = _report_first(url, token, photo)
        upload_url = report["uploads"][0]["upload_url"]
        assert _append(url, token, upload_url, photo[:7000], 0, False).status_code == 204
    with running_server(env) as (url, _process):  # a new process: only the disk remembers
        asked = httpx.head(f"{url}{upload_url}", headers={"Authorization": f"Bearer {token}"})
        assert asked.headers["upload-offset"] == "7000"
        done = _append(url, token, upload_url, photo[7000:], 7000, True)
        assert done.status_code == 200, done.text
        mine = httpx.get(f"{url}/api/reports/{report['reference']}", headers={"Authorization": f"Bearer {token}"}).json()
        assert len(mine["photos"]) == 1 and mine["uploads"][0]["complete"]
        Image.open(io.BytesIO(httpx.get(f"{url}{mine['photos'][0]['url']}").content)).load()
