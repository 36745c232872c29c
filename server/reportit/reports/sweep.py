"""Files nothing refers to, left by a crash (a SIGKILL mid-upload): photo files written before their
report was committed, and half-written temporary files. Swept at start-up and then every
SWEEP_INTERVAL, once they are old enough that no upload in flight can still own them."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from reportit.reports.upload_expiry import expire_abandoned
from reportit.reports.storage import PhotoStore
from reportit.reports.tables import Photo, PhotoUpload

log = logging.getLogger(__name__)

GRACE_SECONDS = 3600  # far longer than any intake takes between writing files and committing
SWEEP_INTERVAL = 3600  # a crash's leftovers go within two hours, at one cheap pass an hour


async def sweep_orphans(store: PhotoStore, grace_seconds: float = GRACE_SECONDS) -> int:
    cutoff = time.time() - grace_seconds
    removed = 0
    for key, ext, mtime in [entry async for entry in store.list_keys()]:
        if mtime > cutoff:
            continue
        if await Photo.exists().where((Photo.key == key) | (Photo.thumb_key == key)):
            continue
        if await PhotoUpload.exists().where(PhotoUpload.preview_key == key):  # a preview (reports/previews.py);
            # a hidden one, or one whose photo arrived or was refused, has had its key cleared
            continue
        await store.delete(key, ext)
        removed += 1
    partial = await store.remove_partial_writes(older_than=cutoff)
    if removed or partial:
        log.info("event=orphan_photos_removed count=%d partial_writes=%d", removed, partial)
    return removed + partial


async def sweep_periodically(store: PhotoStore, interval: float = SWEEP_INTERVAL,
                             grace_seconds: float = GRACE_SECONDS, uploads: tuple[Path, float] | None = None) -> None:
    """Sweep now, then every `interval` seconds until cancelled; a failed pass is logged and retried.
    `uploads`: (the partial uploads' directory, hours after which an abandoned one expires)."""
    while True:
        try:
            if uploads is not None:
                await expire_abandoned(*uploads)  # first: what it gives up is then no one's
            await sweep_orphans(store, grace_seconds)
        except Exception:  # noqa: BLE001 - a database hiccup must not end sweeping for good
            log.warning("event=sweep_failed", exc_info=True)
        await asyncio.sleep(interval)
