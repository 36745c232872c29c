"""Moderation: hiding or redacting what a resident wrote or photographed. Nothing is destroyed:
originals go to the Redaction table (text) or stay as hidden photo rows (photos), for audit."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import anyio.to_thread
from PIL import Image, ImageDraw

from reportit.accounts.identity import StaffMember
from reportit.console.audit import record
from reportit.console.casework import CaseError, write_transaction
from reportit.console.tables import Redaction
from reportit.reports.photos import process_photo_async
from reportit.reports.storage import PhotoStore
from reportit.reports.preview_removal import HIDDEN, delete_unused_previews, forget_previews, has_preview
from reportit.reports.tables import Photo, PhotoUpload, Report

TEXT_FIELDS = {"description": Report.description, "location_text": Report.location_text}


async def redact_text(staff: StaffMember, report: dict, field: str, replacement: str) -> None:
    column = TEXT_FIELDS.get(field)
    if column is None:
        raise CaseError("field", "Choose what to redact")
    replacement = replacement.strip()
    if replacement == report[field]:
        raise CaseError(f"replacement_{field}", "Change the text before saving it")
    async with write_transaction():
        await Redaction.insert(Redaction(report=report["id"], kind="text", field=field, original_text=report[field],
                                         replacement_text=replacement, staff_user=staff.user_id,
                                         created_at=datetime.now(timezone.utc)))
        await Report.update({column: replacement}).where(Report.id == report["id"])
        await record(staff.user_id, staff.email, "text_redacted", report_id=report["id"], target=field,
                     before={field: report[field]}, after={field: replacement})


async def _photo(report: dict, photo_id: int) -> dict:
    photo = await Photo.select(*Photo.all_columns()).where(
        (Photo.id == photo_id) & (Photo.report == report["id"])).first()
    if photo is None:
        raise CaseError("photo", "That photo is not part of this report")
    return photo


async def set_photo_hidden(staff: StaffMember, report: dict, photo_id: int, hidden: bool, store: PhotoStore) -> None:
    photo = await _photo(report, photo_id)
    if photo["hidden"] == hidden:
        return
    previews: list[str] = []
    async with write_transaction():
        # Identical bytes are stored once: the same picture on another report (a duplicate sent with
        # it) is the same file at the same URL, hidden or shown with this one.
        await Photo.update({Photo.hidden: hidden}).where((Photo.id == photo_id) | (Photo.key == photo["key"]))
        if hidden:  # its preview goes with it (showing the photo again does not bring the preview back)
            previews = await forget_previews(PhotoUpload.photo == photo_id)
        if hidden:
            await Redaction.insert(Redaction(report=report["id"], kind="photo_hidden", original_photo=photo_id,
                                             staff_user=staff.user_id, created_at=datetime.now(timezone.utc)))
        await record(staff.user_id, staff.email, "photo_hidden" if hidden else "photo_shown", report_id=report["id"],
                     target=photo["key"], before={"hidden": photo["hidden"]}, after={"hidden": hidden})
    await delete_unused_previews(store, previews)


async def hide_preview(staff: StaffMember, report: dict, upload_id: int, store: PhotoStore) -> None:
    """A preview whose photo never came (or has not yet): staff take it down, and the phone may not
    send another; the full photo, if it comes, is moderated as any photo."""
    upload = await PhotoUpload.select(PhotoUpload.preview_key, PhotoUpload.position).where(
        (PhotoUpload.id == upload_id) & (PhotoUpload.report == report["id"])).first()
    if upload is None or not has_preview(upload["preview_key"]):
        raise CaseError("photo", "That preview is not shown on this report")
    async with write_transaction():
        previews = await forget_previews(PhotoUpload.id == upload_id, mark=HIDDEN)
        await record(staff.user_id, staff.email, "preview_hidden", report_id=report["id"], target=upload["preview_key"],
                     before={"preview": upload["preview_key"]}, after={"preview": None})
    await delete_unused_previews(store, previews)


def black_box(jpeg: bytes, box: tuple[float, float, float, float]) -> bytes:
    """Cover a region given in percent of the width and height (left, top, width, height)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        image = image.convert("RGB")
        w, h = image.size
        left, top, width, height = box
        ImageDraw.Draw(image).rectangle(
            [w * left / 100, h * top / 100, w * min(100, left + width) / 100, h * min(100, top + height) / 100],
            fill=(0, 0, 0))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()


def parse_box(values: list[str]) -> tuple[float, float, float, float]:
    try:
        left, top, width, height = (float(v) for v in values)
    except ValueError:
        raise CaseError("photo", "Give the area to cover as four numbers between 0 and 100") from None
    if not (0 <= left < 100 and 0 <= top < 100 and 0 < width <= 100 and 0 < height <= 100):
        raise CaseError("photo", "Left and top go from 0 to 99, width and height from 1 to 100 (percent of the photo)")
    return left, top, width, height


async def redact_photo(staff: StaffMember, report: dict, photo_id: int, box: tuple[float, float, float, float],
                       store: PhotoStore) -> None:
    photo = await _photo(report, photo_id)
    if photo["hidden"]:
        raise CaseError("photo", "That photo is hidden already")
    original = await store.read(photo["key"])
    covered = await anyio.to_thread.run_sync(black_box, original, box)
    # Through the resident pipeline again: a clean JPEG and a thumbnail with the same area covered.
    processed = await process_photo_async(covered)
    display = await store.put(processed.display)
    thumb = await store.put(processed.thumbnail)
    async with write_transaction():
        # The uncovered bytes, wherever else they are shown (the same file at the same URL), go too.
        await Photo.update({Photo.hidden: True}).where((Photo.id == photo_id) | (Photo.key == photo["key"]))
        previews = await forget_previews(PhotoUpload.photo == photo_id)  # uncovered: it goes too
        redacted = Photo(report=report["id"], position=photo["position"], key=display.key, thumb_key=thumb.key,
                         width=processed.width, height=processed.height, created_at=datetime.now(timezone.utc))
        await redacted.save()
        await Redaction.insert(Redaction(report=report["id"], kind="photo_redacted", original_photo=photo_id,
                                         redacted_photo=redacted.id, staff_user=staff.user_id,
                                         created_at=datetime.now(timezone.utc)))
        await record(staff.user_id, staff.email, "photo_redacted", report_id=report["id"], target=photo["key"],
                     before={"photo": photo["key"]}, after={"photo": display.key, "box_percent": list(box)})
    await delete_unused_previews(store, previews)
