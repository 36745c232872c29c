"""Web Push: cost of one message, fan-out throughput, and status change -> push service latency.

Goals (issues 4 and 16), measured in one run, reported (not asserted):
- fan-out of 5,000 notifications to a local push service over TLS >= 1,500/s on this 2-core
  machine, and >= 3x pywebpush's synchronous `webpush()` loop over the same TLS service in the same
  run (pywebpush comes with the project's `bench` extra; its faster form, with a kept-alive
  requests session, is the baseline; baseline and fan-out are measured side by side in ROUNDS
  rounds, medians and ranges reported); CPU microseconds per message printed;
- `reportit status` in another process -> request at the push service, p50 <= 0.5 s on PostgreSQL,
  where a running sender is woken by LISTEN/NOTIFY; the same sender without it (the 5-second poll)
  is the baseline.

The local push service runs in its own process (bench/push_service.py): TLS with HTTP/2 and
HTTP/1.1 as ALPN decides, with a certificate from a test CA made with trustme, which only the
sender here and pywebpush's requests session trust; lean (uvloop, httptools, h2), so that the
sender is what is measured. It is honest: every request must carry a VAPID `Authorization` with
our key and a JWT whose ES256 signature, `aud`, `exp` and `sub` check out (each distinct token is
verified once, as a real service may cache it), a numeric `TTL`, `Content-Encoding: aes128gcm` and
a body of at most 4096 bytes; one request in 50 is decrypted with `http_ece` and must hold our
JSON. The tests' mock (tests/push/mock_push.py) decrypts every message and checks its content;
doing that here would measure `http_ece` on the one core the sender does not use.

Run: `python bench/bench_push.py` (or import and call run()).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTIFICATIONS = 5000
SEED_CHUNK = 1000
PG_NOTIFICATIONS = NOTIFICATIONS  # the same fan-out on PostgreSQL (outbox rows go in 500 at a time)
SYNC_BASELINE = 500  # the synchronous loops are slow; their rate is what matters
ROUNDS = 3  # baseline and fan-out side by side, this many times; medians reported
CRYPTO_RUNS = 300
LATENCY_CHANGES = 11  # each is a `reportit status` process (about a second to start)
PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL_RATE = 1500.0
GOAL_RATIO = 3.0
GOAL_P50 = 0.5
SENDER_OPTIONS: dict = {}  # e.g. {"config": SenderConfig(concurrency=4)} to compare


# -- measurements -----------------------------------------------------------------------------

def _median_us(work, runs: int) -> float:
    work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1e6)
    return statistics.median(timings)


def crypto_rows(settings, keys, browser, endpoint: str) -> list[dict]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from webpush import WebPush
    from webpush.types import WebPushSubscription

    from reportit.push.message import PushEncoder, Target, news_for, payload

    news = news_for(settings, "K7QM4XRT", "fixed", "We filled the pothole this morning. " * 5)
    body = payload(news, settings.config.base_url)
    encoder = PushEncoder(keys, "bench@example.org", settings.config.base_url)
    target = Target(endpoint, **browser.keys)
    plain = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber="bench@example.org")
    subscription = WebPushSubscription(endpoint=endpoint, keys=browser.keys)
    aes, nonce = AESGCM(os.urandom(16)), os.urandom(12)

    baseline = _median_us(lambda: plain.get(body, subscription), CRYPTO_RUNS)
    ours = _median_us(lambda: encoder.request(news, target), CRYPTO_RUNS)
    raw = _median_us(lambda: aes.encrypt(nonce, body, None), CRYPTO_RUNS)
    return [
        {"name": "webpush.get(): encrypt + sign a JWT (baseline)", "value": baseline, "unit": "µs/message",
         "ratio": 1.0, "goal": ""},
        {"name": "PushEncoder.request: encrypt, JWT reused per origin", "value": ours, "unit": "µs/message",
         "ratio": ours / baseline, "goal": "<= 1x"},
        {"name": "raw AES-128-GCM of the same payload (floor)", "value": raw, "unit": "µs/message",
         "ratio": raw / baseline, "goal": ""},
    ]


async def _seed(settings, endpoints: list[str], browser) -> str:
    """One report whose status change reaches every endpoint; returns its reference."""
    from reportit.accounts.tables import Device
    from reportit.push.tables import Follow, PushSubscription
    from reportit.reports.tables import Category, Report

    category = await Category.select(Category.id).where(Category.code == "pothole").first()
    reference = uuid.uuid4().hex[:8].upper()
    report = Report(reference=reference, category=category["id"], status="received")
    await report.save()
    devices = [Device(device_id=uuid.uuid4(), token_hash=uuid.uuid4().hex) for _ in endpoints]
    ids = []
    for start in range(0, len(devices), SEED_CHUNK):  # PostgreSQL takes at most 32,767 values a statement
        chunk = devices[start:start + SEED_CHUNK]
        await Device.insert(*chunk)
        ids += [row["id"] for row in await Device.select(Device.id).where(
            Device.token_hash.is_in([d.token_hash for d in chunk])).order_by(Device.id)]
    for start in range(0, len(ids), SEED_CHUNK):
        await PushSubscription.insert(*[PushSubscription(device=d, endpoint=e, **browser.keys)
                                        for d, e in zip(ids[start:start + SEED_CHUNK], endpoints[start:start + SEED_CHUNK])])
        await Follow.insert(*[Follow(report=report.id, device=d) for d in ids[start:start + SEED_CHUNK]])
    return reference


async def _stats(http, origin: str) -> dict:
    return (await http.get(f"{origin}/stats")).json()


def _cpu_seconds(pids) -> float:
    """User + system CPU of other processes (the sender's encryption worker), from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


async def fanout_rate(settings, keys, browser, origin: str, *, prepared: bool = False, count: int = NOTIFICATIONS
                      ) -> tuple[float, dict[str, float], dict]:
    """Sender.drain() over NOTIFICATIONS queued rows (SQLite, default config): its rate, the CPU it
    spent (µs per message in its own process and in its encryption worker, whose start-up, once
    per sender, is counted apart in ms), and the service's stats."""
    import contextlib
    import io

    import httpx

    from reportit import database
    from reportit.push.sender import Sender
    from reportit.reports.categories import sync_categories
    from reportit.reports.status import Actor, change_status

    if not prepared:  # SQLite, made here; PostgreSQL's is migrated and in use already (_on_postgres)
        database.use(database.engine_for(settings))
        with contextlib.redirect_stdout(io.StringIO()):
            await database.migrate()
        await sync_categories(settings)
    run_id = uuid.uuid4().hex[:6]
    reference = await _seed(settings, [f"{origin}/push/ok/fan-{run_id}-{i}" for i in range(count)], browser)
    # The status change writes the 5,000 outbox rows in its transaction (not timed: fan-out is the sending).
    await change_status(reference, "in_progress", settings=settings, actor=Actor("bench"),
                        public_message="A crew is on the way.")
    sender = Sender(settings, secret_key="bench", keys=keys, **SENDER_OPTIONS)

    def worker_cpu() -> float:
        return _cpu_seconds(getattr(sender.encoding._processes, "_processes", None) or {})

    startup: list[float] = []

    async def watch_worker_start() -> None:  # its CPU when it is ready: the start-up, paid once per sender
        while True:
            started = sender.encoding._processes_started
            if started is not None and started.done():
                startup.append(worker_cpu())
                return
            await asyncio.sleep(0.002)

    async with httpx.AsyncClient(verify=_trusting(settings.config.push_ca_file)) as http:
        before = await _stats(http, origin)
        watch = asyncio.create_task(watch_worker_start())
        try:
            started, cpu = time.perf_counter(), time.process_time()
            handled = await sender.drain()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            worker = worker_cpu()  # the worker is this sender's own, started for this drain
        finally:
            watch.cancel()
            await sender.aclose()
        after = await _stats(http, origin)
    accepted = after["accepted"] - before["accepted"]
    assert handled == count == accepted, (handled, after)
    start = startup[0] if startup else 0.0
    return handled / elapsed, {"sender": cpu / handled * 1e6, "worker": (worker - start) / handled * 1e6,
                               "startup": start * 1000}, after


def _trusting(ca_file: str):
    from reportit.push.delivery import push_ssl_context

    return push_ssl_context(ca_file)


_baseline_cpu: list[float] = []  # CPU µs per message of each pywebpush loop, in the order run


def pywebpush_rate(settings, browser, origin: str, key_file: Path, *, keep_alive: bool) -> float:
    """pywebpush's own `webpush()` in a loop, as its README shows it: per message it reads the VAPID
    key, signs a JWT, encrypts (RFC 8291) and POSTs with requests, on a new connection each time
    unless a `requests_session` is passed (`keep_alive`: the faster, kinder baseline)."""
    import requests
    from pywebpush import webpush

    from reportit.push.message import TTL_SECONDS, news_for, payload

    data = payload(news_for(settings, "K7QM4XRT", "in_progress", "A crew is on the way."), settings.config.base_url)
    label = f"sync-{uuid.uuid4().hex[:6]}"
    with requests.Session() as session:
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(SYNC_BASELINE):
            response = webpush({"endpoint": f"{origin}/push/ok/{label}-{i}", "keys": browser.keys}, data,
                               vapid_private_key=str(key_file), vapid_claims={"sub": "mailto:bench@example.org"},
                               ttl=TTL_SECONDS, requests_session=session if keep_alive else None)
            assert response.status_code == 201, response.text
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        _baseline_cpu.append(cpu / SYNC_BASELINE * 1e6)
        return SYNC_BASELINE / elapsed


def fanout_rows(settings, keys, browser, origin: str, key_file: Path) -> tuple[list[dict], dict]:
    """ROUNDS rounds, each measuring the baseline and then the sender on both event loops, side by
    side: the machine's speed drifts (it is shared), so each round's ratio compares runs made
    within seconds of each other, and the medians are reported with their ranges."""
    fresh = pywebpush_rate(settings, browser, origin, key_file, keep_alive=False)
    loops = (("uvloop (reportit serve, send-notifications)", _run_on_uvloop), ("asyncio's own loop", asyncio.run))
    baseline: list[float] = []
    rates: dict[str, list[float]] = {name: [] for name, _ in loops}
    ratios: dict[str, list[float]] = {name: [] for name in rates}
    cpu: dict[str, list[dict[str, float]]] = {name: [] for name in rates}
    stats: dict = {}
    for _ in range(ROUNDS):
        baseline.append(pywebpush_rate(settings, browser, origin, key_file, keep_alive=True))
        for name, run_loop in loops:
            rate, micros, stats = run_loop(fanout_rate(settings, keys, browser, origin))
            rates[name].append(rate)
            cpu[name].append(micros)
            ratios[name].append(rate / baseline[-1])
    middle = statistics.median(baseline)
    rows = [
        {"name": f"pywebpush webpush() loop, new connection per message ({SYNC_BASELINE})", "value": fresh,
         "unit": "notifications/s", "ratio": fresh / middle, "goal": ""},
        {"name": f"pywebpush webpush() loop, kept-alive requests session ({SYNC_BASELINE}; baseline), "
                 f"median of {ROUNDS} ({_span(baseline)})", "value": middle, "unit": "notifications/s",
         "ratio": 1.0, "goal": ""},
        {"name": f"  CPU per message, pywebpush loop, kept-alive (its process; the machine's load does not "
                 f"move this as it moves rates), median of {ROUNDS}", "value": statistics.median(_baseline_cpu[1:]),
         "unit": "CPU µs/message", "ratio": 1.0, "goal": ""},
    ]
    for name, values in rates.items():
        rows.append({"name": f"Sender.drain(): {NOTIFICATIONS} outbox rows (SQLite), {name}, median of {ROUNDS} "
                             f"({_span(values)}); ratio: median of the rounds' ({_span(ratios[name], 'x')})",
                     "value": statistics.median(values), "unit": "notifications/s",
                     "ratio": statistics.median(ratios[name]), "goal": f">= {GOAL_RATE:.0f}/s and >= {GOAL_RATIO:.0f}x"})
        totals = [c["sender"] + c["worker"] for c in cpu[name]]
        part = {key: statistics.median(c[key] for c in cpu[name]) for key in ("sender", "worker", "startup")}
        rows.append({"name": f"  CPU per message, {name}: sender process {part['sender']:.0f} + encryption worker "
                             f"{part['worker']:.0f}, median of {ROUNDS} ({_span(totals, ' µs')}); the worker's "
                             f"start-up, once per sender, apart: {part['startup']:.0f} ms",
                     "value": statistics.median(totals), "unit": "CPU µs/message",
                     "ratio": statistics.median(totals) / statistics.median(_baseline_cpu[1:]),
                     "goal": "(ratio: to pywebpush's CPU)"})
    return rows, {**stats, "baseline": middle}


def _span(values: list[float], unit: str = "/s") -> str:
    precision = 2 if unit == "x" else 0
    return f"{min(values):.{precision}f}-{max(values):.{precision}f}{unit}"


async def latency_rows(settings, browser, origin: str, env: dict[str, str]) -> list[dict]:
    """`reportit status` in another process -> the request at the push service, on PostgreSQL: with
    the sender woken by LISTEN/NOTIFY, and (baseline) the same sender left to its 5-second poll.

    Measured from the status change's own timestamp (taken inside its transaction, just before
    it commits) to the request's arrival, so a command's start-up time is not counted."""
    import httpx

    from reportit.push.sender import Sender, SenderConfig
    from reportit.reports.tables import StatusChange

    rows = []
    figures = {}
    for label, listen in (("5 s poll (baseline)", False), ("LISTEN/NOTIFY", True)):
        sender = Sender(settings, secret_key="bench", config=SenderConfig(listen=listen))
        sender.start()
        delays, from_start = [], []
        try:
            async with httpx.AsyncClient(verify=_trusting(settings.config.push_ca_file)) as http:
                while listen and not (sender.listener and sender.listener.listening.is_set()):
                    await asyncio.sleep(0.01)
                for i in range(LATENCY_CHANGES):
                    name = f"latency-{i}-{uuid.uuid4().hex[:6]}"
                    reference = await _seed(settings, [f"{origin}/push/ok/{name}"], browser)
                    launched = time.time()
                    process = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "reportit.cli", "status", reference, "in_progress", "--message",
                        "A crew is on the way.", env={**os.environ, **env}, cwd=ROOT,
                        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
                    _, errors = await process.communicate()
                    assert process.returncode == 0, errors.decode()
                    deadline = time.monotonic() + 30
                    while (response := await http.get(f"{origin}/arrival/{name}")).status_code != 200:
                        assert time.monotonic() < deadline, f"{name} never reached the push service"
                        await asyncio.sleep(0.005)
                    change = await StatusChange.select(StatusChange.created_at).where(
                        StatusChange.report.reference == reference).first()
                    delays.append(response.json() - change["created_at"].timestamp())
                    from_start.append(response.json() - launched)
        finally:
            await sender.aclose()
        figures[label] = statistics.median(delays)
        rows.append({"name": f"`reportit status` (another process) -> push service, PostgreSQL, {label}, "
                             f"p50 of {LATENCY_CHANGES} (max {max(delays) * 1000:.0f} ms; from the command's "
                             f"start, Python's start-up included: p50 {statistics.median(from_start) * 1000:.0f} ms)",
                     "value": figures[label] * 1000, "unit": "ms", "ratio": figures[label] / GOAL_P50,
                     "goal": f"<= {GOAL_P50 * 1000:.0f} ms (ratio to goal)" if listen else ""})
    return rows


async def _on_postgres(settings, browser, origin: str, env: dict[str, str], keys=None,
                       baseline: float = 1.0) -> list[dict]:
    """A throwaway PostgreSQL database for the latency rows (and a fan-out), dropped afterwards."""
    from dataclasses import replace
    from urllib.parse import urlparse

    import asyncpg

    from reportit import database
    from reportit.reports.categories import sync_categories

    name = f"reportit_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlparse(PG_URL)._replace(path=f"/{name}").geturl()
    pg = replace(settings, config=replace(settings.config, database_url=url))
    engine = database.engine_for(pg)
    try:
        # Its own process: Piccolo's migration records still point at the SQLite database here.
        migrated = await asyncio.create_subprocess_exec(sys.executable, "-m", "reportit.cli", "migrate", cwd=ROOT,
                                                        env={**os.environ, **env, "DATABASE_URL": url},
                                                        stdout=asyncio.subprocess.DEVNULL)
        assert await migrated.wait() == 0, "migrations failed on PostgreSQL"
        database.use(engine)
        await database.start_pool(engine)
        await sync_categories(pg)
        rows = []
        if keys is not None:  # the fan-out once on PostgreSQL too, where several machines' senders share the outbox
            rate, cpu, _ = await fanout_rate(pg, keys, browser, origin, prepared=True, count=PG_NOTIFICATIONS)
            rows.append({"name": f"Sender.drain(): {PG_NOTIFICATIONS} outbox rows (PostgreSQL), uvloop, one run; "
                                 f"CPU per message: sender process {cpu['sender']:.0f} + encryption worker "
                                 f"{cpu['worker']:.0f} µs", "value": rate, "unit": "notifications/s",
                         "ratio": rate / baseline, "goal": f">= {GOAL_RATE:.0f}/s and >= {GOAL_RATIO:.0f}x"})
        return rows + await latency_rows(pg, browser, origin, {**env, "DATABASE_URL": url})
    finally:
        await database.close_pool(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _run_on_uvloop(coroutine):
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run() -> list[dict]:
    data_dir = tempfile.mkdtemp(prefix="bench-push-")
    os.environ.update({"REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
                       "REPORTIT_LOG_LEVEL": "WARNING", "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite"})
    from dataclasses import replace

    from cryptography.hazmat.primitives import serialization

    from bench import push_service
    from reportit import wiring
    from reportit.push.vapid import load_or_create
    from reportit.settings import load_settings
    from tests.push.mock_push import Browser

    wiring.wire_domains()  # a status change's outbox rows are written by push's event handler

    keys = load_or_create(Path(data_dir))
    browser = Browser.new()
    pem = browser.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    import trustme

    ca = trustme.CA()
    certfile, ca_file = str(Path(data_dir) / "push-service.pem"), str(Path(data_dir) / "push-ca.pem")
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(certfile)
    ca.cert_pem.write_to_path(ca_file)
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file  # pywebpush's requests trusts the test CA too
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    service = context.Process(target=push_service.serve, args=(keys.application_server_key, pem, browser.auth, certfile, ports),
                              daemon=True)
    service.start()
    try:
        origin = f"https://127.0.0.1:{ports.get(timeout=30)}"
        loaded = load_settings()
        settings = replace(loaded, config=replace(loaded.config, push_hosts=(origin.removeprefix("https://"),),
                                                  push_ca_file=ca_file, vapid_subject="mailto:bench@example.org"))
        rows = crypto_rows(settings, keys, browser, f"{origin}/push/ok/crypto")
        from reportit.push.vapid import key_path

        # uvloop is the loop `reportit serve` (uvicorn) and `reportit send-notifications` run the sender on.
        fanout, stats = fanout_rows(settings, keys, browser, origin, key_path(Path(data_dir)))
        rows += fanout
        env = {"REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": os.environ["REPORTIT_CONFIG"],
               "REPORTIT_LOG_LEVEL": "WARNING"}
        rows += _run_on_uvloop(_on_postgres(settings, browser, origin, env, keys, stats["baseline"]))
        rows.append({"name": (f"push service: {stats['accepted']} accepted, {stats['refused']} refused, "
                              f"{stats['jwt_verified']} JWTs verified, {stats['decrypted']} decrypted"),
                     "value": float(stats["received"]), "unit": "requests", "ratio": 1.0, "goal": ""})
    finally:
        service.terminate()
        service.join(5)
    return rows


def main() -> None:
    rows = run()
    width = max(len(r["name"]) for r in rows)
    print(f"{'name':<{width}}  {'value':>9}  {'unit':<16}  {'ratio':>6}  goal")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['value']:>9.1f}  {r['unit']:<16}  {r['ratio']:>5.2f}x  {r['goal']}")


if __name__ == "__main__":
    main()
