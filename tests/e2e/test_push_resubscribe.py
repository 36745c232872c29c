"""The push service rotates the subscription: the service worker's `pushsubscriptionchange` handler
makes sure the server has the subscription the browser now holds (and forgets the old endpoint when
it can know it), so the resident keeps getting status notifications. With no signal at that moment
the change is kept on the phone and told to the server when the signal returns (Background Sync).

The same joined journey as test_push_journey.py: a real `reportit serve`, the app's own code and
worker, and a mock push service on loopback that checks VAPID and decrypts. Only PushManager is
stubbed (in the pages as there, and in the worker, where the browser "now holds" the new
subscription), and the change is dispatched the way Chromium fires it: an ExtendableEvent with an
`oldSubscription` at best (Chromium has no PushSubscriptionChangeEvent constructor), at worst nothing.

Whether the server has a subscription is read from the server's own database (its SQLite file):
that is the state the requirement is about, and the sender reads nothing else.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

from tests.conftest import ROOT
from tests.e2e.conftest import WESTMINSTER, poll, wait_for_service_worker
from tests.e2e.journey import fill_report, send, sent_reference
from tests.e2e.test_push_journey import STUB_PUSH_MANAGER, push_server, push_service, receiver  # noqa: F401 (fixtures)

MESSAGE = "The crew is booked for Thursday."

# In the service worker: the browser now holds `endpoint` (same keys, so the mock can decrypt), and
# the push service's change is fired as Chromium fires it. Returns at once: a dispatched event
# cannot extend the worker's life (its waitUntil throws), but the handler's work has begun and runs on.
CHANGE_SUBSCRIPTION = """({ endpoint, keys, old }) => {
  const held = {
    endpoint, expirationTime: null, options: { userVisibleOnly: true }, getKey: () => null,
    toJSON: () => ({ endpoint, expirationTime: null, keys }), unsubscribe: async () => true,
  };
  const manager = self.registration.pushManager;
  manager.subscribe = async () => held;
  manager.getSubscription = async () => held;
  const event = new ExtendableEvent('pushsubscriptionchange');
  if (old) Object.defineProperty(event, 'oldSubscription', { value: { endpoint: old } });
  self.dispatchEvent(event);
}"""

SYNC_TAGS = "async () => self.registration.sync.getTags()"


def _held_by_server(env: dict[str, str]) -> set[str]:
    """The push endpoints the server holds (for any device: this journey has one)."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        return {endpoint for (endpoint,) in db.execute("SELECT endpoint FROM push_subscription")}


def _new_context(browser, url: str, endpoint: str, receiver):  # noqa: F811 (the fixture's value)
    context = browser.new_context(locale="en-GB", base_url=url,
                                  permissions=["geolocation", "notifications", "background-sync"],
                                  geolocation=WESTMINSTER)
    context.add_init_script(f"({STUB_PUSH_MANAGER})({json.dumps({'endpoint': endpoint, 'keys': receiver.keys})})")
    return context


def _report_and_get_updates(page, endpoint: str) -> str:
    """The resident reports a problem and accepts "Get updates about this report?"; returns the reference."""
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, description="Paint on the wall by the bus stop")
    send(page)
    reference = sent_reference(page)
    page.get_by_role("heading", name="Get updates about this report?").wait_for()
    page.click("#get-updates")
    page.get_by_text("You will get a notification when the council updates this report.").wait_for()
    return reference


def _change_subscription(context, endpoint: str, receiver, old: str | None = None) -> None:  # noqa: F811
    context.service_workers[0].evaluate(CHANGE_SUBSCRIPTION, {"endpoint": endpoint, "keys": receiver.keys, "old": old})


