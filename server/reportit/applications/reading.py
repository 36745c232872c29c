"""Reading an applications file a record at a time: CSV, JSON or GeoJSON, in bounded memory.

A 100 MB file is never read whole. CSV goes line by line through `csv`; JSON and GeoJSON are cut
into the items of their one big array (`entities`, `features`, or a top-level list) with
`json.JSONDecoder.raw_decode` over a sliding buffer, so memory holds one item and a read block.
Each record comes with where it is ("line 12", "record 12") and, when its bytes are not UTF-8, the
encoding problem instead of its values: one bad row is reported, the rest still imports.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

BLOCK = 1 << 16
MAX_ITEM = 1 << 22  # one JSON record over 4 MB is not an application
ENCODING_PROBLEM = "this row is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel) and import it again"


class FileProblem(ValueError):
    """The file as a whole cannot be read (not CSV/JSON, no header, broken JSON)."""


@dataclass(frozen=True)
class Record:
    where: str  # "line 12" or "record 12", for the error report
    values: dict[str, Any]
    problem: str = ""  # set when the record cannot be read (encoding)


def records(stream: IO[bytes], name: str) -> Iterator[Record]:
    head = stream.read(BLOCK)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    first = head.lstrip()[:1]
    if name.lower().endswith((".json", ".geojson")) or first in (b"{", b"["):
        return _json_items(head, stream)
    return _csv_rows(head, stream)


def _lines(head: bytes, stream: IO[bytes]) -> Iterator[tuple[str, bool]]:
    """Text lines, each with whether its bytes were UTF-8 (a bad one is decoded with replacements)."""
    pending = head
    while True:
        block = stream.read(BLOCK)
        pending += block
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            yield _decode(raw + b"\n")
        if not block:
            break
    if pending:
        yield _decode(pending)


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


def _csv_rows(head: bytes, stream: IO[bytes]) -> Iterator[Record]:
    bad_lines: set[int] = set()
    numbered = iter(_lines(head, stream))
    count = 0

    def text() -> Iterator[str]:
        nonlocal count
        for line, ok in numbered:
            count += 1
            if not ok:
                bad_lines.add(count)
            yield line

    reader = csv.reader(text())
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FileProblem("the file is empty") from None
    except csv.Error as exc:
        raise FileProblem(f"line 1: not a CSV header ({exc})") from None
    if 1 in bad_lines:
        raise FileProblem("line 1: the header is not UTF-8 text; save the file as UTF-8 and import it again")
    if "reference" not in header:
        raise FileProblem("line 1: the header has no ‘reference’ column (the columns of planning.data.gov.uk’s "
                          "planning-application dataset, or the licensing columns in the README)")
    first_line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(f"line {first_line}", {}, f"this row is not valid CSV ({exc})")
            first_line = reader.line_num + 1
            continue
        where = f"line {first_line}"
        spanned = range(first_line, reader.line_num + 1)
        first_line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if any(n in bad_lines for n in spanned):
            yield Record(where, {}, ENCODING_PROBLEM)
        elif len(row) > len(header):
            yield Record(where, {}, f"this row has {len(row)} cells but the header has {len(header)} columns")
        else:
            yield Record(where, dict(zip(header, row)))


_ARRAY_START = re.compile(rb'"(?:features|entities)"\s*:\s*\[')


def _json_items(head: bytes, stream: IO[bytes]) -> Iterator[Record]:
    """The items of the file's array of applications, one at a time."""
    buffer = head
    while True:
        match = _ARRAY_START.search(buffer)
        if match:
            buffer = buffer[match.end():]
            break
        if buffer.lstrip().startswith(b"["):
            buffer = buffer.lstrip()[1:]
            break
        more = stream.read(BLOCK)
        if not more or len(buffer) > MAX_ITEM:
            raise FileProblem("this JSON has no list of applications (a GeoJSON FeatureCollection’s ‘features’, "
                              "an ‘entities’ list as planning.data.gov.uk gives, or a list of objects)")
        buffer += more
    yield from _array_items(buffer, stream)


def _array_items(buffer: bytes, stream: IO[bytes]) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    number = 0
    text, ended = "", False
    raw_pending = buffer
    while True:
        text, raw_pending, ended = _refill(text, raw_pending, stream, ended)
        stripped = text.lstrip(" \t\r\n,")
        if stripped.startswith("]"):
            return
        if not stripped:
            if ended:
                raise FileProblem(f"the JSON stops after record {number} without closing its list")
            continue
        try:
            item, end = decoder.raw_decode(stripped)
        except json.JSONDecodeError as exc:
            if not ended and len(stripped) < MAX_ITEM:
                text = stripped
                text, raw_pending, ended = _refill(text, raw_pending, stream, ended, force=True)
                continue
            raise FileProblem(f"record {number + 1}: not valid JSON ({exc.msg})") from None
        number += 1
        text = stripped[end:]
        if not isinstance(item, dict):
            yield Record(f"record {number}", {}, "each application must be a JSON object")
            continue
        yield Record(f"record {number}", _flatten(item), "\ufffd" in json.dumps(item, ensure_ascii=False)
                     and ENCODING_PROBLEM or "")


def _refill(text: str, raw: bytes, stream: IO[bytes], ended: bool, force: bool = False) -> tuple[str, bytes, bool]:
    """Keep at least a block of decoded text ahead (more when `force`): bytes are decoded as they
    come, a multi-byte character cut by a block boundary waiting in `raw` for the rest of it."""
    while not ended and (force or len(text) < BLOCK):
        block = stream.read(BLOCK)
        if not block:
            ended = True
        raw += block
        cut = len(raw) if ended else _complete(raw)
        text += raw[:cut].decode("utf-8", errors="replace")
        raw = raw[cut:]
        force = False
    return text, raw, ended


def _complete(raw: bytes) -> int:
    """Where the last whole UTF-8 character of `raw` ends."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte & 0xC0 != 0x80:  # a lead byte or ASCII
            needed = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            return len(raw) if back >= needed else len(raw) - back
    return len(raw)


def _flatten(item: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature's properties with its Point geometry as `point` WKT; a plain object as it is."""
    if item.get("type") == "Feature" and isinstance(item.get("properties"), dict):
        values = {str(k).lower(): v for k, v in item["properties"].items()}
        geometry = item.get("geometry")
        if isinstance(geometry, dict) and "point" not in values:
            coordinates = geometry.get("coordinates")
            if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
                values["point"] = f"POINT ({coordinates[0]} {coordinates[1]})"
            else:
                values["point"] = f"{geometry.get('type', 'unknown')} geometry"
        return values
    return {str(k).lower(): v for k, v in item.items()}
