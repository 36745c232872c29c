"""Domain events: what a domain did, published inside the write transaction that did it.

A domain (reports, accounts, applications) says what happened and imports nothing
of the domains that care; those (push, alerts) subscribe in `reportit.wiring`. Handlers
run in the publisher's transaction, so what they write (notification outbox rows, follows) commits
or rolls back with the change itself, and they act after the commit through `database.after_commit`.

Every kind published must have a subscriber: publishing one that nobody was wired to hear raises
`NotWired` instead of quietly dropping a notification.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportit import database
from reportit.settings import Settings


@dataclass(frozen=True)
class ReportCreated:
    """A report was stored; its reporter (device and/or email address) wants to hear about it."""

    report_id: int
    reference: str
    device_id: int | None
    contact_email: str


@dataclass(frozen=True)
class StatusChanged:
    """A report's status was changed or restated with a public message (its StatusChange row exists)."""

    report_id: int
    reference: str
    status_change_id: int
    from_status: str
    to_status: str
    public_message: str


@dataclass(frozen=True)
class DeviceJoinedAccount:
    """A device signed in to a resident account: its reports and follows are the account's now."""

    account_id: int
    device_id: int


@dataclass(frozen=True)
class AccountErased:
    """A resident account is being erased (its row still exists while handlers run): every domain
    forgets what ties its rows to these devices and email addresses, in the same transaction."""

    account_id: int
    device_ids: tuple[int, ...]
    emails: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationReceived:
    """A planning or licensing application was recorded for the first time (import, feed or console).

    Published in the transaction that wrote its first version; alerts match it against the places
    residents watch and write outbox rows there and then (never waiting on sending).
    """

    application_id: int
    version_id: int
    reference: str
    regime: str  # "planning" | "licensing"
    application_type: str
    address: str  # in words, as the council gives it
    description: str  # what is proposed, as the council gives it
    latitude: float | None
    longitude: float | None
    ward: str = ""  # the ward its point is in ("" when outside every ward, or no wards yet)
    street: str = ""  # the street its point is on, from the gazetteer ("" when none is near)


@dataclass(frozen=True)
class ApplicationChanged:
    """A new version of an application changed something residents are told about: its status
    (validated, under consultation, decided, withdrawn, appealed), its consultation dates (extended,
    or re-consulted after an amendment), its hearing date or its decision."""

    application_id: int
    version_id: int
    reference: str
    regime: str
    changes: tuple[str, ...]  # the fields that changed, e.g. ("status", "consultation_end")
    summary: str  # what changed, in a resident's words: "Consultation extended to Friday 11 December"
    address: str
    latitude: float | None
    longitude: float | None
    ward: str = ""  # the ward its point is in ("" when outside every ward, or no wards yet)
    street: str = ""  # the street its point is on, from the gazetteer ("" when none is near)


KINDS: tuple[type, ...] = (ReportCreated, StatusChanged, DeviceJoinedAccount, AccountErased,
                           ApplicationReceived, ApplicationChanged)

Handler = Callable[[Any, Settings], Awaitable[None]]


class NotWired(RuntimeError):
    """A domain function ran in a process that never called `reportit.wiring.wire_domains()`."""


_subscribers: dict[type, tuple[Handler, ...]] = {}


def subscribe_all(subscribers: Mapping[type, Sequence[Handler]]) -> None:
    """Replace every subscription at once, so wiring twice (an app and a command in one process,
    the tests' fixtures) never runs a handler twice."""
    unknown = set(subscribers) - set(KINDS)
    if unknown:
        raise ValueError(f"not event kinds: {sorted(k.__name__ for k in unknown)}")
    _subscribers.clear()
    _subscribers.update({kind: tuple(handlers) for kind, handlers in subscribers.items() if handlers})


def subscribers(kind: type) -> tuple[Handler, ...]:
    return _subscribers.get(kind, ())


async def publish(event: object, settings: Settings) -> None:
    """Run every subscriber of this kind of event, in the caller's write transaction."""
    handlers = _subscribers.get(type(event))
    if not handlers:
        raise NotWired(f"nothing subscribes to {type(event).__name__}: call reportit.wiring.wire_domains() "
                       "where the app or command starts")
    if not database.in_write_transaction():
        raise RuntimeError(f"{type(event).__name__} published outside a write transaction: its handlers' rows "
                           "would not commit with the change")
    for handler in handlers:
        await handler(event, settings)
