"""Secrets generated into the data dir on first run, readable only by the service's user."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret(data_dir: Path, name: str, nbytes: int = 32) -> str:
    """The secret `name`, created (mode 0600) if it does not exist yet.

    Workers of `reportit serve --workers N` start together and each asks for the same secrets: the
    file appears whole or not at all (written aside, then linked into place; the first link wins),
    so no worker ever reads a half-written or empty secret and every worker uses the same one."""
    path = data_dir / "secrets" / name
    if path.is_file():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(nbytes) + "\n")
    try:
        os.link(temporary, path)  # fails if another process linked theirs first: use theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _read(path)


def _read(path: Path) -> str:
    value = path.read_text().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it and start again to make a new one")
    return value
