"""Structured logging: one line per event, key=value, to stderr."""

from __future__ import annotations

import logging
import re
import sys

FORMAT = "ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def configure(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_reportit", False) for h in root.handlers):
        root.setLevel(level.upper())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    handler._reportit = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    redact_access_log()
    # Piccolo announces "Running Sqlite version 3.4" (sic) at INFO on every engine start: noise.
    logging.getLogger("piccolo").setLevel(logging.WARNING)


# Paths whose last part, or whose query, is a secret: a sign-in link's code, a password-reset or
# email-confirmation token, an unsubscribe token. Whoever reads the access log must not be able to use them.
SECRET_PATHS = re.compile(r"^(/account/verify|/console/password-reset/|/confirm-email/|/unsubscribe/)([^ ]*)")


class RedactSecrets(logging.Filter):
    """uvicorn's access log line carries the full path and query: keep the route, drop the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = SECRET_PATHS.sub(lambda m: m.group(1) + ("…" if m.group(2) else ""), args[2])
            if path != args[2]:
                record.args = (*args[:2], path, *args[3:])
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
