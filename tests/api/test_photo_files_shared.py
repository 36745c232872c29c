"""Identical bytes are stored once, so two requests can share a photo file: a phone's retry on
another worker while the first attempt fails, or the same picture in two reports. The failing one
must never leave the other's stored report with its photo file gone."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pytest

from reportit.app_state import services
from reportit.reports.photo_files import PhotoFiles
from reportit.reports.tables import Photo, Report
from tests.api.test_reports_api import pothole, send


@pytest.fixture
async def report(client, device) -> dict:
    response = await send(client, device, pothole())
    assert response.status_code == 201, response.text
    return response.json()


async def _store_row_using(reference: str, key: str) -> None:
    """What the other request's commit does: a photo row of its report using the file."""
    row = await Report.select(Report.id).where(Report.reference == reference).first()
    await Photo.insert(Photo(report=row["id"], position=9, key=key, thumb_key=key, width=1, height=1,
                             created_at=datetime.now(timezone.utc)))


async def test_a_request_that_found_the_file_in_place_puts_it_back_if_a_failing_one_removed_it(app, report):
    store = services(app).photo_store
    data = secrets.token_bytes(2048)
    failing, retry = PhotoFiles(store), PhotoFiles(store)
    first = await failing.put(data)
    found = await retry.put(data)
    assert first.created and not found.created and found.key == first.key

    await failing.undo()  # no row uses the file yet: the failing request removes what it made
    await _store_row_using(report["reference"], found.key)  # the retry commits its report
    await retry.confirm()
    assert await store.exists(found.key)
    assert await store.read(found.key) == data


class _CommitDuringDelete:
    """The photo store, with the other request's commit landing between the failing request's
    check that no row uses a file and its delete."""

    def __init__(self, store, reference: str) -> None:
        self.store, self.reference = store, reference

    async def put(self, data: bytes, ext: str = "jpg"):
        return await self.store.put(data, ext)

    async def delete(self, key: str, ext: str = "jpg") -> None:
        await _store_row_using(self.reference, key)
        await self.store.delete(key, ext)

    async def exists(self, key: str, ext: str = "jpg") -> bool:
        return await self.store.exists(key, ext)


async def test_a_failing_request_puts_back_a_file_a_stored_report_came_to_use_meanwhile(app, report):
    store = services(app).photo_store
    data = secrets.token_bytes(2048)
    failing = PhotoFiles(_CommitDuringDelete(store, report["reference"]))
    stored = await failing.put(data)
    assert stored.created

    await failing.undo()
    assert await Photo.exists().where(Photo.key == stored.key)
    assert await store.exists(stored.key)
    assert await store.read(stored.key) == data


async def test_a_failing_request_removes_the_files_only_it_used(app):
    store = services(app).photo_store
    failing = PhotoFiles(store)
    stored = await failing.put(secrets.token_bytes(2048))
    await failing.undo()
    assert not await store.exists(stored.key)
