"""A report sent first, its photos after it: previews, then each photo by the IETF resumable uploads
draft (HEAD for the offset, PATCH to append), over HTTP as the app sends them; and every bad input."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import io
import os
import uuid
from datetime import datetime, timedelta, timezone

from PIL import Image

from reportit.app_state import services
from reportit.reports.photos import assert_no_metadata
from reportit.reports.resumable import expire_abandoned, partial_path
from reportit.reports.sweep import sweep_orphans
from reportit.reports.tables import Photo, PhotoUpload, Report
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif, not_an_image

PARTIAL = "application/partial-upload"


def fresh_photo(width: int = 300, height: int = 200, **options) -> bytes:
    """A camera-like JPEG no other test sent (a unique comment), so it is not one the server holds."""
    data = jpeg_with_exif(width, height, **options)
    note = uuid.uuid4().hex.encode()
    return data[:2] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note + data[2:]


def declared(*photos: bytes) -> dict:
    return {"photo_sha256": [hashlib.sha256(p).hexdigest() for p in photos], "photo_size": [len(p) for p in photos]}


async def send_report(client, device, *photos: bytes, key: str | None = None):
    """The report first: its fields, and each photo named by hash and size (no photo bytes)."""
    fields = pothole()
    boundary_fields = list(fields.items())
    for sha, size in zip(*declared(*photos).values()):
        boundary_fields += [("photo_sha256", sha), ("photo_size", size)]
    return await _post_fields(client, device, boundary_fields, key or str(uuid.uuid4()))


async def _post_fields(client, device, pairs, key):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in pairs:
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    body.write(f"--{boundary}--\r\n".encode())
    return await client.post("/api/reports", content=body.getvalue(), headers={
        **device["headers"], "Idempotency-Key": key, "Content-Type": f"multipart/form-data; boundary={boundary}"})


async def head(client, device, url):
    return await client.head(url, headers=device["headers"])


async def patch(client, device, url, chunk: bytes, offset: int, complete: bool, **headers):
    return await client.patch(url, content=chunk, headers={
        **device["headers"], "Content-Type": PARTIAL, "Upload-Offset": str(offset),
        "Upload-Complete": "?1" if complete else "?0", **headers})


async def upload_whole(client, device, url, photo: bytes, chunk=4096):
    offset = 0
    while True:
        piece = photo[offset:offset + chunk]
        last = offset + len(piece) >= len(photo)
        response = await patch(client, device, url, piece, offset, last)
        if last:
            return response
        assert response.status_code == 204, response.text
        offset = int(response.headers["upload-offset"])


async def test_the_report_is_stored_first_and_each_photo_resumes_from_the_servers_offset(client, device):
    photos = [fresh_photo(640, 480), fresh_photo(500, 400, orientation=None)]
    created = await send_report(client, device, *photos)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["photos"] == []
    uploads = body["uploads"]
    assert [u["sha256"] for u in uploads] == declared(*photos)["photo_sha256"]
    assert not any(u["complete"] for u in uploads)
    page = await client.get(f"/r/{body['reference']}")
    assert "Photo 1 of 2 arriving" in page.text

    url = uploads[0]["upload_url"]
    first = await patch(client, device, url, photos[0][:3000], 0, False)
    assert first.status_code == 204, first.text
    assert first.headers["upload-offset"] == "3000" and first.headers["upload-complete"] == "?0"
    assert first.headers["upload-length"] == str(len(photos[0]))
    assert "max-append-size=1048576" in first.headers["upload-limit"]
    # The connection drops; the phone asks where to carry on.
    asked = await head(client, device, url)
    assert asked.status_code == 204
    assert asked.headers["upload-offset"] == "3000"
    last = await patch(client, device, url, photos[0][3000:], 3000, True)
    assert last.status_code == 200, last.text
    assert last.headers["upload-complete"] == "?1"
    assert "Photo 2 of 2 arriving" in (await client.get(f"/r/{body['reference']}")).text

    done = await upload_whole(client, device, uploads[1]["upload_url"], photos[1])
    assert done.status_code == 200, done.text
    report = (await client.get(f"/api/reports/{body['reference']}")).json()
    assert len(report["photos"]) == 2
    assert "arriving" not in (await client.get(f"/r/{body['reference']}")).text
    stored = await Photo.select(Photo.key, Photo.position).where(Photo.report.reference == body["reference"]).order_by(Photo.position)
    for row in stored:  # the same pipeline as any upload: shrunk, stripped, upright
        data = await services(client._transport.app).photo_store.read(row["key"])
        assert_no_metadata(data)
    assert Image.open(io.BytesIO(await services(client._transport.app).photo_store.read(stored[0]["key"]))).size == (480, 640)
    assert (await head(client, device, url)).headers["upload-complete"] == "?1"


async def test_the_report_is_created_once_however_often_it_is_sent(client, device):
    photo = fresh_photo(300, 200)
    key = str(uuid.uuid4())
    first = await send_report(client, device, photo, key=key)
    again = await send_report(client, device, photo, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["uploads"] == first.json()["uploads"]
    assert await Report.count().where(Report.idempotency_key == uuid.UUID(key)) == 1
    assert await PhotoUpload.count().where(PhotoUpload.report.reference == first.json()["reference"]) == 1


async def test_a_photo_the_server_holds_already_is_not_sent_again(client, device):
    photo = fresh_photo(320, 240, orientation=3)
    first = (await send_report(client, device, photo)).json()
    assert (await upload_whole(client, device, first["uploads"][0]["upload_url"], photo)).status_code == 200
    second = await send_report(client, device, photo)
    assert second.status_code == 201
    assert second.json()["uploads"][0]["complete"] is True
    assert len(second.json()["photos"]) == 1
    assert second.json()["photos"][0]["url"] == (await client.get(f"/api/reports/{first['reference']}")).json()["photos"][0]["url"]


async def test_a_preview_is_shown_while_the_photo_is_arriving(client, device):
    photo = fresh_photo(800, 600)
    preview = fresh_photo(160, 120)
    body = (await send_report(client, device, photo, fresh_photo(300, 200))).json()
    put = await client.put(body["uploads"][0]["preview_url"], content=preview,
                           headers={**device["headers"], "Content-Type": "image/jpeg"})
    assert put.status_code == 200, put.text
    preview_url = put.json()["preview_url"]
    shown = await client.get(preview_url)
    assert shown.status_code == 200
    assert_no_metadata(shown.content)
    page = (await client.get(f"/r/{body['reference']}")).text
    assert preview_url in page and "Photo 1 of 2 arriving" in page
    await sweep_orphans(services(client._transport.app).photo_store, grace_seconds=-60)
    assert (await client.get(preview_url)).status_code == 200, "a preview is no orphan for the sweep"
    too_big = await client.put(body["uploads"][1]["preview_url"], content=b"\xff" * (101 * 1024),
                               headers={**device["headers"], "Content-Type": "image/jpeg"})
    assert too_big.status_code == 413
    junk = await client.put(body["uploads"][1]["preview_url"], content=not_an_image(),
                            headers={**device["headers"], "Content-Type": "image/jpeg"})
    assert junk.status_code == 422


async def test_a_wrong_offset_is_409_with_the_offset_the_server_holds(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    assert (await patch(client, device, url, photo[:1000], 0, False)).status_code == 204
    for offset in (0, 500, 2000):  # overlapping, repeated, out of order
        wrong = await patch(client, device, url, photo[offset:offset + 100], offset, False)
        assert wrong.status_code == 409
        assert wrong.headers["content-type"] == "application/problem+json"
        problem = wrong.json()
        assert problem["type"] == "https://iana.org/assignments/http-problem-types#mismatching-upload-offset"
        assert (problem["expected-offset"], problem["provided-offset"]) == (1000, offset)
    assert (await head(client, device, url)).headers["upload-offset"] == "1000"
    assert (await upload_whole_from(client, device, url, photo, 1000)).status_code == 200


async def upload_whole_from(client, device, url, photo, offset):
    return await patch(client, device, url, photo[offset:], offset, True)


async def test_a_client_that_lies_about_the_length_is_refused_and_nothing_is_kept(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    other_length = await patch(client, device, url, photo[:100], 0, False, **{"Upload-Length": str(len(photo) + 5)})
    assert other_length.status_code == 400
    assert other_length.json()["type"].endswith("#inconsistent-upload-length")
    past_the_end = await patch(client, device, url, photo + b"extra", 0, True)
    assert past_the_end.status_code == 400
    assert (await head(client, device, url)).headers["upload-offset"] == "0"
    short = await patch(client, device, url, photo[:500], 0, True)  # "complete" at 500 bytes of more
    assert short.status_code == 400
    assert short.json()["type"].endswith("#inconsistent-upload-length")
    assert await Photo.count().where(Photo.report.reference == url.split("/")[3]) == 0
    assert (await upload_whole_from(client, device, url, photo, 500)).status_code == 200


async def test_bytes_that_are_not_the_declared_photo_are_refused_and_sent_again_from_0(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    damaged = bytes([photo[0] ^ 1]) + photo[1:]
    refused = await patch(client, device, url, damaged, 0, True)
    assert refused.status_code == 422
    assert refused.json()["type"] == "tag:reportit,2026:photo-damaged"
    assert (await head(client, device, url)).headers["upload-offset"] == "0"
    assert (await upload_whole(client, device, url, photo)).status_code == 200


async def test_something_that_is_not_a_photo_is_refused_with_the_usual_words(client, device):
    junk = not_an_image()
    url = (await send_report(client, device, junk)).json()["uploads"][0]["upload_url"]
    refused = await patch(client, device, url, junk, 0, True)
    assert refused.status_code == 422
    assert "isn't a photo" in refused.json()["errors"][0]["message"]


async def test_only_the_phone_that_sent_the_report_may_send_its_photos(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    other = (await client.post("/api/devices")).json()
    client.cookies.delete("reportit_device")
    stranger = {"headers": {"Authorization": f"Bearer {other['token']}"}}
    assert (await patch(client, stranger, url, photo, 0, True)).status_code == 403
    assert (await head(client, stranger, url)).status_code == 403
    assert (await client.patch(url, content=photo, headers={"Content-Type": PARTIAL, "Upload-Offset": "0",
                                                            "Upload-Complete": "?1"})).status_code == 401
    unknown = url.rsplit("/", 1)[0] + "/" + "0" * 64
    assert (await head(client, device, unknown)).status_code == 404


async def test_bad_headers_and_bodies_get_a_clear_4xx(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    no_type = await client.patch(url, content=photo, headers={**device["headers"], "Upload-Offset": "0", "Upload-Complete": "?1"})
    assert no_type.status_code == 415
    assert (await client.patch(url, content=b"x", headers={**device["headers"], "Content-Type": PARTIAL,
                                                            "Upload-Complete": "?0"})).status_code == 400
    assert (await patch(client, device, url, b"x", 0, False, **{"Upload-Offset": "-1"})).status_code == 400
    too_big = await patch(client, device, url, b"\0" * (1024 * 1024 + 1), 0, False)
    assert too_big.status_code == 413
    assert (await head(client, device, url)).headers["upload-offset"] == "0"
    assert (await upload_whole(client, device, url, photo)).status_code == 200
    again = await patch(client, device, url, b"", len(photo), True)
    assert again.status_code == 400 and again.json()["type"].endswith("#completed-upload")


async def test_declared_photos_are_checked_before_the_report_is_stored(client, device):
    bad = [("photo_sha256", "not-a-hash"), ("photo_size", "10")]
    huge = [("photo_sha256", "b" * 64), ("photo_size", str(10**12))]
    six = [pair for n in range(6) for pair in (("photo_sha256", f"{n:064x}"), ("photo_size", "10"))]
    for pairs in (bad, huge, six, [("photo_sha256", "c" * 64)]):
        key = str(uuid.uuid4())
        refused = await _post_fields(client, device, list(pothole().items()) + pairs, key)
        assert refused.status_code == 422, (pairs, refused.text)
        assert refused.json()["errors"]
        assert not await Report.exists().where(Report.idempotency_key == uuid.UUID(key))


async def test_a_second_connection_sending_the_same_photo_at_once_is_told_to_retry(client, device, app):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo)).json()
    row = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == body["reference"]).first()
    path = partial_path(services(app).settings.config.uploads_dir, row["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as busy:  # another append holds the photo
        fcntl.flock(busy, fcntl.LOCK_EX)
        refused = await patch(client, device, body["uploads"][0]["upload_url"], photo, 0, True)
    assert refused.status_code == 409 and refused.headers["retry-after"]
    assert (await upload_whole(client, device, body["uploads"][0]["upload_url"], photo)).status_code == 200


async def test_an_abandoned_upload_expires_with_no_file_left_and_can_start_again(client, device, app):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo))
    url = body.json()["uploads"][0]["upload_url"]
    assert (await patch(client, device, url, photo[:2000], 0, False)).status_code == 204
    row = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == body.json()["reference"]).first()
    uploads_dir = services(app).settings.config.uploads_dir
    assert partial_path(uploads_dir, row["id"]).exists()
    stray = uploads_dir / "999999999.part"  # a file no upload owns (its report was deleted)
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    await expire_abandoned(uploads_dir, 24, now=later)
    assert not partial_path(uploads_dir, row["id"]).exists() and not stray.exists()
    assert (await PhotoUpload.select(PhotoUpload.state).where(PhotoUpload.id == row["id"]).first())["state"] == "expired"
    assert (await head(client, device, url)).headers["upload-offset"] == "0"
    assert (await upload_whole(client, device, url, photo)).status_code == 200


async def test_an_old_client_sending_one_multipart_request_still_works(client, device):
    response = await send(client, device, pothole(), photos=[jpeg_with_exif()])
    assert response.status_code == 201
    assert len(response.json()["photos"]) == 1 and "uploads" not in response.json()


async def test_the_same_photo_attached_twice_is_sent_once_and_shown_twice(client, device):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo, photo)).json()
    assert [u["upload_url"] for u in body["uploads"]] == [body["uploads"][0]["upload_url"]] * 2
    assert (await upload_whole(client, device, body["uploads"][0]["upload_url"], photo)).status_code == 200
    report = (await client.get(f"/api/reports/{body['reference']}", headers=device["headers"])).json()
    assert len(report["photos"]) == 2 and all(u["complete"] for u in report["uploads"])


async def test_two_phones_sending_the_same_photo_at_once_each_get_it_whole(client, device):
    photo = fresh_photo(400, 300)
    other = (await client.post("/api/devices")).json()
    client.cookies.delete("reportit_device")
    second = {"headers": {"Authorization": f"Bearer {other['token']}"}}
    first_url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    second_url = (await send_report(client, second, photo)).json()["uploads"][0]["upload_url"]
    done = await asyncio.gather(upload_whole(client, device, first_url, photo, chunk=2048),
                                upload_whole(client, second, second_url, photo, chunk=2048))
    assert [d.status_code for d in done] == [200, 200]
    assert done[0].json()["photo"]["url"] == done[1].json()["photo"]["url"]
    data = await services(client._transport.app).photo_store.read(done[0].json()["photo"]["url"][7:-4])
    Image.open(io.BytesIO(data)).load()


async def test_a_photo_the_phone_gives_up_leaves_no_file(client, device, app):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo)).json()
    url = body["uploads"][0]["upload_url"]
    assert (await patch(client, device, url, photo[:1000], 0, False)).status_code == 204
    row = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == body["reference"]).first()
    assert (await client.delete(url, headers=device["headers"])).status_code == 204
    assert not partial_path(services(app).settings.config.uploads_dir, row["id"]).exists()
    assert "arriving" not in (await client.get(f"/r/{body['reference']}")).text


def unique_preview(width: int = 160, height: int = 120) -> bytes:
    """Pixels no other test sent (stripping metadata would make two fresh_photo previews one file)."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


