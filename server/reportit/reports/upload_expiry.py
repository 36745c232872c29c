"""Uploads abandoned for `REPORTIT_UPLOAD_EXPIRY_HOURS` are given up, and partial files no upload
owns are removed, by the hourly sweep (reports/sweep.py). A file an append is writing to (it holds
the photo's lock, reports/resumable.py) or wrote to lately is left for the next pass."""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import anyio.to_thread

from reportit.reports.tables import PhotoUpload, UploadState

log = logging.getLogger(__name__)

RECENT_SECONDS = 600  # the sweep leaves a partial file written to this lately (an append may be running)


async def expire_abandoned(uploads_dir: Path, expiry_hours: float, now: datetime | None = None) -> int:
    """Give up uploads with no byte for `expiry_hours` (their partial file goes; a late phone starts
    the photo again from 0), and remove partial files no upload row owns. The number of files removed."""
    now = now or datetime.now(timezone.utc)
    cutoff = now.timestamp() - expiry_hours * 3600
    stale = await (PhotoUpload.select(PhotoUpload.id)
                   .where((PhotoUpload.state == UploadState.arriving)
                          & (PhotoUpload.updated_at < datetime.fromtimestamp(cutoff, timezone.utc))))
    stale_ids = {r["id"] for r in stale}
    if stale_ids:
        await PhotoUpload.update({PhotoUpload.state: UploadState.expired}).where(PhotoUpload.id.is_in(list(stale_ids)))
    arriving = {r["id"] for r in await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.state == UploadState.arriving)}

    recent = now.timestamp() - RECENT_SECONDS

    def remove() -> int:
        removed = 0
        for entry in uploads_dir.glob("*.part") if uploads_dir.is_dir() else ():
            stem = entry.stem
            if stem.isdigit() and int(stem) in arriving:
                continue
            # A file no live upload owns: expired, finished elsewhere, or its row deleted with its report.
            if not stem.isdigit() or int(stem) in stale_ids or _mtime(entry) < cutoff:
                removed += _unlink_unless_busy(entry, recent)
        return removed

    removed = await anyio.to_thread.run_sync(remove)
    if stale_ids or removed:
        log.info("event=abandoned_uploads_expired uploads=%d files=%d", len(stale_ids), removed)
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def _unlink_unless_busy(path: Path, recent: float) -> int:
    """Delete a partial file unless an append is writing to it (it holds the lock) or wrote to it
    lately (its row's time is only written when the append ends). 1 if it went."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        if os.fstat(fd).st_mtime > recent:
            return 0
        path.unlink(missing_ok=True)  # while holding the lock: no append can start on it meanwhile
        return 1
    finally:
        os.close(fd)
