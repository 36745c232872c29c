"""Feeds named in the TOML (`[[applications.feeds]]`), polled by the server: each is downloaded
to a temporary file (streamed, at most MAX_FEED_BYTES) and imported exactly as
`reportit applications import` would, so a poll that finds nothing new writes nothing.

Every web worker runs the poller, but one poll of a feed runs at a time across processes
(`feed_claim.py`): a worker that finds the feed being polled skips that round.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import httpx

from reportit.applications.feed_claim import claimed
from reportit.applications.importer import ImportResult, import_file
from reportit.applications.rules import Feed
from reportit.applications.tables import Application
from reportit.settings import Settings

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 512 * 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


async def poll_once(feed: Feed, settings: Settings) -> ImportResult | None:
    """The feed downloaded and imported; None when it failed or another process is polling it."""
    async with claimed(feed.url, Application._meta.db, settings) as mine:
        if not mine:
            log.debug("event=feed_poll_skipped url=%s reason=another_poll_running", feed.url)
            return None
        return await _download_and_import(feed, settings)


async def _download_and_import(feed: Feed, settings: Settings) -> ImportResult | None:
    suffix = Path(urlparse(feed.url).path).suffix or ".csv"
    with tempfile.TemporaryDirectory(prefix="reportit-feed-") as folder:
        path = Path(folder) / f"feed{suffix}"
        try:
            await _download(feed.url, path)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.warning("event=feed_failed url=%s error=%r", feed.url, str(exc)[:200])
            return None
        result = await import_file(path, feed.regime, settings, source="feed", actor=f"feed {feed.url}")
    for where, reason in result.errors[:20]:
        log.warning("event=feed_row_refused url=%s where=%r reason=%r", feed.url, where, reason)
    if result.file_problem:
        log.warning("event=feed_unreadable url=%s problem=%r", feed.url, result.file_problem)
    return result


async def _download(url: str, path: Path) -> None:
    received = 0
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=True) as client:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            with path.open("wb") as out:
                async for block in response.aiter_bytes():
                    received += len(block)
                    if received > MAX_FEED_BYTES:
                        raise ValueError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
                    out.write(block)


async def poll_feeds(settings: Settings) -> None:
    """Poll every feed now, then each on its own schedule, until cancelled."""
    feeds = settings.catalogue.applications.feeds
    await asyncio.gather(*(_poll_forever(feed, settings) for feed in feeds))


async def _poll_forever(feed: Feed, settings: Settings) -> None:
    while True:
        try:
            await poll_once(feed, settings)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad poll must not stop the next
            log.exception("event=feed_poll_crashed url=%s", feed.url)
        await asyncio.sleep(feed.every_minutes * 60)
