"""A status notification updates My reports: when a push arrives, the service worker brings the
phone's saved copy of the report to the new status and the officer's message, so a resident who
opens My reports later with no signal sees what the notification said.

The server never hears of these status changes (the pushes are handed straight to the worker), so
the server's copy still says "Received": "In progress" on the page can only come from the worker.
The payloads are built by the server's own `payload(news_for(...))`, so the test uses the real shape.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from reportit.push.message import news_for, payload
from reportit.reports.references import spoken
from tests.e2e.conftest import PushDelivery, store, wait_for_service_worker
from tests.e2e.journey import fill_report, send, sent_reference

MESSAGE = "A crew will clean the wall on Thursday."

WORKER_NOTIFICATIONS = """async () => (await self.registration.getNotifications())
  .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))"""
CLOSE_NOTIFICATIONS = """async () => { for (const n of await self.registration.getNotifications()) n.close(); }"""


class PushWithTheAppClosed(PushDelivery):
    """PushDelivery with no window of the app open: its DevTools session is on a blank tab, and the
    notifications are read in the service worker itself."""

    def __init__(self, context, origin: str) -> None:
        self.context = context
        super().__init__(context, context.new_page(), origin)

    def in_worker(self, script: str):
        """Run `script` in the app's running service worker; None when there is none just now."""
        for worker in reversed(self.context.service_workers):
            if worker.url.startswith(self.origin):
                try:
                    return worker.evaluate(script)
                except Exception:  # noqa: BLE001 - the browser stopped that worker: none is running
                    return None
        return None

    def notifications(self) -> list[dict]:
        return self.in_worker(WORKER_NOTIFICATIONS) or []

    def deliver_again(self, data: str, tag: str) -> None:
        """Deliver `data` once more and wait until it is handled: its notification, closed first,
        is shown again (the worker shows it once the saved copy is updated)."""
        self.in_worker(CLOSE_NOTIFICATIONS)
        self.deliver(data, lambda current: any(n["tag"] == tag for n in current))


def _sent_then_closed(app_context, origin: str) -> tuple[object, str, PushWithTheAppClosed]:
    """A resident sends a report (online), sees it in My reports as "Received", then closes the app."""
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, description="Paint on the wall by the bus stop")
    send(page)
    reference = sent_reference(page)
    page.goto("/mine")
    expect(page.locator(".item", has_text=spoken(reference)).locator(".tag")).to_have_text("Received")
    push = PushWithTheAppClosed(context, origin)
    page.close()  # the app is closed; the browser (the context) and its service worker remain
    return context, reference, push


def _my_reports_with_no_signal(context, reference: str):
    """Open My reports in a new window with the network off; returns the report's item, timeline open."""
    context.set_offline(True)
    mine = context.new_page()
    mine.goto("/mine")
    # Not refreshed from the server: the page says it is showing what the phone saved.
    expect(mine.locator("p.hint")).to_have_text(re.compile("Offline — showing what was saved on this phone"))
    item = mine.locator(".item", has_text=spoken(reference))
    item.locator("summary", has_text="Timeline").click()
    return mine, item


def test_a_push_with_the_app_closed_updates_my_reports_for_reading_with_no_signal(app_context, origin, settings):
    context, reference, push = _sent_then_closed(app_context, origin)

    data = payload(news_for(settings, reference, "in_progress", MESSAGE), origin).decode()
    shown = push.deliver(data, lambda current: any(n["tag"] == f"report-{reference}" for n in current))
    assert [(n["title"], n["body"]) for n in shown] == [(f"{reference[:4]}-{reference[4:]}: In progress", MESSAGE)]

    mine, item = _my_reports_with_no_signal(context, reference)
    expect(item.locator(".tag")).to_have_text("In progress")
    steps = item.locator(".timeline li")
    expect(steps).to_have_count(2)
    expect(steps.first).to_contain_text("Received")
    expect(steps.last).to_contain_text("In progress")
    expect(steps.last.locator("p")).to_have_text(MESSAGE)

    [saved] = [s["report"] for s in store(mine, "sent") if s["report"]["reference"] == reference]
    assert saved["status"] == {"code": "in_progress", "name": "In progress", "kind": "open"}
    last = saved["history"][-1]
    assert (last["status"], last["status_name"], last["message"]) == ("in_progress", "In progress", MESSAGE)
    assert saved["updated_at"] == last["at"]


