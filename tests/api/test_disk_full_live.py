"""A full disk while residents send photos, against a real `reportit serve` whose upload or photo
directory is a small tmpfs (in a mount namespace of its own, so nothing shows outside it): each write
path gives a clear 503 with Retry-After, leaves no half-written or orphan file, loses no report,
and completes once the space is given back (the tmpfs made bigger, or a filler file removed).
The database is never on the tmpfs. Needs root (mount); skipped otherwise."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw

from reportit.reports.photos import process_photo
from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.api.test_resumable_live import _append, _report_first
from tests.conftest import running_server, separate_env
from tests.photo_samples import asymmetric_picture

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs as the full disk needs root")

PAGE = 4096  # tmpfs counts whole pages


@contextlib.contextmanager
def _serving(env: dict[str, str], **options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """The server, with each named directory of its data dir ("uploads", "photos") a tmpfs mounted
    with those options, in a private mount namespace the server runs in."""
    data = Path(env["REPORTIT_DATA_DIR"])
    mounts = []
    for name, option in options.items():
        (data / name).mkdir(parents=True, exist_ok=True)
        mounts.append(f"mount -t tmpfs -o {option} tmpfs {data / name}")
    script = " && ".join([*mounts, 'exec "$@"'])
    with running_server(env, prefix=["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"]) as served:
        yield served


def _seen(process: subprocess.Popen, path: Path) -> Path:
    """`path` as the server sees it (inside its mount namespace)."""
    return Path(f"/proc/{process.pid}/root") / path.relative_to("/")


def _give_space_back(process: subprocess.Popen, directory: Path, options: str = "size=4m") -> None:
    subprocess.run(["nsenter", "-t", str(process.pid), "-m", "mount", "-o", f"remount,{options}", str(directory)], check=True)


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def _fill(directory: Path) -> Path:
    """Fill the filesystem with a file of nothing; returns it (remove it to give the space back)."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * PAGE)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


