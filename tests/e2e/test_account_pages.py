"""My Account's server-rendered pages in a real browser: the emailed link (by keyboard), the
readable "My data" page and the console's data-requests page pass axe. Codes are read from a real
SMTP server (aiosmtpd) that a server of our own sends to."""

from __future__ import annotations

import re
import secrets
from typing import Iterator

import httpx
import pytest

from tests.conftest import free_port
from tests.smtp import Mailbox, running_mailbox
from tests.e2e.conftest import axe_violations, start_server, stop_server
from tests.e2e.test_console_journeys import add_staff, sign_in, tab_to

UA = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"}


def link_to(mailbox: Mailbox, address: str) -> str:
    """The link in the newest email to `address`, once it has arrived (it is sent after the answer)."""
    message = mailbox.newest_to(address)
    return re.search(r"(http://\S+/account/verify\?\S+)", message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture(scope="module")
def mail_server(live_server, server_env, mailbox) -> Iterator[str]:
    """A second server on the same database, with SMTP pointed at the mailbox."""
    port = free_port()
    url, process = start_server({**server_env, "REPORTIT_BASE_URL": f"http://127.0.0.1:{port}",
                                 "REPORTIT_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}, port)
    yield url
    stop_server(process)


def device(server: str) -> dict[str, str]:
    token = httpx.post(f"{server}/api/devices", headers=UA).json()["token"]
    return {"Authorization": f"Bearer {token}", **UA}


def test_the_emailed_link_by_keyboard_in_a_plain_browser_asks_for_the_code_in_the_app(page, mail_server, mailbox):
    email = f"e2e-{secrets.token_hex(4)}@example.org"
    assert httpx.post(f"{mail_server}/api/me/sign-in", json={"email": email},
                      headers=device(mail_server)).status_code == 202
    page.goto(link_to(mailbox, email))
    assert page.locator("h1").inner_text() == "Sign in to Report It"
    assert axe_violations(page) == []

    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:text('Type the code in the app')")
    assert axe_violations(page) == []


def test_the_link_signs_in_the_app_that_asked_and_my_data_reads_well(browser, mail_server, mailbox):
    email = f"e2e-{secrets.token_hex(4)}@example.org"
    headers = device(mail_server)
    httpx.post(f"{mail_server}/api/me/sign-in", json={"email": email}, headers=headers)
    # The app's own requests carry its bearer token: give the browser the same.
    context = browser.new_context(locale="en-GB", extra_http_headers=headers)
    page = context.new_page()
    try:
        page.goto(link_to(mailbox, email))
        tab_to(page, "button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:text('You are signed in')")
        assert axe_violations(page) == []

        page.goto(f"{mail_server}/api/me/export?format=html")
        assert page.locator("h1").inner_text() == "Your data" and email in page.content()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_console_data_requests_page_and_its_errors(page, live_server, server_env):
    sign_in(page, live_server, add_staff(server_env, "admin"))
    page.goto(f"{live_server}/console/admin/residents")
    assert axe_violations(page) == []
    page.click("button:text('Erase the account')")
    assert "There is a problem" in page.content() and "Nothing has been deleted" in page.content()
    assert axe_violations(page) == []
