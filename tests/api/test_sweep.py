import os
import time

from reportit.reports.sweep import sweep_orphans
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif


async def test_old_files_no_report_refers_to_are_swept_and_referenced_ones_kept(app, client, device):
    store = app.state.photo_store
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
