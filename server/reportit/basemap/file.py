"""A PMTiles v3 file of vector tiles: checked when the service starts, described for the app.

The file's version is a digest of its bytes: it names the URL the tiles are served at, so browsers
and the app's service worker may keep any range of it for a year, and a new file is a new URL.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pmtiles.tile import Compression, MagicNumberNotFound, SpecVersionUnsupported, TileType, deserialize_header

HEADER_BYTES = 127


class NotPMTiles(ValueError):
    """The file is missing, or not a PMTiles v3 file of vector tiles; the message says which."""


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
    try:
        stat = path.stat()
    except OSError:
        raise NotPMTiles(f"{str(path)!r} is not a file") from None
    if not path.is_file():
        raise NotPMTiles(f"{str(path)!r} is not a file")
    # A file replaced by a rename is another inode, even with the same size and time.
    return _describe(path.resolve(), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _describe(path: Path, inode: int, size: int, modified_ns: int) -> Basemap:
    with path.open("rb") as f:
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
        path=path, version=version, size=size, modified=modified_ns / 1e9,
        min_zoom=header["min_zoom"], max_zoom=header["max_zoom"],
        bounds=(header["min_lat_e7"] / 1e7, header["min_lon_e7"] / 1e7,
                header["max_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7),
        attribution=_plain(str(metadata.get("attribution") or "")),
        illustrative=metadata.get("illustrative") is True,
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
