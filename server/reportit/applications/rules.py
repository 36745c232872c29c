"""The council's rules for applications, from the `[applications]` table of its TOML.

Consultation periods and what happens to a late comment differ per application type and per
council (Westminster: planning 21 days, comments count until the decision; licensing 28 days for
new premises licences and full variations, 10 working days for minor variations, late ones refused).
They live in the TOML, never in code; this module only reads and checks them.

A working day is Monday to Friday and not one of the council's `bank_holidays` (the Licensing Act
2003 regulations' meaning: Christmas Day, Good Friday and bank holidays in England and Wales are
not working days). The list is the council's to keep: a deadline counted past its last year skips
weekends only, and the service says so in its log at start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportit.applications import late_words
from reportit.applications.representation_rules import Redaction, load_redaction

REGIMES = ("planning", "licensing")
LATE_RULES = ("until_decision", "refused")


log = logging.getLogger(__name__)


class RulesError(ValueError):
    """Raised with the TOML key that holds the mistake (the catalogue turns it into a CatalogueError)."""


@dataclass(frozen=True)
class ApplicationType:
    regime: str
    code: str
    name: str
    consultation_days: int
    working_days: bool = False
    # "until_decision": comments after the consultation closes still count until the decision;
    # "refused": representations after the deadline cannot be accepted.
    late_comments: str = "until_decision"
    default: bool = False  # the rules for types of this regime the council has not listed
    # The council's words once comments close ("": the service's own, see late_words).
    late_text: str = ""
    closed_text: str = ""
    refused_text: str = ""

    def late_words(self) -> str:
        """Whether a late comment still counts, in one sentence."""
        return (self.late_text or late_words.LATE_TEXT[self.late_comments]).format()

    def own_late_words(self) -> str:
        """The council's own sentence on late comments for this type ("" when it words none)."""
        return self.late_text.format() if self.late_text else ""

    def closed_words(self, day: str) -> str:
        """The deadline's sentence once the consultation has closed."""
        return (self.closed_text or late_words.closed_text(self.regime, self.late_comments)).format(day=day)

    def refused_words(self, day: str, received: str) -> str:
        """Why a late representation is turned away, and what the resident can still do."""
        return (self.refused_text or late_words.REFUSED_TEXT).format(day=day, received=received)

    def consultation_end(self, start: date, bank_holidays: frozenset[date] = frozenset()) -> date:
        if not self.working_days:
            return start + timedelta(days=self.consultation_days)
        day, left = start, self.consultation_days
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in bank_holidays:
                left -= 1
        return day


@dataclass(frozen=True)
class Feed:
    """A URL the server polls for applications in the import's formats."""

    url: str
    regime: str = "planning"
    every_minutes: int = 60


@dataclass(frozen=True)
class ApplicationRules:
    types: tuple[ApplicationType, ...] = ()
    timezone: str = "Europe/London"
    feeds: tuple[Feed, ...] = field(default=())
    redaction: Redaction = field(default_factory=Redaction)
    bank_holidays: frozenset[date] = frozenset()

    def consultation_end(self, regime: str, code: str, start: date) -> date:
        return self.type_for(regime, code).consultation_end(start, self.bank_holidays)

    def type_for(self, regime: str, code: str) -> ApplicationType:
        """The rules for an application type; an unlisted one gets its regime's default."""
        for kind in self.types:
            if kind.regime == regime and kind.code == code:
                return kind
        for kind in self.types:
            if kind.regime == regime and kind.default:
                return kind
        return ApplicationType(regime, code, code.replace("-", " ").capitalize() or "Application",
                               21 if regime == "planning" else 28,
                               late_comments="until_decision" if regime == "planning" else "refused")

    def type_name(self, regime: str, code: str) -> str:
        kind = next((k for k in self.types if k.regime == regime and k.code == code), None)
        return kind.name if kind else (code.replace("-", " ").capitalize() or "Application")

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_rules(raw: Any) -> ApplicationRules:
    """`[applications]` with `timezone`, `[[applications.types]]` and `[[applications.feeds]]`."""
    if raw is None:
        return ApplicationRules()
    if not isinstance(raw, Mapping):
        raise RulesError("applications: must be a table, written [applications]")
    for key in raw:
        if key not in ("types", "timezone", "feeds", "representations", "bank_holidays"):
            raise RulesError(f"applications.{key}: not a known key; use one of: types, timezone, feeds, "
                             "representations, bank_holidays")
    timezone = raw.get("timezone", "Europe/London")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise RulesError(f"applications.timezone: {timezone!r} is not a time zone (e.g. \"Europe/London\")") from None
    types = tuple(_type(item, f"applications.types[{i}]") for i, item in enumerate(_list(raw, "types")))
    seen: set[tuple[str, str]] = set()
    for i, kind in enumerate(types):
        if (kind.regime, kind.code) in seen:
            raise RulesError(f"applications.types[{i}].code: {kind.code!r} is listed twice for {kind.regime}")
        seen.add((kind.regime, kind.code))
    for regime in REGIMES:
        if sum(1 for k in types if k.regime == regime and k.default) > 1:
            raise RulesError(f"applications.types: only one {regime} type may have default = true")
    feeds = tuple(_feed(item, f"applications.feeds[{i}]") for i, item in enumerate(_list(raw, "feeds")))
    holidays = _bank_holidays(raw.get("bank_holidays", []))
    if any(kind.working_days for kind in types):
        _warn_if_uncovered(holidays, ZoneInfo(str(timezone)))
    return ApplicationRules(types=types, timezone=str(timezone), feeds=feeds,
                            redaction=load_redaction(raw.get("representations")), bank_holidays=holidays)


