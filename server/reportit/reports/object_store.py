"""Photos in S3-compatible object storage, so several servers share one set of files.

REPORTIT_STORAGE_URL=s3://bucket/prefix names the bucket; the endpoint, region and credentials come
from the usual AWS_* environment variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION), read by obstore. obstore was chosen over aiobotocore: one
self-contained wheel (Rust's object_store), no botocore/aiohttp stack, async calls that release the
event loop.

Objects are named like the directory store's files: <prefix>/ab/cd/<sha256>.jpg. A PUT to S3 is
atomic (an object appears whole or not at all), so there are no temporary names to write to; the
sweep still clears <prefix>/tmp/ in case anything was ever copied there from a directory store.

An unreachable or slow store raises StorageUnavailable within about OPERATION_TIMEOUT: the
caller refuses the request (503, Retry-After) rather than holding a resident's upload open.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import S3Store

from reportit.reports.storage import _KEY, ALLOWED_EXTENSIONS, TMP_DIR, StorageUnavailable, StoredFile, validate_key

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "2s"
OPERATION_TIMEOUT = "10s"  # a display photo is a few hundred kB: far longer than a healthy PUT takes
RETRIES = 2
_MISSING = (FileNotFoundError, NotFoundError)  # obstore raises the builtin for a 404


class S3PhotoStore:
    def __init__(self, store: S3Store, description: str) -> None:
        self.store = store
        self.description = description

    @classmethod
    def from_url(cls, url: str, **config: Any) -> S3PhotoStore:
        """`s3://bucket/prefix`; anything in `config` overrides the environment (tests pass the
        endpoint and credentials of their own server this way)."""
        store = S3Store.from_url(
            url,
            config=config or None,
            client_options={"allow_http": True, "connect_timeout": CONNECT_TIMEOUT, "timeout": OPERATION_TIMEOUT},
            retry_config={"max_retries": RETRIES, "retry_timeout": timedelta(seconds=5),
                          "backoff": {"init_backoff": timedelta(milliseconds=100),
                                      "max_backoff": timedelta(seconds=1), "base": 2}},
        )
        return cls(store, url)

    async def put(self, data: bytes, ext: str = "jpg") -> StoredFile:
        key = hashlib.sha256(data).hexdigest()
        path = _name(key, ext)
        async with _reaching(self, "put"):
            try:
                existing = await obstore.head_async(self.store, path)
            except _MISSING:
                existing = None
            if existing is not None and existing["size"] == len(data):
                return StoredFile(key=key, ext=ext, size=len(data), created=False)
            await obstore.put_async(self.store, path, data)
        return StoredFile(key=key, ext=ext, size=len(data), created=True)

    async def read(self, key: str, ext: str = "jpg") -> bytes:
        path = _name(key, ext)
        async with _reaching(self, "read"):
            try:
                result = await obstore.get_async(self.store, path)
                return bytes(await result.bytes_async())
            except _MISSING:
                raise FileNotFoundError(path) from None

    def path_for(self, key: str, ext: str = "jpg") -> Path | None:
        validate_key(key, ext)
        return None

    async def exists(self, key: str, ext: str = "jpg") -> bool:
        path = _name(key, ext)
        async with _reaching(self, "head"):
            try:
                await obstore.head_async(self.store, path)
            except _MISSING:
                return False
        return True

    async def delete(self, key: str, ext: str = "jpg") -> None:
        path = _name(key, ext)
        async with _reaching(self, "delete"):
            await obstore.delete_async(self.store, path)  # S3 answers 204 for a missing key too

    async def list_keys(self) -> AsyncIterator[tuple[str, str, float]]:
        async for meta in self._list(None):
            key, _, ext = meta["path"].rpartition("/")[2].partition(".")
            if _KEY.fullmatch(key) and ext in ALLOWED_EXTENSIONS and meta["path"] == _name(key, ext):
                yield key, ext, meta["last_modified"].timestamp()

    async def remove_partial_writes(self, older_than: float) -> int:
        stale = [meta["path"] async for meta in self._list(TMP_DIR) if meta["last_modified"].timestamp() < older_than]
        async with _reaching(self, "delete"):
            for path in stale:
                await obstore.delete_async(self.store, path)
        return len(stale)

    async def check(self) -> None:
        async with _reaching(self, "list"):
            await obstore.list_with_delimiter_async(self.store, TMP_DIR)

    async def _list(self, prefix: str | None) -> AsyncIterator[dict[str, Any]]:
        async with _reaching(self, "list"):
            async for chunk in obstore.list(self.store, prefix, chunk_size=1000):
                for meta in chunk:
                    yield meta


def _name(key: str, ext: str) -> str:
    validate_key(key, ext)
    return f"{key[:2]}/{key[2:4]}/{key}.{ext}"


class _reaching:
    """Turn the client's errors (refused connection, timeout, 5xx after retries, bad credentials)
    into StorageUnavailable, logged once with the operation; NotFound passes through to the caller."""

    def __init__(self, store: S3PhotoStore, operation: str) -> None:
        self.store = store
        self.operation = operation

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or isinstance(exc, (*_MISSING, ValueError)):
            return False
        if isinstance(exc, BaseError):
            log.warning("event=storage_unavailable store=%s operation=%s error=%s", self.store.description,
                        self.operation, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise StorageUnavailable(f"{self.store.description}: {self.operation} failed") from exc
        return False
