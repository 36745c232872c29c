"""The resident app's shell: index.html for app routes, its assets, the web app manifest, and the
service worker with a precache list whose version is a digest of every precached byte.

The worker is registered at /sw.js; its other modules (service_worker/*.js) are served under /sw/.
Any change to any asset or worker module (or to the council settings rendered into the shell)
changes the version, which changes sw.js itself, so browsers install a new worker.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reportit.assets import asset_dir
from reportit.app_state import services
from reportit.basemap import libraries
from reportit.basemap.serving import map_settings
from reportit.catalogue import Catalogue
from reportit.static_files import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"
PAGES_TEMPLATES = ("base.html", "home.html")

# Paths the app's router owns. The service worker answers navigations to these (and only these)
# with the cached shell; /r/…, /console/…, /open311/…, /api/… always go to the network.
APP_ROUTES = (
    r"^/$",
    r"^/report(/[a-z-]*)?$",
    r"^/sent/[0-9a-f-]+$",
    r"^/outbox$",
    r"^/mine$",
    r"^/account$",
    r"^/alerts$",
    r"^/applications$",
)
APP_PATHS = ("/", "/report", "/report/{step}", "/sent/{client_id}", "/outbox", "/mine", "/account", "/alerts",
             "/applications")

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
}
NO_CACHE = {"Cache-Control": "no-cache"}
SHIPPED = (".js", ".css", ".png", ".svg")


@dataclass(frozen=True)
class Build:
    version: str
    index_html: bytes
    manifest: bytes
    files: dict[str, Path]  # URL path under /app/ -> file
    precache: tuple[str, ...]
    sw: bytes
    sw_modules: dict[str, Path]  # URL path under /sw/ -> file
    precache_module: bytes
    vendor_version: str  # the map libraries under /vendor/ (basemap/libraries.py)
    basemap: dict | None = None  # the map_settings() it was built with


def manifest_json(catalogue: Catalogue) -> dict:
    council = catalogue.council
    return {
        "name": f"{council.short_name} – {council.name}",
        "short_name": council.short_name,
        "description": f"Report a problem to {council.name}, even with no signal.",
        "lang": "en-GB",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": council.theme_colour,
        "background_color": council.background_colour,
        "icons": [
            {"src": "/app/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/app/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/app/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
        "share_target": {
            "action": "/share-target",
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"title": "title", "text": "text", "files": [{"name": "photos", "accept": ["image/*"]}]},
        },
        "prefer_related_applications": False,
    }


def _render_index(catalogue: Catalogue, basemap: dict | None) -> bytes:
    council, area = catalogue.council, catalogue.map
    text = (asset_dir("pwa") / "index.html").read_text("utf-8")
    for name, value in {
        "council_name": council.name,
        "short_name": council.short_name,
        "theme_colour": council.theme_colour,
        "map_json": json.dumps({
            "centre": list(area.centre), "zoom": area.zoom, "bounds": list(area.bounds),
            "tile_url": area.tile_url, "tile_attribution": area.tile_attribution, "basemap": basemap,
        }),
        # For screens that must offer a way out with no signal: "call us on …", "outside our area".
        "council_json": json.dumps({"name": council.name, "phone": council.phone}),
    }.items():
        text = text.replace("{{" + name + "}}", _escape(value))
    return text.encode()


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def build(catalogue: Catalogue, basemap: dict | None = None) -> Build:
    """`basemap` is basemap.serving.map_settings(): its URL names the file's version, so a new
    basemap file is a new shell version too."""
    pwa = asset_dir("pwa")
    files = {
        path.relative_to(pwa).as_posix(): path
        for path in sorted(pwa.rglob("*"))
        if path.is_file() and path.suffix in SHIPPED
    }
    index_html = _render_index(catalogue, basemap)
    manifest = json.dumps(manifest_json(catalogue), indent=1).encode()
    worker_dir = asset_dir("service_worker")
    sw_source = (worker_dir / "sw.js").read_bytes()
    sw_modules = {path.name: path for path in sorted(worker_dir.glob("*.js")) if path.name != "sw.js"}

    digest = hashlib.sha256()
    for name, content in [("index.html", index_html), ("manifest", manifest), ("sw.js", sw_source)]:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    for name, path in sw_modules.items():
        digest.update(f"sw/{name}".encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for name, path in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())

    # The page for finding a report by reference (linked from every footer) and its stylesheet work
    # offline too; the template's bytes count in the version, so a changed page is precached again.
    for name in PAGES_TEMPLATES:
        digest.update(name.encode() + b"\0" + hashlib.sha256((TEMPLATES_DIR / name).read_bytes()).digest())
    pages = ("/find", static_url("pages.css"))  # the stylesheet's URL carries its content's digest
    digest.update("\0".join(pages).encode())
    vendor_version = libraries.version()
    digest.update(b"vendor\0" + vendor_version.encode())  # new libraries: a new worker, which swaps them
    version = digest.hexdigest()[:16]

    precache = ("/", "/manifest.webmanifest", *(f"/app/{name}" for name in files), *pages)
    precache_module = (
        "// Generated by the server from the app's files: do not edit.\n"
        f"export const VERSION = {json.dumps(version)};\n"
        f"export const PRECACHE = {json.dumps(list(precache))};\n"
        f"export const VENDOR_VERSION = {json.dumps(vendor_version)};\n"
        f"export const APP_ROUTES = {json.dumps(list(APP_ROUTES))};\n"
    ).encode()
    # The version in sw.js's own bytes is what makes the browser see a new worker.
    sw = f"// version {version}\n".encode() + sw_source
    return Build(version, index_html, manifest, files, precache, sw, sw_modules, precache_module, vendor_version,
                 basemap)


def _build(request: Request) -> Build:
    """Built on the first request, and again when the council replaced its basemap file (a stat,
    see basemap.serving.current): the shell then names the new file, a new version, so open apps
    and phones update, and nobody is sent to the old file's URL, which is 404 now."""
    state = services(request)
    basemap = map_settings(state.config)
    if state.pwa_build is None or state.pwa_build.basemap != basemap:
        state.pwa_build = build(state.catalogue, basemap)
    return state.pwa_build


