"""Report intake: validated submission in, stored report out — once per Idempotency-Key.

Order matters: everything that can be refused is checked before any file is written, photos are
processed off the event loop, and the report, its photos and its first status are written in one
transaction. A repeated key returns the stored report; a key reused for different content is 422.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import anyio.to_thread

from reportit import database, events
from reportit.accounts.identity import StaffMember
from reportit.accounts.tables import Device
from reportit.places.intake import place_columns
from reportit.problems import FieldError, Problem, invalid
from reportit.reports.arrivals import DeclaredPhoto, declare
from reportit.reports.decoded_size import max_decoded_bytes
from reportit.reports.photos import PhotoRejected, ProcessedPhoto, decoded_estimate, process_photo_async
from reportit.reports.present import ReportView
from reportit.reports.references import new_reference
from reportit.reports.storage import PhotoStore
from reportit.reports.submission import Submission
from reportit.reports.photo_files import PhotoFiles
from reportit.reports.tables import Category, Photo, Report, StatusChange
from reportit.reports.visibility import hidden_by_staff
from reportit.reports.upload_budget import Claim
from reportit.settings import Settings

log = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class _Stored:
    report_row: Report
    view: ReportView


@dataclass(frozen=True)
class Reporter:
    device: Device | None = None
    account_id: int | None = None  # the resident account the device is signed in to
    staff: StaffMember | None = None
    source: str = "app"  # app | open311 | console | demo
    actor: str = "resident"


@dataclass(frozen=True)
class IntakeResult:
    report: Report
    created: bool  # False: a repeat of an earlier request with the same key
    view: ReportView | None = None  # what was stored, when it was stored just now


def parse_idempotency_key(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise Problem(
            400,
            "Bad Idempotency-Key",
            "The Idempotency-Key header must be a UUID, like 3f1c9a3e-8f4b-4c1e-9d2a-6b7e5f0c1a2b.",
            [FieldError("Idempotency-Key", "Must be a UUID.")],
        ) from None


async def find_repeat(key: uuid.UUID | None, fingerprint: str) -> Report | None:
    """The report stored earlier under this key, if this request repeats it; 422 if it does not.

    The sender's device is not compared: a phone whose registration was renewed between two
    attempts must still get its report back, and nobody else knows a random key and the exact
    content that goes with it.
    """
    if key is None:
        return None
    existing = await Report.objects().where(Report.idempotency_key == key).first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise Problem(
            422,
            "Idempotency-Key already used",
            "This Idempotency-Key was already used for a different report. Send a new report with a new key.",
            [FieldError("Idempotency-Key", "Already used for a different report.")],
        )
    return existing


async def process_photos(submission: Submission, settings: Settings, claim: Claim | None = None) -> list[ProcessedPhoto]:
    """One photo at a time; with a claim, each photo's decoded size is taken from the shared upload
    budget while it is decoded (503 if the budget is spent), and given back after."""
    processed = []
    for number, data in enumerate(submission.photos, start=1):
        working = 0
        try:
            if claim is not None:
                estimate = await anyio.to_thread.run_sync(decoded_estimate, data, settings.config.max_photo_pixels)
                if estimate > max_decoded_bytes(settings.config.max_photo_pixels):
                    estimate = 0  # refused from its header, never decoded
                claim.take(estimate)
                working = estimate
            processed.append(await process_photo_async(data, max_pixels=settings.config.max_photo_pixels))
        except PhotoRejected as exc:
            label = f"Photo {number}" if len(submission.photos) > 1 else "The photo"
            raise invalid([FieldError("photo", f"{label}: {exc.message}")], title="A photo could not be used") from exc
        finally:
            if claim is not None:
                claim.give_back(working)
    return processed


def located(submission: Submission, photos: list[ProcessedPhoto], settings: Settings) -> Submission:
    """Use the first photo's GPS when the resident gave no location at all."""
    if submission.has_location:
        return submission
    for photo in photos:
        if photo.gps and settings.catalogue.map.contains(*photo.gps):
            lat, lng = photo.gps
            return replace(submission, latitude=lat, longitude=lng, accuracy=None, location_source="photo")
    message = "Tell us where the problem is: use your location, put a pin on the map, or describe the place."
    if any(p.gps for p in photos):
        message = (
            f"Your photo was taken outside the area {settings.catalogue.council.name} looks after. "
            "Tell us where the problem is: use your location, put a pin on the map, or describe the place."
        )
    raise invalid([FieldError("location", message)])


