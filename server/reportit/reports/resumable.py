"""Each photo of a report, sent resumably: the IETF HTTP resumable uploads draft
(draft-ietf-httpbis-resumable-upload-05, interop version 6) on `/api/reports/{ref}/photos/{sha256}`.

The upload resource is made by the report's own request (reports/arrivals.py), so there is no
creation step; the rest is the draft's: HEAD answers `Upload-Offset` (offset retrieval), PATCH with
`Content-Type: application/partial-upload`, `Upload-Offset` and `Upload-Complete` appends (a wrong
offset is 409 with the draft's problem document, `expected-offset` and `provided-offset`), and
`Upload-Length` and `Upload-Limit` say what the server takes. Chosen over tus 1.0 because it is
plain HTTP with problem documents (as the rest of our API), needs no version negotiation, and is
where tus's authors are taking the protocol.

Bytes go to `<data dir>/uploads/<id>.part`, flushed and fsynced at the end of every append (and of
an append cut short: what arrived is kept), so a phone resumes after a drop, an app close or a
server restart from the offset the disk holds. Only once every declared byte is in, and the bytes'
SHA-256 is the one the phone declared, does the photo go through the same Pillow pipeline as any
upload; its display and thumbnail go to the photo store (directory or object store) and its row
joins the report. One append at a time per photo (a lock on the file; a second gets 409 and
retries). An append may be at most 1 MB, the body cap every other request has (limits.py), and its
bytes in flight are taken from the shared upload budget.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from reportit import database
from reportit.accounts.identity import device_from_request, staff_from_request
from reportit.app_state import services
from reportit.limits import DEFAULT_MAX_BODY
from reportit.problems import FieldError, Problem, invalid
from reportit.reports.arrivals import SHA256
from reportit.reports.decoded_size import max_decoded_bytes
from reportit.reports.photo_files import PhotoFiles
from reportit.reports.photos import PhotoRejected, decoded_estimate, process_photo_async
from reportit.reports.present import photo_url
from reportit.reports.visibility import hidden_by_staff
from reportit.reports.preview_removal import delete_unused_previews, forget_previews
from reportit.reports.references import normalise
from reportit.reports.storage import PhotoStore
from reportit.reports.tables import Photo, PhotoUpload, UploadState
from reportit.reports.upload_expiry import expire_abandoned  # noqa: F401 - the sweep's, kept importable here
from reportit.routing import by_method

log = logging.getLogger(__name__)

INTEROP_VERSION = "6"
PARTIAL_UPLOAD = "application/partial-upload"
MAX_APPEND = DEFAULT_MAX_BODY  # one append: no more than any other request body
IDLE_SECONDS = 30  # an append whose client sends nothing for this long ends; what arrived is kept
PROBLEM_TYPES = "https://iana.org/assignments/http-problem-types#"


class UploadProblem(Problem):
    """A problem with the draft's problem type and members (RFC 9457 extension members)."""

    def __init__(self, status: int, kind: str, title: str, detail: str, **members: int) -> None:
        super().__init__(status, title, detail, headers={"Upload-Draft-Interop-Version": INTEROP_VERSION})
        self.kind = kind
        self.members = members

    def body(self) -> dict:
        return {**super().body(), "type": PROBLEM_TYPES + self.kind, **self.members}


class Damaged(Problem):
    """The bytes are not the photo the phone declared: dropped, and the phone sends it again from 0."""

    TYPE = "tag:reportit,2026:photo-damaged"

    def body(self) -> dict:
        return {**super().body(), "type": self.TYPE}


def partial_path(uploads_dir: Path, upload_id: int) -> Path:
    return uploads_dir / f"{upload_id}.part"


async def _upload_of(request: Request) -> dict:
    """The upload the path names, if the asker is the device (or staff member) that sent the report."""
    sha = request.path_params["sha256"].lower()
    reference = normalise(request.path_params["reference"])
    staff = await staff_from_request(request)
    device = await device_from_request(request, required=staff is None)
    row = None
    if reference and SHA256.fullmatch(sha):
        row = await (PhotoUpload.select(*PhotoUpload.all_columns(), PhotoUpload.report.device,
                                        PhotoUpload.report.staff_user, PhotoUpload.report.reference)
                     .where((PhotoUpload.report.reference == reference) & (PhotoUpload.sha256 == sha))
                     .order_by(PhotoUpload.position).first())  # the same photo twice in a report: sent once
    if row is None:
        raise Problem(404, "Photo not expected", "This report is not waiting for that photo. Send the report first, "
                      "naming its photos.")
    mine = (device is not None and row["report.device"] == device.id) or (
        staff is not None and row["report.staff_user"] == staff.user_id)
    if not mine:
        raise Problem(403, "Not your report", "Only the phone that sent this report can add its photos.")
    return row


