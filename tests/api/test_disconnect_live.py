"""A phone that drops its signal mid-upload is a normal event: one INFO line, no traceback."""

from __future__ import annotations

import socket
import time
import uuid
from urllib.parse import urlparse

import httpx

from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.conftest import separate_env, running_server
from tests.photo_samples import jpeg_with_exif


def _drop_mid_upload(url: str, path: str, headers: dict[str, str], file_field: str = "photo") -> None:
    content_type, parts = multipart(pothole(), [("photo.jpg", jpeg_with_exif() * 20)], file_field=file_field)
    body = b"".join(parts)
    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port), timeout=20) as sock:
        head = (f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n")
        sock.sendall(head.encode() + body[: len(body) // 2])
        time.sleep(0.3)  # the server is reading the body when the signal goes


def test_a_phone_dropping_mid_upload_is_logged_as_one_info_line(server_env, tmp_path):
    with running_server(separate_env(server_env, tmp_path), REPORTIT_LOG_LEVEL="INFO") as (url, process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        _drop_mid_upload(url, "/api/reports", {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        _drop_mid_upload(url, "/open311/v2/requests.json", {}, file_field="media")
        time.sleep(0.5)
        assert httpx.get(f"{url}/api/categories").status_code == 200  # and it carries on
    log = process.output

    dropped = [line for line in log.splitlines() if "event=client_disconnected" in line]
    assert len(dropped) == 2, log
    assert all("level=INFO" in line for line in dropped)
    for noise in ("Traceback", "unhandled_error", "open311_error", "level=ERROR"):
        assert noise not in log, log
