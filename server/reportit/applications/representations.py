"""Representations (comments, objections, support) on applications: reading what a resident sent,
the council's rules on when one is received, and storing it exactly once.

The time of receipt is the server's. Once the consultation has closed, the council's rule for the
application's type decides: "until_decision" (planning) accepts it and marks it late; "refused"
(licensing) turns it away with a plain explanation. Nothing is written for a refused one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Collection, Mapping

from reportit.accounts.addresses import sign_in_email
from reportit.applications.deadline import closing_day, day_words
from reportit.applications.representation_rules import SENTIMENTS, Redaction, grounds_for
from reportit.applications.representation_tables import Representation
from reportit.applications.rules import ApplicationRules
from reportit.problems import FieldError, Problem, invalid

MAX_TEXT = 6000
MAX_NAME = 200
MAX_ADDRESS = 500


@dataclass(frozen=True)
class Written:
    """A representation as the resident wrote it, checked."""

    sentiment: str
    grounds: tuple[str, ...]
    text: str
    name: str
    address: str
    email: str  # "" when the signed-in account's address is used
    code: str

    def fingerprint(self) -> str:
        content = {"sentiment": self.sentiment, "grounds": list(self.grounds), "text": self.text, "name": self.name,
                   "address": self.address}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def as_row(self, email: str) -> dict[str, Any]:
        return {"sentiment": self.sentiment, "grounds": list(self.grounds), "text": self.text, "name": self.name,
                "address": self.address, "email": email}


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    return value.strip() if isinstance(value, str) else ""


def read_written(body: Mapping[str, Any], regime: str) -> Written:
    """Every mistake at once, each on its field, in words a resident can act on."""
    errors: list[FieldError] = []
    sentiment = _text(body, "sentiment")
    if sentiment not in SENTIMENTS:
        errors.append(FieldError("sentiment", "Say whether you object, support, or want to comment."))
    raw = body.get("grounds", [])
    allowed = grounds_for(regime)
    grounds: tuple[str, ...] = ()
    if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw):
        errors.append(FieldError("grounds", "Choose the grounds from the list."))
    else:
        unknown = [g for g in raw if g not in allowed]
        if unknown:
            errors.append(FieldError("grounds", f"“{unknown[0][:40]}” is not one of the grounds for a {regime} "
                                     f"application. Choose from: {', '.join(allowed.values())}."))
        grounds = tuple(dict.fromkeys(g for g in raw if g in allowed))
        if regime == "licensing" and not unknown and not grounds:
            errors.append(FieldError("grounds", "A licensing representation must relate to at least one of the four "
                                     "licensing objectives: the prevention of crime and disorder, public safety, the "
                                     "prevention of public nuisance, or the protection of children from harm. Choose "
                                     "the ones your representation is about."))
    text = _text(body, "text")
    if not text:
        errors.append(FieldError("text", "Write what you want to say about the application."))
    elif len(text) > MAX_TEXT:
        errors.append(FieldError("text", f"Keep it to {MAX_TEXT} characters ({len(text)} now)."))
    name = _text(body, "name")
    if not name:
        errors.append(FieldError("name", "Give your name: the council cannot consider a representation without it. "
                                 "It is never published."))
    elif len(name) > MAX_NAME:
        errors.append(FieldError("name", f"Keep your name to {MAX_NAME} characters."))
    address = _text(body, "address")
    if not address:
        errors.append(FieldError("address", "Give your postal address: the council needs it to consider your "
                                 "representation. Only the street is ever published."))
    elif len(address) > MAX_ADDRESS:
        errors.append(FieldError("address", f"Keep the address to {MAX_ADDRESS} characters."))
    email = ""
    if body.get("email"):
        try:
            email = sign_in_email(body.get("email"))
        except Problem as problem:
            errors += problem.errors
    code = body.get("code")
    if errors:
        raise invalid(errors, title="Please check your representation")
    return Written(sentiment, grounds, text, name, address, email, code if isinstance(code, str) else "")


NO_SUCH = "We have no application with the reference {ref}. Check it against the council's letter or site notice."


def admit(application: Mapping[str, Any], rules: ApplicationRules, today: date) -> bool:
    """Whether the council takes a representation on this application today; True when it is late
    (and still considered). Raises a problem a resident can read when it does not."""
    status = application["status"]
    if status == "withdrawn":
        raise Problem(409, "This application was withdrawn",
                      "The applicant withdrew this application, so there is nothing to comment on any more. "
                      "If a new application is made, you can comment on that one.")
    if status in ("decided", "appealed"):
        when = f" on {day_words(application['decision_date'], today)}" if application.get("decision_date") else ""
        raise Problem(409, "This application has been decided",
                      f"The council decided this application{when}, so it no longer takes representations on it.")
    closes = closing_day(application, rules)
    if closes is None or today <= closes:
        return False
    kind = rules.type_for(application["regime"], application.get("application_type") or "")
    if kind.late_comments == "refused":
        raise Problem(409, "Too late for representations", kind.refused_words(day_words(closes, today),
                                                                             day_words(today, today)))
    return True


def parse_key(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise Problem(400, "Bad Idempotency-Key", "The Idempotency-Key header must be a UUID, like "
                      "3f1c9a3e-8f4b-4c1e-9d2a-6b7e5f0c1a2b.", [FieldError("Idempotency-Key", "Must be a UUID.")]) from None


async def repeat_of(key: str | None, written: Written) -> dict | None:
    if key is None:
        return None
    row = await Representation.select(*Representation.all_columns()).where(
        Representation.idempotency_key == key).first()
    if row is not None and row["fingerprint"] != written.fingerprint():
        raise Problem(422, "Idempotency-Key already used", "This Idempotency-Key was already used for a different "
                      "representation. Send a new one with a new key.",
                      [FieldError("Idempotency-Key", "Already used for a different representation.")])
    return row


async def store(application: Mapping[str, Any], written: Written, email: str, *, late: bool, key: str | None,
                device_id: int | None, account_id: int | None) -> dict:
    now = datetime.now(timezone.utc)
    [row] = await Representation.insert(Representation(
        application=application["id"], reference=application["reference"], sentiment=written.sentiment,
        grounds=json.dumps(list(written.grounds)), text=written.text, name=written.name, address=written.address,
        email=email, device=device_id, account=account_id, idempotency_key=key, fingerprint=written.fingerprint(),
        late=late, state="waiting", received_at=now)).returning(*Representation.all_columns())
    return row


def grounds_list(row: Mapping[str, Any]) -> list[str]:
    grounds = row["grounds"]
    return json.loads(grounds) if isinstance(grounds, str) else list(grounds or [])


def receipt_json(row: Mapping[str, Any], redaction: Redaction, regime: str,
                 known: Collection[str] = (), late_text: str = "",
                 then: str = "We will tell you the decision.") -> dict[str, Any]:
    """`late_text`: the council's own words on late comments for the application's type, if any;
    `then`: whether the decision will reach the resident, as they chose."""
    row = {**row, "grounds": grounds_list(row)}
    names = grounds_for(regime)
    rule = f" {late_text}" if late_text else ("; the council's rule for this application is that late comments are "
                                              "still considered until the decision.")
    late = f" It arrived after the consultation closed{'.' if late_text else ''}{rule}" if row["late"] else ""
    return {
        "id": row["id"], "reference": row["reference"], "sentiment": row["sentiment"],
        "grounds": row["grounds"], "grounds_names": [names.get(g, g) for g in row["grounds"]],
        "received_at": row["received_at"].isoformat(timespec="seconds"), "late": bool(row["late"]),
        "state": row["state"],
        "message": f"Your representation on {row['reference']} was received.{late} {then}",
        "published": redaction.public(row, known),
    }


def preview_json(application: Mapping[str, Any], written: Written, email: str, redaction: Redaction,
                 late: bool, known: Collection[str] = ()) -> dict[str, Any]:
    row = written.as_row(email)
    names = grounds_for(application["regime"])
    return {
        "reference": application["reference"], "late": late,
        "published": {**redaction.public(row, known), "grounds_names": [names[g] for g in written.grounds]},
        "published_words": redaction.words(),
        "case_officer": {**row, "grounds_names": [names[g] for g in written.grounds]},
        "applicant": redaction.applicant(row, known),
    }
