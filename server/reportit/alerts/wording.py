"""What an alert says, worded when it is queued (the outbox keeps the words): a short title saying
what and where (the street, then the alert's own name or its ward), and a body with what the title
leaves out (the ward, the council's address), so a push on a lock screen, an email's subject and a
line of the daily digest each say where without opening the app.

    Pothole reported on Regent Street, near Work        West End ward. Open the report to …
    Pothole reported on Regent Street, West End ward    Open the report to see what was …
    New planning application near Home                 4 Argyll Place (Regent Street, West End ward): …

Only words the council or the places domain gave: never the resident's own (they may be redacted
after a row is queued; the report's page shows what is public when it is opened).
"""

from __future__ import annotations

from reportit.alerts.matching import Match
from reportit.places.naming import place_words
from reportit.reports.references import spoken

MAX_BODY = 300
TITLE_SUMMARY = 120


def cut(text: str, limit: int = MAX_BODY) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ward_words(ward: str) -> str:
    return place_words("", ward)


def alert_name(match: Match) -> str:
    """"near Home" for a place alert ("near me" for one named "Near me", nothing for one with no
    name); "West End ward" for a ward alert."""
    if match.ward:
        return ward_words(match.ward)
    label = " ".join(match.label.split())
    if not label:
        return ""
    return "near " + label[5:] if label.lower().startswith("near ") else f"near {label}"


def _in(match: Match) -> str:
    """Where the news is, by the alert alone: "near Home", "in West End ward"."""
    name = alert_name(match)
    return f"in {name}" if match.ward else (name or "near your alert area")


def _left_out(said: str, street: str, ward: str) -> str:
    """The street and ward in words, less what `said` already names."""
    said = said.lower()
    return place_words(street if street.lower() not in said else "",
                       ward if ward_words(ward).lower() not in said else "")


def report_title(category: str, street: str, match: Match) -> str:
    if not street:
        return f"{category} reported {_in(match)}"
    name = alert_name(match)
    said = name and name.lower() != f"near {street}".lower()  # an alert named after this street says no more
    return f"{category} reported on {street}" + (f", {name}" if said else "")


def report_body(reference: str, street: str, ward: str, title: str) -> str:
    ask = f"Open the report to see what was reported and to follow it ({spoken(reference)})."
    where = _left_out(title, street, ward)
    return f"{where}. {ask}" if where else ask


def received_title(regime: str, match: Match) -> str:
    return f"New {regime} application {_in(match)}"


def received_body(address: str, description: str, street: str, ward: str, title: str) -> str:
    where = _where(address, street, ward, title)
    return cut(f"{where}: {description}" if where else description)


def changed_title(reference: str, summary: str) -> str:
    return f"Application {reference}: {cut(summary, TITLE_SUMMARY)}"


def changed_body(address: str, summary: str, street: str, ward: str) -> str:
    return cut(_where(address, street, ward, "") or summary)


def _where(address: str, street: str, ward: str, title: str) -> str:
    """The council's address, with the street and ward it (or the title) leaves out:
    "Land at the rear of 4 Argyll Place (Regent Street, West End ward)"."""
    extra = _left_out(f"{title} {address}", street, ward)
    if not address:
        return extra
    return f"{address} ({extra})" if extra else address
