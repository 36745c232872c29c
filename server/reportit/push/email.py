"""The email fallback: one plain-text + HTML message per status change, with one-click unsubscribe.
Sending itself (SMTP, one connection per batch) lives in `reportit.mail`, shared with accounts."""

from __future__ import annotations

import hashlib
import hmac
import html
from email.message import EmailMessage

from reportit.mail import PermanentFailure, SmtpServer, new_message, send_batch  # noqa: F401 (push's users)
from reportit.push import base64url
from reportit.push.message import StatusNews
from reportit.reports.references import spoken
from reportit.settings import Settings

def unsubscribe_token(secret_key: str, follow_id: int, email: str) -> str:
    """`<follow id>.<signature>`: changing the address (or unsubscribing) makes old links stale."""
    digest = hmac.new(secret_key.encode(), f"unsubscribe:{follow_id}:{email.lower()}".encode(), hashlib.sha256).digest()
    return f"{follow_id}.{base64url.encode(digest[:18])}"


def token_follow_id(token: str) -> int | None:
    head, _, _ = token.partition(".")
    return int(head) if head.isdigit() and len(head) < 19 else None


def token_matches(secret_key: str, token: str, follow_id: int, email: str) -> bool:
    return bool(email) and hmac.compare_digest(token, unsubscribe_token(secret_key, follow_id, email))


def compose(news: StatusNews, to: str, unsubscribe_url: str, settings: Settings, *,
            reporter: bool = True) -> EmailMessage:
    link = f"{settings.config.base_url}/r/{news.reference}"
    why = ("you gave your address when you made this report" if reporter
           else "you asked for updates about this report and confirmed your address")
    reference = spoken(news.reference)
    message = new_message(settings, to, f"Your report {reference}: {news.status_name}")
    # RFC 2369 + RFC 8058: mail apps show an unsubscribe button that POSTs to the link.
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(
        f"Report {reference} is now: {news.status_name}\n\n"
        + (f"Where: {news.place}\n\n" if news.place else "")
        + f"{news.text}\n\n"
        f"See the report: {link}\n\n"
        f"--\n{settings.catalogue.council.name}\n"
        f"You get these emails because {why}.\n"
        f"Stop emails about this report: {unsubscribe_url}\n"
    )
    e = html.escape
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in news.text.split("\n\n") if p.strip())
    message.add_alternative(
        f"<!doctype html><html lang=\"en-GB\"><body>"
        f"<h1 style=\"font-size:1.25em\">Report {e(reference)} is now: {e(news.status_name)}</h1>"
        + (f"<p>Where: {e(news.place)}</p>" if news.place else "")
        + f"{paragraphs}"
        f"<p><a href=\"{e(link)}\">See report {e(reference)}</a></p>"
        f"<hr><p style=\"font-size:0.875em\">{e(settings.catalogue.council.name)}. You get these emails because "
        f"{e(why)}. <a href=\"{e(unsubscribe_url)}\">Stop emails about this "
        f"report</a>.</p></body></html>",
        subtype="html",
    )
    return message
