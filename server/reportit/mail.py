"""Sending email over SMTP, for every domain that writes to residents (push's status emails,
accounts' sign-in codes).

smtplib runs in a worker thread (no new dependency); one connection carries a whole batch.
REPORTIT_SMTP_URL: smtp://[user:password@]host[:port] (STARTTLS when the server offers it and a
password is set), smtps://... for TLS from the start.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Callable
from urllib.parse import unquote, urlparse

import anyio

from reportit.settings import Settings

TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError("REPORTIT_SMTP_URL must look like smtp://host:port or smtps://host:port")
        tls = parsed.scheme == "smtps"
        return cls(parsed.hostname, parsed.port or (465 if tls else 25), tls,
                   unquote(parsed.username or ""), unquote(parsed.password or ""))


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying would not help."""


def sender_address(settings: Settings) -> str:
    if settings.config.mail_from:
        return settings.config.mail_from
    host = urlparse(settings.config.base_url).hostname or "localhost"
    return formataddr((settings.catalogue.council.short_name, f"no-reply@{host}"))


def new_message(settings: Settings, to: str, subject: str) -> EmailMessage:
    """An automatic message from the service: the headers every email of ours carries."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender_address(settings)
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=urlparse(settings.config.base_url).hostname or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    return message


async def send_now(settings: Settings, message: EmailMessage) -> Exception | None:
    """Send one message while someone waits for it (a code, a link), off the event loop; None for
    sent, or what stopped it. Callers decide what a resident sees without SMTP configured."""
    if not settings.config.smtp_url:
        raise RuntimeError("send_now needs REPORTIT_SMTP_URL: say what happens without it before calling")
    [failure] = await anyio.to_thread.run_sync(send_batch, SmtpServer.from_url(settings.config.smtp_url), [message])
    return failure


def send_batch(server: SmtpServer, messages: list[EmailMessage],
               may_start: Callable[[], bool] = lambda: True) -> list[Exception | None]:
    """Send over one connection; per message, None for sent or the exception that stopped it. A
    message is started only while `may_start()` says so: results end at the first one it refused."""
    results: list[Exception | None] = []
    try:
        connection = _connect(server)
    except (OSError, smtplib.SMTPException) as exc:
        return [exc] * len(messages)
    try:
        for message in messages:
            if not may_start():
                break
            try:
                connection.send_message(message)
                results.append(None)
            except smtplib.SMTPRecipientsRefused as exc:
                results.append(PermanentFailure(str(exc.recipients)))
            except smtplib.SMTPResponseException as exc:
                failure = PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}")
                results.append(failure if 500 <= exc.smtp_code < 600 else exc)
            except (OSError, smtplib.SMTPException) as exc:
                results.append(exc)
                results.extend([exc] * (len(messages) - len(results)))  # the connection is gone
                break
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return results


def _connect(server: SmtpServer) -> smtplib.SMTP:
    if server.tls:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT,
                                                    context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        connection.ehlo()
        if server.password and connection.has_extn("starttls"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
    if server.username:
        connection.login(server.username, server.password)
    return connection
