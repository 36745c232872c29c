"""A real `reportit serve` keeping photos in S3-compatible storage (moto on loopback): photos are
served through the app's access check with no metadata, and a store that goes away refuses
reports with 503 and writes nothing half-way."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from reportit.reports.photos import assert_no_metadata
from tests.api.live_http import multipart
from tests.api.test_permalinks import neighbour_noise
from tests.api.test_reports_api import pothole
from tests.conftest import running_server, separate_env
from tests.object_storage import CREDENTIALS, ObjectServer, _free_port
from tests.photo_samples import jpeg_with_exif


@pytest.fixture
def own_object_server() -> Iterator[ObjectServer]:
    """A moto server of this test's own, so stopping it disturbs no other test."""
    port = _free_port()
    running = ObjectServer(port, ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False))
    running.server.start()
    yield running
    running.server.stop()


def _objects(server: ObjectServer, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=CREDENTIALS["access_key_id"],
                          aws_secret_access_key=CREDENTIALS["secret_access_key"], region_name=CREDENTIALS["region"])
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _send(url: str, token: str, fields: dict, photos: list[bytes], key: str | None = None) -> httpx.Response:
    content_type, parts = multipart(fields, [(f"photo{i}.jpg", p) for i, p in enumerate(photos)])
    return httpx.post(f"{url}/api/reports", content=b"".join(parts), timeout=60, headers={
        "Content-Type": content_type, "Authorization": f"Bearer {token}", "Idempotency-Key": key or str(uuid.uuid4())})


def _serving(server_env, tmp_path, object_server: ObjectServer, bucket: str):
    return running_server(separate_env(server_env, tmp_path), **object_server.env,
                          REPORTIT_STORAGE_URL=f"s3://{bucket}/photos")


def test_photos_in_object_storage_are_served_stripped_and_private_ones_only_to_their_phone(
        server_env, tmp_path, object_server):
    bucket = object_server.new_bucket()
    with _serving(server_env, tmp_path, object_server, bucket) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        stranger = httpx.post(f"{url}/api/devices").json()["token"]
        public = _send(url, token, pothole(), [jpeg_with_exif(width=640, height=480, orientation=6)])
        private = _send(url, token, neighbour_noise(), [jpeg_with_exif(width=333, height=211)])
        assert public.status_code == 201, public.text
        assert private.status_code == 201, private.text

        shown = httpx.get(url + public.json()["photos"][0]["url"])
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        assert_no_metadata(shown.content)
        assert b"Exif" not in shown.content and b"GPS" not in shown.content
        assert Image.open(io.BytesIO(shown.content)).size == (480, 640)  # turned upright
        assert httpx.get(url + public.json()["photos"][0]["thumbnail_url"]).status_code == 200

        private_photo = url + private.json()["photos"][0]["url"]
        assert httpx.get(private_photo).status_code == 404
        assert httpx.get(private_photo, headers={"Authorization": f"Bearer {stranger}"}).status_code == 404
        mine = httpx.get(private_photo, headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200 and "private" in mine.headers["cache-control"]

        assert httpx.get(f"{url}/healthz").json() == {"database": "ok", "storage": "ok"}
    keys = [photo["url"].removeprefix("/media/") for r in (public, private) for photo in r.json()["photos"]]
    stored = _objects(object_server, bucket)
    assert all(f"photos/{k[:2]}/{k[2:4]}/{k}" in stored for k in keys)
    assert not any((tmp_path / "photos").rglob("*.jpg"))  # nothing on the local disk


def test_a_report_is_refused_with_503_while_the_object_store_is_down_and_nothing_is_half_written(
        server_env, tmp_path, own_object_server):
    bucket = own_object_server.new_bucket()
    with _serving(server_env, tmp_path, own_object_server, bucket) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        key = str(uuid.uuid4())
        own_object_server.stop()

        refused = _send(url, token, pothole(description="Sent while storage is down"),
                        [jpeg_with_exif(width=300, height=200)], key=key)
        health = httpx.get(f"{url}/healthz")

        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0
        assert "Nothing is lost" in refused.json()["detail"]
        assert health.status_code == 503 and health.json() == {"database": "ok", "storage": "down"}
        mine = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}).json()
        assert "Sent while storage is down" not in str(mine)

        own_object_server.start()
        again = _send(url, token, pothole(description="Sent while storage is down"),
                      [jpeg_with_exif(width=300, height=200)], key=key)
        assert again.status_code == 201, again.text  # created now: the first try stored no report
        assert httpx.get(url + again.json()["photos"][0]["url"]).status_code == 200
        assert httpx.get(f"{url}/healthz").status_code == 200
