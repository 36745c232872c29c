"""From matched alerts to outbox rows: the push subscriptions each alert reaches (found with it), the
account's email for when no phone takes pushes, and the one-click
unsubscribe link. Runs in the publisher's transaction; the senders are woken after it commits."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from reportit import database
from reportit.alerts.matching import Match
from reportit.push import base64url, wakeups
from reportit.push.alert_outbox import Addressee, enqueue_alerts
from reportit.push.message import AlertNews
from reportit.push.sender import wake_senders
from reportit.push.tables import Notification
from reportit.secrets_store import secret
from reportit.settings import Settings


@functools.lru_cache(maxsize=4)
def secret_key_of(data_dir: Path) -> str:
    return secret(data_dir, "secret_key")


def unsubscribe_token(secret_key: str, account_id: int, email: str) -> str:
    """`<account id>.<signature>`: a changed address (or an erased account) makes old links stale."""
    digest = hmac.new(secret_key.encode(), f"alerts-unsubscribe:{account_id}:{email.lower()}".encode(),
                      hashlib.sha256).digest()
    return f"{account_id}.{base64url.encode(digest[:18])}"


def unsubscribe_url(settings: Settings, account_id: int, email: str) -> str:
    token = unsubscribe_token(secret_key_of(settings.config.data_dir), account_id, email)
    return f"{settings.config.base_url}/alerts/unsubscribe/{token}"


def addressed(matches: list[Match], words: Callable[[Match], AlertNews], settings: Settings
              ) -> list[tuple[AlertNews, Addressee]]:
    """One message per matched alert, worded for it (its place's name), with where it goes."""
    items = []
    for match in matches:
        email = match.account_email if match.account_id is not None else ""
        link = unsubscribe_url(settings, match.account_id, email) if email and match.account_id is not None else ""
        items.append((words(match), Addressee(match.alert_id, match.subscriptions, email, match.email_mode, link)))
    return items


async def notify(items: list[tuple[AlertNews, Addressee]], settings: Settings, *, report_id: int | None = None) -> int:
    """Queue the messages (a resident told once per message however many of their alerts match)."""
    if not items:
        return 0
    queued = await enqueue_alerts(items, settings, report_id=report_id)
    if queued:
        await _wake_senders_at_commit()
    return queued


# The transaction that has already asked for the senders to be woken (held, so `is` can't be fooled
# by a new transaction at the same address): an import publishing 1,000 events asks once.
_announced_in: ContextVar[object | None] = ContextVar("alerts_announced_in", default=None)


async def _wake_senders_at_commit() -> None:
    engine = Notification._meta.db
    transaction = engine.current_transaction.get()
    if transaction is not None and _announced_in.get() is transaction:
        return
    await wakeups.announce(engine)  # other processes' senders, at the commit
    database.after_commit(wake_senders)
    _announced_in.set(transaction)
