"""A PMTiles v3 file of vector tiles: checked when the service starts, described for the app.

The file's version is a digest of its bytes: it names the URL the tiles are served at, so browsers
and the app's service worker may keep any range of it for a year, and a new file is a new URL.
The description keeps the file open (OpenFile), so what is served under a version is read from
the very file that version was computed from, even after the council renamed a new one over it.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import stat as stat_mode
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from pmtiles.tile import Compression, MagicNumberNotFound, SpecVersionUnsupported, TileType, deserialize_header

HEADER_BYTES = 127
PROC_FD = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else ""  # Linux: a file's descriptors by number


class NotPMTiles(ValueError):
    """The file is missing, or not a PMTiles v3 file of vector tiles; the message says which."""


class _Changed(Exception):
    """The file at the path is not the one stat() saw, or its bytes changed while it was read."""


def identity(stat: os.stat_result) -> tuple[int, ...]:
    """What tells one state of a file from another: another file (a rename), or the same file
    written over in place, which changes its size or its modification or change time (`cp -p`
    and `rsync --inplace` put the modification time back; the change time they cannot)."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class OpenFile:
    """The described file, open for as long as anything holds this object: the describe cache and
    each answer being sent. Its descriptor is closed when the last of them lets go, so versions the
    cache dropped hold nothing open once their answers are sent, and an answer's file is never
    closed under it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self._close = weakref.finalize(self, os.close, fd)
        self.stat = self._seen = os.fstat(fd)

    def close(self) -> None:
        self._close()

    @property
    def reopen_as(self) -> str:
        """A name that opens this same file again with its own position, whatever is at its path
        now: /proc/self/fd/N on Linux. (Elsewhere its path, read again as before.)"""
        return f"{PROC_FD}/{self.fd}" if PROC_FD else str(self.path)

    def unchanged(self) -> bool:
        """Still as described: nothing wrote over it in place since. A new file renamed over it
        changes its change time too (one link fewer), and that is no change to its bytes; a change
        time that moved with the same number of links may be a `cp -p` (or a chmod: then answers
        being sent are cut short, and asked again)."""
        now = os.fstat(self.fd)
        if identity(now)[:4] != identity(self.stat)[:4]:
            return False
        if now.st_ctime_ns != self._seen.st_ctime_ns and now.st_nlink == self._seen.st_nlink:
            return False
        self._seen = now
        return True


@dataclass(frozen=True)
class Basemap:
    path: Path
    version: str  # the first 16 hex digits of the file's SHA-256
    size: int
    modified: float
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]  # (south, west, north, east)
    attribution: str
    illustrative: bool  # made by `reportit basemap build` from demo data: not a real map
    opened: OpenFile = field(compare=False, repr=False)  # the bytes `version` was computed from

    @property
    def url(self) -> str:
        return f"/basemap/{self.version}.pmtiles"

    def for_app(self) -> dict:
        """What the app and the console need to draw it (rendered into their pages)."""
        return {
            "url": self.url, "bytes": self.size, "min_zoom": self.min_zoom, "max_zoom": self.max_zoom,
            "bounds": list(self.bounds), "attribution": self.attribution, "illustrative": self.illustrative,
        }


def check(path: str | Path) -> Basemap:
    """The file described, or NotPMTiles saying what is wrong with it."""
    path = Path(path)
    for _ in range(3):  # a rename between the stat and the reading: described again
        try:
            stat = path.stat()
        except OSError:
            raise NotPMTiles(f"{str(path)!r} is not a file") from None
        if not stat_mode.S_ISREG(stat.st_mode):
            raise NotPMTiles(f"{str(path)!r} is not a file")
        try:
            return _describe(path.resolve(), identity(stat))
        except _Changed:
            continue
    raise NotPMTiles(f"{str(path)!r} changes while it is read (being copied in place?); write the new file "
                     "beside it, then rename it over")


@lru_cache(maxsize=1)
def _describe(path: Path, seen: tuple[int, ...]) -> Basemap:
    """Described once for each state of the file (`seen`, its identity). Only the latest is kept:
    a replaced file is let go (and its disk space freed) once the answers reading it are sent."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        raise _Changed() from None  # renamed away since the stat: look again
    opened = OpenFile(path, fd)
    try:
        if identity(opened.stat) != seen:
            raise _Changed()
        with open(fd, "rb", closefd=False) as f:
            basemap = _read(path, f, opened)
        if not opened.unchanged():
            raise _Changed()
    except BaseException:
        opened.close()
        raise
    return basemap


def _read(path: Path, f: BinaryIO, opened: OpenFile) -> Basemap:
    size = opened.stat.st_size
    head = f.read(HEADER_BYTES)
    if not head.startswith(b"PMTiles"):
        raise NotPMTiles(f"{str(path)!r} is not a PMTiles file (it does not start with 'PMTiles')")
    if len(head) < HEADER_BYTES:
        raise NotPMTiles(f"{str(path)!r} is not a PMTiles file: it is too short")
    try:
        header = deserialize_header(head)
    except MagicNumberNotFound:
        raise NotPMTiles(f"{str(path)!r} is not a PMTiles file (it does not start with 'PMTiles')") from None
    except SpecVersionUnsupported:
        raise NotPMTiles(f"{str(path)!r} is a PMTiles file of another version; convert it to version 3 "
                         "(pmtiles convert)") from None
    if header["tile_type"] != TileType.MVT:
        raise NotPMTiles(f"{str(path)!r} holds {header['tile_type'].name} tiles; the basemap must be "
                         "vector tiles (MVT)")
    if header["metadata_offset"] + header["metadata_length"] > size or header["tile_data_offset"] > size:
        raise NotPMTiles(f"{str(path)!r} is cut short: its header points past its end")
    f.seek(header["metadata_offset"])
    metadata = _metadata(f.read(header["metadata_length"]), header["internal_compression"])
    f.seek(0)
    version = hashlib.file_digest(f, "sha256").hexdigest()[:16]
    return Basemap(
        path=path, version=version, size=size, modified=opened.stat.st_mtime_ns / 1e9,
        min_zoom=header["min_zoom"], max_zoom=header["max_zoom"],
        bounds=(header["min_lat_e7"] / 1e7, header["min_lon_e7"] / 1e7,
                header["max_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7),
        attribution=_plain(str(metadata.get("attribution") or "")),
        illustrative=metadata.get("illustrative") is True,
        opened=opened,
    )


def _plain(attribution: str) -> str:
    """The attribution as text, escaped: map libraries insert it as HTML, and it comes from a file.
    (An OpenStreetMap extract's usually holds a link; its words are what must show.)"""
    return html.escape(html.unescape(re.sub(r"<[^>]*>", "", attribution)).strip(), quote=False)


def _metadata(raw: bytes, compression: Compression) -> dict:
    try:
        text = gzip.decompress(raw) if compression == Compression.GZIP else raw
        value = json.loads(text or b"{}")
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
