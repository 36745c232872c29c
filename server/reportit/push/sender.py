"""The sender: drains the notification outbox, by Web Push and by email.

A claim is a lease. Claiming stamps rows with a token and moves `next_attempt_at` forward by the
lease, in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
SQLite), so concurrent senders never take the same row, and a sender that dies between claim and
send leaves its rows to be picked up again once the lease runs out. Results are written only
while the claim token still matches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Callable

import anyio
import httpx
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from reportit import database
from reportit.push import claims, delivery, digest, kept_sqlite, wakeups
from reportit.push.delivery import Outcome
from reportit.push.email import SmtpServer, alert_email, compose, send_batch, unsubscribe_token
from reportit.push.encoding import BatchEncoder
from reportit.places.naming import report_place_words as report_place
from reportit.push.message import EncodeFailure, PushEncoder, PushRequest, news_for, vapid_subscriber
from reportit.push.outcomes import record_outcomes
from reportit.push.retention import prune_finished
from reportit.push.tables import Notification
from reportit.push.vapid import VapidKeyring, VapidKeys
from reportit.reports.visibility import is_public
from reportit.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# The longest one push request can take (connect + write + read timeouts, with room to spare).
REQUEST_BUDGET = timedelta(seconds=30)
# The same for one email: a few SMTP exchanges, each allowed mail.TIMEOUT (30 s). A batch of 10 to a
# relay taking most of that outlasted the lease, and another sender sent the messages again.
EMAIL_BUDGET = timedelta(seconds=60)
# An email not started before its claim's lease ran short goes back to the outbox, due in a moment.
NOT_STARTED = "not started: the claim's lease was running out"
NOT_STARTED_PAUSE = timedelta(seconds=2)
PRUNE_EVERY = timedelta(hours=1)
RECORD_EVERY = 50  # push outcomes written down together while a batch is being sent
# Push services the sender talks to at once (FCM, Mozilla, Apple, Windows, ...); more just queue.
MAX_ORIGINS = 8

# Senders running in this process, so a status change can wake them the moment it commits.
_running: set[Sender] = set()


def wake_senders() -> None:
    for sender in list(_running):
        sender.wake()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SenderConfig:
    # A batch is claimed while the one before is being sent; no request starts later than
    # REQUEST_BUDGET before the lease ends (see _deliver_push), whatever the push services do, and
    # no email later than EMAIL_BUDGET (or half the lease, if that is shorter; see _send_email).
    lease: timedelta = timedelta(minutes=2)
    push_batch: int = 250  # rows claimed, encrypted and recorded together (a few transactions per batch)
    email_batch: int = 10
    concurrency: int = 16  # requests in flight (lanes, each sending one request at a time)
    # Batches at least this big are encrypted in a worker process (0: never), while the batch
    # before is being sent; smaller ones (most status changes) in a thread, with no process to start.
    process_batch: int = 100
    # Only for work the wake-ups miss: ours wake us at once, other processes' through PostgreSQL's
    # LISTEN/NOTIFY (push/wakeups.py) when `listen`; on SQLite the poll is how other processes' work is found.
    poll_interval: float = 5.0
    listen: bool = True
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(10.0, connect=5.0))


@dataclass(frozen=True)
class Claim:
    token: str
    lease_until: datetime
    rows: list[dict]
    skipped: int = 0  # rows claimed but not to be sent (see Sender._withheld), already recorded

    @property
    def taken(self) -> int:
        return len(self.rows) + self.skipped


@dataclass
class _Batch:
    """A claim of push rows whose requests are being encrypted (while the batch before is sent)."""

    claim: Claim
    requests: asyncio.Task[dict[int, PushRequest | EncodeFailure]] | None


class Sender:
    def __init__(
        self,
        settings: Settings,
        *,
        secret_key: str,
        keys: VapidKeys | None = None,
        config: SenderConfig | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.secret_key = secret_key
        self.config = config or SenderConfig()
        self.clock = clock
        # Given keys are used as they are; otherwise the data dir's, re-read after a rotation.
        self.keyring = None if keys is not None else VapidKeyring(settings.config.data_dir)
        self._use_keys(keys or self.keyring.current())
        self.smtp = SmtpServer.from_url(settings.config.smtp_url) if settings.config.smtp_url else None
        # Without SMTP this sender leaves email rows for one that has it (fanout marks them
        # skipped when the service itself has no SMTP).
        self.channels = ("push", "email") if self.smtp else ("push",)
        self._client: delivery.PushClient | None = None  # made when first needed
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._next_prune: datetime | None = None
        self.listener: wakeups.OutboxListener | None = None
        # During a drain on SQLite, its write transactions go on kept connections (push/kept_sqlite.py).
        self._kept: kept_sqlite.KeptSQLite | None = None

    def _use_keys(self, keys: VapidKeys) -> None:
        self.keys = keys
        self.encoder = PushEncoder(keys, vapid_subscriber(self.settings), self.settings.config.base_url)
        self.encoding = BatchEncoder(self.settings, keys, self.encoder, self.config.process_batch)

    def _follow_rotation(self) -> None:
        """After `reportit vapid --rotate`, sign with the new keys (and restart the encoder process)."""
        if self.keyring is None:
            return
        keys = self.keyring.current()
        if keys is not self.keys:
            self.encoding.close()
            self._use_keys(keys)

    # -- running in the background ---------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        engine = Notification._meta.db
        if self.config.listen and isinstance(engine, PostgresEngine) and self.listener is None:
            self.listener = wakeups.OutboxListener(engine, self.wake)
            self.listener.start()
        self._task = asyncio.create_task(self.run(), name="push-sender")

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the batch in hand (up to `grace` seconds), then stop; claims left are retried later."""
        self._stopping = True
        self._wake.set()
        listener, self.listener = self.listener, None
        if listener is not None:
            await listener.stop()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, grace)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            self._task = None

    async def aclose(self) -> None:
        await self.stop()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        self.encoding.close()

    def _push_client(self) -> delivery.PushClient:
        """One client for every push service: up to `concurrency` kept-alive HTTP/1.1 connections
        to each (on HTTP/2, for a service that needs it, one connection with a stream per request)."""
        if self._client is None:
            self._client = delivery.push_client(self.settings.config.push_ca_file, self.config.timeout,
                                                self.config.concurrency * MAX_ORIGINS, self.config.concurrency)
        return self._client

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        _running.add(self)
        log.info("event=sender_started channels=%s", ",".join(self.channels))
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self.drain()
                    await self.prune_if_due()
                except Exception:
                    log.exception("event=sender_error")
                if self._stopping:
                    break
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)
        finally:
            _running.discard(self)
            log.info("event=sender_stopped")

    async def prune_if_due(self) -> int:
        """Delete finished outbox rows past the retention period, at most once an hour."""
        now = self.clock()
        if self._next_prune is not None and now < self._next_prune:
            return 0
        self._next_prune = now + PRUNE_EVERY
        return await prune_finished(now, timedelta(days=self.settings.config.notification_retention_days))

    async def drain(self) -> int:
        """Send everything that is due now; returns how many rows were handled.

        Push rows go in a pipeline: while one batch is on the wire, the next is claimed and
        encrypted, so the network, the database and the encryption overlap.
        """
        self._follow_rotation()
        kept = self._kept = kept_sqlite.kept(Notification._meta.db)
        try:
            return await self._drain()
        finally:
            if self._kept is kept:
                self._kept = None
            if kept is not None:
                await kept.close()

    async def _drain(self) -> int:
        handled = 0
        upcoming = None if self._stopping else await self._claim_push()
        claiming: asyncio.Task[_Batch] | None = None
        try:
            while upcoming is not None:
                batch, upcoming = upcoming, None
                if batch.claim.taken and not self._stopping:
                    # Claimed (in the database's thread) while this batch is on the wire.
                    claiming = asyncio.create_task(self._claim_push())
                try:
                    if batch.claim.rows:
                        await self._deliver_batch(batch)
                finally:
                    if claiming is not None:
                        upcoming, claiming = await claiming, None
                email = await self.claim(("email",), self.config.email_batch)  # empty when we have no SMTP
                if email.rows:
                    await self.deliver(email)
                if not batch.claim.taken and not email.taken:
                    break
                handled += batch.claim.taken + email.taken
                if upcoming is None and not self._stopping:
                    upcoming = await self._claim_push()
        finally:
            if claiming is not None:  # cancelled while claiming: the claim's rows wait out its lease
                claiming.cancel()
            if upcoming is not None and upcoming.requests is not None:
                upcoming.requests.cancel()  # its rows stay claimed until the lease runs out: retried then
        return handled

    async def _claim_push(self) -> _Batch:
        claim = await self.claim(("push",), self.config.push_batch)
        ready = [r for r in claim.rows if r["endpoint"]]
        return _Batch(claim, asyncio.create_task(self.encoding.encode_rows(ready)) if ready else None)

    async def _deliver_batch(self, batch: _Batch) -> None:
        requests = None
        if batch.requests is not None:
            try:
                requests = await batch.requests
            except Exception as exc:  # noqa: BLE001 - encrypt again below, row by row
                log.warning("event=encoding_failed error=%s", type(exc).__name__)
        rows = await self._still_ours(batch.claim)
        await self._deliver_push(batch.claim, rows, requests)

    # -- claiming ----------------------------------------------------------------------------

    async def claim(self, channels: tuple[str, ...] = ("push", "email"), limit: int = 100) -> Claim:
        channels = tuple(c for c in channels if c in self.channels)
        now = self.clock()
        token = secrets.token_hex(16)
        lease_until = now + self.config.lease
        engine = Notification._meta.db
        if not channels:
            return Claim(token, lease_until, [])
        # Straight through the driver (push/claims.py): a fan-out claims thousands of rows.
        async with self._claiming(channels, self._kept or engine):
            ids = await claims.due_ids(channels, now, limit)
            if "email" in channels:  # a digest's rows go together
                ids += await digest.claim_siblings(ids, now, engine)
            if ids:
                await claims.mark_claimed(ids, token, now, lease_until)
                rows = await claims.details(ids, token)
            else:
                rows = []
        withheld, sendable = [], []
        for row in rows:
            reason = self._withheld(row)
            if reason:
                withheld.append((row, Outcome("skipped", error=reason)))
            else:
                sendable.append(row)
        if withheld:
            await self._record(token, withheld)
        rows = sendable
        return Claim(token, lease_until, rows, skipped=len(withheld))

    @staticmethod
    def _claiming(channels: tuple[str, ...], engine: Engine) -> contextlib.AbstractAsyncContextManager[None]:
        """The claim's transaction. Email claims take turns (on PostgreSQL; SQLite's writers always
        do): two senders claiming at the digest hour, each skipping the rows the other had just
        locked, split digests between them, and a resident got two partial emails. Push claims
        (a fan-out's thousands of rows) never wait for them."""
        if "email" in channels:
            return database.exclusive(engine, digest.CLAIM_LOCK)
        return database.write_transaction(engine)

    @staticmethod
    def _withheld(row: dict) -> str:
        """Why a queued row must not be sent now (empty: send it). The report may have been hidden
        or made private since the row was queued: as at fan-out, only its reporter hears then."""
        if row["reporter"] or is_public(row):
            return ""
        if row["hidden"]:
            return "the report was hidden after this notification was queued"
        return "the report was made private after this notification was queued"

    async def _still_ours(self, claim: Claim) -> list[dict]:
        """A claim whose lease ran out may have been taken over: keep only rows still ours."""
        if self.clock() < claim.lease_until:
            return claim.rows
        ids = {r["id"] for r in await Notification.select(Notification.id).where(
            Notification.id.is_in([r["id"] for r in claim.rows]) & (Notification.claim_token == claim.token)
            & (Notification.state == "pending"))}
        return [r for r in claim.rows if r["id"] in ids]

    # -- delivering --------------------------------------------------------------------------

    async def deliver(self, claim: Claim) -> None:
        rows = await self._still_ours(claim)
        push = [r for r in rows if r["channel"] == "push"]
        email = [r for r in rows if r["channel"] == "email"]
        if push:
            await self._deliver_push(claim, push)
        if email:
            await self._deliver_email(claim, email)

    async def _deliver_push(self, claim: Claim, rows: list[dict],
                            requests: dict[int, PushRequest | EncodeFailure] | None = None) -> None:
        ready = [r for r in rows if r["endpoint"]]
        # The subscription went away after the row was queued.
        gone = [(r, Outcome("gone", error="subscription removed")) for r in rows if not r["endpoint"]]
        if requests is None:
            requests = await self.encoding.encode_rows(ready)
        work = iter(ready)
        # No request starts unless it can finish while the rows are still ours: rows left over
        # (a push service hanging until every timeout) stay claimed and are retried after the lease.
        last_start = claim.lease_until - REQUEST_BUDGET
        # Outcomes are written down RECORD_EVERY at a time while the batch goes on (one write at a
        # time, the lanes not waiting for it): a sender killed mid-batch (SIGKILL, a machine lost)
        # leaves at most that many plus those in flight sent but not written, to be sent again.
        answered: list[tuple[dict, Outcome]] = []
        writing: asyncio.Task[None] | None = None

        async def write_down(chunk: list[tuple[dict, Outcome]]) -> None:
            try:
                await self._record(claim.token, chunk)
            except Exception:  # noqa: BLE001 - the batch goes on; its last write tries these again
                log.exception("event=push_outcomes_not_written rows=%d retry=end_of_batch", len(chunk))
                answered.extend(chunk)

        async def lane(client: delivery.PushClient) -> None:
            nonlocal writing
            for row in work:  # lanes share the iterator: each takes the next request
                now = self.clock()
                if now >= last_start or self._stopping:  # stopping: finish what is in flight, start nothing
                    return
                answered.append((row, await self._post(client, row, requests.get(row["id"]), now)))
                if len(answered) >= RECORD_EVERY and (writing is None or writing.done()):
                    chunk, answered[:] = answered[:], []
                    writing = asyncio.create_task(write_down(chunk))

        client = self._push_client()
        try:
            await asyncio.gather(*(lane(client) for _ in range(min(self.config.concurrency, len(ready)))))
        finally:
            # Also when the sender is stopped mid-batch (cancelled after its grace): what was sent is
            # written down, shielded from the cancellation, so it is not sent again after the lease.
            if writing is not None:
                await asyncio.shield(asyncio.gather(writing, return_exceptions=True))
            await asyncio.shield(self._record(claim.token, gone + answered))

    async def _post(self, client: delivery.PushClient, row: dict, request: PushRequest | EncodeFailure | None,
                    now: datetime) -> Outcome:
        """One row's request, on its own: whatever goes wrong with it is that row's permanent
        failure, never an exception that would leave the rest of the batch unrecorded (and resent)."""
        if not isinstance(request, PushRequest):
            error = request.error if isinstance(request, EncodeFailure) else "no request was built"
            log.error("event=push_request_unbuildable notification=%s error=%s", row["id"], error)
            return Outcome("failed", error=error, counts_against_subscription=True)
        try:
            return await delivery.post(client, request, row["attempts"], now)
        except Exception as exc:  # noqa: BLE001 - the type only: the message may quote the endpoint
            log.error("event=push_request_error notification=%s error=%s", row["id"], type(exc).__name__)
            return Outcome("failed", error=f"could not send the request: {type(exc).__name__}",
                           counts_against_subscription=True)

    async def _deliver_email(self, claim: Claim, rows: list[dict]) -> None:
        alerts = [r for r in rows if r["title"]]
        if alerts:
            await self._deliver_alert_email(claim, alerts)
            rows = [r for r in rows if not r["title"]]
            if not rows:
                return
        # The follower may have unsubscribed, or changed to an address not yet confirmed, since.
        ready = [r for r in rows if r["email"] and r["email_confirmed"]]
        gone = [(r, Outcome("gone", error="unsubscribed" if not r["email"] else "address not confirmed"))
                for r in rows if not (r["email"] and r["email_confirmed"])]
        messages = [
            compose(news_for(self.settings, r["reference"], r["to_status"], r["public_message"], report_place(r)), r["email"],
                    self._unsubscribe_url(r["follow"], r["email"]), self.settings, reporter=r["reporter"])
            for r in ready
        ]
        results = await self._send_email(claim, messages)
        await self._record(claim.token, gone + _email_outcomes([[r] for r in ready], results, self.clock()))

    async def _deliver_alert_email(self, claim: Claim, rows: list[dict]) -> None:
        """Alerts by email: one message each, or one per digest (its rows share the outcome)."""
        groups = digest.grouped(rows)
        messages = [alert_email(group, self.settings) for group in groups]
        results = await self._send_email(claim, messages)
        await self._record(claim.token, _email_outcomes(groups, results, self.clock()))

    async def _send_email(self, claim: Claim, messages: list[EmailMessage]) -> list[Exception | None]:
        """One connection for the batch (in a thread). As with push, no message starts unless it can
        finish while the rows are still ours, nor once the sender is stopping: results end there."""
        assert self.smtp is not None
        last_start = claim.lease_until - min(EMAIL_BUDGET, self.config.lease / 2)
        may_start = lambda: self.clock() < last_start and not self._stopping  # noqa: E731 - read in the thread
        return await anyio.to_thread.run_sync(send_batch, self.smtp, messages, may_start)

    def _unsubscribe_url(self, follow_id: int, email: str) -> str:
        return f"{self.settings.config.base_url}/unsubscribe/{unsubscribe_token(self.secret_key, follow_id, email)}"

    async def _record(self, token: str, results: list[tuple[dict, Outcome]]) -> None:
        if await record_outcomes(token, results, self.settings, self.clock(), self._kept):
            wake_senders()  # email fallbacks were queued


def _email_outcomes(messages: list[list[dict]], results: list[Exception | None],
                    now: datetime) -> list[tuple[dict, Outcome]]:
    """Each message's rows with what became of it; the rows of messages not started (`results` ends
    before them) go back to the outbox, with their attempt given back, for any sender to send."""
    tried = [(r, delivery.email_outcome(e, r["attempts"], now)) for rows, e in zip(messages, results) for r in rows]
    # A moment's pause, not at once: a relay so slow that even connecting outlasts the budget would
    # otherwise have the sender claim and hand back the same rows in a tight loop.
    return tried + [(r, Outcome("retry", retry_at=now + NOT_STARTED_PAUSE, error=NOT_STARTED, attempted=False))
                    for rows in messages[len(results):] for r in rows]
