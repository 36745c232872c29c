"""Report references: short, unguessable, and unambiguous when read aloud over the phone."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, and no U (avoids accidental words); 30 symbols, 8 long: about 6.6e11 references.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_PATTERN = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical reference for what a person typed ("k7qm-4xrt " -> "K7QM4XRT"), or None."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    return cleaned if _PATTERN.match(cleaned) else None


def spoken(reference: str) -> str:
    """Grouped for reading aloud: K7QM-4XRT."""
    return f"{reference[:4]}-{reference[4:]}"
