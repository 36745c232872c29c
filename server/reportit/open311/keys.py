"""API keys for systems that POST to Open311: issued once, stored as a SHA-256, checked by hash."""

from __future__ import annotations

import hashlib
import secrets
import sys
from dataclasses import dataclass

from reportit import database
from reportit.open311.tables import ApiKey
from reportit.problems import Problem

KEY_PREFIX = "ri311_"
MAX_NAME = 100


@dataclass(frozen=True)
class IssuedKey:
    id: int
    name: str
    key: str  # shown once, never stored


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(name: str) -> IssuedKey:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Problem(
            400, "Bad key name", f"Give the key a name of 1 to {MAX_NAME} characters, such as the system that will use it."
        )
    if await ApiKey.exists().where(ApiKey.name == name):
        raise Problem(409, "Name in use", f"There is already a key called {name!r}. Choose another name.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, key_hash=_digest(key), prefix=key[: len(KEY_PREFIX) + 4])
    try:
        await row.save()
    except database.UNIQUE_VIOLATIONS:
        raise Problem(409, "Name in use", f"There is already a key called {name!r}. Choose another name.") from None
    return IssuedKey(id=row.id, name=name, key=key)


async def key_for(presented: str) -> ApiKey | None:
    """The active key matching what a caller sent, or None.

    Looking up by hash means the comparison never touches the secret itself, so timing tells nothing.
    """
    if not presented:
        return None
    active = ApiKey.active == True  # noqa: E712
    return await ApiKey.objects().where((ApiKey.key_hash == _digest(presented.strip())) & active).first()


async def print_new_key(name: str) -> None:
    """`reportit apikey add NAME`: the only time the key is ever shown."""
    issued = await create_key(name)
    sys.stdout.write(f"{issued.key}\n")
    sys.stderr.write(f"API key {issued.name!r} created. Copy it now: it cannot be shown again.\n")


async def print_keys() -> None:
    """`reportit apikey list`: names and prefixes only."""
    for row in await ApiKey.select(ApiKey.name, ApiKey.prefix, ApiKey.active, ApiKey.created_at).order_by(ApiKey.name):
        state = "active" if row["active"] else "inactive"
        sys.stdout.write(f"{row['name']}\t{row['prefix']}…\t{state}\t{row['created_at']:%Y-%m-%d}\n")