def _limits(request: Request, row: dict) -> dict[str, str]:
    expiry = services(request).settings.config.upload_expiry_hours * 3600
    return {
        "Upload-Draft-Interop-Version": INTEROP_VERSION,
        "Upload-Length": str(row["length"]),
        "Upload-Limit": f"max-size={services(request).settings.config.max_photo_bytes}, "
                        f"max-append-size={MAX_APPEND}, expires={expiry}",
        "Cache-Control": "no-store",
    }


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _offset_headers(request: Request, row: dict, offset: int, complete: bool) -> dict[str, str]:
    return {**_limits(request, row), "Upload-Offset": str(offset), "Upload-Complete": "?1" if complete else "?0"}


async def offset(request: Request) -> Response:
    """HEAD: how much of the photo the server holds (an abandoned upload starts again from 0)."""
    row = await _upload_of(request)
    _refuse_given_up(row["state"])
    complete = row["state"] == UploadState.complete
    held = row["length"] if complete else _size(partial_path(services(request).settings.config.uploads_dir, row["id"]))
    return Response(status_code=204, headers=_offset_headers(request, row, held, complete))


def _header_int(request: Request, name: str, *, required: bool) -> int | None:
    value = request.headers.get(name)
    if value is None:
        if required:
            raise Problem(400, f"{name} missing", f"Say where this part of the photo starts with {name}.",
                          [FieldError(name, "Required.")])
        return None
    if not value.strip().isdigit():
        raise Problem(400, f"Bad {name}", f"{name} must be a whole number of bytes.", [FieldError(name, "A whole number.")])
    return int(value.strip())


def _complete_flag(request: Request) -> bool:
    value = request.headers.get("upload-complete", "").strip()
    if value not in ("?0", "?1"):
        raise Problem(400, "Upload-Complete missing", "Say whether this part ends the photo: Upload-Complete: ?1 or ?0.",
                      [FieldError("Upload-Complete", "Must be ?1 or ?0.")])
    return value == "?1"


