"""Report references: short, unguessable, and unambiguous when read aloud over the phone."""

from __future__ import annotations

import re
import secrets
import string

# No 0/O, 1/I/L, and no U (avoids accidental words); 30 symbols, 8 long: about 6.6e11 references.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_PATTERN = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def _listed(items: list[str]) -> str:
    return " or ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


# For help text: "the letters I, L, O or U, or the numbers 0 or 1", always true to ALPHABET.
NEVER_CONTAINS = ", or ".join(
    f"the {kind} {_listed(missing)}"
    for kind, pool in (("letters", string.ascii_uppercase), ("numbers", string.digits))
    if (missing := [c for c in pool if c not in ALPHABET])
)


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical reference for what a person typed ("k7qm-4xrt " -> "K7QM4XRT"), or None."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    return cleaned if _PATTERN.match(cleaned) else None


def spoken(reference: str) -> str:
    """Grouped for reading aloud: K7QM-4XRT."""
    return f"{reference[:4]}-{reference[4:]}"
