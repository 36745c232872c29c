"""A resident whose browser cannot take push asks for email updates: the app says a confirmation
email went out, and the link in it, opened in a browser, confirms with a button (by keyboard)."""

from __future__ import annotations

import re
from typing import Iterator

import pytest

from tests.e2e.conftest import WESTMINSTER, axe_violations, poll, start_server, stop_server
from tests.e2e.journey import fill_report, send, sent_reference
from tests.smtp import Mailbox, running_mailbox

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server() -> Iterator[tuple[str, Mailbox]]:
    with running_mailbox() as mailbox:
        yield mailbox.url, mailbox


@pytest.fixture
def server_with_mail(server_env, live_server, mail_server) -> Iterator[tuple[str, Mailbox]]:
    smtp_url, mailbox = mail_server
    env = {k: v for k, v in server_env.items() if k != "REPORTIT_BASE_URL"}  # links: where it listens
    url, process = start_server({**env, "REPORTIT_SMTP_URL": smtp_url,
                                 "REPORTIT_MAIL_FROM": "Report It <reportit@westminster.example>"})
    yield url, mailbox
    stop_server(process)


def test_email_updates_start_once_the_address_is_confirmed(browser, server_with_mail):
    url, mailbox = server_with_mail
    context = browser.new_context(locale="en-GB", base_url=url, permissions=["geolocation"], geolocation=WESTMINSTER)
    context.add_init_script("delete window.PushManager;")  # a browser without Web Push
    try:
        page = context.new_page()
        fill_report(page)
        send(page)
        reference = sent_reference(page)
        email = f"resident-{reference.lower()}@example.org"
        page.fill("#updates-email", email)
        page.get_by_role("button", name="Email me updates").click()
        page.get_by_text(f"We've sent an email to {email}; open the link in it to start getting updates.").wait_for()

        [confirmation] = poll(lambda: mailbox.to(email), message="no confirmation email")
        link = re.search(r"(http://\S+/confirm-email/\S+)", confirmation.get_body(("plain",)).get_content()).group(1)
        assert link.startswith(url)
        page.goto(link)
        assert axe_violations(page) == []
        page.get_by_role("button", name="Confirm").focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Your email is confirmed").wait_for()
        assert email in page.content() and f"{reference[:4]}-{reference[4:]}" in page.content()
        assert axe_violations(page) == []
    finally:
        context.close()
