"""Confirming a follower's email address before any update is emailed to it.

Anyone can type any address into "Email me updates", so following with an email stores it
unconfirmed and sends one message with a link; updates start only once the link's page is used.
The page confirms on a POST from its button: mail scanners that fetch every link (GET) must not
confirm for the recipient. Confirmation emails are rate-limited per address and per device, so the
service cannot be used to flood a stranger's inbox.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass
from email.message import EmailMessage

from reportit.limits import RateLimiter
from reportit.problems import Problem
from reportit.push import base64url
from reportit.mail import new_message, send_now
from reportit.push.email import token_follow_id
from reportit.push.tables import Follow
from reportit.reports.references import spoken
from reportit.secrets_store import secret
from reportit.settings import Settings

log = logging.getLogger(__name__)

PER_ADDRESS = 3  # confirmation emails to one address at once, then one a day
PER_DEVICE = 5  # confirmation emails one device may cause at once, then ten an hour
NOT_SENT = Problem(503, "We could not send the email",
                   "We could not send an email to confirm your address just now. Try again in a few minutes.")


@dataclass
class ConfirmationLimits:
    """In the database, shared by every worker, like the other rate limits (limits.py)."""

    per_address: RateLimiter
    per_device: RateLimiter

    @classmethod
    def new(cls) -> ConfirmationLimits:
        return cls(RateLimiter(per_hour=1 / 24, capacity=PER_ADDRESS, what="confirmation emails to that address"),
                   RateLimiter(per_hour=10, capacity=PER_DEVICE, what="confirmation emails"))

    async def check(self, device_id: int, email: str) -> None:
        await self.per_device.check(str(device_id))
        await self.per_address.check(email.lower())


def confirm_token(secret_key: str, follow_id: int, email: str) -> str:
    """`<follow id>.<signature>`: a new address for the follow makes the old link stale."""
    digest = hmac.new(secret_key.encode(), f"confirm:{follow_id}:{email.lower()}".encode(), hashlib.sha256).digest()
    return f"{follow_id}.{base64url.encode(digest[:18])}"


async def follow_for(secret_key: str, token: str) -> dict | None:
    """The follow a confirmation link is for, with its report reference; None if the link is stale."""
    follow_id = token_follow_id(token)
    if follow_id is None:
        return None
    row = await Follow.select(Follow.id, Follow.email, Follow.email_confirmed,
                              Follow.report.reference.as_alias("reference")).where(Follow.id == follow_id).first()
    if row is None or not row["email"] or not hmac.compare_digest(
            token, confirm_token(secret_key, row["id"], row["email"])):
        return None
    return row


async def confirm(secret_key: str, token: str) -> dict | None:
    row = await follow_for(secret_key, token)
    if row is None:
        return None
    await Follow.update({Follow.email_confirmed: True}).where(
        (Follow.id == row["id"]) & (Follow.email == row["email"]))
    log.info("event=email_confirmed reference=%s follow=%s", row["reference"], row["id"])
    return row


async def send(settings: Settings, secret_key: str, follow_id: int, reference: str, email: str, *,
               reporter: bool = False) -> None:
    """Send the confirmation email now (the resident is waiting to be told it went), or raise 503.

    With no mail server configured (`make run`), the link goes to the log instead, as sign-in codes
    do, so someone trying the service can still confirm an address."""
    url = f"{settings.config.base_url}/confirm-email/{confirm_token(secret_key, follow_id, email)}"
    if not settings.config.smtp_url:
        log.info("event=confirmation_link reference=%s follow=%s url=%s note=no_smtp_url", reference, follow_id, url)
        return
    error = await send_now(settings, compose(reference, email, url, settings, reporter=reporter))
    if error is not None:
        log.error("event=confirmation_not_sent reference=%s error=%s", reference, type(error).__name__)
        raise NOT_SENT
    log.info("event=confirmation_sent reference=%s follow=%s", reference, follow_id)


_sending: set[asyncio.Task] = set()


def send_later(settings: Settings, follow_id: int, reference: str, email: str, device_id: int) -> None:
    """After a report is committed: confirm the address its reporter typed, in the background (the
    report is already accepted; a refused or failed email is logged, and "Get updates" on the
    report's page asks again)."""
    async def run() -> None:
        try:
            await ConfirmationLimits.new().check(device_id, email)
            await send(settings, secret(settings.config.data_dir, "secret_key"), follow_id, reference, email,
                       reporter=True)
        except Problem as problem:
            log.warning("event=reporter_confirmation_not_sent reference=%s follow=%s status=%s", reference,
                        follow_id, problem.status)
        except Exception:
            log.exception("event=reporter_confirmation_failed reference=%s follow=%s", reference, follow_id)

    task = asyncio.get_running_loop().create_task(run())
    _sending.add(task)
    task.add_done_callback(_sending.discard)


def compose(reference: str, to: str, url: str, settings: Settings, *, reporter: bool = False) -> EmailMessage:
    said = spoken(reference)
    message = new_message(settings, to, f"Confirm your email for updates on report {said}")
    asked = (f"Someone reported a problem to {settings.catalogue.council.short_name} (report {said}) and gave this "
             f"address for updates on it.\n\n" if reporter else
             f"Someone asked {settings.catalogue.council.short_name} to email this address when the status of report "
             f"{said} changes.\n\n")
    message.set_content(
        asked +
        f"To start getting these emails, open this link and press \"Confirm\":\n{url}\n\n"
        f"If this was not you, ignore this email: we will not email you about the report.\n\n"
        f"--\n{settings.catalogue.council.name}\n"
    )
    return message
