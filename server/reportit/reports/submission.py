"""Reading a report as the resident sent it: every field checked, every problem named at once."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from reportit.contact import EMAIL_MESSAGE, PHONE_MESSAGE, valid_email, valid_phone
from reportit import json_body
from reportit.json_body import NUL_MESSAGE
from reportit.problems import FieldError, invalid
from reportit.reports.tables import LocationSource
from reportit.reports.upload import ParsedForm
from reportit.catalogue import Category, Question
from reportit.settings import Settings

LOCATION_SOURCES = tuple(s.value for s in LocationSource if s.value)
MAX_LOCATION_TEXT = 500
MAX_SHORT_ANSWER = 200

# The form fields a report is made of; anything else is refused so typos are not lost silently.
FIELDS = (
    "category", "description", "answers", "latitude", "longitude", "accuracy", "location_source",
    "location_text", "contact_name", "contact_email", "contact_phone", "observed_at",
)


@dataclass(frozen=True)
class Submission:
    category: Category
    description: str = ""
    answers: dict = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    location_source: str = ""
    location_text: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    observed_at: datetime | None = None
    photos: tuple[bytes | bytearray, ...] = ()

    @property
    def has_location(self) -> bool:
        return self.latitude is not None or bool(self.location_text)


def fingerprint(form: ParsedForm) -> str:
    """A digest of everything sent, so a repeated Idempotency-Key can be matched to its content."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: form.fields.get(k, []) for k in sorted(form.fields)}, sort_keys=True).encode())
    for upload in form.files:
        digest.update(hashlib.sha256(upload.data).digest())
    return digest.hexdigest()


def read_submission(form: ParsedForm, settings: Settings) -> Submission:
    errors: list[FieldError] = []
    unknown = sorted(set(form.fields) - set(FIELDS))
    for name in unknown:
        errors.append(FieldError(name, f"We don't know the field '{name}'. Please update the app and try again."))
    for name in form.nul_fields():
        errors.append(FieldError(name, NUL_MESSAGE))

    category = _category(form.get("category").strip(), settings, errors)
    description = form.get("description").strip()
    if len(description) > settings.config.max_description:
        errors.append(
            FieldError(
                "description",
                f"The description must be {settings.config.max_description} characters or fewer "
                f"(it is {len(description)}). Please shorten it.",
            )
        )
    answers = _answers(form.get("answers").strip(), category, errors) if category else {}
    latitude, longitude, accuracy = _coordinates(form, settings, errors)
    location_text = form.get("location_text").strip()
    if len(location_text) > MAX_LOCATION_TEXT:
        errors.append(FieldError("location_text", f"Describe the place in {MAX_LOCATION_TEXT} characters or fewer."))
    source = form.get("location_source").strip()
    if not source:
        source = "device" if latitude is not None else ("text" if location_text else "")
    if source and source not in LOCATION_SOURCES:
        errors.append(FieldError("location_source", "The location source must be device, map, photo or text."))

    contact_name = form.get("contact_name").strip()
    contact_email = form.get("contact_email").strip()
    contact_phone = form.get("contact_phone").strip()
    if len(contact_name) > 200:
        errors.append(FieldError("contact_name", "Your name must be 200 characters or fewer."))
    if contact_email and not valid_email(contact_email):
        errors.append(FieldError("contact_email", EMAIL_MESSAGE))
    if contact_phone and not valid_phone(contact_phone):
        errors.append(FieldError("contact_phone", PHONE_MESSAGE))

    observed_at = _observed_at(form.get("observed_at").strip(), errors)

    if errors:
        raise invalid(errors)
    assert category is not None
    return Submission(
        category=category,
        description=description,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
        accuracy=accuracy,
        location_source=source,
        location_text=location_text,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        observed_at=observed_at,
        photos=tuple(f.data for f in form.files),  # not copied: five 15 MB photos would be 75 MB more
    )


def _category(code: str, settings: Settings, errors: list[FieldError]) -> Category | None:
    if not code:
        errors.append(FieldError("category", "Choose what kind of problem it is."))
        return None
    category = settings.catalogue.category(code)
    if category is None:
        errors.append(FieldError("category", "We don't know that kind of problem. Choose one from the list."))
        return None
    if category.signpost:
        s = category.signpost
        contact = " ".join(part for part in (f"Call {s.phone}." if s.phone else "", s.url) if part)
        message = f"{s.partner} deals with this, not the council. {s.message} {contact}"
        errors.append(FieldError("category", message.strip()))
        return None
    return category


