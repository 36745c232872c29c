"""A resident's own data, gathered from every domain for "Download my data" (UK GDPR, right of
access). Each domain answers for its own tables through a collector registered in
`reportit.wiring`, so accounts never reads reports' or push's tables itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportit.settings import Settings


@dataclass(frozen=True)
class Whose:
    """Whose data: the account (its reports are recorded with it, whichever phone sent them), its
    devices now and the email addresses it has used."""

    device_ids: tuple[int, ...]
    emails: tuple[str, ...]
    account_id: int | None = None


Collector = Callable[[Whose, Settings], Awaitable[dict[str, Any]]]

_collectors: tuple[Collector, ...] = ()


def register_collectors(collectors: Sequence[Collector]) -> None:
    """Replace every collector at once (wiring twice must not collect twice)."""
    global _collectors
    _collectors = tuple(collectors)


async def collect(whose: Whose, settings: Settings) -> dict[str, Any]:
    """Every domain's sections (reports, follows, notifications…) in one dictionary."""
    sections: dict[str, Any] = {}
    for collector in _collectors:
        sections.update(await collector(whose, settings))
    return sections
