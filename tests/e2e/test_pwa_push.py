"""Status notifications in the service worker: shown from the push payload, replaced by newer ones
for the same report, and a tap opens the report's permanent page."""

from __future__ import annotations

import json

from tests.e2e.conftest import PushDelivery, poll, wait_for_service_worker
from tests.e2e.journey import fill_report, send


def _payload(reference: str, origin: str, status: str, body: str) -> str:
    return json.dumps({"web_push": 8030, "notification": {
        "title": f"{reference}: {status}", "body": body, "navigate": f"{origin}/r/{reference}",
        "tag": f"report-{reference}", "lang": "en-GB",
        "data": {"reference": reference, "status": status.lower(), "url": f"/r/{reference}"},
    }})


def test_push_shows_the_notification_a_newer_one_replaces_it_and_a_tap_opens_the_report(app_context, origin):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, description="Waiting to hear back")
    send(page)
    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    reference = page.locator(".reference").inner_text().replace("-", "")  # shown as K7QM-4XRT

    push = PushDelivery(context, page, origin)
    shown = push.deliver(_payload(reference, origin, "Investigating", "An officer is on the way."), bool)
    assert [(n["title"], n["body"], n["tag"]) for n in shown] == [
        (f"{reference}: Investigating", "An officer is on the way.", f"report-{reference}")]

    newer = push.deliver(_payload(reference, origin, "Fixed", "We filled the pothole."),
                         lambda current: any(n["body"] == "We filled the pothole." for n in current))
    assert [n["body"] for n in newer] == ["We filled the pothole."], "the newer notification did not replace the older one"

    # A tap: the worker's notificationclick handler runs with the notification that is shown.
    # (A dispatched event cannot extend the worker's life, so this call keeps the worker busy
    # until a window shows the report.)
    worker = context.service_workers[0]
    worker.evaluate("""async (path) => {
      const [notification] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
      for (let i = 0; i < 100; i += 1) {
        const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
        if (windows.some((w) => new URL(w.url).pathname === path)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }""", f"/r/{reference}")
    poll(lambda: page.url.endswith(f"/r/{reference}"), message=f"the tap did not open the report page: {reference} {page.url}")
    page.wait_for_load_state()
    text = page.locator("main").inner_text().replace(" ", "").replace("-", "")
    assert reference in text  # the permanent page of this report, served by the server
