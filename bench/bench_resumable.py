"""A 3-photo report (~600 KB) over a bad link: 100 kbps up, 1 s round trips, cut every 20 s.

Goals (issue 14): delivered exactly once with bytes sent / bytes needed <= 1.10, and an officer can
see the report and a preview within 10 s. Baseline, in the same run over the same link: today's
one-request multipart upload, retried with its Idempotency-Key after every cut (given up after
BASELINE_LIMIT seconds). The client follows the app's rules (lib/photo-upload.js): the report
first, then a ~20 KB preview per photo, then each photo in parts from the server's offset, parts
sized to what the link carried in about 4 s.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import tempfile
import time
import uuid

import httpx
from PIL import Image

from bench.bench_intake import _start_server
from bench.throttle import ThrottledLink

UP_BPS, DOWN_BPS, RTT, CUT_EVERY = 100_000, 250_000, 1.0, 20.0
BASELINE_LIMIT = 150.0
FIELDS = {"category": "pothole", "answers": json.dumps({"danger": "no", "size": "large"}),
          "description": "Deep hole by the zebra crossing", "latitude": "51.4975", "longitude": "-0.1357",
          "accuracy": "12", "location_source": "device"}


def photo(seed: int, target: int = 200_000) -> bytes:
    rng = random.Random(seed)
    side = 300
    while True:
        image = Image.frombytes("RGB", (side, side * 3 // 4), rng.randbytes(side * (side * 3 // 4) * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        if out.tell() >= target:
            return out.getvalue()
        side += 40


def preview(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.thumbnail((160, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def multipart(fields: list[tuple[str, str]], files: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields:
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    for n, data in enumerate(files):
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p{n}.jpg\"\r\n"
                   "Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def _retrying(call, deadline: float):
    """Call until it answers (a cut connection is retried after a second), or the deadline passes."""
    while time.monotonic() < deadline:
        try:
            return call()
        except httpx.HTTPError:
            time.sleep(1)
    return None


def baseline(link: ThrottledLink, token: str, photos: list[bytes]) -> dict:
    body, kind = multipart(list(FIELDS.items()), photos)
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": kind}
    started = time.monotonic()
    with httpx.Client(base_url=link.url, timeout=60) as client:
        answer = _retrying(lambda: client.post("/api/reports", content=body, headers=headers), started + BASELINE_LIMIT)
    took = time.monotonic() - started
    ok = answer is not None and answer.status_code in (200, 201)
    return {"path": "one request (baseline)", "delivered": ok, "seconds": took,
            "officer_sees_report_s": took if ok else float("nan"),
            "bytes_needed": len(body), "bytes_sent": link.bytes_up, "sent/needed": link.bytes_up / len(body)}


def resumable(link: ThrottledLink, token: str, photos: list[bytes]) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    declared = [("photo_sha256", hashlib.sha256(p).hexdigest()) for p in photos]
    fields = list(FIELDS.items())
    for (name, value), data in zip(declared, photos):
        fields += [(name, value), ("photo_size", str(len(data)))]
    body, kind = multipart(fields, [])
    previews = [preview(p) for p in photos]
    needed = len(body) + sum(map(len, previews)) + sum(map(len, photos))
    started = time.monotonic()
    deadline = started + 600
    seen_at = float("nan")
    with httpx.Client(base_url=link.url, timeout=30) as client:
        report = _retrying(lambda: client.post("/api/reports", content=body, headers={
            **auth, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": kind}), deadline).json()
        for n, (upload, small) in enumerate(zip(report["uploads"], previews)):
            _retrying(lambda upload=upload, small=small: client.put(upload["preview_url"], content=small,
                                         headers={**auth, "Content-Type": "image/jpeg"}).raise_for_status(), deadline)
            if n == 0:
                seen_at = time.monotonic() - started
        chunk = 16 * 1024
        for upload, data in zip(report["uploads"], photos):
            offset = int(_retrying(lambda upload=upload: client.head(upload["upload_url"], headers=auth), deadline)
                         .headers["upload-offset"])
            while offset < len(data):
                end = min(len(data), offset + chunk)
                began = time.monotonic()
                try:
                    answer = client.patch(upload["upload_url"], content=data[offset:end], headers={
                        **auth, "Content-Type": "application/partial-upload", "Upload-Offset": str(offset),
                        "Upload-Complete": "?1" if end == len(data) else "?0"}, timeout=max(30, chunk / 1000))
                except httpx.HTTPError:
                    chunk = max(8192, chunk // 2)
                    time.sleep(1)
                    offset = int(_retrying(lambda upload=upload: client.head(upload["upload_url"], headers=auth), deadline)
                                 .headers["upload-offset"])
                    continue
                answer.raise_for_status()
                rate = (end - offset) / max(0.001, time.monotonic() - began)
                chunk = max(8192, min(1024 * 1024, int(min(rate * 4, chunk * 2)) // 1024 * 1024))
                offset = len(data) if answer.status_code == 200 else int(answer.headers["upload-offset"])
        final = client.get(f"/api/reports/{report['reference']}", headers=auth).json()
    took = time.monotonic() - started
    ok = len(final["photos"]) == len(photos) and all(u["complete"] for u in final["uploads"])
    return {"path": "report first, resumable photos", "delivered": ok, "seconds": took,
            "officer_sees_report_s": seen_at, "bytes_needed": needed, "bytes_sent": link.bytes_up,
            "sent/needed": link.bytes_up / needed}


def run() -> list[dict]:
    photos = [photo(seed) for seed in range(3)]
    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        process, url = _start_server(data_dir)
        try:
            port = int(url.rsplit(":", 1)[1])
            for path in (baseline, resumable):
                token = httpx.post(f"{url}/api/devices").json()["token"]
                link = ThrottledLink(port, UP_BPS, DOWN_BPS, RTT, CUT_EVERY)
                try:
                    rows.append({**path(link, token, photos), "cuts": link.cuts})
                finally:
                    link.close()
                reports = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}).json()["reports"]
                rows[-1]["reports_stored"] = len(reports)
        finally:
            process.terminate()
            process.wait()
    rows.append({"path": "goals", "sent/needed": "<= 1.10", "officer_sees_report_s": "<= 10",
                 "reports_stored": "exactly 1"})
    return rows
