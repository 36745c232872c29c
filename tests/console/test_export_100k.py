"""The CSV export of 100,000 reports streams: each page of rows leaves before the next is read, so
at most one page is ever held in memory. The ASGI app is called directly, because an ASGI test
transport collects the whole body before returning it.

(tracemalloc would measure memory directly, but slows this test from seconds to many minutes;
the read/send interleaving is the property that bounds memory, and it is exact.)"""

from __future__ import annotations

import asyncio
import secrets

import pytest

from reportit.console import export
from tests.console.bulk import delete_reports, insert_reports
from tests.console.conftest import new_client, sign_in

COUNT = 100_000


@pytest.fixture(scope="module")
async def hundred_thousand(app, settings):
    marker = f"bulk{secrets.token_hex(3)}"
    await insert_reports(settings, COUNT, marker)
    yield marker
    await delete_reports(settings)  # other modules share this database


async def test_exporting_100k_reports_streams_with_bounded_memory(app, staff, hundred_thousand, monkeypatch):
    async with new_client(app) as officer:
        await sign_in(officer, staff["officer"])
        cookie = "; ".join(f"{name}={value}" for name, value in officer.cookies.items())

    batches_read = 0
    real_fetch = export.fetch_batch

    async def counting_fetch(where, after_id):
        nonlocal batches_read
        batches_read += 1
        return await real_fetch(where, after_id)

    monkeypatch.setattr(export, "fetch_batch", counting_fetch)
    seen = {"bytes": 0, "lines": 0, "chunks": 0, "batches_at_first_row": None, "most_batches_ahead": 0,
            "largest_chunk": 0, "status": None}

    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected until the response ends

    async def send(message):
        if message["type"] == "http.response.start":
            seen["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            if not body:
                return
            seen["chunks"] += 1
            seen["largest_chunk"] = max(seen["largest_chunk"], len(body))
            # The header is chunk 1 and needs no read; chunk n needs n - 1 pages read, never more.
            seen["most_batches_ahead"] = max(seen["most_batches_ahead"], batches_read - (seen["chunks"] - 1))
            seen["bytes"] += len(body)
            seen["lines"] += body.count(b"\n")
            if seen["batches_at_first_row"] is None and seen["lines"] > 1:
                seen["batches_at_first_row"] = batches_read

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/console/export.csv", "raw_path": b"/console/export.csv", "root_path": "",
        "query_string": f"q={hundred_thousand}".encode(), "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
    }
    await app(scope, receive, send)

    assert seen["status"] == 200
    assert seen["lines"] == COUNT + 1  # the header and every report (descriptions have no newlines)
    expected_batches = COUNT // export.BATCH + 1
    assert batches_read == expected_batches
    # The middleware between the handler and the client holds at most one chunk in flight, so the
    # handler may be one page ahead of what the client has; never more, never the whole list.
    assert seen["batches_at_first_row"] <= 2
    assert seen["most_batches_ahead"] <= 2
    assert seen["bytes"] > 8_000_000 and seen["largest_chunk"] < 1_000_000  # ~25 MB, sent in small pieces
