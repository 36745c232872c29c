"""`reportit serve --workers N` starts every worker at once, and each mirrors the council's
categories into the database at start-up: on a fresh database the second worker raced the first to
insert the same category, failed its start-up, and uvicorn's supervisor then stopped the whole
service (seen as "connection reset" by the two-worker load test)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

from reportit.reports.categories import sync_categories
from reportit.reports.tables import Category


async def test_workers_starting_together_mirror_a_new_category_once(app, settings):
    first = settings.catalogue.categories[0]
    new = dataclasses.replace(first, code=f"new_{uuid.uuid4().hex[:8]}", name="A category added today")
    catalogue = dataclasses.replace(settings.catalogue, categories=(*settings.catalogue.categories, new))
    changed = dataclasses.replace(settings, catalogue=catalogue)
    try:
        workers = await asyncio.gather(*(sync_categories(changed) for _ in range(4)))
        assert all(ids[new.code] == workers[0][new.code] for ids in workers)
        assert await Category.count().where(Category.code == new.code) == 1
    finally:
        await Category.delete().where(Category.code == new.code)
