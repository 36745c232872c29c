"""The email address a resident signs in with: read, tidied and checked, with messages they understand."""

from __future__ import annotations

from reportit.contact import EMAIL_MESSAGE, valid_email
from reportit.problems import FieldError, Problem, invalid

# RFC 5321 lets a path carry 256 octets including its angle brackets: 254 for the address itself.
MAX_SIGN_IN_EMAIL = 254


def email_error(value: object, field: str = "email") -> FieldError | None:
    if not isinstance(value, str) or not value.strip():
        return FieldError(field, "Enter your email address.")
    email = value.strip()
    if len(email) > MAX_SIGN_IN_EMAIL:
        return FieldError(field, f"An email address is at most {MAX_SIGN_IN_EMAIL} characters. Check it and try again.")
    if not valid_email(email):
        return FieldError(field, EMAIL_MESSAGE)
    return None


def sign_in_email(value: object, field: str = "email", title: str = "Check your email address") -> str:
    """The address in lower case (how accounts are kept), or a 422 that says what to put right."""
    error = email_error(value, field)
    if error is not None:
        raise invalid([error], title=title)
    assert isinstance(value, str)
    return value.strip().lower()


def body_of(payload: object) -> dict:
    if not isinstance(payload, dict):
        raise Problem(400, "Not JSON", "Send a JSON object, as the Report It app does.")
    return payload
