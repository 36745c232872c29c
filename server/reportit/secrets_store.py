"""Secrets generated into the data dir on first run, readable only by the service's user."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret(data_dir: Path, name: str, nbytes: int = 32) -> str:
    """The secret `name`, created (mode 0600) if it does not exist yet."""
    path = data_dir / "secrets" / name
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value
