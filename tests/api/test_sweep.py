import asyncio
import os
import time
import uuid

from reportit.reports.storage import TMP_DIR
from reportit.reports.sweep import sweep_orphans, sweep_periodically
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif
from reportit.app_state import services


async def test_old_files_no_report_refers_to_are_swept_and_referenced_ones_kept(app, client, device):
    store = services(app).photo_store
    kept = (await send(client, device, pothole(), photos=[jpeg_with_exif(width=321, height=123)])).json()
    kept_key = kept["photos"][0]["url"].removeprefix("/media/").removesuffix(".jpg")
    orphan = await store.put(b"\xff\xd8\xff\xe0 left behind by a crash " + os.urandom(16))
    fresh_orphan = await store.put(b"\xff\xd8\xff\xe0 being committed right now " + os.urandom(16))
    an_hour_ago = time.time() - 7200
    for key in (orphan.key, kept_key):
        os.utime(store.path_for(key), (an_hour_ago, an_hour_ago))

    removed = await sweep_orphans(store)

    assert removed >= 1
    assert not await store.exists(orphan.key)
    assert await store.exists(kept_key)
    assert await store.exists(fresh_orphan.key)


async def test_half_written_files_left_by_a_crash_are_swept_once_no_upload_can_own_them(app):
    store = services(app).photo_store
    tmp = store.root / TMP_DIR
    tmp.mkdir(parents=True, exist_ok=True)
    stale = tmp / f"{'a' * 64}.{uuid.uuid4().hex}.tmp"
    in_flight = tmp / f"{'b' * 64}.{uuid.uuid4().hex}.tmp"
    for path in (stale, in_flight):
        path.write_bytes(b"\xff\xd8\xff half a photo")
    an_hour_ago = time.time() - 7200
    os.utime(stale, (an_hour_ago, an_hour_ago))

    assert await sweep_orphans(store) >= 1

    assert not stale.exists()
    assert in_flight.exists()
    in_flight.unlink()


async def test_sweeping_goes_on_while_the_server_runs(app):
    store = services(app).photo_store
    sweeper = asyncio.create_task(sweep_periodically(store, interval=0.05))
    try:
        await asyncio.sleep(0.2)  # the first passes find nothing old
        orphan = await store.put(b"\xff\xd8\xff\xe0 written, then the server was killed " + os.urandom(16))
        partial = store.root / TMP_DIR / f"{orphan.key}.{uuid.uuid4().hex}.tmp"
        partial.write_bytes(b"\xff\xd8")
        an_hour_ago = time.time() - 7200
        for path in (store.path_for(orphan.key), partial):
            os.utime(path, (an_hour_ago, an_hour_ago))
        for _ in range(200):  # a later pass removes both
            if not partial.exists() and not await store.exists(orphan.key):
                break
            await asyncio.sleep(0.05)
        assert not partial.exists() and not await store.exists(orphan.key)
    finally:
        sweeper.cancel()


async def test_a_retry_that_finds_its_old_file_keeps_it_from_the_sweep(app):
    """An upload that wrote its file but never committed, retried over an hour later: the retry finds
    the file and must not lose it to the sweep before its report's row commits."""
    store = services(app).photo_store
    data = b"\xff\xd8\xff\xe0 written, never committed, retried later " + os.urandom(16)
    first = await store.put(data)
    two_hours_ago = time.time() - 7200
    os.utime(store.path_for(first.key), (two_hours_ago, two_hours_ago))

    retried = await store.put(data)
    await sweep_orphans(store)

    assert retried.key == first.key and not retried.created
    assert await store.exists(first.key)
