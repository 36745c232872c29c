"""The council replaces its basemap file at the moment a part of it is being sent: the answer under
a version's URL carries bytes of the file that version was made from, or is refused or cut short,
never bytes of the new file (a phone's service worker keeps what it gets under that URL for a year).

The app is asked the way a server asks it (ASGI, as uvicorn does), and the file is replaced from
the server's side at a chosen moment: as the answer's headers go out (after the version was
checked, before the file is read) or after its first piece. One test runs the route's handler and
then its answer, to write the file over in between.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Awaitable, Callable, Iterator

import pytest

from starlette.requests import Request

from reportit.app_state import services
from reportit.basemap.serving import pmtiles

FILLER = 256 * 1024  # after the file's tiles: more than one 64 KiB piece to send


@dataclass
class Answer:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    complete: bool = False  # the last piece was sent: a cut-short answer is an error to the client


def get(path: str, headers: dict[str, str] | None = None) -> dict:
    """The scope of a GET as uvicorn makes it (ASGI 3, spec 2.3)."""
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 40000),
        "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"testserver"), *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())],
    }


async def ask(app, path: str, headers: dict[str, str] | None = None,
              on_send: Callable[[dict], Awaitable[None]] | None = None) -> Answer:
    """One GET; `on_send` runs after each message the app sends."""
    scope = get(path, headers)
    answered = asyncio.Event()
    asked = False

    async def receive() -> dict:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    answer = Answer()

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")
            answer.complete = not message.get("more_body", False)
        if on_send is not None:
            await on_send(message)

    try:
        await app(scope, receive, send)
    finally:
        answered.set()
    return answer


async def named_url(app) -> str | None:
    """The basemap URL the app's page names (what a phone asks for)."""
    page = await ask(app, "/")
    content = re.search(r'<meta name="reportit-map" content="([^"]*)"', page.body.decode()).group(1)
    basemap = json.loads(html.unescape(content))["basemap"]
    return basemap["url"] if basemap else None


def version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def version_url(data: bytes) -> str:
    return f"/basemap/{version(data)}.pmtiles"


def rename_over(live: Path, data: bytes) -> None:
    """As a council should: the new file written beside the old one, then renamed over it."""
    beside = live.with_name(live.name + ".new")
    beside.write_bytes(data)
    os.replace(beside, live)


def rewrite_in_place(live: Path, data: bytes) -> None:
    """As `cp new.pmtiles live.pmtiles` does: the same file (inode), its bytes written over."""
    with live.open("r+b") as f:
        f.write(data)
        f.truncate()


