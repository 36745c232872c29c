"""My Account in the app, the resident's way: a server of our own whose sign-in codes go to a real
SMTP server (aiosmtpd on loopback) and whose pushes go to the mock push service that decrypts, with
the fault proxy in front; and signing in on a phone with the code read from the email."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from typing import Iterator

import pytest

from tests.conftest import ROOT
from tests.smtp import Mailbox, running_mailbox
from tests.e2e.conftest import WESTMINSTER, FaultProxy, start_server, stop_server, wait_for_service_worker
from tests.e2e.test_push_journey import STUB_PUSH_MANAGER
from tests.push.mock_push import Browser as Receiver
from tests.push.mock_push import MockPushService


def code_to(mailbox: Mailbox, address: str, after: int = 0) -> str:
    """The code in the newest email to `address`, once more than `after` have arrived, read as a resident reads it."""
    message = mailbox.newest_to(address, after)
    return re.search(r"is: (\d{6})", message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture(scope="module")
def receiver() -> Receiver:
    return Receiver.new()


@pytest.fixture(scope="module")
def push_service(receiver) -> Iterator[MockPushService]:
    service = MockPushService(receiver)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def account_server(server_env, mailbox, push_service, tmp_path_factory) -> Iterator[tuple[str, dict, FaultProxy]]:
    """`reportit serve` with SMTP and the mock push service, its own database (no other server's
    sender races it for the outbox), behind a fault proxy. Yields (app origin, env, proxy)."""
    data = tmp_path_factory.mktemp("account-app")
    proxy = FaultProxy("http://127.0.0.1:1")
    env = {**server_env, "REPORTIT_DATA_DIR": str(data / "data"), "DATABASE_URL": f"sqlite:///{data / 'db.sqlite'}",
           "REPORTIT_BASE_URL": proxy.url, "REPORTIT_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
           "REPORTIT_PUSH_HOSTS": push_service.host, "REPORTIT_PUSH_CA_FILE": push_service.ca_file}
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**os.environ, **env}, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    url, process = start_server(env)
    proxy.upstream = url
    import httpx
    push_service.vapid_public_key = httpx.get(f"{url}/api/push/public-key", timeout=10).json()["public_key"]
    yield proxy.url, env, proxy
    proxy.close()
    stop_server(process)


@pytest.fixture
def phone(browser, account_server, receiver, push_service):
    """A new phone (browser context) on the account server; `name` picks its push endpoint."""
    origin, _env, proxy = account_server
    proxy.reset()
    contexts = []

    def make(name: str = ""):
        context = browser.new_context(locale="en-GB", base_url=origin,
                                      permissions=["geolocation", "notifications", "background-sync"],
                                      geolocation=WESTMINSTER)
        endpoint = push_service.url("ok", name or uuid.uuid4().hex)
        context.add_init_script(f"({STUB_PUSH_MANAGER})({json.dumps({'endpoint': endpoint, 'keys': receiver.keys})})")
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        return page

    yield make
    for context in contexts:
        context.close()
    proxy.reset()


def new_email() -> str:
    return f"resident-{uuid.uuid4().hex[:10]}@example.org"


def ask_for_code(page, email: str) -> None:
    page.goto("/account")
    page.fill("#email", email)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_role("heading", name="Check your email").wait_for()


def sign_in(page, mailbox: Mailbox, email: str) -> None:
    """Sign in on this phone with the code from the email."""
    before = mailbox.count(email)
    ask_for_code(page, email)
    page.fill("#code", code_to(mailbox, email, before))
    page.get_by_role("button", name="Sign in").click()
    page.locator("#main").get_by_text(f"Signed in as {email}").wait_for()


def change_status(env: dict, reference: str, status: str, message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "reportit.cli", "status", reference, status, "--message", message],
                            env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
