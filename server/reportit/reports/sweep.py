"""Photo files no stored photo refers to, left by a crash between writing a file and committing its
report, are deleted once they are old enough that no intake can still be about to commit them."""

from __future__ import annotations

import logging
import time

from reportit.reports.storage import PhotoStore
from reportit.reports.tables import Photo

log = logging.getLogger(__name__)

GRACE_SECONDS = 3600  # far longer than any intake takes between writing files and committing


async def sweep_orphans(store: PhotoStore, grace_seconds: float = GRACE_SECONDS) -> int:
    cutoff = time.time() - grace_seconds
    removed = 0
    for key, ext, mtime in list(store.iter_keys()):
        if mtime > cutoff:
            continue
        if await Photo.exists().where((Photo.key == key) | (Photo.thumb_key == key)):
            continue
        await store.delete(key, ext)
        removed += 1
    if removed:
        log.info("event=orphan_photos_removed count=%d", removed)
    return removed
