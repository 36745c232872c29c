"""Where the resident app's files are: inside the package when installed from a wheel
(pyproject maps pwa/ and service_worker/ to reportit.pwa and reportit.service_worker),
beside server/ in a source checkout or an editable install."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def asset_dir(name: str) -> Path:
    """The directory of `pwa` or `service_worker`."""
    if name not in ("pwa", "service_worker"):
        raise ValueError(name)
    installed = _HERE / name
    return installed if installed.is_dir() else _HERE.parents[1] / name
