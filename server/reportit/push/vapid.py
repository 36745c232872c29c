"""The VAPID key pair (RFC 8292): made in the data dir on first run, kept private (mode 0600).

Only the private key is stored; the public key (the `applicationServerKey` browsers subscribe
with) is derived from it, so the two can never disagree.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reportit.push import base64url

log = logging.getLogger(__name__)

FILENAME = "vapid_private.pem"


@dataclass(frozen=True)
class VapidKeys:
    private_pem: bytes
    public_pem: bytes
    application_server_key: str  # base64url, uncompressed P-256 point: what PushManager.subscribe wants


def key_path(data_dir: Path) -> Path:
    return data_dir / "secrets" / FILENAME


def load_or_create(data_dir: Path) -> VapidKeys:
    path = key_path(data_dir)
    if not path.is_file():
        try:
            _write_new(path, exclusive=True)
            log.info("event=vapid_keys_created path=%s", path)
        except FileExistsError:  # another process made them first: use theirs
            pass
    return _load(path.read_bytes())


class VapidKeyring:
    """The keys in the data dir as they are now: `reportit vapid --rotate`, run in another process,
    takes effect here without a restart (the file is re-read when its inode, size or mtime change;
    a stat is all each call costs)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._stamp: tuple[int, int, int] | None = None
        self._keys: VapidKeys | None = None

    def current(self) -> VapidKeys:
        stamp = _stamp(key_path(self.data_dir))
        if self._keys is None or stamp != self._stamp:
            keys = load_or_create(self.data_dir)
            if self._keys is not None and keys.application_server_key != self._keys.application_server_key:
                log.warning("event=vapid_keys_reloaded public_key=%s", keys.application_server_key)
            # The stamp from before reading: a rotation landing meanwhile changes it, so the next call
            # reads again (at worst once too often, never stuck on the old keys).
            self._keys, self._stamp = keys, stamp
        return self._keys


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def rotate(data_dir: Path) -> VapidKeys:
    """A new key pair. Every existing subscription was made for the old key and stops working."""
    path = key_path(data_dir)
    _write_new(path, exclusive=False)
    log.warning("event=vapid_keys_rotated path=%s", path)
    return _load(path.read_bytes())


def _write_new(path: Path, *, exclusive: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Written to a private temporary file and renamed, so no reader ever sees half a key.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    if exclusive:
        try:
            os.link(temporary, path)  # fails if the file exists: first writer wins
        finally:
            temporary.unlink()
    else:
        os.replace(temporary, path)


def _load(private_pem: bytes) -> VapidKeys:
    private_key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    public_key = private_key.public_key()
    point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return VapidKeys(
        private_pem=private_pem,
        public_pem=public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        application_server_key=base64url.encode(point),
    )