def test_the_same_push_twice_adds_one_step_and_a_push_for_another_report_changes_nothing(app_context, origin, settings):
    context, reference, push = _sent_then_closed(app_context, origin)
    tag = f"report-{reference}"

    data = payload(news_for(settings, reference, "in_progress", MESSAGE), origin).decode()
    push.deliver(data, lambda current: any(n["tag"] == tag for n in current))
    push.deliver_again(data, tag)  # a push service may deliver a message twice
    # A status without a public message: the history step has none (not the status's description).
    fixed = payload(news_for(settings, reference, "fixed", ""), origin).decode()
    push.deliver(fixed, lambda current: any(n["tag"] == tag and n["data"]["status"] == "fixed" for n in current))
    push.deliver_again(fixed, tag)
    # A report this phone did not send (a followed one, say): nothing saved here changes.
    other = payload(news_for(settings, "ZZZZ9999", "duplicate", "Someone got there first."), origin).decode()
    push.deliver(other, lambda current: any(n["tag"] == "report-ZZZZ9999" for n in current))

    mine, item = _my_reports_with_no_signal(context, reference)
    expect(item.locator(".tag")).to_have_text("Fixed")
    steps = item.locator(".timeline li")
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text("In progress")
    expect(steps.nth(1).locator("p")).to_have_text(MESSAGE)
    expect(steps.nth(2)).to_contain_text("Fixed")
    expect(steps.nth(2).locator("p")).to_have_count(0)

    sent = store(mine, "sent")
    assert [s["report"]["reference"] for s in sent] == [reference]
    history = sent[0]["report"]["history"]
    assert [(h["status"], h["message"]) for h in history] == [("received", ""), ("in_progress", MESSAGE), ("fixed", "")]
    assert sent[0]["report"]["status"] == {"code": "fixed", "name": "Fixed", "kind": "fixed"}


SAVE_STEP = """({ reference, step }) => new Promise((resolve, reject) => {
  const open = indexedDB.open('reportit');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('sent', 'readwrite');
    const cursor = tx.objectStore('sent').openCursor();
    cursor.onsuccess = () => {
      const item = cursor.result;
      if (!item) return;
      const report = item.value.report;
      if (report && report.reference === reference) {
        item.update({ ...item.value, report: { ...report, status: { code: step.status, name: step.status_name, kind: 'open' },
          history: [...report.history, step] } });
      }
      item.continue();
    };
    tx.oncomplete = () => { open.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})"""


def test_a_long_message_cut_to_fit_the_push_adds_no_second_step_to_the_whole_one(app_context, origin, settings):
    """The app refreshed My reports from the server (the whole message) before the push arrived,
    whose copy of the message was cut to fit 4 KB: the same step, not a second, shorter one."""
    context, reference, push = _sent_then_closed(app_context, origin)
    message = "We inspected the wall and booked specialist cleaning for the stone. " * 55  # ~3,800 characters
    data = payload(news_for(settings, reference, "in_progress", message), origin).decode()

    context.set_offline(True)
    app = context.new_page()
    app.goto("/")  # the app, from the phone, writes what a refresh from the server would have saved
    app.evaluate(SAVE_STEP, {"reference": reference, "step": {
        "status": "in_progress", "status_name": "In progress", "message": message.strip(), "at": "2026-11-25T09:00:00Z"}})
    app.close()
    shown = push.deliver(data, lambda current: any(n["tag"] == f"report-{reference}" for n in current))
    assert shown[0]["body"].endswith("…") and len(shown[0]["body"]) < len(message.strip())  # it was cut

    mine, item = _my_reports_with_no_signal(context, reference)
    steps = item.locator(".timeline li")
    expect(steps).to_have_count(2)
    expect(steps.last.locator("p")).to_have_text(message.strip())