async def submit(
    submission: Submission,
    *,
    settings: Settings,
    store: PhotoStore,
    reporter: Reporter,
    idempotency_key: uuid.UUID | None = None,
    fingerprint: str = "",
    repeat_checked: bool = False,
    category_ids: Mapping[str, int] | None = None,
    claim: Claim | None = None,
    declared_photos: tuple[DeclaredPhoto, ...] = (),
) -> IntakeResult:
    """Store a validated submission (with `declared_photos`: photos that follow it, reports/arrivals.py).
    `repeat_checked`: the caller already ran find_repeat for this
    key (the API does, before validating), so it is not asked again."""
    if not repeat_checked:
        repeat = await find_repeat(idempotency_key, fingerprint)
        if repeat is not None:
            return IntakeResult(repeat, created=False)

    photos = await process_photos(submission, settings, claim)
    submission = located(submission, photos, settings)
    category_id = (category_ids or {}).get(submission.category.code)
    if category_id is None:
        row = await Category.select(Category.id).where(Category.code == submission.category.code).first()
        if row is None:
            raise Problem(503, "Not ready", "The service is starting up. Please try again in a minute.")
        category_id = row["id"]

    files = PhotoFiles(store)
    try:
        keys = []
        for photo in photos:
            display = await files.put(photo.display)
            thumb = await files.put(photo.thumbnail)
            keys.append((display.key, thumb.key))
        view = await _insert(
            submission, photos, keys, category_id, reporter, idempotency_key, fingerprint, settings, declared_photos
        )
    except database.UNIQUE_VIOLATIONS:
        await files.undo()
        repeat = await find_repeat(idempotency_key, fingerprint)
        if repeat is None:
            raise
        return IntakeResult(repeat, created=False)
    except BaseException:
        await files.undo()
        raise
    await files.confirm()
    report = view.report_row
    log.info("event=report_received reference=%s category=%s photos=%d source=%s",
             report.reference, submission.category.code, len(photos), reporter.source)
    return IntakeResult(report, created=True, view=view.view)


async def _insert(
    submission: Submission,
    photos: list[ProcessedPhoto],
    keys: list[tuple[str, str]],
    category_id: int,
    reporter: Reporter,
    idempotency_key: uuid.UUID | None,
    fingerprint: str,
    settings: Settings,
    declared_photos: tuple[DeclaredPhoto, ...] = (),
) -> _Stored:
    engine = Report._meta.db
    place = await place_columns(submission.latitude, submission.longitude, submission.location_text)
    for attempt in range(REFERENCE_ATTEMPTS):
        now = datetime.now(timezone.utc)
        report = Report(
            reference=new_reference(),
            category=category_id,
            status=settings.catalogue.initial_status,
            description=submission.description,
            answers=submission.answers,
            latitude=submission.latitude,
            longitude=submission.longitude,
            location_accuracy=submission.accuracy,
            location_source=submission.location_source,
            location_text=submission.location_text,
            **place,
            contact_name=submission.contact_name,
            contact_email=submission.contact_email,
            contact_phone=submission.contact_phone,
            device=reporter.device.id if reporter.device else None,
            account=reporter.account_id,
            staff_user=reporter.staff.user_id if reporter.staff else None,
            source=reporter.source,
            private=submission.category.private,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            observed_at=submission.observed_at,
            created_at=now,
            updated_at=now,
        )
        try:
            rows = [
                Photo(position=position, key=key, thumb_key=thumb_key, width=photo.width, height=photo.height,
                      hidden=await hidden_by_staff(key), created_at=now)
                for position, (photo, (key, thumb_key)) in enumerate(zip(photos, keys))
            ]
            first = StatusChange(from_status="", to_status=settings.catalogue.initial_status, actor=reporter.actor,
                                 created_at=now, staff_user=reporter.staff.user_id if reporter.staff else None)
            async with database.write_transaction(engine):
                await report.save()
                for row in rows:
                    row.report = report.id
                    await row.save()
                first.report = report.id
                await first.save()
                if declared_photos:
                    await declare(report.id, declared_photos, len(rows), now)
                await events.publish(events.ReportCreated(
                    report_id=report.id, reference=report.reference,
                    device_id=reporter.device.id if reporter.device else None,
                    contact_email=submission.contact_email,
                ), settings)
            # The stored rows are known: answer from them rather than reading them back.
            view = ReportView(
                report={**report.to_dict(), "answers": submission.answers},
                category_code=submission.category.code,
                photos=[{"key": r.key, "thumb_key": r.thumb_key, "width": r.width, "height": r.height,
                         "hidden": r.hidden} for r in rows],
                history=[{"from_status": "", "to_status": first.to_status, "public_message": "", "created_at": now}],
            )
            return _Stored(report, view)
        except database.UNIQUE_VIOLATIONS:
            # Either the key was taken by a concurrent repeat (the caller handles it) or the
            # reference collided (vanishingly rare): only the latter is retried.
            if idempotency_key is not None and await Report.exists().where(Report.idempotency_key == idempotency_key):
                raise
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