async def put_preview(client, device, upload: dict, preview: bytes | None = None):
    return await client.put(upload["preview_url"], content=preview or unique_preview(),
                            headers={**device["headers"], "Content-Type": "image/jpeg"})


async def test_a_preview_is_no_longer_served_once_its_photo_is_in_or_refused(client, device, app):
    store = services(app).photo_store
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo)).json()
    preview_url = (await put_preview(client, device, body["uploads"][0])).json()["preview_url"]
    assert (await client.get(preview_url)).status_code == 200
    assert (await upload_whole(client, device, body["uploads"][0]["upload_url"], photo)).status_code == 200
    assert (await client.get(preview_url)).status_code == 404
    assert (await client.get(preview_url, headers=device["headers"])).status_code == 404
    assert not await store.exists(preview_url[7:-4]), "the preview's file goes once nothing uses it"
    assert not (await client.get(f"/api/reports/{body['reference']}", headers=device["headers"])).json()["uploads"][0]["has_preview"]

    junk = not_an_image()
    body = (await send_report(client, device, junk)).json()
    preview_url = (await put_preview(client, device, body["uploads"][0])).json()["preview_url"]
    assert (await patch(client, device, body["uploads"][0]["upload_url"], junk, 0, True)).status_code == 422
    assert (await client.get(preview_url)).status_code == 404

    given_up = fresh_photo(300, 200)
    body = (await send_report(client, device, given_up)).json()
    preview_url = (await put_preview(client, device, body["uploads"][0])).json()["preview_url"]
    assert (await client.delete(body["uploads"][0]["upload_url"], headers=device["headers"])).status_code == 204
    assert (await client.get(preview_url)).status_code == 404


