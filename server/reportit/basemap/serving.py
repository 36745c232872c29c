"""The basemap over HTTP: `GET|HEAD /basemap/<version>.pmtiles` with range requests.

Starlette's FileResponse answers `Range` (206 with Content-Range, several ranges as multipart,
416 with `Content-Range: bytes */<size>` for a range past the end, `If-Range`); this adds what the
versioned URL allows: an ETag that is the version, a year of caching, and 304 for a matching
`If-None-Match`. A URL of another version (the council replaced the file) is 404, so nobody is
handed pieces of two different files under one name.

The bytes are read from the file the version was computed from (kept open by its description),
never from whatever is at the path by the time they are read: a file renamed over it after the
version was checked does not reach this answer. A file written over in place cannot be read as it
was: before the answer starts that is the same 404, and while it is being sent the answer is cut
short (the client sees an error and keeps nothing) before any byte read after the change goes out.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from reportit.app_state import services
from reportit.basemap.file import Basemap, NotPMTiles, check
from reportit.config import Config
from reportit.problems import Problem, problem_response

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.pmtiles"
YEAR = 365 * 24 * 3600


def current(config: Config) -> Basemap | None:
    """The configured basemap, checked again whenever the file's size, time or inode changes: the
    council may replace it while the service runs. A replacement that is not a PMTiles file (yet:
    copied in place rather than renamed into it) is no basemap until it is one."""
    if not config.basemap:
        return None
    try:
        return check(config.basemap)
    except NotPMTiles as exc:
        if str(exc) not in _said:
            _said.add(str(exc))
            log.warning("REPORTIT_BASEMAP: %s; no map is served until the file is a PMTiles file again", exc)
        return None


_said: set[str] = set()


def map_settings(config: Config) -> dict | None:
    """The basemap as the app and the console's pages describe it, or None without one."""
    basemap = current(config)
    return basemap.for_app() if basemap else None


def _not_available() -> Problem:
    return Problem(404, "This map is not available",
                   "The council's map has been replaced or switched off: reload the page to get the current one.")


async def pmtiles(request: Request) -> Response:
    basemap = current(services(request).config)
    if basemap is None or request.path_params["version"] != basemap.version:
        raise _not_available()
    etag = f'"{basemap.version}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={YEAR}, immutable"}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if _past_the_end(request.headers.get("range", ""), basemap.size):
        raise Problem(416, "That part of the map is not in the file",
                      f"The map file has {basemap.size} bytes; the range asked for starts after its end.",
                      headers={"Content-Range": f"bytes */{basemap.size}"})
    return DescribedFileResponse(basemap, headers)


class _WrittenOver(Exception):
    """The file was written over in place while its answer was being sent."""


class DescribedFileResponse(FileResponse):
    """Starlette's FileResponse (ranges, several ranges, If-Range, HEAD) of the described file: its
    size and times as described, its bytes read through a new handle on the file kept open (see
    OpenFile.reopen_as), which this answer holds until it is sent. Before each piece goes out the
    file is looked at again (a piece is read before it is sent, and a write changes the file's
    times before its bytes): one written over in place is 404 if nothing was sent yet, or else the
    answer is cut short."""

    def __init__(self, basemap: Basemap, headers: dict[str, str]) -> None:
        super().__init__(basemap.opened.reopen_as, media_type=MEDIA_TYPE, headers=headers,
                         stat_result=basemap.opened.stat)
        self.basemap = basemap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        opened = self.basemap.opened
        if not opened.unchanged():
            log.warning("event=basemap_written_over version=%s path=%s answer=404", self.basemap.version, opened.path)
            await problem_response(_not_available(), Request(scope))(scope, receive, send)
            return

        async def checked(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("body") and not opened.unchanged():
                raise _WrittenOver()
            await send(message)

        # Never handed to the server by name: it would read it after this answer let go of the file.
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        try:
            await super().__call__({**scope, "extensions": extensions}, receive, checked)
        except _WrittenOver:
            log.warning("event=basemap_written_over version=%s path=%s answer=cut_short", self.basemap.version,
                        opened.path)


def _past_the_end(header: str, size: int) -> bool:
    """True when every range of a `bytes=` header starts at or after the end (RFC 9110 14.1.2);
    anything else, malformed headers included, is Starlette's to answer."""
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes" or not ranges.strip():
        return False
    for part in ranges.split(","):
        start, dash, end = part.strip().partition("-")
        if not dash or not (start.isdigit() or (not start and end.isdigit())):
            return False
        if (start and int(start) < size) or (not start and int(end) > 0):
            return False
    return True


routes = [Route("/basemap/{version}.pmtiles", pmtiles, methods=["GET", "HEAD"])]