def _officer_changes_status(env: dict[str, str], reference: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reportit.cli", "status", reference, "in_progress", "--message", MESSAGE],
        env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _notified_at(push_service, name: str, reference: str) -> None:  # noqa: F811
    [received] = poll(lambda: push_service.delivered(name), timeout=30,
                      message=f"no notification reached {name!r}")
    assert received.payload["notification"]["body"] == MESSAGE
    assert received.payload["notification"]["tag"] == f"report-{reference}"


def test_with_the_old_subscription_given_the_server_swaps_it_for_the_new_one(browser, push_server, push_service, receiver):  # noqa: F811
    url, env = push_server
    before, after = push_service.url("ok", "before"), push_service.url("ok", "after")
    context = _new_context(browser, url, before, receiver)
    try:
        page = context.new_page()
        reference = _report_and_get_updates(page, before)
        assert _held_by_server(env) == {before}

        _change_subscription(context, after, receiver, old=before)
        poll(lambda: _held_by_server(env) == {after},
             message="the server was not moved to the new subscription")

        _officer_changes_status(env, reference)
        _notified_at(push_service, "after", reference)
        assert push_service.for_path("before") == [], "the server still pushed to the old endpoint"
    finally:
        context.close()


def test_with_neither_subscription_given_the_worker_tells_the_server_what_the_browser_holds(
        browser, push_server, push_service, receiver):  # noqa: F811
    url, env = push_server
    before, after, again = (push_service.url("ok", name) for name in ("before", "after", "again"))
    context = _new_context(browser, url, before, receiver)
    try:
        page = context.new_page()
        reference = _report_and_get_updates(page, before)

        # The first change: the page recorded the endpoint it gave the server, so the worker has
        # the server forget it, and the new subscription takes its place.
        _change_subscription(context, after, receiver)
        poll(lambda: _held_by_server(env) == {after}, message="the server does not hold just the new subscription")

        # A second change: the worker remembers what it told the server, and has it forgotten.
        _change_subscription(context, again, receiver)
        poll(lambda: _held_by_server(env) == {again}, message="the server does not hold just the phone's subscription")

        _officer_changes_status(env, reference)
        _notified_at(push_service, "again", reference)
        assert push_service.for_path("after") == [], "the server still pushed to the endpoint the worker replaced"
        assert push_service.for_path("before") == [], "the server still pushed to the endpoint the page subscribed"
    finally:
        context.close()


def test_a_change_with_no_signal_reaches_the_server_when_the_signal_returns(browser, push_server, push_service, receiver):  # noqa: F811
    url, env = push_server
    before, after = push_service.url("ok", "before"), push_service.url("ok", "after")
    context = _new_context(browser, url, before, receiver)
    try:
        page = context.new_page()
        reference = _report_and_get_updates(page, before)
        worker = context.service_workers[0]

        context.set_offline(True)
        _change_subscription(context, after, receiver, old=before)
        # The worker could not tell the server: it kept the change and asked for Background Sync.
        poll(lambda: "reportit-push-subscription" in worker.evaluate(SYNC_TAGS),
             message="the worker did not ask to be woken when the signal returns")
        assert _held_by_server(env) == {before}

        context.set_offline(False)  # Background Sync fires by itself once the network is back
        poll(lambda: _held_by_server(env) == {after}, timeout=45,
             message="the kept change never reached the server")

        _officer_changes_status(env, reference)
        _notified_at(push_service, "after", reference)
        assert push_service.for_path("before") == [], "the server still pushed to the old endpoint"
    finally:
        context.close()


# A browser without Background Sync (Firefox, Safari): the registration has no `sync`.
NO_BACKGROUND_SYNC = """() => Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync',
  { get: () => undefined, configurable: true })"""
CHANGE_NOTED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('reportit');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const read = open.result.transaction('kv').objectStore('kv').get('push-change');
    read.onerror = () => reject(read.error);
    read.onsuccess = () => { open.result.close(); resolve(Boolean(read.result)); };
  };
})"""


def test_without_background_sync_a_change_kept_offline_is_told_when_the_app_is_back_online(
        browser, push_server, push_service, receiver):  # noqa: F811
    url, env = push_server
    before, after = push_service.url("ok", "before"), push_service.url("ok", "after")
    context = _new_context(browser, url, before, receiver)
    context.add_init_script(f"({NO_BACKGROUND_SYNC})()")
    try:
        page = context.new_page()
        reference = _report_and_get_updates(page, before)
        worker = context.service_workers[0]
        worker.evaluate(NO_BACKGROUND_SYNC)

        context.set_offline(True)
        _change_subscription(context, after, receiver, old=before)
        poll(lambda: page.evaluate(CHANGE_NOTED), message="the worker did not keep the change on the phone")
        assert _held_by_server(env) == {before}

        context.set_offline(False)  # no Background Sync to wake the worker: the app asks it
        # Playwright gives the page its signal back before the worker's (one target at a time), so
        # the worker's first try can still fail; on a phone both share one network. Once the worker
        # can reach the server, the page hears the signal return again, as it would then.
        poll(lambda: worker.evaluate("() => fetch('/api/categories').then((r) => r.ok, () => false)"),
             message="the worker never got its signal back")
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        poll(lambda: _held_by_server(env) == {after}, timeout=45, message="the kept change never reached the server")
        assert page.evaluate(CHANGE_NOTED) is False

        _officer_changes_status(env, reference)
        _notified_at(push_service, "after", reference)
        assert push_service.for_path("before") == [], "the server still pushed to the old endpoint"
    finally:
        context.close()


# The phone holds a subscription made with a key the council has since rotated (`reportit vapid
# --rotate`): push services would refuse every message for it. Subscribing again gives `fresh`.
STALE_SUBSCRIPTION = """({ stale, fresh, keys }) => {
  const make = (endpoint, options) => ({
    endpoint, expirationTime: null, options, getKey: () => null,
    toJSON: () => ({ endpoint, expirationTime: null, keys }),
    unsubscribe: async () => { current = null; return true; },
  });
  let current = make(stale, { userVisibleOnly: true, applicationServerKey: new Uint8Array(65).fill(4).buffer });
  PushManager.prototype.subscribe = async function (options) { current = make(fresh, options); return current; };
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.permissionState = async function () { return 'granted'; };
}"""


def test_a_subscription_made_with_a_rotated_key_is_replaced_when_the_resident_asks_for_updates(
        browser, push_server, push_service, receiver):  # noqa: F811
    url, env = push_server
    stale, fresh = push_service.url("ok", "stale"), push_service.url("ok", "fresh")
    context = browser.new_context(locale="en-GB", base_url=url,
                                  permissions=["geolocation", "notifications", "background-sync"],
                                  geolocation=WESTMINSTER)
    context.add_init_script(f"({STALE_SUBSCRIPTION})({json.dumps({'stale': stale, 'fresh': fresh, 'keys': receiver.keys})})")
    try:
        page = context.new_page()
        reference = _report_and_get_updates(page, fresh)
        assert _held_by_server(env) == {fresh}

        _officer_changes_status(env, reference)
        _notified_at(push_service, "fresh", reference)
        assert push_service.for_path("stale") == []
    finally:
        context.close()
