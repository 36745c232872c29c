"""The map libraries, vendored from npm by `make vendor-leaflet vendor-protomaps-leaflet`:
Leaflet at /vendor/leaflet/ (the app and the console) and protomaps-leaflet at
/vendor/protomaps-leaflet/ (draws the basemap's vector tiles). Only the files the Makefile copies
are served; the app's service worker keeps them once used (they are not in the precache, so a
resident who never opens a map never downloads them)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

VENDOR = Path(__file__).parent / "vendor"
LIBRARIES = {"leaflet": VENDOR / "leaflet", "protomaps-leaflet": VENDOR / "protomaps_leaflet"}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}


def version() -> str:
    """A digest of every vendored file: the app's service worker keeps these files under it, so an
    upgraded library (a new pin in the Makefile) replaces what phones kept instead of being
    shadowed by it forever (their URLs carry no version)."""
    digest = hashlib.sha256()
    for name, base in sorted(LIBRARIES.items()):
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in TYPES:
                relative = f"{name}/{path.relative_to(base).as_posix()}"
                digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


async def library_file(request: Request) -> Response:
    base = LIBRARIES[request.path_params["library"]] if request.path_params["library"] in LIBRARIES else None
    if base is None:
        raise HTTPException(404)
    path = (base / request.path_params["path"]).resolve()
    if not path.is_relative_to(base) or not path.is_file() or path.suffix not in TYPES:
        raise HTTPException(404)
    return FileResponse(path, media_type=TYPES[path.suffix], headers={"Cache-Control": "public, max-age=86400"})


routes = [Route("/vendor/{library}/{path:path}", library_file, methods=["GET"])]
