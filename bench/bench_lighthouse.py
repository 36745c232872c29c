"""Lighthouse (mobile emulation) on the app shell, a report page and /find, against a static baseline page.

Goals: performance >= 95, accessibility 100, best practices >= 95 on every page. Each page's LCP is also
given as a ratio to the LCP of a one-line static HTML page (served by `python -m http.server`) measured
in the same run. Lighthouse 12.2.3 is installed with npm into bench/.lighthouse on first use; the browser
is Debian's Chromium (`make browser`), never a downloaded one. Run: `python -m bench.bench_lighthouse`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VERSION = "12.2.3"
PREFIX = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE = PREFIX / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync")
CATEGORIES = ("performance", "accessibility", "best-practices")
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 95}
RUN_TIMEOUT_S = 120
DEMO_REPORTS = 50
BASELINE_HTML = "<!doctype html><html lang=en><title>baseline</title><h1>Baseline</h1></html>"

# Filled by run(): page -> failed audits [{id, title, displayValue, category}] for pages below a goal,
# and page -> audits Lighthouse could not compute ({id: errorMessage}), e.g. trace-format drift with a new Chromium.
FAILURES: dict[str, list[dict]] = {}
ERRORED: dict[str, dict[str, str]] = {}


def _installed_version() -> str | None:
    try:
        package = json.loads((PREFIX / "node_modules" / "lighthouse" / "package.json").read_text())
    except (OSError, ValueError):
        return None
    return package.get("version") if LIGHTHOUSE.exists() else None


def _ensure_lighthouse() -> None:
    if _installed_version() == VERSION:
        return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise RuntimeError("node and npm are needed for the Lighthouse bench")
    print(f"Installing lighthouse@{VERSION} into {PREFIX.relative_to(ROOT)} (npm)", file=sys.stderr)
    PREFIX.mkdir(parents=True, exist_ok=True)
    # Lighthouse depends on puppeteer-core only, but make sure nothing fetches a browser.
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1"}
    subprocess.run(["npm", "install", "--prefix", str(PREFIX), "-E", f"lighthouse@{VERSION}",
                    "--no-audit", "--no-fund", "--loglevel=error"], env=env, check=True, timeout=600)
    if _installed_version() != VERSION:
        raise RuntimeError(f"npm did not install lighthouse@{VERSION} into {PREFIX}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _start_service(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
           "REPORTIT_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    for command in (["migrate"], ["demo", "--reports", str(DEMO_REPORTS)]):
        subprocess.run([sys.executable, "-m", "reportit.cli", *command], env=env, check=True,
                       capture_output=True, timeout=300)
    process = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/categories", process, "reportit serve")
    except Exception:
        _stop(process)
        raise
    return process, url


def _start_baseline(directory: str) -> tuple[subprocess.Popen, str]:
    Path(directory, "index.html").write_text(BASELINE_HTML)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                "--directory", directory], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, process, "http.server")
    except Exception:
        _stop(process)
        raise
    return process, url


def _demo_reference(data_dir: str, url: str) -> str:
    """A public demo report, preferring one with a photo, whose page answers 200."""
    with sqlite3.connect(Path(data_dir) / "reportit.sqlite") as db:
        rows = db.execute(
            "SELECT r.reference FROM report r WHERE r.source = 'demo' AND NOT r.private AND NOT r.hidden "
            "ORDER BY EXISTS (SELECT 1 FROM photo p WHERE p.report = r.id AND NOT p.hidden) DESC, r.id "
            "LIMIT 20").fetchall()
    for (reference,) in rows:
        if httpx.get(f"{url}/r/{reference}", timeout=10).status_code == 200:
            return reference
    raise RuntimeError("no public demo report page answered 200")


def _lighthouse(url: str, out_dir: str, name: str) -> dict:
    output = Path(out_dir) / f"{name}.json"
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    command = [str(LIGHTHOUSE), url, f"--chrome-flags={CHROME_FLAGS}",
               f"--only-categories={','.join(CATEGORIES)}", "--output=json", f"--output-path={output}", "--quiet"]
    # Own process group, so a timed-out run takes its Chromium down with it.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise RuntimeError(f"lighthouse timed out after {RUN_TIMEOUT_S} s on {url}") from None
    if process.returncode != 0 or not output.exists():
        raise RuntimeError(f"lighthouse exited {process.returncode} on {url}: {stderr.strip()[-500:]}")
    return json.loads(output.read_text())


def _failed_audits(lhr: dict, categories: list[str]) -> list[dict]:
    failed, seen = [], set()
    for category in categories:
        for ref in lhr["categories"][category]["auditRefs"]:
            audit = lhr["audits"].get(ref["id"], {})
            score = audit.get("score")
            if ref["id"] in seen or score is None or score >= 1 \
                    or audit.get("scoreDisplayMode") in ("informative", "notApplicable", "manual", "error"):
                continue
            seen.add(ref["id"])
            failed.append({"category": category, "id": ref["id"], "title": audit.get("title", ""),
                           "displayValue": audit.get("displayValue", ""), "score": score})
    return failed


def _measure(lhr: dict) -> dict:
    scores = {c: (round(lhr["categories"][c]["score"] * 100) if lhr["categories"][c]["score"] is not None else None)
              for c in CATEGORIES}
    audits = lhr["audits"]
    return {
        "scores": scores,
        "lcp": audits["largest-contentful-paint"].get("numericValue"),
        "tbt": audits["total-blocking-time"].get("numericValue"),
        "bytes": audits["total-byte-weight"].get("numericValue"),
        "error": (lhr.get("runtimeError") or {}).get("message", ""),
        "warnings": lhr.get("runWarnings", []),
        "errored": {k: a.get("errorMessage", "") for k, a in audits.items() if a.get("scoreDisplayMode") == "error"},
    }


def _fmt(value: float | None, digits: int = 0) -> object:
    return "" if value is None else round(value, digits) if digits else round(value)


def run() -> list[dict]:
    FAILURES.clear()
    ERRORED.clear()
    if not Path(CHROMIUM).exists():
        print("Chromium is missing: run `make browser` (installs Debian's chromium) and try again.", file=sys.stderr)
        return [{"page": "(all)", "met": "no", "note": "Chromium missing at /usr/bin/chromium: run `make browser`"}]
    _ensure_lighthouse()

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as static_dir, \
            tempfile.TemporaryDirectory() as out_dir:
        service = baseline = None
        try:
            service, url = _start_service(data_dir)
            baseline, baseline_url = _start_baseline(static_dir)
            reference = _demo_reference(data_dir, url)
            pages = {"baseline (static HTML)": baseline_url, "/ (app shell)": f"{url}/",
                     f"/r/{reference}": f"{url}/r/{reference}", "/find": f"{url}/find"}
            for n, (page, target) in enumerate(pages.items()):
                lhr = _lighthouse(target, out_dir, f"page{n}")
                results[page] = _measure(lhr)
                if results[page]["errored"]:
                    ERRORED[page] = results[page]["errored"]
                scores = results[page]["scores"]
                below = [c for c in CATEGORIES if scores[c] is None or scores[c] < GOALS[c]]
                if n > 0 and below:  # page 0 is the baseline: no goals
                    FAILURES[page] = _failed_audits(lhr, below)
        finally:
            _stop(baseline)
            _stop(service)

    baseline_page = next(iter(results))
    baseline_lcp = results[baseline_page]["lcp"]
    rows = []
    for page, r in results.items():
        is_baseline = page == baseline_page
        s = r["scores"]
        ratio = round(r["lcp"] / baseline_lcp, 1) if r["lcp"] and baseline_lcp and not is_baseline else ""
        met = all(s[c] is not None and s[c] >= GOALS[c] for c in CATEGORIES)
        note = r["error"] or "; ".join(w[:80] for w in r["warnings"])
        if page in FAILURES:
            note = (note + "; " if note else "") + "failed: " + ", ".join(f["id"] for f in FAILURES[page])
        if r["errored"]:
            note = (note + "; " if note else "") + f"{len(r['errored'])} audits errored"
        rows.append({
            "page": page,
            "performance": _fmt(s["performance"]), "accessibility": _fmt(s["accessibility"]),
            "best practices": _fmt(s["best-practices"]),
            "LCP ms": _fmt(r["lcp"]),
            "LCP / baseline": ratio,
            "TBT ms": _fmt(r["tbt"]),
            "transfer KB": _fmt(r["bytes"] / 1000 if r["bytes"] is not None else None, 1),
            "goal": "perf >= 95, a11y 100, bp >= 95", "met": "" if is_baseline else ("yes" if met else "no"),
            "note": note,
        })
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
    for page, failed in FAILURES.items():
        print(f"\nFailed audits on {page}:")
        for f in failed:
            shown = f" ({f['displayValue']})" if f["displayValue"] else ""
            print(f"  [{f['category']}] {f['id']}: {f['title']}{shown}  score {f['score']}")
    groups: dict[tuple, list[str]] = {}  # the same audits usually error on every page: print them once
    for page, errored in ERRORED.items():
        groups.setdefault(tuple(sorted(errored.items())), []).append(page)
    for errored, pages in groups.items():
        print(f"\nAudits Lighthouse could not compute on {', '.join(pages)} (not counted in the scores):")
        for audit, message in errored:
            print(f"  {audit}: {message[-110:]}")
