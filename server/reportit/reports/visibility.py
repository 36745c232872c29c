"""The one definition of a public report: not in a private category, not hidden by staff.

Everything that decides what may be shown to someone who is not the reporter or a caseworker (the
API and /r/ pages, photos, Open311, push and email notifications, the console's duplicate rule)
asks here, in Python for a row in hand or in SQL for a query, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from reportit.reports.tables import Photo, Report

# The columns the rule reads: select these (under these names) wherever `is_public` is asked.
COLUMNS = ("private", "hidden")


def is_public(report: Mapping[str, Any] | Report, prefix: str = "") -> bool:
    """For a Report row or a dict of selected columns; `prefix` for joined names ("report.")."""
    if isinstance(report, Report):
        return not report.private and not report.hidden
    return not report[f"{prefix}private"] and not report[f"{prefix}hidden"]


def public_where(report: Any = Report) -> Combinable:
    """A where-clause for public reports: `report` is the Report table or a foreign key to it
    (e.g. `StatusChange.report`)."""
    private, hidden = columns(report)
    return (private == False) & (hidden == False)  # noqa: E712


def private_where(report: Any = Report) -> Combinable:
    """Reports in a private category (whatever staff did with them): erasing an account removes
    their photos, which only their reporter and staff ever saw."""
    private, _hidden = columns(report)
    return private == True  # noqa: E712


def columns(report: Any = Report, *, aliased: bool = False) -> tuple[Column, ...]:
    """The rule's columns, reached from the Report table or through a foreign key to it; `aliased`
    names them plainly in a joined select, so `is_public(row)` reads them without a prefix."""
    found = tuple(getattr(report, name) for name in COLUMNS)
    return tuple(c.as_alias(name) for c, name in zip(found, COLUMNS)) if aliased else found


async def hidden_by_staff(key: str) -> bool:
    """Bytes staff hid on any report (a face, a number plate: hidden, or replaced by a covered copy)
    stay hidden when they arrive again with another report: identical bytes are stored once, and
    /media/ serves a key as soon as one public report shows it."""
    return await Photo.exists().where(((Photo.key == key) | (Photo.thumb_key == key)) & (Photo.hidden == True))  # noqa: E712
