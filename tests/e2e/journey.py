"""Filling in a report through the app's screens, the way a resident does (mouse or keyboard)."""

from __future__ import annotations

import re
from pathlib import Path


def continue_(page) -> None:
    page.get_by_role("button", name="Continue").click()


def start_report(page, category: str = "graffiti") -> None:
    page.goto("/report")
    page.locator(f"#category-{category}").check()
    continue_(page)


def fill_report(
    page,
    category: str = "graffiti",
    answers: dict[str, str] | None = None,
    photos: list[Path] | None = None,
    use_device_location: bool = True,
    place: str = "",
    description: str = "Paint on the wall by the bus stop",
    email: str = "",
) -> None:
    """From the category to the check page; leaves the page on "Check your report"."""
    start_report(page, category)
    if answers is None:
        answers = {"offensive": "no"} if category == "graffiti" else {}
    if page.url.endswith("/report/questions"):
        for code, value in answers.items():
            page.locator(f"input[name={code}][value={value}]").check()
        continue_(page)
    page.wait_for_url("**/report/photos")
    if photos:
        page.set_input_files("#photo", [str(p) for p in photos])
        page.locator(".photos img").nth(len(photos) - 1).wait_for()
    continue_(page)
    page.wait_for_url("**/report/location")
    if use_device_location:
        page.click("#use-device-location")
        page.locator("#location-found .notice").wait_for()
    if place:
        page.fill("#location-text", place)
    continue_(page)
    past_nearby_reports(page)
    page.wait_for_url("**/report/description")
    page.fill("#description", description)
    continue_(page)
    page.wait_for_url(re.compile(r".*/report/(contact|check)$"))
    if page.url.endswith("/report/contact"):  # signed-in staff are not asked for contact details
        if email:
            page.fill("#contact-email", email)
        continue_(page)
        page.wait_for_url("**/report/check")


def past_nearby_reports(page) -> None:
    """After the location step: when open reports of the same problem are near ("Is it one of
    these?", as other tests' reports at the same spot are), choose "No, report a new problem"."""
    offer = page.get_by_role("heading", name="Is it one of these?")
    for _ in range(200):
        if page.url.endswith("/report/description"):
            return
        if offer.is_visible():
            page.click("#report-new-problem")
            return
        page.wait_for_timeout(50)


def send(page) -> str:
    """Press Send on the check page; returns the report's client_id."""
    page.click("#send-report")
    page.wait_for_url("**/sent/*")
    return page.url.rsplit("/", 1)[1]


def sent_reference(page) -> str:
    """After Send with a signal: waits for "Report sent" and returns the reference as stored ("K7QM4XRT")."""
    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    return page.locator(".reference").inner_text().replace("-", "").replace(" ", "").upper()
