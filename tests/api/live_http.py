"""Raw HTTP/1.1 against a live server, for bodies no client library would send whole: a body is
streamed until the server answers (or it is all sent), so a server that refuses early is seen to."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlparse

MB = 1024 * 1024


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    if not data:
        raise AssertionError("the server closed the connection without answering")
    return int(data.split(b" ", 2)[1]), data


def stream_request(url: str, method: str, path: str, headers: dict[str, str], parts: list[bytes] | None = None,
                   filler: int = 0, declared_length: int | None = None) -> tuple[int, bytes]:
    """Send `parts`, then `filler` zero bytes, chunked (or announce `declared_length` and send
    nothing at all); stop as soon as the server answers. Returns (status, response head)."""
    where = urlparse(url)
    sock = socket.create_connection((where.hostname, where.port), timeout=60)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: test\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        if declared_length is not None:
            sock.sendall((head + f"Content-Length: {declared_length}\r\n\r\n").encode())
            return _read_response(sock)
        sock.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
        block = b"\0" * MB

        def blocks():
            yield from parts or []
            left = filler
            while left > 0:
                yield block[:min(left, MB)]
                left -= MB

        try:
            for data in blocks():
                if select.select([sock], [], [], 0)[0]:
                    break  # answered already: the rest is never sent
                sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_response(sock)
    finally:
        sock.close()


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]] = (), boundary: str = "reportit-test",
              file_field: str = "photo") -> tuple[str, list[bytes]]:
    """(Content-Type, body parts) of a multipart/form-data body; files are (filename, bytes)."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", parts


@contextlib.contextmanager
def held_upload(url: str, path: str, headers: dict[str, str], parts: list[bytes], nbytes: int) -> Iterator[None]:
    """A chunked upload that sends `parts` but stops after `nbytes`, and hangs up at the end of the block."""
    where = urlparse(url)
    sock = socket.create_connection((where.hostname, where.port), timeout=60)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: test\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
        body = memoryview(b"".join(parts))[:nbytes]
        for start in range(0, len(body), MB):
            data = body[start:start + MB]
            sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        time.sleep(0.5)  # the server reads what the socket buffers still hold
        yield
    finally:
        sock.close()
