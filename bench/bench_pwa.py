"""The resident app in Chromium: photo bytes after the in-browser resize, app-shell size, and how
fast a phone's queue of 50 reports empties when the signal returns.

Runs a real `reportit serve` on loopback with a throwaway SQLite database and drives Debian's
Chromium with Playwright. Run: `python bench/bench_pwa.py` (or import and call run()).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import ARGS, CHROMIUM, WESTMINSTER, start_server, stop_server  # noqa: E402
from tests.photo_samples import large_jpeg  # noqa: E402

PHOTO_GOAL_KB = 500
SHELL_GOAL_KB = 60
FLUSH_GOAL_S = 15
QUEUED = 50

FIRST_RENDER_BYTES = """() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
  .filter((e) => /\\/(app\\/|$)/.test(new URL(e.name).pathname) && !/\\.png$/.test(e.name))
  .reduce((sum, e) => sum + e.encodedBodySize, 0)"""

QUEUE = """async ([count, photoSize]) => {
  const outbox = await import('/app/lib/outbox.js');
  const { draft } = await import('/app/lib/draft.js');
  const data = await draft.photos[0].blob.arrayBuffer();
  for (let i = 0; i < count; i += 1) {
    await outbox.save({
      client_id: crypto.randomUUID(),
      fields: {
        category: 'overflowing_bin', description: `Bench ${i}`,
        latitude: 51.4975, longitude: -0.1357, accuracy: 10, location_source: 'device',
      },
      photos: [{ name: 'bench.jpg', type: 'image/jpeg', data }],
      summary: { category_name: 'Overflowing litter bin' },
    });
  }
  return (await outbox.list()).length;
}"""


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "REPORTIT_DATA_DIR": tmp, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "REPORTIT_LOG_LEVEL": "WARNING",
        }
        subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**os.environ, **env}, check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
        url, process = start_server(env)
        photo = Path(tmp) / "12mp.jpg"
        photo.write_bytes(large_jpeg(12))
        original_kb = round(photo.stat().st_size / 1000)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(base_url=url, permissions=["geolocation", "background-sync"], geolocation=WESTMINSTER)
                page = context.new_page()
                page.goto("/")
                page.wait_for_load_state("networkidle")
                shell = page.evaluate(FIRST_RENDER_BYTES)

                page.goto("/report")
                page.locator("#category-overflowing_bin").check()
                page.get_by_role("button", name="Continue").click()
                page.set_input_files("#photo", str(photo))
                page.locator(".photos img").wait_for(timeout=60000)
                resized = page.evaluate("async () => (await import('/app/lib/draft.js')).draft.photos[0].blob.size")

                context.set_offline(True)
                page.evaluate(QUEUE, [QUEUED, resized])
                started = time.perf_counter()
                context.set_offline(False)
                deadline = started + 300
                while time.perf_counter() < deadline:
                    if page.evaluate("async () => (await (await import('/app/lib/outbox.js')).list()).length") == 0:
                        break
                    time.sleep(0.1)
                flush_s = time.perf_counter() - started
                browser.close()
        finally:
            stop_server(process)

    return [
        {"measure": "12 MP photo after the browser resize", "value": f"{resized / 1000:.0f} KB",
         "goal": f"<= {PHOTO_GOAL_KB} KB", "met": resized <= PHOTO_GOAL_KB * 1000,
         "note": f"original {original_kb} KB"},
        {"measure": "app shell for first render (compressed)", "value": f"{shell / 1000:.1f} KB",
         "goal": f"<= {SHELL_GOAL_KB} KB", "met": shell <= SHELL_GOAL_KB * 1000, "note": "HTML + CSS + JS as sent"},
        {"measure": f"{QUEUED} queued reports with a photo, flushed after reconnect", "value": f"{flush_s:.1f} s",
         "goal": f"<= {FLUSH_GOAL_S} s", "met": flush_s <= FLUSH_GOAL_S, "note": "loopback, page + worker"},
    ]


if __name__ == "__main__":
    rows = run()
    for row in rows:
        print(f"{row['measure']:<58} {row['value']:>10}  goal {row['goal']:<10} {'met' if row['met'] else 'NOT met'}  ({row['note']})")