@pytest.fixture
def maps(basemap_file) -> tuple[bytes, bytes]:
    """Two versions of the same size: the built basemap with a different filler after its tiles
    (still a whole PMTiles file: its header points only at what comes before)."""
    built = basemap_file.read_bytes()
    first = built + bytes(range(256)) * (FILLER // 256)
    second = built + bytes(reversed(range(256))) * (FILLER // 256)
    return first, second


@pytest.fixture
def live(app, tmp_path) -> Iterator[Path]:
    """The app serving REPORTIT_BASEMAP=<tmp>/borough.pmtiles (not yet written)."""
    path = tmp_path / "borough.pmtiles"
    state = services(app)
    saved = state.settings
    state.settings = replace(saved, config=replace(saved.config, basemap=str(path)))
    try:
        yield path
    finally:
        state.settings = saved


def once(when: Callable[[dict], bool], action: Callable[[], object]) -> Callable[[dict], Awaitable[None]]:
    done = False

    async def on_send(message: dict) -> None:
        nonlocal done
        if not done and when(message):
            done = True
            result = action()
            if asyncio.iscoroutine(result):
                await result

    return on_send


def started(message: dict) -> bool:
    return message["type"] == "http.response.start"


def first_piece(message: dict) -> bool:
    return message["type"] == "http.response.body" and bool(message.get("body"))


@pytest.mark.parametrize("asked", ["bytes=40000-40999", "bytes=40000-40099,100000-100099", None],
                         ids=["one range", "several ranges", "the whole file"])
async def test_a_file_renamed_over_as_it_is_sent_still_sends_the_described_files_bytes(app, live, maps, asked):
    first, second = maps
    live.write_bytes(first)
    url = await named_url(app)
    assert url == version_url(first)

    answer = await ask(app, url, {"Range": asked} if asked else None,
                       on_send=once(started, lambda: rename_over(live, second)))

    assert answer.complete and answer.headers["etag"] == f'"{version(first)}"'
    if asked == "bytes=40000-40999":
        assert answer.status == 206 and answer.headers["content-range"] == f"bytes 40000-40999/{len(first)}"
        assert first[40000:41000] != second[40000:41000]
        assert answer.body == first[40000:41000]
    elif asked:
        assert answer.status == 206 and answer.headers["content-type"].startswith("multipart/byteranges")
        assert first[40000:40100] in answer.body and first[100000:100100] in answer.body
        assert second[40000:40100] not in answer.body and second[100000:100100] not in answer.body
    else:
        assert answer.status == 200 and answer.body == first
        assert int(answer.headers["content-length"]) == len(first)
    assert await named_url(app) == version_url(second)  # the next page names the new file


def rewrite_keeping_time(live: Path, data: bytes) -> None:
    """As `cp -p new.pmtiles live.pmtiles` does: written over in place, its old time put back (only
    its change time tells; made sure it does, however coarse the file system's clock)."""
    before = os.stat(live)
    rewrite_in_place(live, data)
    os.utime(live, ns=(before.st_atime_ns, before.st_mtime_ns))
    while os.stat(live).st_ctime_ns == before.st_ctime_ns:
        os.utime(live, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(live)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize("rewrite", [rewrite_in_place, rewrite_keeping_time], ids=["cp", "cp -p"])
async def test_a_file_rewritten_in_place_while_it_is_sent_is_cut_short_before_any_new_byte(app, live, maps, rewrite):
    first, second = maps
    live.write_bytes(first)
    os.utime(live, ns=(1_600_000_000 * 10**9,) * 2)  # written long ago: a rewrite is a new time
    url = await named_url(app)

    answer = await ask(app, url, on_send=once(first_piece, lambda: rewrite(live, second)))

    assert answer.status == 200 and int(answer.headers["content-length"]) == len(first)
    assert not answer.complete  # the client sees an error, and keeps nothing
    assert 0 < len(answer.body) < len(first) and answer.body == first[:len(answer.body)]
    again = await ask(app, url, {"Range": "bytes=0-99"})
    assert again.status == 404 and "reload" in json.loads(again.body)["detail"]
    assert await named_url(app) == version_url(second)


async def test_a_file_written_over_in_place_just_after_its_version_was_checked_is_404(app, live, maps):
    first, second = maps
    live.write_bytes(first)
    url = await named_url(app)
    checked = await pmtiles(Request({**get(url, {"Range": "bytes=40000-40999"}), "app": app,
                                     "path_params": {"version": version(first)}}))  # the route's handler

    rewrite_keeping_time(live, second)  # before its answer starts

    answer = await ask(checked, url, {"Range": "bytes=40000-40999"})
    assert answer.status == 404 and answer.complete and "reload" in json.loads(answer.body)["detail"]


async def test_a_file_rewritten_in_place_keeping_its_size_and_time_is_not_served_under_the_old_version(
        app, live, maps):
    first, second = maps
    live.write_bytes(first)
    url = await named_url(app)
    assert (await ask(app, url, {"Range": "bytes=40000-40999"})).body == first[40000:41000]
    rewrite_keeping_time(live, second)

    answer = await ask(app, url, {"Range": "bytes=40000-40999"})
    assert answer.body != second[40000:41000]
    assert answer.status == 404 and "reload" in json.loads(answer.body)["detail"]
    assert await named_url(app) == version_url(second)


def held_open(directory: Path) -> list[str]:
    """The files under `directory` this process has open (on Linux)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
async def test_an_answer_outlives_its_version_and_replaced_files_are_let_go_once_sent(app, live, maps, tmp_path):
    first, _ = maps
    live.write_bytes(first)
    url = await named_url(app)
    versions = [first[:-1] + bytes([n]) for n in range(1, 9)]

    async def replace_many_times() -> None:
        for data in versions:  # each one described, more than the app keeps
            rename_over(live, data)
            assert await named_url(app) == version_url(data)

    answer = await ask(app, url, on_send=once(first_piece, replace_many_times))

    assert answer.status == 200 and answer.complete and answer.body == first
    assert held_open(tmp_path) == [str(live)]  # only the file in place: the replaced ones' space is freed
    assert (await ask(app, url, {"Range": "bytes=0-99"})).status == 404
    latest = await ask(app, version_url(versions[-1]), {"Range": f"bytes={len(first) - 10}-"})
    assert latest.status == 206 and latest.body == versions[-1][-10:]
