"""A resident's reports as personal data: gathered for "Download my data", and made anonymous when
their account is erased. Reports stay (they are the council's public record); what ties them to a
person goes: contact details, the device link, and the photos of private reports."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from reportit import database
from reportit.events import AccountErased
from reportit.personal_data import Whose
from reportit.reports.present import load_views, report_json
from reportit.reports.storage import PhotoStore, store_for
from reportit.reports.preview_removal import delete_unused_previews, forget_previews
from reportit.reports.tables import Photo, PhotoUpload, Report
from reportit.reports.visibility import private_where
from reportit.settings import Settings

log = logging.getLogger(__name__)

# Deleting files after the commit runs in the background; kept here so it is not collected early.
_cleanups: set[asyncio.Task] = set()


async def report_ids_of(whose: Whose) -> list[int]:
    """Reports sent under the account (from whichever phone, signed in to it still or not), or that
    give one of these addresses as the contact email. A phone's reports sent under another account
    are not this account's."""
    ids: set[int] = set()
    if whose.account_id is not None:
        ids.update(r["id"] for r in await Report.select(Report.id).where(Report.account == whose.account_id))
    for email in whose.emails:
        # (I)LIKE finds the address whatever its case (SQLite's LIKE ignores ASCII case); `_` is a
        # wildcard there, so compare exactly after.
        column = Report.contact_email
        matching = column.like(email) if isinstance(Report._meta.db, SQLiteEngine) else column.ilike(email)
        rows = await Report.select(Report.id, Report.contact_email).where(matching)
        ids.update(r["id"] for r in rows if r["contact_email"].strip().lower() == email)
    return sorted(ids)


async def collect(whose: Whose, settings: Settings) -> dict[str, Any]:
    ids = await report_ids_of(whose)
    views = await load_views(Report.id.is_in(ids)) if ids else []
    reports = []
    for view in views:
        body = report_json(view, settings, for_reporter=True)
        for photo in body["photos"]:
            photo["url"] = settings.config.base_url + photo["url"]
            photo["thumbnail_url"] = settings.config.base_url + photo["thumbnail_url"]
        reports.append(body)
    return {"reports": reports}


async def forget_reporter(event: AccountErased, settings: Settings) -> None:
    """In the erasing transaction: scrub the account's reports and drop private reports' photos;
    their files go once the erasure has committed (and no other photo row shares them)."""
    ids = await report_ids_of(Whose(event.device_ids, event.emails, event.account_id))
    if not ids:
        return
    await Report.update({Report.contact_name: "", Report.contact_email: "", Report.contact_phone: "",
                         Report.device: None, Report.account: None}).where(Report.id.is_in(ids))
    photos = await Photo.select(Photo.id, Photo.key, Photo.thumb_key).where(
        Photo.report.is_in(ids) & private_where(Photo.report))
    # Previews of photos still on their way (none can come now: no phone may send them) go whatever
    # the report: they are the resident's pictures, never checked by staff.
    keys = await forget_previews(PhotoUpload.report.is_in(ids))
    if photos:
        await Photo.delete().where(Photo.id.is_in([p["id"] for p in photos]))
        keys = sorted({*keys, *(k for p in photos for k in (p["key"], p["thumb_key"]))})
    if keys:
        store = store_for(settings)
        database.after_commit(lambda: _start_cleanup(store, keys))
    log.info("event=reports_anonymised account=%d reports=%d private_photos=%d", event.account_id, len(ids),
             len(photos))


def _start_cleanup(store: PhotoStore, keys: list[str]) -> None:
    task = asyncio.get_running_loop().create_task(delete_unused_files(store, keys))
    _cleanups.add(task)
    task.add_done_callback(_cleanups.discard)


async def delete_unused_files(store: PhotoStore, keys: list[str]) -> int:
    """Delete these photo files unless another photo row or preview still uses them (content-addressed:
    two reports with the same picture share one file)."""
    return await delete_unused_previews(store, keys)