def _bank_holidays(raw: Any) -> frozenset[date]:
    """TOML dates (2026-12-25) or the same in quotes ("2026-12-25")."""
    if not isinstance(raw, list):
        raise RulesError('applications.bank_holidays: must be a list of dates, e.g. [2026-12-25, 2026-12-28]')
    days: set[date] = set()
    for i, value in enumerate(raw):
        if isinstance(value, date) and not isinstance(value, datetime):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise RulesError(f"applications.bank_holidays[{i}]: {value!r} is not a date; write it as 2026-12-25") from None
    return frozenset(days)


def _warn_if_uncovered(holidays: frozenset[date], zone: ZoneInfo) -> None:
    """Working-day deadlines reach a few weeks ahead: say so when the list stops before then."""
    ahead = datetime.now(zone).date() + timedelta(days=60)
    if not holidays or max(holidays) < ahead:
        last = max(holidays).isoformat() if holidays else "none"
        log.warning("event=bank_holidays_run_out last=%s hint=add_the_coming_year_to_applications.bank_holidays "
                    "effect=working_day_deadlines_skip_weekends_only", last)


def _list(raw: Mapping[str, Any], key: str) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise RulesError(f"applications.{key}: must be a list of tables, written [[applications.{key}]]")
    return value


FIELDS = {"regime": str, "code": str, "name": str, "consultation_days": int, "working_days": bool,
          "late_comments": str, "default": bool, "late_text": str, "closed_text": str, "refused_text": str}


def _type(raw: Any, path: str) -> ApplicationType:
    values = _checked(raw, path, FIELDS, required=("regime", "code", "name", "consultation_days"))
    if values["regime"] not in REGIMES:
        raise RulesError(f"{path}.regime: {values['regime']!r} is not a regime; use one of: {', '.join(REGIMES)}")
    if values.get("late_comments", "until_decision") not in LATE_RULES:
        raise RulesError(f"{path}.late_comments: {values['late_comments']!r} is not a rule; "
                         f"use one of: {', '.join(LATE_RULES)}")
    if not 1 <= values["consultation_days"] <= 366:
        raise RulesError(f"{path}.consultation_days: must be between 1 and 366")
    late_words.check_words(values, path)
    return ApplicationType(**values)


def _feed(raw: Any, path: str) -> Feed:
    values = _checked(raw, path, {"url": str, "regime": str, "every_minutes": int}, required=("url",))
    if not values["url"].startswith(("http://", "https://")):
        raise RulesError(f"{path}.url: must start with http:// or https://")
    if values.get("regime", "planning") not in REGIMES:
        raise RulesError(f"{path}.regime: use one of: {', '.join(REGIMES)}")
    if values.get("every_minutes", 60) < 1:
        raise RulesError(f"{path}.every_minutes: must be 1 or more")
    return Feed(**values)


WORDS = {str: "text in quotes", int: "a whole number", bool: "true or false"}


def _checked(raw: Any, path: str, fields: dict[str, type], *, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise RulesError(f"{path}: must be a table")
    for key, value in raw.items():
        if key not in fields:
            raise RulesError(f"{path}.{key}: not a known key; use one of: {', '.join(fields)}")
        wanted = fields[key]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise RulesError(f"{path}.{key}: {value!r} is not {WORDS[wanted]}")
    for key in required:
        if key not in raw:
            raise RulesError(f"{path}.{key}: missing; every entry here needs one")
    return dict(raw)
