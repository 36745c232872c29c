"""Reading a profile change (PATCH /api/me): every problem named at once, per field."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportit.contact import PHONE_MESSAGE, valid_phone
from reportit.problems import FieldError, invalid

MAX_NAME = 200
MAX_PLACES = 5
MAX_LABEL = 40
MAX_ADDRESS = 500
FIELDS = ("name", "phone", "places")


@dataclass(frozen=True)
class ProfileChange:
    name: str | None
    phone: str | None
    places: list[dict] | None


def _text(body: dict, key: str, limit: int, what: str, errors: list[FieldError]) -> str | None:
    if key not in body:
        return None
    value = body[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(key, f"Enter {what} as text."))
        return None
    value = value.strip()
    if len(value) > limit:
        errors.append(FieldError(key, f"{what.capitalize()} must be {limit} characters or fewer."))
    return value


def _number(value: object, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if low <= value <= high else None


def _place(index: int, place: object, errors: list[FieldError]) -> dict | None:
    at = f"places[{index}]"
    if not isinstance(place, dict):
        errors.append(FieldError(at, "Each saved place needs a label, an address and a point on the map."))
        return None
    label = place.get("label")
    address = place.get("address", "")
    latitude = _number(place.get("latitude"), -90, 90)
    longitude = _number(place.get("longitude"), -180, 180)
    before = len(errors)
    if not isinstance(label, str) or not label.strip():
        errors.append(FieldError(f"{at}.label", "Give the place a name, like Home or Work."))
    elif len(label.strip()) > MAX_LABEL:
        errors.append(FieldError(f"{at}.label", f"A place's name must be {MAX_LABEL} characters or fewer."))
    if not isinstance(address, str) or len(address.strip()) > MAX_ADDRESS:
        errors.append(FieldError(f"{at}.address", f"Write the address as text, {MAX_ADDRESS} characters or fewer."))
    if latitude is None or longitude is None:
        errors.append(FieldError(f"{at}.latitude", "Choose the place on the map, or use your location."))
    if len(errors) > before:
        return None
    return {"label": label.strip(), "address": address.strip(), "latitude": latitude, "longitude": longitude}


def read_profile_change(body: dict) -> ProfileChange:
    errors: list[FieldError] = []
    if "email" in body:
        errors.append(FieldError("email", "Change your email address with a code sent to the new address "
                                          "(POST /api/me/email)."))
    name = _text(body, "name", MAX_NAME, "your name", errors)
    phone = _text(body, "phone", 40, "your phone number", errors)
    if phone and not valid_phone(phone):
        errors.append(FieldError("phone", PHONE_MESSAGE))
    places = None
    if "places" in body:
        raw = body["places"]
        if not isinstance(raw, list):
            errors.append(FieldError("places", "Send your saved places as a list."))
        elif len(raw) > MAX_PLACES:
            errors.append(FieldError("places", f"You can save up to {MAX_PLACES} places."))
        else:
            checked = [_place(i, p, errors) for i, p in enumerate(raw)]
            places = [p for p in checked if p is not None]
    if errors:
        raise invalid(errors, title="Check your details")
    return ProfileChange(name, phone, places)
