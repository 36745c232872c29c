"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser build),
the app served by a real `reportit serve` on loopback behind a small fault-injecting proxy.

Browser tests never skip: a missing Chromium is a failure (`make test` installs it).

The proxy is test-only code: it lets a test make the server answer 500 or 422 (or anything) to the
next N matching requests, or swap the server behind the same origin (a new app version), without
any switch in production code.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import ROOT, free_port


class _QuietServer(ThreadingHTTPServer):
    """A browser that gives up on a request (a test cancelling an upload) is expected here:
    don't print a traceback for the broken pipe."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WESTMINSTER = {"latitude": 51.4975, "longitude": -0.1357, "accuracy": 12}


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser) -> Iterator:
    context = browser.new_context(locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the current page, for the WCAG 2.2 AA rule set."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


# ---- A server we can restart with other settings, and a proxy in front of it ------------------


def start_server(env: dict[str, str], port: int | None = None) -> tuple[str, subprocess.Popen]:
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    # Its words go to a file (a pipe nobody reads would stall a server that says much).
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "reportit.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start within 30 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass
class Fault:
    method: str
    path: str
    status: int
    count: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0  # seconds to hold the request first (a stalled upload); release() lets it go


def _matches(pattern: str, path: str) -> bool:
    """A fault's path is exact, or ends in "*" to match every path it starts (a photo's upload URL,
    which holds a reference and a hash the test cannot know in advance)."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


class FaultProxy:
    """A reverse proxy on loopback that records requests and can answer instead of the server."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.pending = 0  # requests being answered right now
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                with proxy.lock:
                    proxy.pending += 1
                try:
                    self._answer()
                finally:
                    with proxy.lock:
                        proxy.pending -= 1

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                fault = proxy._take_fault(self.command, path)
                if fault is not None and fault.delay:
                    proxy.released.wait(fault.delay)
                if fault is not None and fault.status:
                    payload = json.dumps(fault.body or {"title": "Injected", "status": fault.status}).encode()
                    self.send_response(fault.status)
                    self.send_header("Content-Type", "application/problem+json")
                    for name, value in fault.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    proxy._record(self.command, path, fault.status)
                    return
                target = urlparse(proxy.upstream)
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                except OSError:
                    self.send_error(502)
                    return
                finally:
                    connection.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                proxy._record(self.command, path, response.status)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        self.server = _QuietServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and _matches(fault.path, path) and fault.count > 0:
                    fault.count -= 1
                    return fault
        return None

    def _record(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.log.append((method, path, status))

    def fail(self, method: str, path: str, status: int, count: int = 1, body: dict | None = None,
             headers: dict[str, str] | None = None, delay: float = 0) -> None:
        with self.lock:
            self.faults.append(Fault(method, path, status, count, body, headers or {}, delay))

    def hold(self, method: str, path: str, seconds: float, count: int = 1) -> None:
        """Hold the next `count` matching requests up to `seconds` (or until release()), then pass them on."""
        self.fail(method, path, 0, count, delay=seconds)

    def release(self) -> None:
        """Let every held request go on now."""
        with self.lock:
            self.released.set()
            self.released = threading.Event()

    def statuses(self, method: str, path: str) -> list[int]:
        with self.lock:
            return [status for m, p, status in self.log if m == method and p == path]

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.log.clear()
        self.release()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def proxy(live_server) -> Iterator[FaultProxy]:
    front = FaultProxy(live_server)
    yield front
    front.close()


@pytest.fixture
def origin(proxy, live_server) -> Iterator[str]:
    """The app's origin for one test: the proxy, reset, pointing at the shared server."""
    proxy.reset()
    proxy.upstream = live_server
    yield proxy.url
    proxy.reset()
    proxy.upstream = live_server


