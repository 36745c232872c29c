"""Push's shared session fixtures: a mock push service and a real SMTP server on loopback, and an
app whose settings allow both. Registered once for the whole run by the root conftest
(`pytest_plugins`), so tests/push and tests/accounts share one of each: two apps with two senders
would race each other for the same outbox rows."""

from __future__ import annotations

import dataclasses
from typing import AsyncIterator, Iterator

import httpx
import pytest

from tests.push.mock_push import Browser, MockPushService
from tests.smtp import Mailbox, running_mailbox
from reportit.app_state import services


@pytest.fixture(scope="session")
def browser() -> Browser:
    return Browser.new()


@pytest.fixture(scope="session")
def mock_push(browser, settings) -> Iterator[MockPushService]:
    from reportit.push.vapid import load_or_create

    service = MockPushService(browser, vapid_public_key=load_or_create(settings.config.data_dir).application_server_key)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture(scope="session")
def push_settings(settings, mock_push, mailbox):
    return dataclasses.replace(settings, config=dataclasses.replace(
        settings.config,
        push_hosts=(mock_push.host,),
        push_ca_file=mock_push.ca_file,
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="Report It <reportit@westminster.example>",
        vapid_subject="mailto:push-tests@westminster.example",
    ))


@pytest.fixture(scope="session")
async def push_app(app, push_settings) -> AsyncIterator:
    from reportit import database
    from reportit.app import create_app

    # The shared app's sender has no SMTP and another VAPID subject: park it, so what the mock
    # sees comes from this app's sender.
    shared = getattr(services(app), "push_sender", None)
    if shared is not None:
        await shared.stop()
    application = create_app(push_settings)
    async with application.router.lifespan_context(application):
        yield application
    database.use(services(app).engine)  # tables follow the most recent app: hand them back
    if shared is not None:
        shared.start()


@pytest.fixture
async def push_client(push_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=push_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def resident(push_client) -> dict:
    response = await push_client.post("/api/devices")
    body = response.json()
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}


@pytest.fixture
async def quiet_senders(push_app) -> AsyncIterator[None]:
    """Stop this process's background senders, so a test drives its own and nothing races them.

    After push_app, which parks the shared app's sender for good: taken first, this fixture would
    note that sender as running and start it again afterwards, and its pushes (no SMTP, another
    VAPID subject) would race the push tests that follow."""
    from reportit.push import sender

    running = list(sender._running)
    for each in running:
        await each.stop()
    yield
    for each in running:
        each.start()
