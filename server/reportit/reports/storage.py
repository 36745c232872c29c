"""Content-addressed photo storage behind a small interface.

A photo's name is the SHA-256 of its bytes, so storing the same photo twice (a retried upload)
costs nothing, and no name ever comes from a client. Two stores implement the interface: a
directory (the default) and S3-compatible object storage (reports/object_store.py), which several
servers can share. `store_for` picks one from REPORTIT_STORAGE_URL.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import aiofiles
import aiofiles.os
import anyio.to_thread

if TYPE_CHECKING:
    from reportit.settings import Settings

ALLOWED_EXTENSIONS: frozenset[str] = frozenset({"jpg"})
_KEY = re.compile(r"[0-9a-f]{64}")
TMP_DIR = "tmp"


class StorageUnavailable(OSError):
    """The store cannot be reached or did not answer in time: the request is refused with 503
    and the app sends it again later (app.py renders it)."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    ext: str
    size: int
    created: bool  # False when the same bytes were already stored


@runtime_checkable
class PhotoStore(Protocol):
    async def put(self, data: bytes, ext: str = "jpg") -> StoredFile:
        """Store `data` under its SHA-256; storing the same bytes again is a no-op."""
        ...

    async def read(self, key: str, ext: str = "jpg") -> bytes:
        """The stored bytes; FileNotFoundError if there are none."""
        ...

    def path_for(self, key: str, ext: str = "jpg") -> Path | None:
        """A local path to serve the file from, or None when the store is not a local disk."""
        ...

    async def exists(self, key: str, ext: str = "jpg") -> bool: ...

    async def delete(self, key: str, ext: str = "jpg") -> None:
        """Remove the file; deleting what is not there is not an error."""
        ...

    def list_keys(self) -> AsyncIterator[tuple[str, str, float]]:
        """(key, ext, mtime) of every stored file, for sweeping files no report refers to."""
        ...

    async def check(self) -> None:
        """Raise StorageUnavailable unless the store can be reached now (for /healthz)."""
        ...

    async def remove_partial_writes(self, older_than: float) -> int:
        """Remove half-written files a crash left behind, last changed before `older_than` (a
        time.time() value); the number removed."""
        ...


def validate_key(key: str, ext: str) -> None:
    """Raise ValueError unless key is a SHA-256 hex digest and ext is one we store."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"not a photo key: {key!r}")
    if ext not in ALLOWED_EXTENSIONS:
        raise ValueError(f"not a photo extension: {ext!r}")


class DiskPhotoStore:
    """Files at root/ab/cd/<sha256>.<ext>; two directory levels keep directories small."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    async def put(self, data: bytes, ext: str = "jpg") -> StoredFile:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key, ext)
        if await self._has_complete_copy(path, len(data)):
            # The sweep deletes files no photo row uses once they are an hour old: a retry that
            # finds one left by an upload that never committed makes it new again, or the sweep
            # could take it before this report's row commits.
            await anyio.to_thread.run_sync(os.utime, path)
            return StoredFile(key=key, ext=ext, size=len(data), created=False)

        tmp_dir = self.root / TMP_DIR
        await aiofiles.os.makedirs(tmp_dir, exist_ok=True)
        await aiofiles.os.makedirs(path.parent, exist_ok=True)
        # A unique temp name per write: two uploads of the same photo may race, and os.replace
        # of identical content in either order leaves the same, complete file.
        tmp = tmp_dir / f"{key}.{uuid.uuid4().hex}.tmp"
        try:
            async with aiofiles.open(tmp, "xb") as out:
                await out.write(data)
                await out.flush()
                # Without fsync a crash could leave a short file at the content address, and
                # put() would then trust it forever.
                await anyio.to_thread.run_sync(os.fsync, out.fileno())
            await aiofiles.os.replace(tmp, path)
        except BaseException:
            await _remove_if_present(tmp)
            raise
        return StoredFile(key=key, ext=ext, size=len(data), created=True)

    async def read(self, key: str, ext: str = "jpg") -> bytes:
        async with aiofiles.open(self._path(key, ext), "rb") as stored:
            return await stored.read()

    def path_for(self, key: str, ext: str = "jpg") -> Path | None:
        return self._path(key, ext)

    async def exists(self, key: str, ext: str = "jpg") -> bool:
        try:
            await aiofiles.os.stat(self._path(key, ext))
        except FileNotFoundError:
            return False
        return True

    async def delete(self, key: str, ext: str = "jpg") -> None:
        await _remove_if_present(self._path(key, ext))

    async def list_keys(self) -> AsyncIterator[tuple[str, str, float]]:
        for entry in await anyio.to_thread.run_sync(lambda: list(self._walk())):
            yield entry

    async def check(self) -> None:
        try:
            await aiofiles.os.makedirs(self.root / TMP_DIR, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"photo directory {self.root}: {exc}") from exc

    def _walk(self) -> Iterator[tuple[str, str, float]]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if first.name == TMP_DIR or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for entry in sorted(second.iterdir()):
                    key, _, ext = entry.name.partition(".")
                    if _KEY.fullmatch(key) and ext in ALLOWED_EXTENSIONS and entry.is_file():
                        yield key, ext, entry.stat().st_mtime

    async def remove_partial_writes(self, older_than: float) -> int:
        def remove() -> int:
            removed = 0
            for entry in (self.root / TMP_DIR).glob("*.tmp"):
                try:
                    if entry.stat().st_mtime < older_than:
                        entry.unlink()
                        removed += 1
                except FileNotFoundError:  # its put() finished or failed meanwhile
                    pass
            return removed

        return await anyio.to_thread.run_sync(remove)

    def _path(self, key: str, ext: str) -> Path:
        validate_key(key, ext)
        return self.root / key[:2] / key[2:4] / f"{key}.{ext}"

    async def _has_complete_copy(self, path: Path, size: int) -> bool:
        try:
            return (await aiofiles.os.stat(path)).st_size == size
        except FileNotFoundError:
            return False


async def _remove_if_present(path: Path) -> None:
    try:
        await aiofiles.os.remove(path)
    except FileNotFoundError:
        pass


def store_for(settings: Settings) -> PhotoStore:
    """The directory under the data dir, or the object store REPORTIT_STORAGE_URL names."""
    if settings.config.storage_url:
        from reportit.reports.object_store import S3PhotoStore

        return S3PhotoStore.from_url(settings.config.storage_url)
    return DiskPhotoStore(settings.config.photos_dir)
