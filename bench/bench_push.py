"""Web Push: cost of one encrypt+sign, and sender throughput against a local push service.

Goals (issue 4): fan-out >= 1,500 notifications/s on this 2-core machine, and >= 3x a synchronous
`webpush.get()` + POST loop (what pywebpush's `webpush()` does per message) measured in the same
run. The mock push service runs in its own process and verifies and decrypts every message, as
the tests' one does. Run: `python bench/bench_push.py` (or import and call run()).
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

NOTIFICATIONS = 500
SYNC_BASELINE = 200  # the synchronous loop is slow; its rate is what matters
CRYPTO_RUNS = 300
GOAL_RATE = 1500.0
CONCURRENCY = (32, 4)  # the default, and what suits one local mock on two cores
GOAL_RATIO = 3.0


def _serve_mock(private_pem: bytes, auth: bytes, vapid_key: str, ports) -> None:
    from cryptography.hazmat.primitives import serialization

    from tests.push.mock_push import Browser, MockPushService

    key = serialization.load_pem_private_key(private_pem, password=None)
    service = MockPushService(Browser(key, auth), vapid_public_key=vapid_key)  # type: ignore[arg-type]
    service.start()
    ports.put(service.port)
    while True:
        time.sleep(3600)


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
    body = payload(news, settings.base_url)
    encoder = PushEncoder(keys, "bench@example.org", settings.base_url)
    target = Target(endpoint, **browser.keys)
    plain = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber="bench@example.org")
    subscription = WebPushSubscription(endpoint=endpoint, keys=browser.keys)
    aes, nonce = AESGCM(os.urandom(16)), os.urandom(12)

    ours = _median_us(lambda: encoder.request(news, target), CRYPTO_RUNS)
    baseline = _median_us(lambda: plain.get(body, subscription), CRYPTO_RUNS)
    raw = _median_us(lambda: aes.encrypt(nonce, body, None), CRYPTO_RUNS)
    return [
        {"name": "webpush.get() alone (baseline)", "value": baseline, "unit": "µs/message", "ratio": 1.0, "goal": ""},
        {"name": "PushEncoder.request (payload + encrypt + sign + headers)", "value": ours, "unit": "µs/message",
         "ratio": ours / baseline, "goal": "~1x"},
        {"name": "raw AES-128-GCM of the same payload (floor)", "value": raw, "unit": "µs/message",
         "ratio": raw / baseline, "goal": ""},
    ]


async def _seed(settings, endpoints: list[str], browser) -> None:
    from datetime import datetime, timezone

    from reportit.accounts.tables import Device
    from reportit.push.tables import Notification, PushSubscription
    from reportit.reports.categories import sync_categories
    from reportit.reports.tables import Category, Report, StatusChange

    await sync_categories(settings)
    category = await Category.select(Category.id).where(Category.code == "pothole").first()
    report = Report(reference=uuid.uuid4().hex[:8].upper(), category=category["id"], status="fixed")
    await report.save()
    change = StatusChange(report=report.id, from_status="received", to_status="fixed", public_message="Done.")
    await change.save()
    device = Device(device_id=uuid.uuid4(), token_hash=uuid.uuid4().hex)
    await device.save()
    await PushSubscription.insert(*[PushSubscription(device=device.id, endpoint=e, **browser.keys) for e in endpoints])
    now = datetime.now(timezone.utc)
    ids = await PushSubscription.select(PushSubscription.id).where(PushSubscription.device == device.id)
    await Notification.insert(*[Notification(report=report.id, status_change=change.id, channel="push",
                                             subscription=row["id"], next_attempt_at=now) for row in ids])


async def throughput_rows(settings, keys, browser, origin: str) -> list[dict]:
    import httpx
    from webpush import WebPush
    from webpush.types import WebPushSubscription

    from reportit import database
    from reportit.push.message import payload, news_for
    from reportit.push.sender import Sender, SenderConfig

    database.use(database.engine_for(settings))
    await database.migrate()
    rates = {}
    for concurrency in CONCURRENCY:
        await _seed(settings, [f"{origin}/push/ok/bench-{concurrency}-{i}" for i in range(NOTIFICATIONS)], browser)
        sender = Sender(settings, secret_key="bench", keys=keys, config=SenderConfig(concurrency=concurrency))
        try:
            started = time.perf_counter()
            handled = await sender.drain()
            rates[concurrency] = handled / (time.perf_counter() - started)
        finally:
            await sender.aclose()

    # Baseline: one message at a time, encrypt then a blocking POST, as pywebpush's webpush() does.
    plain = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber="bench@example.org")
    body = payload(news_for(settings, "K7QM4XRT", "fixed", "Done."), settings.base_url)

    def sync_loop() -> float:
        with httpx.Client() as client:
            started = time.perf_counter()
            for i in range(SYNC_BASELINE):
                message = plain.get(body, WebPushSubscription(endpoint=f"{origin}/push/ok/sync-{i}", keys=browser.keys))
                client.post(f"{origin}/push/ok/sync-{i}", content=message.encrypted,
                            headers={**message.headers, "ttl": "60"})
            return SYNC_BASELINE / (time.perf_counter() - started)

    baseline = await asyncio.to_thread(sync_loop)
    return [
        {"name": f"synchronous get()+POST loop ({SYNC_BASELINE} messages, baseline)", "value": baseline,
         "unit": "notifications/s", "ratio": 1.0, "goal": ""},
        *({"name": f"Sender.drain() over {NOTIFICATIONS} outbox rows (SQLite), {c} in flight", "value": rate,
           "unit": "notifications/s", "ratio": rate / baseline,
           "goal": f">= {GOAL_RATE:.0f}/s and >= {GOAL_RATIO:.0f}x"}
          for c, rate in rates.items()),
    ]


def run() -> list[dict]:
    data_dir = tempfile.mkdtemp(prefix="bench-push-")
    os.environ.update({"REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
                       "REPORTIT_LOG_LEVEL": "WARNING", "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite"})
    from dataclasses import replace

    from cryptography.hazmat.primitives import serialization

    from reportit.push.vapid import load_or_create
    from reportit.settings import load_settings
    from tests.push.mock_push import Browser

    keys = load_or_create(Path(data_dir))
    browser = Browser.new()
    pem = browser.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    mock = context.Process(target=_serve_mock, args=(pem, browser.auth, keys.application_server_key, ports),
                           daemon=True)
    mock.start()
    try:
        origin = f"http://127.0.0.1:{ports.get(timeout=30)}"
        settings = replace(load_settings(), push_hosts=(origin.removeprefix("http://"),),
                           vapid_subject="mailto:bench@example.org")
        rows = crypto_rows(settings, keys, browser, f"{origin}/push/ok/crypto")
        rows += asyncio.run(throughput_rows(settings, keys, browser, origin))
    finally:
        mock.terminate()
        mock.join(5)
    return rows


def main() -> None:
    rows = run()
    width = max(len(r["name"]) for r in rows)
    print(f"{'name':<{width}}  {'value':>9}  {'unit':<16}  {'ratio':>6}  goal")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['value']:>9.1f}  {r['unit']:<16}  {r['ratio']:>5.2f}x  {r['goal']}")


if __name__ == "__main__":
    main()
