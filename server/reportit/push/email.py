"""The email fallback: one plain-text + HTML message per status change, with one-click unsubscribe.

smtplib runs in a worker thread (no new dependency); one connection carries a whole batch.
REPORTIT_SMTP_URL: smtp://[user:password@]host[:port] (STARTTLS when the server offers it and a
password is set), smtps://... for TLS from the start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import unquote, urlparse

from reportit.push.message import StatusNews
from reportit.reports.references import spoken
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


def unsubscribe_token(secret_key: str, follow_id: int, email: str) -> str:
    """`<follow id>.<signature>`: changing the address (or unsubscribing) makes old links stale."""
    digest = hmac.new(secret_key.encode(), f"unsubscribe:{follow_id}:{email.lower()}".encode(), hashlib.sha256).digest()
    return f"{follow_id}.{base64.urlsafe_b64encode(digest[:18]).decode()}"


def token_follow_id(token: str) -> int | None:
    head, _, _ = token.partition(".")
    return int(head) if head.isdigit() and len(head) < 19 else None


def token_matches(secret_key: str, token: str, follow_id: int, email: str) -> bool:
    return bool(email) and hmac.compare_digest(token, unsubscribe_token(secret_key, follow_id, email))


def sender_address(settings: Settings) -> str:
    if settings.mail_from:
        return settings.mail_from
    host = urlparse(settings.base_url).hostname or "localhost"
    return formataddr((settings.council.short_name, f"no-reply@{host}"))


def compose(news: StatusNews, to: str, unsubscribe_url: str, settings: Settings, *,
            reporter: bool = True) -> EmailMessage:
    link = f"{settings.base_url}/r/{news.reference}"
    why = ("you gave your address when you made this report" if reporter
           else "you asked for updates about this report and confirmed your address")
    reference = spoken(news.reference)
    message = EmailMessage()
    message["Subject"] = f"Your report {reference}: {news.status_name}"
    message["From"] = sender_address(settings)
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=urlparse(settings.base_url).hostname or "localhost")
    # RFC 2369 + RFC 8058: mail apps show an unsubscribe button that POSTs to the link.
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Report {reference} is now: {news.status_name}\n\n"
        f"{news.text}\n\n"
        f"See the report: {link}\n\n"
        f"--\n{settings.council.name}\n"
        f"You get these emails because {why}.\n"
        f"Stop emails about this report: {unsubscribe_url}\n"
    )
    e = html.escape
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in news.text.split("\n\n") if p.strip())
    message.add_alternative(
        f"<!doctype html><html lang=\"en-GB\"><body>"
        f"<h1 style=\"font-size:1.25em\">Report {e(reference)} is now: {e(news.status_name)}</h1>"
        f"{paragraphs}"
        f"<p><a href=\"{e(link)}\">See report {e(reference)}</a></p>"
        f"<hr><p style=\"font-size:0.875em\">{e(settings.council.name)}. You get these emails because "
        f"{e(why)}. <a href=\"{e(unsubscribe_url)}\">Stop emails about this "
        f"report</a>.</p></body></html>",
        subtype="html",
    )
    return message


def send_batch(server: SmtpServer, messages: list[EmailMessage]) -> list[Exception | None]:
    """Send over one connection; per message, None for sent or the exception that stopped it."""
    results: list[Exception | None] = []
    try:
        connection = _connect(server)
    except (OSError, smtplib.SMTPException) as exc:
        return [exc] * len(messages)
    try:
        for message in messages:
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