def _answers(raw: str, category: Category, errors: list[FieldError]) -> dict:
    answers: dict = {}
    if raw:
        try:
            answers = json_body.loads(raw)
        except json_body.BadJson as exc:
            if exc.field:
                errors.append(FieldError(f"answers.{exc.field}", NUL_MESSAGE))
                return {}
            answers = None  # type: ignore[assignment]
        if not isinstance(answers, dict):
            errors.append(FieldError("answers", "The answers could not be read. Please update the app and try again."))
            return {}
    questions = {q.code: q for q in category.questions if q.variable}
    clean: dict = {}
    for code in answers:
        if code not in questions:
            message = f"'{code}' is not a question we ask about {category.name.lower()}."
            errors.append(FieldError(f"answers.{code}", message))
    for code, question in questions.items():
        value = answers.get(code)
        if value in (None, "", []):
            if question.required:
                errors.append(FieldError(f"answers.{code}", f"Please answer: {question.description}"))
            continue
        checked = _answer(question, value, errors)
        if checked is not None:
            clean[code] = checked
    return clean


def _answer(question: Question, value: object, errors: list[FieldError]) -> object | None:
    where = f"answers.{question.code}"
    if question.datatype == "singlevaluelist":
        choice = question.choice(value) if isinstance(value, str) else None
        if choice is None:
            errors.append(FieldError(where, f"Choose one of the options for: {question.description}"))
            return None
        if choice.blocks:
            errors.append(FieldError(where, choice.blocks))
            return None
        return choice.key
    if question.datatype == "multivaluelist":
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and question.choice(v) for v in values):
            errors.append(FieldError(where, f"Choose from the options for: {question.description}"))
            return None
        blocking = next((question.choice(v).blocks for v in values if question.choice(v).blocks), None)  # type: ignore[union-attr]
        if blocking:
            errors.append(FieldError(where, blocking))
            return None
        return sorted(set(values), key=[c.key for c in question.values].index)
    if question.datatype == "number":
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            errors.append(FieldError(where, f"Enter a number for: {question.description}"))
            return None
        return number
    if question.datatype == "datetime":
        when = _parse_datetime(value) if isinstance(value, str) else None
        if when is None:
            errors.append(FieldError(where, f"Enter a date, like 2026-11-25, for: {question.description}"))
            return None
        return value
    if not isinstance(value, str):
        errors.append(FieldError(where, f"Enter text for: {question.description}"))
        return None
    limit = MAX_SHORT_ANSWER if question.datatype == "string" else 4000
    if len(value) > limit:
        errors.append(FieldError(where, f"Your answer must be {limit} characters or fewer."))
        return None
    return value.strip()


def _coordinates(form: ParsedForm, settings: Settings, errors: list[FieldError]):
    raw_lat, raw_lng, raw_acc = (form.get(k).strip() for k in ("latitude", "longitude", "accuracy"))
    if not raw_lat and not raw_lng:
        if raw_acc:
            errors.append(FieldError("accuracy", "An accuracy was sent without a location."))
        return None, None, None
    try:
        lat, lng = float(raw_lat), float(raw_lng)
    except ValueError:
        message = "The location could not be read. Try finding it again, or describe the place in words."
        errors.append(FieldError("latitude", message))
        return None, None, None
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        errors.append(FieldError("latitude", "Latitude must be between -90 and 90."))
        return None, None, None
    if not (math.isfinite(lng) and -180 <= lng <= 180):
        errors.append(FieldError("longitude", "Longitude must be between -180 and 180."))
        return None, None, None
    if not settings.catalogue.map.contains(lat, lng):
        errors.append(
            FieldError(
                "latitude",
                f"That place is outside the area {settings.catalogue.council.name} looks after. "
                "Check the location, or report it to the council for that area.",
            )
        )
        return None, None, None
    accuracy = None
    if raw_acc:
        try:
            accuracy = float(raw_acc)
        except ValueError:
            accuracy = -1.0
        if not (math.isfinite(accuracy) and 0 <= accuracy <= 100_000):
            errors.append(FieldError("accuracy", "The location accuracy must be a number of metres."))
            accuracy = None
    return lat, lng, accuracy


def _parse_datetime(text: str) -> datetime | None:
    """In UTC; None for anything unreadable, including a time that UTC cannot hold (0001-01-01+23:59)."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        return None


def _observed_at(text: str, errors: list[FieldError]) -> datetime | None:
    if not text:
        return None
    when = _parse_datetime(text)
    if when is None:
        errors.append(FieldError("observed_at", "The time the problem was seen could not be read."))
        return None
    if when > datetime.now(timezone.utc) + timedelta(minutes=10):
        message = "The time the problem was seen is in the future. Check your phone's clock."
        errors.append(FieldError("observed_at", message))
        return None
    return when
