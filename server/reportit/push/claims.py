"""Claiming outbox rows and writing down sent ones, straight through the driver (`fast_sql`).

A fan-out claims and records thousands of rows: through Piccolo that was about 250 µs a message
on SQLite (a Python object per value compiled into each query, several hops to aiosqlite's thread
per query). Here each step is one statement, with the ids passed as one parameter (a JSON array
on SQLite, an integer array on PostgreSQL), inside the caller's write transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from reportit.fast_sql import fetch_rows
from reportit.push.tables import Notification
from reportit.reports.visibility import COLUMNS as PUBLIC_COLUMNS


def _sqlite() -> bool:
    return Notification._meta.db.engine_type == "sqlite"


def _sql(sql: str) -> str:
    """Written with `?n` marks: PostgreSQL's are `$n`."""
    return sql if _sqlite() else sql.replace("?", "$")


def ids_in(column: str, mark: str) -> str:
    """`column` is one of the ids given as one parameter at `mark` (`?n`), see `id_list`."""
    if _sqlite():
        return f"{column} IN (SELECT value FROM json_each({mark}))"
    return f"{column} = ANY({mark}::integer[])"


def id_list(ids: Sequence[int]) -> str | list[int]:
    return json.dumps(list(ids)) if _sqlite() else list(ids)


async def due_ids(channels: Sequence[str], now: datetime, limit: int) -> list[int]:
    """Pending rows due now on these channels, oldest first; on PostgreSQL locked (rows another
    sender is claiming are skipped), on SQLite the write transaction holds the database."""
    marks = ", ".join(f"?{n}" for n in range(3, 3 + len(channels)))
    lock = "" if _sqlite() else " FOR UPDATE SKIP LOCKED"
    rows = await fetch_rows(Notification, _sql(
        "SELECT id FROM notification_outbox WHERE state = 'pending' AND next_attempt_at <= ?1 "
        f"AND channel IN ({marks}) ORDER BY next_attempt_at LIMIT ?2{lock}"), [now, limit, *channels])
    return [row["id"] for row in rows]


async def mark_claimed(ids: Sequence[int], token: str, now: datetime, lease_until: datetime) -> None:
    await fetch_rows(Notification, _sql(
        "UPDATE notification_outbox SET claim_token = ?1, claimed_at = ?2, next_attempt_at = ?3, "
        f"attempts = attempts + 1 WHERE {ids_in('id', '?4')}"), [token, now, lease_until, id_list(ids)])


_DETAILS = """SELECT n.id, n.channel, n.attempts, n.subscription, n.follow,
  s.endpoint AS endpoint, s.p256dh AS p256dh, s.auth AS auth,
  f.email AS email, f.email_confirmed AS email_confirmed, f.reporter AS reporter,
  r.reference AS reference, {public}, r.street AS street, r.ward AS ward,
  sc.to_status AS to_status, sc.public_message AS public_message,
  n.title, n.body, n.url, n.tag, n.email AS message_email, n.unsubscribe_url, n.digest, n.alert
FROM notification_outbox n
LEFT JOIN push_subscription s ON s.id = n.subscription
LEFT JOIN follow f ON f.id = n.follow
LEFT JOIN report r ON r.id = n.report
LEFT JOIN status_change sc ON sc.id = n.status_change
WHERE {ids} AND n.claim_token = ?2
ORDER BY n.id"""


async def details(ids: Sequence[int], token: str) -> list[dict]:
    """What the sender needs of each claimed row (still claimed with `token`), by id: the
    subscription's keys, the follower's email, the report's reference, place and visibility, the
    status change's words, and an alert's own."""
    public = ", ".join(f"r.{name} AS {name}" for name in PUBLIC_COLUMNS)
    return await fetch_rows(Notification, _sql(_DETAILS.format(public=public, ids=ids_in("n.id", "?1"))),
                            [id_list(ids), token])


async def mark_sent(ids: Sequence[int], token: str, status: int | None, now: datetime) -> list[dict]:
    """Rows still claimed with `token` written down as sent; returns those (id, subscription)."""
    return await fetch_rows(Notification, _sql(
        "UPDATE notification_outbox SET state = 'sent', sent_at = ?1, last_status = ?2, last_error = '', "
        f"claim_token = '' WHERE {ids_in('id', '?3')} AND claim_token = ?4 RETURNING id, subscription"),
        [now, status, id_list(ids), token])


async def subscriptions_succeeded(subscriptions: Sequence[int], now: datetime) -> None:
    await fetch_rows(Notification, _sql(
        f"UPDATE push_subscription SET last_success_at = ?1, failure_count = 0 WHERE {ids_in('id', '?2')}"),
        [now, id_list(subscriptions)])


async def still_claimed(ids: Sequence[int], token: str) -> set[int]:
    rows = await fetch_rows(Notification, _sql(
        f"SELECT id FROM notification_outbox WHERE {ids_in('id', '?1')} AND claim_token = ?2"), [id_list(ids), token])
    return {row["id"] for row in rows}