async def test_a_last_part_cut_short_is_kept_and_answered_as_unfinished(client, device):
    photo = fresh_photo(300, 200)
    url = (await send_report(client, device, photo)).json()["uploads"][0]["upload_url"]
    # The phone meant to send the whole photo as the last part; only 700 bytes got through.
    cut = await patch(client, device, url, photo[:700], 0, True, **{"Content-Length": str(len(photo))})
    assert cut.status_code == 204, cut.text
    assert (cut.headers["upload-offset"], cut.headers["upload-complete"]) == ("700", "?0")
    assert (await head(client, device, url)).headers["upload-offset"] == "700"
    assert (await upload_whole_from(client, device, url, photo, 700)).status_code == 200


async def test_the_sweep_leaves_a_file_an_append_is_writing_to(client, device, app):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo)).json()
    url = body["uploads"][0]["upload_url"]
    assert (await patch(client, device, url, photo[:2000], 0, False)).status_code == 204
    row = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == body["reference"]).first()
    uploads_dir = services(app).settings.config.uploads_dir
    path = partial_path(uploads_dir, row["id"])
    # The phone comes back after a day: its row is old, but an append has just written to the file.
    await PhotoUpload.update({PhotoUpload.updated_at: datetime.now(timezone.utc) - timedelta(hours=30)}).where(
        PhotoUpload.id == row["id"])
    await expire_abandoned(uploads_dir, 24)
    assert path.exists(), "a file written to lately is left alone"
    os.utime(path, (0, 0))
    with open(path, "ab") as busy:  # an append holds the photo's lock
        fcntl.flock(busy, fcntl.LOCK_EX)
        await expire_abandoned(uploads_dir, 24)
        assert path.exists(), "a file an append holds is left alone"
    await expire_abandoned(uploads_dir, 24)
    assert not path.exists()


