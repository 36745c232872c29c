"""A real SMTP server (aiosmtpd) on loopback that keeps every message it is given, so a test reads
our emails as the resident who gets them would. One implementation for every suite."""

from __future__ import annotations

import asyncio
import contextlib
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Mailbox:
    """The handler aiosmtpd calls, and what a test asks of the messages that arrived."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.delay = delay  # seconds before each message is accepted: a slow relay

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def count(self, address: str) -> int:
        return len(self.to(address))

    async def wait_for(self, address: str, count: int = 1) -> list[EmailMessage]:
        """The messages to `address` once there are `count` (some are sent in the background)."""
        for _ in range(200):
            if self.count(address) >= count:
                return self.to(address)
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} message(s) to {address} never arrived: {self.count(address)} did")

    def newest_to(self, address: str, after: int = 0, timeout: float = 30) -> EmailMessage:
        """The newest message to `address` once more than `after` have arrived (for a test that is
        not async: a browser journey waiting for the email its click caused)."""
        deadline = time.monotonic() + timeout
        while self.count(address) <= after:
            if time.monotonic() > deadline:
                raise AssertionError(f"no new email to {address}")
            time.sleep(0.1)
        return self.to(address)[-1]


@contextlib.contextmanager
def running_mailbox(delay: float = 0.0) -> Iterator[Mailbox]:
    mailbox = Mailbox(delay)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()
