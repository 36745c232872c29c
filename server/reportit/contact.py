"""The rules for a contact email address and phone number, with the messages that explain them:
one set for a reporter's details, a follower's email and a staff member's sign-in address."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")
MAX_EMAIL = 320  # RFC 5321's longest address

EMAIL_MESSAGE = "Enter an email address in the right format, like name@example.com."
PHONE_MESSAGE = "Enter a phone number, like 07700 900 982 or +44 7700 900 982."


def valid_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL and bool(_EMAIL.match(text))


def valid_phone(text: str) -> bool:
    return bool(_PHONE.match(text))
