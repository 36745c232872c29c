"""The email that carries a sign-in code and its one-tap link. With no SMTP server configured
(`make run`), the code goes to the server log instead, so a newcomer can still sign in."""

from __future__ import annotations

import html
import logging
from email.message import EmailMessage
from urllib.parse import urlencode

from reportit.mail import new_message, send_now
from reportit.settings import Settings

log = logging.getLogger(__name__)


def verify_link(settings: Settings, email: str, code: str) -> str:
    return f"{settings.config.base_url}/account/verify?{urlencode({'email': email, 'code': code})}"


def compose(settings: Settings, email: str, code: str, *, purpose: str) -> EmailMessage:
    link = verify_link(settings, email, code)
    doing = "sign in to" if purpose == "sign_in" else "confirm your new email address for"
    message = new_message(settings, email, f"{code} is your {settings.catalogue.council.short_name} code")
    message.set_content(
        f"Your code to {doing} Report It is: {code}\n\n"
        f"Type it in the app, or open this link on the same phone: {link}\n\n"
        f"The code works once, for 10 minutes. If you did not ask for it, ignore this email: "
        f"nobody can sign in without it.\n\n--\n{settings.catalogue.council.name}\n"
    )
    e = html.escape
    message.add_alternative(
        f"<!doctype html><html lang=\"en-GB\"><body>"
        f"<p>Your code to {e(doing)} Report It is:</p>"
        f"<p style=\"font-size:2em;letter-spacing:0.2em\"><strong>{e(code)}</strong></p>"
        f"<p>Type it in the app, or <a href=\"{e(link)}\">open this link on the same phone</a>.</p>"
        f"<p>The code works once, for 10 minutes. If you did not ask for it, ignore this email: nobody can "
        f"sign in without it.</p><hr><p style=\"font-size:0.875em\">{e(settings.catalogue.council.name)}</p></body></html>",
        subtype="html",
    )
    return message


async def send_code(settings: Settings, email: str, code: str, *, purpose: str = "sign_in") -> None:
    """Runs after the response is sent: the answer never depends on the mail server."""
    if not settings.config.smtp_url:
        log.info("event=sign_in_code email=%s code=%s purpose=%s note=no_smtp_url", email, code, purpose)
        return
    failure = await send_now(settings, compose(settings, email, code, purpose=purpose))
    if failure is not None:
        log.warning("event=sign_in_code_not_sent purpose=%s error=%r", purpose, failure)
    else:
        log.info("event=sign_in_code_sent purpose=%s", purpose)