def _lock(path: Path) -> int:
    """An open descriptor holding the photo's lock; 409 when another append holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Problem(409, "Already being sent", "This photo is being sent by another connection just now. "
                          "It will carry on from where that one stops.", headers={"Retry-After": "5"}) from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the sweep removed the file between opening and locking it: open the new one


async def append(request: Request) -> Response:
    """PATCH: add bytes at the offset the server holds; complete the photo when told it ends here."""
    row = await _upload_of(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != PARTIAL_UPLOAD:
        raise Problem(415, "Wrong kind of request", f"Send each part of a photo as {PARTIAL_UPLOAD}.")
    provided = _header_int(request, "upload-offset", required=True)
    complete = _complete_flag(request)
    declared_length = _header_int(request, "upload-length", required=False)
    content_length = _header_int(request, "content-length", required=False)
    if declared_length is not None and declared_length != row["length"]:
        raise UploadProblem(400, "inconsistent-upload-length", "Length differs",
                            f"This photo was declared as {row['length']} bytes with its report, not {declared_length}.")
    if content_length is not None and content_length > MAX_APPEND:
        raise Problem(413, "Part too large", f"Send a photo in parts of at most {MAX_APPEND // 1024} KB.")
    if row["state"] == UploadState.complete:
        raise UploadProblem(400, "completed-upload", "Photo already received", "The council has this photo already.")
    _refuse_given_up(row["state"])
    path = partial_path(services(request).settings.config.uploads_dir, row["id"])
    fd = await anyio.to_thread.run_sync(_lock, path)
    try:
        # Given up (by the phone's DELETE or a refusal) while this append waited for the lock?
        now_state = (await PhotoUpload.select(PhotoUpload.state).where(PhotoUpload.id == row["id"]).first())["state"]
        if now_state == UploadState.refused:
            await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
        _refuse_given_up(now_state)
        held = os.fstat(fd).st_size
        if provided != held:
            raise UploadProblem(409, "mismatching-upload-offset", "Wrong offset",
                                f"The council has {held} bytes of this photo; send from there.",
                                **{"expected-offset": held, "provided-offset": provided})
        start = held
        held, cut_short = await _receive(request, fd, held, row["length"])
        if content_length is not None and held - start < content_length:
            cut_short = True  # the body ended before the bytes it announced
        await PhotoUpload.update({PhotoUpload.updated_at: datetime.now(timezone.utc),
                                  PhotoUpload.state: UploadState.arriving}).where(  # an expired one starts again
            (PhotoUpload.id == row["id"]) & PhotoUpload.state.is_in([UploadState.arriving, UploadState.expired]))
        if not complete or (cut_short and held < row["length"]):
            # A last part cut short (idle, dropped, short of its Content-Length) is an unfinished
            # append: what arrived is kept and the phone carries on from Upload-Offset.
            return Response(status_code=204, headers=_offset_headers(request, row, held, False))
        if held != row["length"]:
            raise UploadProblem(400, "inconsistent-upload-length", "Photo incomplete",
                                f"The photo ends at {held} bytes but was declared as {row['length']}.")
        photo = await _finish(request, row, path)
    finally:
        os.close(fd)
    return JSONResponse(photo, status_code=200, headers=_offset_headers(request, row, row["length"], True))


def _refuse_given_up(state: str) -> None:
    if state == UploadState.refused:
        raise Problem(410, "Photo given up", "This photo was given up (removed from the report, or refused as not "
                      "a photo the council can use), so no more of it is taken.",
                      headers={"Upload-Draft-Interop-Version": INTEROP_VERSION})


async def _receive(request: Request, fd: int, held: int, length: int) -> tuple[int, bool]:
    """Write the body after `held` bytes; flushed to disk however the request ends. A body that runs
    past the declared length is refused whole (the file goes back to where this append began).
    The bytes held after it, and whether the body was cut short (the client went idle or away)."""
    cut_short = False
    start = held
    claim = services(request).upload_budget.claim()
    stream = request.stream().__aiter__()
    with claim:
        try:
            while True:
                try:
                    piece = await asyncio.wait_for(stream.__anext__(), IDLE_SECONDS)
                except StopAsyncIteration:
                    break
                except (ClientDisconnect, asyncio.TimeoutError):
                    cut_short = True
                    break
                if held + len(piece) > length:
                    await anyio.to_thread.run_sync(os.ftruncate, fd, start)
                    raise UploadProblem(400, "inconsistent-upload-length", "Photo longer than declared",
                                        f"This photo was declared as {length} bytes; this part runs past its end.")
                if held - start + len(piece) > MAX_APPEND:
                    await anyio.to_thread.run_sync(os.ftruncate, fd, start)
                    raise Problem(413, "Part too large", f"Send a photo in parts of at most {MAX_APPEND // 1024} KB.")
                claim.take(len(piece))
                try:
                    await anyio.to_thread.run_sync(_write_all, fd, piece)
                except OSError as exc:
                    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                        raise
                    held = os.fstat(fd).st_size  # what made it is a good prefix: the phone resumes from it
                    log.error("event=uploads_disk_full held=%d", held)
                    raise Problem(503, "No room just now", "The council's server is out of space for photos just "
                                  "now. Your photo is safe on your phone and will be sent later.",
                                  headers={"Retry-After": "300"}) from exc
                claim.give_back(len(piece))
                held += len(piece)
        finally:
            await anyio.to_thread.run_sync(os.fsync, fd)
    return held, cut_short


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


async def _finish(request: Request, row: dict, path: Path) -> dict:
    """Check the bytes are the photo the phone declared, run the pipeline, store it, join the report."""
    state = services(request)
    data = await anyio.to_thread.run_sync(path.read_bytes)
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        await anyio.to_thread.run_sync(path.unlink)
        raise Damaged(422, "Photo damaged on the way", "This photo arrived different from the one on your phone. "
                      "It will be sent again from the start.", [FieldError("photo", "Arrived damaged; send it again.")])
    max_pixels = state.settings.config.max_photo_pixels
    with state.upload_budget.claim() as claim:
        estimate = await anyio.to_thread.run_sync(decoded_estimate, data, max_pixels)
        claim.take(len(data) + (estimate if estimate <= max_decoded_bytes(max_pixels) else 0))
        try:
            processed = await process_photo_async(data, max_pixels=max_pixels)
        except PhotoRejected as exc:
            await _refuse(row, path, state.photo_store)
            raise invalid([FieldError("photo", f"Photo {row['position'] + 1}: {exc.message}")],
                          title="A photo could not be used") from exc
    files = PhotoFiles(state.photo_store)
    try:  # a store that fails (full, unreachable) keeps no file of this photo; the .part stays for the retry
        display = await files.put(processed.display)
        thumb = await files.put(processed.thumbnail)
        now = datetime.now(timezone.utc)
        async with database.write_transaction(PhotoUpload._meta.db):
            # Every place this photo has in the report (a resident may attach the same photo twice).
            places = await (PhotoUpload.select(PhotoUpload.id, PhotoUpload.position)
                            .where((PhotoUpload.report == row["report"]) & (PhotoUpload.sha256 == row["sha256"])
                                   & (PhotoUpload.state != UploadState.complete)))
            for place in places:
                photo = Photo(report=row["report"], position=place["position"], key=display.key, thumb_key=thumb.key,
                              width=processed.width, height=processed.height, created_at=now,
                              hidden=await hidden_by_staff(display.key))
                await photo.save()
                await PhotoUpload.update({PhotoUpload.state: UploadState.complete, PhotoUpload.photo: photo.id,
                                          PhotoUpload.updated_at: now}).where(PhotoUpload.id == place["id"])
            previews = await forget_previews((PhotoUpload.report == row["report"]) & (PhotoUpload.sha256 == row["sha256"]))
    except BaseException:
        await files.undo()
        raise
    await files.confirm()
    await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    await delete_unused_previews(state.photo_store, previews)  # the photo itself is shown now
    log.info("event=photo_received reference=%s position=%d bytes=%d", row["report.reference"], row["position"], len(data))
    return {"position": row["position"], "sha256": row["sha256"],
            "photo": {"url": photo_url(display.key), "thumbnail_url": photo_url(thumb.key),
                      "width": processed.width, "height": processed.height}}


async def _refuse(row: dict, path: Path, store: PhotoStore) -> None:
    """The photo will not be shown: nor will its preview."""
    await PhotoUpload.update({PhotoUpload.state: UploadState.refused}).where(PhotoUpload.id == row["id"])
    previews = await forget_previews(PhotoUpload.id == row["id"])
    await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    await delete_unused_previews(store, previews)


async def cancel(request: Request) -> Response:
    """DELETE: the phone gives the photo up (the resident removed it); its bytes go now."""
    row = await _upload_of(request)
    if row["state"] != UploadState.complete:
        path = partial_path(services(request).settings.config.uploads_dir, row["id"])
        fd = await anyio.to_thread.run_sync(_lock, path)  # 409 while an append is running; it ends soon
        try:
            await _refuse(row, path, services(request).photo_store)
        finally:
            os.close(fd)
    return Response(status_code=204, headers={"Upload-Draft-Interop-Version": INTEROP_VERSION})


routes = [
    by_method("/api/reports/{reference}/photos/{sha256}", HEAD=offset, PATCH=append, DELETE=cancel),
]

_PROBLEM = {"description": "A problem (RFC 9457); the draft's types for offsets and lengths",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_PATH = [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
         {"name": "sha256", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}]
_ERRORS = {code: _PROBLEM for code in ("400", "401", "403", "404", "409", "410", "413", "415", "422", "503")}
OPENAPI_PATHS = {
    "/api/reports/{reference}/photos/{sha256}": {
        "head": {"summary": "How much of a photo the server holds (Upload-Offset, Upload-Complete, Upload-Length, "
                            "Upload-Limit): the resumable uploads draft's offset retrieval",
                 "security": [{"device": []}], "parameters": _PATH,
                 "responses": {"204": {"description": "The offset, in headers"}, **_ERRORS}},
        "patch": {"summary": "Append a part of a photo at Upload-Offset (application/partial-upload); "
                             "Upload-Complete: ?1 ends it, and the photo is processed",
                  "security": [{"device": []}], "parameters": _PATH,
                  "requestBody": {"required": True, "content": {PARTIAL_UPLOAD: {"schema": {"type": "string", "format": "binary"}}}},
                  "responses": {"204": {"description": "Appended; Upload-Offset says how much is held"},
                                "200": {"description": "The photo is complete and stored"}, **_ERRORS}},
        "delete": {"summary": "Give the photo up", "security": [{"device": []}], "parameters": _PATH,
                   "responses": {"204": {"description": "Given up"}, **_ERRORS}},
    },
    "/api/reports/{reference}/photos/{sha256}/preview": {
        "put": {"summary": "A small JPEG preview of a photo still arriving (at most 100 KB)",
                "security": [{"device": []}], "parameters": _PATH,
                "requestBody": {"required": True, "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "Stored"}, **_ERRORS}},
    },
}
