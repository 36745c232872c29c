"""A 3-photo report from the edge of coverage: Chromium's network emulation (100 kbps up, 400 ms
latency), the browser going offline every ~20 s, and the server restarted in the middle. The report
arrives exactly once, the photos the server holds are the phone's (same SHA-256), the Outbox
empties, and an officer saw the report (and "photo … arriving") before its photos were in."""

from __future__ import annotations

import hashlib
import io
import random
import re
import subprocess
import sys
import os
import time

import httpx
from PIL import Image

from tests.conftest import ROOT, free_port, separate_env
from tests.e2e.conftest import READ_DEVICE, WESTMINSTER, start_server, stop_server, store, wait_for_service_worker
from tests.e2e.journey import fill_report, send
from tests.e2e.test_console_journeys import add_staff, sign_in

SLOW_LINK = {"offline": False, "latency": 400, "uploadThroughput": 100_000 / 8, "downloadThroughput": 250_000 / 8}

PHONE_HASHES = """async (clientId) => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('reportit'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  const item = await new Promise((resolve) => {
    const r = db.transaction('outbox').objectStore('outbox').get(clientId); r.onsuccess = () => resolve(r.result);
  });
  db.close();
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  return Promise.all(item.photos.map(async (p) => hex(await crypto.subtle.digest('SHA-256', p.data))));
}"""


def noisy_photo(path, seed: int) -> None:
    """A photo that stays around 40 KB after the app shrinks it (noise does not compress)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (320, 240), bytes(rng.getrandbits(8) for _ in range(320 * 240 * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())


def test_a_three_photo_report_gets_through_drops_and_a_server_restart_exactly_once(browser, server_env, tmp_path):
    env = separate_env(server_env, tmp_path / "data")
    port = free_port()
    env["REPORTIT_BASE_URL"] = url = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**os.environ, **env}, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    _, server = start_server(env, port)
    officer_email = add_staff(env, "officer")
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"photo-{n}.jpg")
        noisy_photo(paths[-1], n)

    # The page sends (the app is open); Background Sync is left out because the worker's requests are
    # not under the page's network emulation (tests/e2e/test_pwa_offline.py has the worker's turn).
    context = browser.new_context(locale="en-GB", base_url=url, geolocation=WESTMINSTER, permissions=["geolocation"])
    officer = browser.new_context(locale="en-GB", base_url=url)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        fill_report(page, photos=paths)
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send("Network.emulateNetworkConditions", SLOW_LINK)
        client_id = send(page)
        phone_hashes = page.evaluate(PHONE_HASHES, client_id)
        token = page.evaluate(READ_DEVICE)["token"]
        console = officer.new_page()
        sign_in(console, url, officer_email)

        started = time.monotonic()
        next_drop = started + 20
        restarted = saw_arriving = False
        outbox_words = ""
        reference = None
        while time.monotonic() - started < 240:
            if time.monotonic() >= next_drop:  # out of coverage for a few seconds
                context.set_offline(True)
                time.sleep(3)
                context.set_offline(False)
                network.send("Network.emulateNetworkConditions", SLOW_LINK)
                next_drop = time.monotonic() + 20
            reports = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["reports"] \
                if server.poll() is None else []
            if reports:
                reference = reports[0]["reference"]
                if len(reports[0]["photos"]) < 3 and not saw_arriving:
                    console.goto(f"/console/reports/{reference}")
                    arriving = console.locator(".photos-arriving")
                    saw_arriving = arriving.count() > 0 and "arriving" in arriving.inner_text()
                if not outbox_words and store(page, "outbox") and store(page, "outbox")[0].get("parts", {}).get("uploads"):
                    page.goto("/outbox")  # the app opened again: it carries on from the server's offset
                    network.send("Network.emulateNetworkConditions", SLOW_LINK)
                    words = page.locator(".photo-progress")
                    outbox_words = words.inner_text() if words.count() else ""
                if not restarted and any(p.stat().st_size for p in (tmp_path / "data" / "uploads").glob("*.part")):
                    stop_server(server)  # in the middle of a photo
                    time.sleep(2)
                    _, server = start_server(env, port)
                    restarted = True
            if restarted and reports and len(reports[0]["photos"]) == 3 and not store(page, "outbox"):
                break
            time.sleep(1)

        assert restarted, "the server was never restarted in the middle of a photo"
        assert saw_arriving, "the console never showed the report while its photos were arriving"
        assert re.search(r"[0-2] of 3 photos sent, \d+ KB left", outbox_words), outbox_words
        final = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["reports"]
        assert len(final) == 1, "the report arrived exactly once"
        assert len(final[0]["photos"]) == 3
        mine = httpx.get(f"{url}/api/reports/{final[0]['reference']}", headers={"Authorization": f"Bearer {token}"}).json()
        assert [u["sha256"] for u in mine["uploads"]] == phone_hashes
        assert all(u["complete"] for u in mine["uploads"])
        assert store(page, "outbox") == []
        assert [s["report"]["reference"] for s in store(page, "sent")] == [final[0]["reference"]]
        assert not list((tmp_path / "data" / "uploads").glob("*.part")), "no partial file left"
        for photo in final[0]["photos"]:  # each one a whole photo
            data = httpx.get(f"{url}{photo['url']}", cookies={"reportit_device": token}).content
            Image.open(io.BytesIO(data)).load()
            assert hashlib.sha256(data).hexdigest() == photo["url"].rsplit("/", 1)[1].removesuffix(".jpg")
    finally:
        officer.close()
        context.close()
        stop_server(server)