def _unique_photo(width: int = 1600, height: int = 1200) -> bytes:
    """A JPEG whose pixels no other photo in the test run has, so its stored files are this test's
    alone (on PostgreSQL every test's reports share the database)."""
    picture = asymmetric_picture(width, height)
    draw = ImageDraw.Draw(picture)
    for _ in range(8):
        x, y = secrets.randbelow(width - 64), secrets.randbelow(height - 64)
        draw.rectangle((x, y, x + 63, y + 63), fill=tuple(secrets.randbelow(256) for _ in range(3)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _display_room(photo: bytes) -> str:
    """tmpfs options with room for the photo's display and not its thumbnail: the second file of a
    stored photo fails, after the first was written."""
    return f"size={-(-len(process_photo(photo).display) // PAGE) * PAGE // 1024}k"


def _assert_no_room(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["title"] == "No room just now"
    assert "out of space" in body["detail"] and "phone" in body["detail"]


def _assert_stored(url: str, token: str, reference: str, photo: bytes) -> None:
    """The report holds the photo: a valid JPEG, stored under the hash of its bytes."""
    mine = httpx.get(f"{url}/api/reports/{reference}", headers={"Authorization": f"Bearer {token}"}).json()
    assert len(mine["photos"]) == 1
    if "uploads" in mine:
        assert mine["uploads"][0]["complete"] and mine["uploads"][0]["sha256"] == hashlib.sha256(photo).hexdigest()
    shown = httpx.get(f"{url}{mine['photos'][0]['url']}")
    assert shown.status_code == 200
    Image.open(io.BytesIO(shown.content)).load()
    assert mine["photos"][0]["url"] == f"/media/{hashlib.sha256(shown.content).hexdigest()}.jpg"


def test_a_photo_that_fills_the_upload_disk_is_kept_to_where_it_stopped_and_resumes(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    photo = _unique_photo()  # about 32 KB, twice the room
    with _serving(env, uploads="size=16k,nr_inodes=1") as (url, process):  # not even a file can be made
        uploads = _seen(process, tmp_path / "uploads")
        token = httpx.post(f"{url}/api/devices").json()["token"]
        report = _report_first(url, token, photo)
        upload_url = report["uploads"][0]["upload_url"]
        _assert_no_room(_append(url, token, upload_url, photo, 0, True))
        asked = httpx.head(f"{url}{upload_url}", headers={"Authorization": f"Bearer {token}"})
        assert asked.headers["upload-offset"] == "0" and _files(uploads) == []
        _give_space_back(process, tmp_path / "uploads", "nr_inodes=64")  # a file, but only 16 KB
        _assert_no_room(_append(url, token, upload_url, photo, 0, True))
        asked = httpx.head(f"{url}{upload_url}", headers={"Authorization": f"Bearer {token}"})
        held = int(asked.headers["upload-offset"])
        assert 0 < held < len(photo) and asked.headers["upload-complete"] == "?0"
        [part] = _files(uploads)
        assert part.read_bytes() == photo[:held]  # a good prefix, nothing torn
        _give_space_back(process, tmp_path / "uploads")
        done = _append(url, token, upload_url, photo[held:], held, True)
        assert done.status_code == 200, done.text
        _assert_stored(url, token, report["reference"], photo)
        assert _files(uploads) == []


def test_a_photo_store_full_when_the_upload_completes_leaves_no_file_and_completes_later(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    photo = _unique_photo()
    with _serving(env, photos=_display_room(photo)) as (url, process):
        photos = _seen(process, tmp_path / "photos")
        token = httpx.post(f"{url}/api/devices").json()["token"]
        report = _report_first(url, token, photo)
        upload_url = report["uploads"][0]["upload_url"]
        _assert_no_room(_append(url, token, upload_url, photo, 0, True))
        assert _files(photos) == []  # neither a temp file nor the display stored without its thumbnail
        asked = httpx.head(f"{url}{upload_url}", headers={"Authorization": f"Bearer {token}"})
        assert asked.headers["upload-offset"] == str(len(photo)) and asked.headers["upload-complete"] == "?0"
        _give_space_back(process, tmp_path / "photos")
        done = _append(url, token, upload_url, b"", len(photo), True)  # "that was all of it", again
        assert done.status_code == 200, done.text
        _assert_stored(url, token, report["reference"], photo)
        assert list((tmp_path / "uploads").glob("*.part")) == []
        assert len(_files(photos)) == 2  # the display and its thumbnail


def test_a_report_with_its_photo_when_the_photo_store_is_full_is_refused_whole_and_kept_once(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    photo = _unique_photo()
    content_type, parts = multipart(pothole(), [("photo.jpg", photo)])
    key = str(uuid.uuid4())
    with _serving(env, photos=_display_room(photo)) as (url, process):
        photos = _seen(process, tmp_path / "photos")
        token = httpx.post(f"{url}/api/devices").json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type, "Idempotency-Key": key}

        def send() -> httpx.Response:
            return httpx.post(f"{url}/api/reports", content=b"".join(parts), headers=headers, timeout=30)

        def mine() -> list[dict]:
            return httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}).json()["reports"]

        _assert_no_room(send())
        assert "503" in httpx.get(f"{url}/api/openapi.json").json()["paths"]["/api/reports"]["post"]["responses"]
        assert mine() == []  # nothing stored: the app keeps the report and sends it again
        assert _files(photos) == []
        _give_space_back(process, tmp_path / "photos")
        first = send()
        assert first.status_code == 201, first.text
        again = send()
        assert again.status_code == 200 and again.json()["reference"] == first.json()["reference"]
        assert [r["reference"] for r in mine()] == [first.json()["reference"]]
        _assert_stored(url, token, first.json()["reference"], photo)


def test_a_preview_when_the_photo_store_is_full_is_refused_cleanly_and_taken_later(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    photo = _unique_photo(640, 480)
    with _serving(env, photos="size=64k") as (url, process):
        photos = _seen(process, tmp_path / "photos")
        token = httpx.post(f"{url}/api/devices").json()["token"]
        report = _report_first(url, token, photo)
        preview_url = report["uploads"][0]["preview_url"]
        filler = _fill(photos)

        def send() -> httpx.Response:
            return httpx.put(f"{url}{preview_url}", content=_unique_photo(160, 120), timeout=30,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})

        _assert_no_room(send())
        assert _files(photos) == [filler]
        filler.unlink()
        stored = send()
        assert stored.status_code == 200, stored.text
        assert httpx.get(f"{url}{stored.json()['preview_url']}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