@pytest.fixture
def app_context(browser, origin):
    """A fresh browser profile for the app, with location and notifications allowed.

    Granting a list of permissions denies every other one, Background Sync included: list it too.
    """
    contexts = []

    def make(**options):
        context = browser.new_context(
            locale="en-GB", base_url=origin,
            permissions=options.pop("permissions", ["geolocation", "notifications", "background-sync"]),
            geolocation=options.pop("geolocation", WESTMINSTER), **options,
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# ---- Helpers tests share -------------------------------------------------------------------------


def poll(check: Callable[[], object], timeout: float = 30, interval: float = 0.25, message: str = "") -> object:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s (last value {last!r})")


READ_STORE = """async (store) => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('reportit'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  if (!db.objectStoreNames.contains(store)) { db.close(); return []; }
  const items = await new Promise((resolve, reject) => {
    const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  db.close();
  return items.map((item) => { const copy = { ...item }; delete copy.photos; return copy; });
}"""

READ_DEVICE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('reportit'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  const device = await new Promise((resolve) => {
    const r = db.transaction('kv').objectStore('kv').get('device'); r.onsuccess = () => resolve(r.result); r.onerror = () => resolve(null);
  });
  db.close();
  return device || null;
}"""


def store(page, name: str) -> list[dict]:
    return page.evaluate(READ_STORE, name)


def server_reports(page, server: str) -> list[dict]:
    """The reports the server holds for this browser's device (asked directly, not through the browser)."""
    device = page.evaluate(READ_DEVICE)
    if not device:
        return []
    response = httpx.get(f"{server}/api/me/reports", headers={"Authorization": f"Bearer {device['token']}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["reports"]


def wait_for_service_worker(page) -> None:
    """Until the page is controlled by an activated worker (the app shell is precached)."""
    poll(lambda: page.evaluate("() => Boolean(navigator.serviceWorker.controller)"), timeout=30,
         message="the service worker never took control")


@pytest.fixture
def new_version(proxy, live_server, server_env, tmp_path) -> Iterator[Callable[[], str]]:
    """Release a new app version behind the same origin: the council's name changes to "City of
    Westminster", so the shell and the worker change. Returns the new server's URL."""
    processes = []

    def release() -> str:
        config = tmp_path / "reportit-new-version.toml"
        config.write_text((ROOT / "reportit.example.toml").read_text().replace(
            'name = "Westminster City Council"', 'name = "City of Westminster"', 1))
        url, process = start_server({**server_env, "REPORTIT_CONFIG": str(config), "REPORTIT_BASE_URL": live_server})
        processes.append(process)
        proxy.upstream = url
        return url

    yield release
    proxy.upstream = live_server
    for process in processes:
        stop_server(process)


def check_for_update(page) -> None:
    """What the app does on its own every so often. On a loaded machine Chromium may fail to start
    the new worker in time ("ServiceWorker cannot be started"); the app would simply check again
    later, and so does this."""
    for attempt in range(3):
        try:
            page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
            return
        except Exception as error:  # noqa: BLE001 - playwright's Error carries the browser's words
            if "cannot be started" not in str(error) or attempt == 2:
                raise
            page.wait_for_timeout(1000)


# The page's requests for the outbox's Web Lock never resolve, so the page never sends; the service
# worker (its own realm, untouched by this script) still takes the lock and sends. The lock itself
# is not held: holding it would stop the worker too, since pages and workers share an origin's locks.
BLOCK_PAGE_FLUSH = """(() => {
  const request = LockManager.prototype.request;
  LockManager.prototype.request = function (name, ...rest) {
    return name === 'reportit-outbox' ? new Promise(() => undefined) : request.call(this, name, ...rest);
  };
})()"""


def switch_off_page_flush(page) -> None:
    """Only the service worker may send from now on, in this page and in pages opened or reloaded
    after (so a test can prove the worker sent a report; otherwise the page's own `online`
    handler wins the race)."""
    page.context.add_init_script(BLOCK_PAGE_FLUSH)
    page.evaluate(BLOCK_PAGE_FLUSH)


@pytest.fixture
def photo_files(tmp_path) -> Callable[..., list[Path]]:
    """JPEG files on disk, made with Pillow; `gps` puts a position in their EXIF."""
    from tests.photo_samples import jpeg_with_exif

    def make(count: int = 2, width: int = 1200, height: int = 900, gps: tuple[float, float] | None = None) -> list[Path]:
        paths = []
        for i in range(count):
            path = tmp_path / f"photo-{i + 1}.jpg"
            path.write_bytes(jpeg_with_exif(width, height, orientation=1, gps=gps))
            paths.append(path)
        return paths

    return make


NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
}"""


class PushDelivery:
    """Hands push messages to the page's service worker the way a push service would (CDP
    ServiceWorker.deliverPushMessage), and reads back the notifications it shows."""

    def __init__(self, context, page, origin: str) -> None:
        self.page, self.origin = page, origin
        self.cdp = context.new_cdp_session(page)
        self.registrations: list[str] = []
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: self.registrations.extend(
            r["registrationId"] for r in event["registrations"]
            if not r["isDeleted"] and r["scopeURL"].startswith(origin)))
        self.cdp.send("ServiceWorker.enable")
        # CDP events reach a sync Playwright client only while it is talking to the browser.
        poll(lambda: page.wait_for_timeout(100) or self.registrations, message="no service worker registration reported")

    def notifications(self) -> list[dict]:
        return self.page.evaluate(NOTIFICATIONS)

    def deliver(self, data: str, shown: Callable[[list[dict]], bool]) -> list[dict]:
        """Deliver `data` until `shown(notifications)` holds. A message that arrives while the
        browser is restarting the worker can be dropped, as a real push service's can be; the
        tag makes a repeat replace, not add."""
        for _ in range(3):
            self.cdp.send("ServiceWorker.deliverPushMessage",
                          {"origin": self.origin, "registrationId": self.registrations[-1], "data": data})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                current = self.notifications()
                if shown(current):
                    return current
                time.sleep(0.25)
        raise AssertionError(f"the notification was not shown: {self.notifications()!r}")
