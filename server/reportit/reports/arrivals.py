"""Photos that follow their report: declared with it, then sent one by one (reports/resumable.py).

The app sends the small report first, naming each photo by the SHA-256 it computed over the bytes
it will send and their length (`photo_sha256`, `photo_size`, once per photo, in order). The report
is stored at once, with one `photo_upload` row per declared photo, in the same transaction; a photo
the server already holds complete from the same sender (phone or account; by the same hash) becomes
the report's photo there and then and is never sent again. Pages then say "photo 2 of 3 arriving"
until the rest are in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from reportit.problems import FieldError, invalid
from piccolo.custom_types import Combinable

from reportit.reports.preview_removal import has_preview
from reportit.reports.tables import Photo, PhotoUpload, Report, UploadState
from reportit.reports.upload import ParsedForm
from reportit.reports.visibility import hidden_by_staff

SHA256 = re.compile(r"[0-9a-f]{64}")
FIELDS = ("photo_sha256", "photo_size")


@dataclass(frozen=True)
class DeclaredPhoto:
    sha256: str
    size: int


def take_declared(form: ParsedForm, *, files: int, max_photos: int, max_bytes: int) -> tuple[DeclaredPhoto, ...]:
    """The photos the form declares (and removes their fields from it, so the report's own checks
    never see them); 422 naming what is wrong."""
    hashes = [v.strip().lower() for v in form.fields.pop("photo_sha256", [])]
    sizes = [v.strip() for v in form.fields.pop("photo_size", [])]
    if not hashes and not sizes:
        return ()
    errors: list[FieldError] = []
    if len(hashes) != len(sizes):
        errors.append(FieldError("photo_sha256", "Each photo needs its SHA-256 and its size. Please update the app."))
    if any(not SHA256.fullmatch(h) for h in hashes):
        errors.append(FieldError("photo_sha256", "A photo's SHA-256 must be 64 hexadecimal characters."))
    if any(not s.isdigit() or not 0 < int(s) <= max_bytes for s in sizes):
        megabytes = max_bytes // (1024 * 1024)
        errors.append(FieldError("photo_size", f"Each photo must be smaller than {megabytes} MB."))
    if files + len(hashes) > max_photos:
        errors.append(FieldError("photo", f"You can send up to {max_photos} photos with a report."))
    if errors:
        raise invalid(errors, title="The photos could not be accepted")
    return tuple(DeclaredPhoto(h, int(s)) for h, s in zip(hashes, sizes))


async def declare(report_id: int, declared: tuple[DeclaredPhoto, ...], first_position: int, now: datetime) -> None:
    """One upload row per declared photo, inside the report's own write transaction. A photo one of
    the sender's own reports already has complete is this report's photo at once (content-addressed:
    not sent twice). Only the sender's own (same phone or account; staff: any): otherwise the
    answer would tell any phone whether some private report holds that exact picture."""
    sender = await Report.select(Report.device, Report.account, Report.staff_user).where(Report.id == report_id).first()
    own = _sent_by(sender) if sender else None
    for offset, photo in enumerate(declared):
        position = first_position + offset
        held = None if own is None else await (
            PhotoUpload.select(PhotoUpload.photo.key, PhotoUpload.photo.thumb_key, PhotoUpload.photo.width,
                               PhotoUpload.photo.height)
            .where((PhotoUpload.sha256 == photo.sha256) & (PhotoUpload.state == UploadState.complete)
                   & PhotoUpload.photo.is_not_null() & own)
            .first()
        )
        row = PhotoUpload(report=report_id, position=position, sha256=photo.sha256, length=photo.size,
                          state=UploadState.arriving, created_at=now, updated_at=now)
        if held is not None:
            stored = Photo(report=report_id, position=position, key=held["photo.key"], thumb_key=held["photo.thumb_key"],
                           width=held["photo.width"], height=held["photo.height"], created_at=now,
                           hidden=await hidden_by_staff(held["photo.key"]))
            await stored.save()
            row.state, row.photo = UploadState.complete, stored.id
        await row.save()


def _sent_by(sender: dict) -> Combinable | None:
    """Upload rows of reports this sender may reuse photos from; None: none."""
    if sender["staff_user"] is not None:
        return PhotoUpload.id.is_not_null()  # staff see every report already
    found: list[Combinable] = []
    if sender["device"] is not None:
        found.append(PhotoUpload.report.device == sender["device"])
    if sender["account"] is not None:
        found.append(PhotoUpload.report.account == sender["account"])
    if not found:
        return None
    return found[0] if len(found) == 1 else (found[0] | found[1])


@dataclass(frozen=True)
class Arriving:
    """A report's photos still on their way: how many it will have, how many are in, previews meanwhile."""

    total: int
    received: int
    preview_keys: tuple[str, ...]

    @property
    def next_number(self) -> int:
        return self.received + 1

    @property
    def words(self) -> str:
        return f"photo {self.next_number} of {self.total} arriving"


async def arriving(report_id: int) -> Arriving | None:
    """None when nothing is on its way (every declared photo is in, or none was declared)."""
    rows = await (PhotoUpload.select(PhotoUpload.state, PhotoUpload.preview_key, PhotoUpload.position)
                  .where(PhotoUpload.report == report_id).order_by(PhotoUpload.position))
    waiting = [r for r in rows if r["state"] == UploadState.arriving]
    if not waiting:
        return None
    # Counted by place, not by Photo row: a hidden photo is still in, and a redacted one is two rows.
    # Photos sent in the report's own request come before the declared ones.
    first_declared = rows[0]["position"]
    inline = await Photo.select(Photo.position).where((Photo.report == report_id) & (Photo.position < first_declared))
    sent_with_report = len({r["position"] for r in inline})
    coming = [r for r in rows if r["state"] != UploadState.refused]
    received = sent_with_report + sum(1 for r in coming if r["state"] == UploadState.complete)
    return Arriving(total=sent_with_report + len(coming), received=received,
                    preview_keys=tuple(r["preview_key"] for r in waiting if has_preview(r["preview_key"])))


async def uploads_json(report_id: int) -> list[dict]:
    """For the phone that sent the report: where each declared photo goes, and which are in already."""
    rows = await (PhotoUpload.select(PhotoUpload.position, PhotoUpload.sha256, PhotoUpload.length, PhotoUpload.state,
                                     PhotoUpload.preview_key, PhotoUpload.report.reference)
                  .where(PhotoUpload.report == report_id).order_by(PhotoUpload.position))
    return [{
        "position": r["position"], "sha256": r["sha256"], "length": r["length"],
        "upload_url": f"/api/reports/{r['report.reference']}/photos/{r['sha256']}",
        "preview_url": f"/api/reports/{r['report.reference']}/photos/{r['sha256']}/preview",
        "complete": r["state"] == UploadState.complete, "has_preview": bool(r["preview_key"]),
    } for r in rows]
