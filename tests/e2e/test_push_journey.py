"""The joined push journey: the app's own code subscribes (PushManager stubbed to point at a mock
push service on loopback), a status changes through `reportit status`, the server's sender
encrypts and signs it, the mock checks and decrypts it, and the decrypted payload delivered to the
service worker shows the notification.

Headless Chromium cannot reach a real push service, so only PushManager.subscribe/getSubscription
are stubbed: everything else (permission, the app's push.js, the server, the sender, the worker)
is the real thing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT, free_port
from tests.e2e.conftest import WESTMINSTER, PushDelivery, poll, start_server, stop_server, wait_for_service_worker
from tests.e2e.journey import fill_report, send, sent_reference
from tests.push.mock_push import Browser as Receiver
from tests.push.mock_push import MockPushService

VAPID_SUBJECT = "mailto:push-journey@westminster.example"
MESSAGE = "A crew will clean the wall on Thursday."

# PushManager as a browser with a push service would have it, for one subscription made in the
# test: the endpoint is the mock, the keys are the test's (so the mock can decrypt).
STUB_PUSH_MANAGER = """(subscription) => {
  let current = null;
  const make = (options) => ({
    endpoint: subscription.endpoint, expirationTime: null, options,
    getKey: () => null,
    toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    window.__pushSubscribeOptions = options;
    current = current || make(options);
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.permissionState = async function () { return 'granted'; };
}"""


@pytest.fixture
def receiver() -> Receiver:
    """The browser's side of the subscription: a P-256 key pair and an auth secret."""
    return Receiver.new()


@pytest.fixture
def push_service(receiver):
    service = MockPushService(receiver)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def push_server(server_env, push_service, tmp_path):
    """`reportit serve` whose allow-list takes the mock push service.

    Its own data dir and SQLite database: the shared live server runs a sender too, and must not
    race this one for the outbox row (it would sign with its own subject and base URL)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_env, "REPORTIT_DATA_DIR": str(tmp_path / "data"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.sqlite'}",
           "REPORTIT_BASE_URL": url, "REPORTIT_PUSH_HOSTS": push_service.host,
           "REPORTIT_PUSH_CA_FILE": push_service.ca_file,
           "REPORTIT_VAPID_SUBJECT": VAPID_SUBJECT}
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**os.environ, **env}, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    url, process = start_server(env, port)
    # The mock checks each request's VAPID key against the one the app subscribed with.
    push_service.vapid_public_key = httpx.get(f"{url}/api/push/public-key", timeout=10).json()["public_key"]
    yield url, env
    stop_server(process)


def test_a_status_change_reaches_the_phone_as_a_notification(browser, push_server, push_service, receiver):
    url, env = push_server
    endpoint = push_service.url("ok", "journey")
    context = browser.new_context(locale="en-GB", base_url=url,
                                  permissions=["geolocation", "notifications", "background-sync"],
                                  geolocation=WESTMINSTER)
    try:
        context.add_init_script(f"({STUB_PUSH_MANAGER})({json.dumps({'endpoint': endpoint, 'keys': receiver.keys})})")
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)

        # A resident reports something and, after sending, accepts "Get updates about this report?".
        fill_report(page, description="Paint on the wall by the bus stop")
        send(page)
        reference = sent_reference(page)
        page.get_by_role("heading", name="Get updates about this report?").wait_for()
        with page.expect_response(lambda r: r.url.endswith("/api/me/push-subscription")
                                  and r.request.method == "PUT") as stored:
            page.click("#get-updates")
        assert stored.value.status in (200, 201), stored.value.text()
        assert json.loads(stored.value.request.post_data)["endpoint"] == endpoint
        assert json.loads(stored.value.request.post_data)["keys"] == receiver.keys
        page.get_by_text("You will get a notification when the council updates this report.").wait_for()
        # The app subscribed with the server's VAPID key, as a real push service would require.
        assert page.evaluate("() => window.__pushSubscribeOptions.userVisibleOnly") is True

        # An officer moves the report on, with a public message (the CLI uses the status service).
        result = subprocess.run(
            [sys.executable, "-m", "reportit.cli", "status", reference, "in_progress", "--message", MESSAGE],
            env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr

        # The server's sender delivers it: signed with VAPID, encrypted for this subscription.
        [received] = poll(lambda: push_service.delivered("journey"), timeout=30,
                          message=f"the push service got nothing: {push_service.received}")
        assert received.claims["sub"] == VAPID_SUBJECT
        assert received.headers["topic"] == f"report-{reference}"
        notification = received.payload["notification"]
        assert received.payload["web_push"] == 8030
        assert notification["title"] == f"{reference[:4]}-{reference[4:]}: In progress"
        assert notification["body"] == MESSAGE
        assert notification["navigate"] == f"{url}/r/{reference}"
        assert notification["tag"] == f"report-{reference}"

        # The push service hands the decrypted message to the phone's service worker.
        shown = PushDelivery(context, page, url).deliver(json.dumps(received.payload), bool)
        assert [(n["title"], n["body"], n["tag"]) for n in shown] == [
            (notification["title"], MESSAGE, f"report-{reference}")]
        assert shown[0]["data"]["url"] == f"/r/{reference}"
    finally:
        context.close()
