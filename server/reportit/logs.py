"""Structured logging: one line per event, key=value, to stderr."""

from __future__ import annotations

import logging
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
    # Piccolo announces "Running Sqlite version 3.4" (sic) at INFO on every engine start: noise.
    logging.getLogger("piccolo").setLevel(logging.WARNING)
