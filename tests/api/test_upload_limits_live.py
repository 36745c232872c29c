"""Oversized uploads are refused by a real server before the body is read in full."""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import running_server, separate_env


@pytest.fixture(scope="module")
def live_server(server_env, tmp_path_factory):
    """This module's own server, stopped when the module ends: the session's shared one would keep
    its notification sender running beside the push tests' and race them for their messages."""
    with running_server(separate_env(server_env, tmp_path_factory.mktemp("limits_live"))) as (url, _process):
        yield url


def _connect(live_server: str) -> socket.socket:
    url = urlparse(live_server)
    sock = socket.create_connection((url.hostname, url.port), timeout=20)
    return sock


def _read_status(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def _token(live_server: str) -> str:
    return httpx.post(f"{live_server}/api/devices").json()["token"]


def test_a_declared_body_over_the_limit_is_refused_before_any_of_it_is_sent(live_server):
    token = _token(live_server)
    sock = _connect(live_server)
    sock.sendall(
        b"POST /api/reports HTTP/1.1\r\nHost: test\r\n"
        + f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n".encode()
        + b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000000\r\n\r\n"
    )
    status, head = _read_status(sock)  # no body byte was sent: the answer cannot depend on it
    sock.close()
    assert status == 413
    assert b"application/problem+json" in head


def test_a_streamed_photo_over_the_limit_is_refused_while_it_is_still_arriving(live_server):
    token = _token(live_server)
    sock = _connect(live_server)
    sock.sendall(
        b"POST /api/reports HTTP/1.1\r\nHost: test\r\n"
        + f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n".encode()
        + b"Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    sock.sendall(chunk(b'--b\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\n'
                       b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff"))
    # 16 MB of a photo that would go on for 1 GB; the request is never finished.
    block = b"\0" * (1024 * 1024)
    for _ in range(16):
        sock.sendall(chunk(block))
    status, head = _read_status(sock)
    sock.close()
    assert status == 413
    assert b"application/problem+json" in head