async def test_a_photo_given_up_takes_no_more_bytes_and_giving_up_waits_for_a_running_append(client, device, app):
    photo = fresh_photo(300, 200)
    body = (await send_report(client, device, photo)).json()
    url = body["uploads"][0]["upload_url"]
    row = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == body["reference"]).first()
    path = partial_path(services(app).settings.config.uploads_dir, row["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as busy:  # an append is running
        fcntl.flock(busy, fcntl.LOCK_EX)
        refused = await client.delete(url, headers=device["headers"])
    assert refused.status_code == 409 and refused.headers["retry-after"]
    assert (await PhotoUpload.select(PhotoUpload.state).where(PhotoUpload.id == row["id"]).first())["state"] == "arriving"
    assert (await client.delete(url, headers=device["headers"])).status_code == 204
    late = await patch(client, device, url, photo, 0, True)
    assert late.status_code == 410, late.text
    assert "given up" in late.json()["detail"]
    assert (await head(client, device, url)).status_code == 410
    assert (await PhotoUpload.select(PhotoUpload.state).where(PhotoUpload.id == row["id"]).first())["state"] == "refused"
    assert not path.exists()

    junk = not_an_image()
    url = (await send_report(client, device, junk)).json()["uploads"][0]["upload_url"]
    assert (await patch(client, device, url, junk, 0, True)).status_code == 422
    assert (await patch(client, device, url, junk, 0, True)).status_code == 410


async def test_a_photo_the_server_holds_is_reused_only_for_its_own_sender(client, device):
    photo = fresh_photo(320, 240)
    first = (await send_report(client, device, photo)).json()
    assert (await upload_whole(client, device, first["uploads"][0]["upload_url"], photo)).status_code == 200
    other = (await client.post("/api/devices")).json()
    client.cookies.delete("reportit_device")
    stranger = {"headers": {"Authorization": f"Bearer {other['token']}"}}
    theirs = (await send_report(client, stranger, photo)).json()
    assert theirs["uploads"][0]["complete"] is False, "another phone learns nothing of who holds that photo"
    assert theirs["photos"] == []
    assert (await upload_whole(client, stranger, theirs["uploads"][0]["upload_url"], photo)).status_code == 200
    again = (await send_report(client, device, photo)).json()
    assert again["uploads"][0]["complete"] is True


async def test_previews_cost_little_a_large_one_is_refused_and_each_phone_is_limited(client, device, app):
    from dataclasses import replace

    from reportit.reports.upload_budget import UploadBudget

    photos = [fresh_photo(300, 200) for _ in range(3)]
    uploads = (await send_report(client, device, *photos)).json()["uploads"]
    huge = io.BytesIO()
    Image.new("RGB", (2000, 1200), (90, 90, 90)).save(huge, "JPEG", quality=30)
    assert len(huge.getvalue()) < 100 * 1024
    refused = await put_preview(client, device, uploads[0], huge.getvalue())
    assert refused.status_code == 422, refused.text
    assert "megapixels" in refused.json()["errors"][0]["message"]

    state = services(app)
    saved_budget, saved_settings = state.upload_budget, state.settings
    preview = unique_preview(480, 360)
    try:
        state.upload_budget = UploadBudget(200_000)  # the bytes fit; decoding them does not
        busy = await put_preview(client, device, uploads[0], preview)
        assert busy.status_code == 503, busy.text
    finally:
        state.upload_budget = saved_budget
    first = await put_preview(client, device, uploads[0], preview)
    assert first.status_code == 200
    again = await put_preview(client, device, uploads[0], unique_preview())  # a lost reply: sent again
    assert again.status_code == 200 and again.json()["preview_url"] == first.json()["preview_url"]
    try:
        config = replace(saved_settings.config, reports_per_hour=1, max_photos=1)  # 2 previews an hour, 1 at once
        state.settings = replace(saved_settings, config=config)
        assert (await put_preview(client, device, uploads[1])).status_code == 200
        limited = await put_preview(client, device, uploads[2])
        assert limited.status_code == 429 and limited.headers["retry-after"]
    finally:
        state.settings = saved_settings