async def shell(request: Request) -> Response:
    return Response(_build(request).index_html, media_type="text/html; charset=utf-8", headers=NO_CACHE)


async def app_asset(request: Request) -> Response:
    path = _build(request).files.get(request.path_params["path"])
    if path is None:
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type=TYPES[path.suffix], headers=NO_CACHE)


async def manifest(request: Request) -> Response:
    return Response(_build(request).manifest, media_type="application/manifest+json", headers=NO_CACHE)


async def service_worker(request: Request) -> Response:
    return Response(
        _build(request).sw,
        media_type=TYPES[".js"],
        headers={**NO_CACHE, "Service-Worker-Allowed": "/"},
    )


async def service_worker_module(request: Request) -> Response:
    """One of the worker's modules (sw.js imports them from /sw/); counted in the version."""
    path = _build(request).sw_modules.get(request.path_params["name"])
    if path is None:
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type=TYPES[".js"], headers=NO_CACHE)


async def precache_manifest(request: Request) -> Response:
    return Response(_build(request).precache_module, media_type=TYPES[".js"], headers=NO_CACHE)


async def share_target(request: Request) -> Response:
    """Without a service worker the shared files cannot be kept: start a report instead."""
    return RedirectResponse("/report/photos?shared=unavailable", status_code=303)


routes = [
    *(Route(path, shell, methods=["GET"]) for path in APP_PATHS),
    Route("/app/{path:path}", app_asset, methods=["GET"]),
    Route("/manifest.webmanifest", manifest, methods=["GET"]),
    Route("/sw.js", service_worker, methods=["GET"]),
    Route("/sw/{name}", service_worker_module, methods=["GET"]),
    Route("/precache-manifest.js", precache_manifest, methods=["GET"]),
    Route("/share-target", share_target, methods=["POST"]),
]
