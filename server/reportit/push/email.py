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

DIGEST_LIMIT = 20  # items listed in one digest; the rest are counted ("see all N")

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


def _alert_headers(message: EmailMessage, unsubscribe_url: str) -> None:
    if unsubscribe_url:
        # RFC 2369 + RFC 8058: mail apps show an unsubscribe button that POSTs to the link.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def alert_email(rows: list[dict], settings: Settings) -> EmailMessage:
    """An alert (an application or a report near a place the resident watches) by email, or a day's
    digest of them (rows sharing a `digest` key)."""
    if rows[0].get("digest"):
        return compose_digest(rows, settings, limit=DIGEST_LIMIT)
    return _compose_one(rows[0], settings)


def _compose_one(row: dict, settings: Settings) -> EmailMessage:
    link = f"{settings.config.base_url}{row['url']}"
    unsubscribe_url = row["unsubscribe_url"]
    message = new_message(settings, row["message_email"], row["title"])
    _alert_headers(message, unsubscribe_url)
    footer = _alert_footer(settings, unsubscribe_url) if row.get("alert") else _receipt_footer(settings)
    message.set_content(f"{row['title']}\n\n{row['body']}\n\nSee it: {link}\n\n--\n{footer[0]}")
    e = html.escape
    message.add_alternative(
        f"<!doctype html><html lang=\"en-GB\"><body><h1 style=\"font-size:1.25em\">{e(row['title'])}</h1>"
        f"<p>{e(row['body'])}</p><p><a href=\"{e(link)}\">See it on {e(settings.catalogue.council.short_name)}"
        f"</a></p><hr><p style=\"font-size:0.875em\">{footer[1]}</p></body></html>", subtype="html")
    return message


def compose_digest(rows: list[dict], settings: Settings, *, limit: int = 20) -> EmailMessage:
    """A day's alerts in one email: the first `limit` listed, then "see all N" in the app."""
    base = settings.config.base_url
    total = len(rows)
    shown = rows[:limit]
    unsubscribe_url = rows[0]["unsubscribe_url"]
    subject = f"Your alerts: {total} new" if total != 1 else "Your alerts: 1 new"
    message = new_message(settings, rows[0]["message_email"], subject)
    _alert_headers(message, unsubscribe_url)
    footer = _alert_footer(settings, unsubscribe_url)
    see_all = f"{base}/alerts"
    lines = [f"- {r['title']}\n  {r['body']}\n  {base}{r['url']}" for r in shown]
    more = f"\nSee all {total} in the app: {see_all}\n" if total > len(shown) else ""
    message.set_content(f"{subject}\n\n" + "\n\n".join(lines) + f"\n{more}\n--\n{footer[0]}")
    e = html.escape
    items = "".join(f"<li><a href=\"{e(base + r['url'])}\">{e(r['title'])}</a><br>{e(r['body'])}</li>" for r in shown)
    more_html = (f"<p><a href=\"{e(see_all)}\">See all {total}</a></p>" if total > len(shown) else "")
    message.add_alternative(
        f"<!doctype html><html lang=\"en-GB\"><body><h1 style=\"font-size:1.25em\">{e(subject)}</h1>"
        f"<ul>{items}</ul>{more_html}<hr><p style=\"font-size:0.875em\">{footer[1]}</p></body></html>",
        subtype="html")
    return message


def _receipt_footer(settings: Settings) -> tuple[str, str]:
    """A message owed whatever the resident chose about alerts (a receipt): nothing to stop."""
    council = settings.catalogue.council.name
    why = "This is your receipt: we send it whatever you chose about alerts and updates. Keep it as proof."
    return f"{council}\n{why}\n", f"{html.escape(council)}. {html.escape(why)}"


def _alert_footer(settings: Settings, unsubscribe_url: str) -> tuple[str, str]:
    council = settings.catalogue.council.name
    why = "You get these emails because you saved an alert in the app and none of your phones takes notifications."
    e = html.escape
    text = f"{council}\n{why}\nStop alert emails: {unsubscribe_url}\n"
    markup = f"{e(council)}. {e(why)} <a href=\"{e(unsubscribe_url)}\">Stop alert emails</a>."
    return text, markup
