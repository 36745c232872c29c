"""What a resident may save as an alert, read from the app's JSON, with messages they understand."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reportit.alerts.tables import EMAIL_MODES
from reportit.problems import FieldError, invalid
from reportit.settings import Settings

MIN_RADIUS = 100
MAX_RADIUS = 2000
KINDS = ("planning", "licensing", "changes", "problems")
MAX_LABEL = 80
MAX_REFERENCE = 40
RADIUS_MESSAGE = "Choose a distance between 100 metres and 2 kilometres."
TITLE = "Check your alert"
MAX_WARD = 200
WARD_MESSAGE = "Choose a ward from the list."


@dataclass(frozen=True)
class AlertSpec:
    label: str
    latitude: float | None
    longitude: float | None
    radius: int | None
    application: str
    kinds: tuple[str, ...]
    categories: tuple[str, ...]
    email: str
    ward: str = ""  # a ward alert: the ward as the app gave it (name or id), then as places names it


def read_kinds(raw: Any, errors: list[FieldError], *, text: bool = False) -> tuple[str, ...]:
    """A list (JSON), or with `text` a comma list (a query string)."""
    if text and isinstance(raw, str):
        raw = [k for k in raw.split(",") if k]
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        errors.append(FieldError("kinds", "Choose what you want to hear about."))
        return ()
    unknown = [k for k in raw if k not in KINDS]
    if unknown:
        errors.append(FieldError("kinds", f"We don't send alerts about \"{unknown[0][:40]}\". Choose from: new "
                                 "planning applications, new licensing applications, changes to applications, "
                                 "new reported problems."))
        return ()
    if not raw:
        errors.append(FieldError("kinds", "Choose at least one thing to hear about."))
    return tuple(k for k in KINDS if k in raw)


def read_point(body: dict, settings: Settings, errors: list[FieldError]) -> tuple[float | None, float | None]:
    lat, lng = body.get("latitude"), body.get("longitude")
    try:
        lat, lng = float(lat), float(lng)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.append(FieldError("latitude", "Choose a place on the map, use your location, or type a postcode."))
        return None, None
    if isinstance(body.get("latitude"), bool) or not (math.isfinite(lat) and -90 <= lat <= 90
                                                       and math.isfinite(lng) and -180 <= lng <= 180):
        errors.append(FieldError("latitude", "That place could not be read. Choose it on the map again."))
        return None, None
    if not settings.catalogue.map.contains(lat, lng):
        errors.append(FieldError("latitude", f"That place is outside the area {settings.catalogue.council.name} "
                                 "looks after. Choose a place inside it."))
        return None, None
    return lat, lng


def read_radius(raw: Any, errors: list[FieldError]) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        errors.append(FieldError("radius", RADIUS_MESSAGE))
        return None
    try:
        radius = float(raw)
    except ValueError:
        errors.append(FieldError("radius", RADIUS_MESSAGE))
        return None
    if not (math.isfinite(radius) and MIN_RADIUS <= radius <= MAX_RADIUS):
        errors.append(FieldError("radius", RADIUS_MESSAGE))
        return None
    return round(radius)


def read_categories(raw: Any, settings: Settings, errors: list[FieldError], *, text: bool = False
                    ) -> tuple[str, ...]:
    if raw in (None, "") and (text or raw is None):
        return ()
    if text and isinstance(raw, str):
        raw = [c for c in raw.split(",") if c]
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        errors.append(FieldError("categories", "Choose the kinds of problem from the list."))
        return ()
    for code in raw:
        category = settings.catalogue.category(code)
        if category is None or category.private:
            errors.append(FieldError("categories", f"\"{code[:40]}\" is not a kind of problem we can alert you "
                                     "about. Choose from the list."))
            return ()
    return tuple(dict.fromkeys(raw))


def read_alert(body: dict, settings: Settings) -> AlertSpec:
    """A whole alert from the app's JSON, or one 422 listing everything to put right."""
    errors: list[FieldError] = []
    label = body.get("label", "")
    if not isinstance(label, str) or len(label.strip()) > MAX_LABEL:
        errors.append(FieldError("label", f"Give the place a name of at most {MAX_LABEL} characters."))
        label = ""
    email = body.get("email", "immediate")
    if email not in EMAIL_MODES:
        errors.append(FieldError("email", "Choose how to email you: straight away, once a day, or never."))
    application = body.get("application", "")
    if application not in (None, ""):
        if not isinstance(application, str) or not application.strip() or len(application) > MAX_REFERENCE \
                or not application.isprintable():
            errors.append(FieldError("application", "That application reference could not be read."))
            application = ""
        kinds = read_kinds(body.get("kinds", ["changes"]), errors)
        if kinds and kinds != ("changes",):
            errors.append(FieldError("kinds", "Following an application tells you about changes to it only."))
        if errors:
            raise invalid(errors, title=TITLE)
        return AlertSpec(label.strip(), None, None, None, application.strip(), ("changes",), (), email)
    ward = body.get("ward")
    # A ward alert: a ward named, or the ward field sent with no place (the app's "A whole ward"
    # with none chosen yet is told to choose one, not to choose a place).
    if ward not in (None, "") or ("ward" in body and body.get("latitude") in (None, "")):
        if isinstance(ward, bool) or not isinstance(ward, (str, int)) or len(str(ward).strip()) > MAX_WARD \
                or not str(ward).strip() or not str(ward).isprintable():
            errors.append(FieldError("ward", WARD_MESSAGE))
            ward = ""
        kinds = read_kinds(body.get("kinds"), errors)
        categories = read_categories(body.get("categories"), settings, errors)
        if errors:
            raise invalid(errors, title=TITLE)
        return AlertSpec(label.strip(), None, None, None, "", kinds, categories if "problems" in kinds else (), email,
                         ward=str(ward).strip())
    lat, lng = read_point(body, settings, errors)
    radius = read_radius(body.get("radius"), errors)
    kinds = read_kinds(body.get("kinds"), errors)
    categories = read_categories(body.get("categories"), settings, errors)
    if errors:
        raise invalid(errors, title=TITLE)
    return AlertSpec(label.strip(), lat, lng, radius, "", kinds, categories if "problems" in kinds else (), email)
