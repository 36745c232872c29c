"""A small preview of each photo (about 20 KB, made on the phone), sent right after the report so an
officer sees evidence within seconds while the full photo is still on its way.

`PUT /api/reports/{ref}/photos/{sha256}/preview` with the JPEG as the body (at most 100 KB and
2 megapixels: a larger one is 422). It goes through the same Pillow pipeline as every photo (real
type from the bytes, metadata stripped), at preview size, its decoding counted against the shared
upload budget, and is stored content-addressed beside the photos; until the full photo is in (or
for good, if it never comes), pages and the console show it. A photo that has a preview already
keeps it: sending it again reads nothing and decodes nothing, and bytes this process has made a
preview of are not decoded again. Each phone may make `reports_per_hour × max_photos × 2`
previews an hour (a third of them at once). Once the photo is in or refused, or staff hide it, the
preview is no longer served (reports/preview_removal.py).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from functools import lru_cache

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse

from reportit.app_state import services
from reportit.limits import RateLimiter
from reportit.problems import FieldError, Problem, invalid
from reportit.reports.decoded_size import max_decoded_bytes
from reportit.reports.photos import TOO_LARGE, PhotoRejected, decoded_estimate, process_photo_async
from reportit.reports.present import photo_url
from reportit.reports.preview_removal import SHOWN_STATES, has_preview
from reportit.reports.resumable import _refuse_given_up, _upload_of
from reportit.reports.tables import PhotoUpload, UploadState
from reportit.reports.visibility import columns
from reportit.routing import by_method

MAX_PREVIEW_BYTES = 100 * 1024  # the app makes ~20 KB; a little room for odd phones
MAX_PREVIEW_PIXELS = 2_000_000  # the app makes 480 px on the long side; nothing needs 50 MP decoded
PREVIEW_SIZE = 480  # px on the long side, kept as the phone sent it when smaller
REMEMBERED = 1024  # previews made lately, by the SHA-256 of the bytes sent: not decoded again
_made: OrderedDict[str, str] = OrderedDict()


@lru_cache(maxsize=8)
def _limiter(per_hour: int) -> RateLimiter:
    return RateLimiter(per_hour, capacity=max(1, per_hour // 3), what="photo previews")


async def put_preview(request: Request) -> JSONResponse:
    row = await _upload_of(request)
    _refuse_given_up(row["state"])
    if row["state"] == UploadState.complete:  # the photo itself is shown: no preview needed
        return _answer(row, None)
    if row["preview_key"]:  # sent again (a reply lost on the way), or hidden by staff: nothing read or decoded
        return _answer(row, row["preview_key"] if has_preview(row["preview_key"]) else None)
    config = services(request).settings.config
    who = f"device:{row['report.device']}" if row["report.device"] is not None else f"staff:{row['report.staff_user']}"
    await _limiter(config.reports_per_hour * config.max_photos * 2).check(who)
    with services(request).upload_budget.claim() as claim:  # its bytes count with every upload in flight
        data = bytearray()
        async for piece in request.stream():
            claim.take(len(piece))
            data += piece
            if len(data) > MAX_PREVIEW_BYTES:
                raise Problem(413, "Preview too large", f"A preview must be smaller than {MAX_PREVIEW_BYTES // 1024} KB.")
        return await _store(request, row, bytes(data), claim)


def _answer(row: dict, key: str | None) -> JSONResponse:
    return JSONResponse({"position": row["position"], "preview_url": photo_url(key) if key else None},
                        headers={"Cache-Control": "no-store"})


async def _store(request: Request, row: dict, data: bytes, claim) -> JSONResponse:
    if not data:
        raise invalid([FieldError("preview", "The preview is empty.")], title="The preview could not be used")
    digest = hashlib.sha256(data).hexdigest()
    key = _made.get(digest)
    if key is None or not await services(request).photo_store.exists(key):
        # The decoding takes memory from the same budget as every upload in flight.
        estimate = await anyio.to_thread.run_sync(decoded_estimate, data, MAX_PREVIEW_PIXELS, PREVIEW_SIZE)
        claim.take(estimate if estimate <= max_decoded_bytes(MAX_PREVIEW_PIXELS) else 0)
        try:
            processed = await process_photo_async(data, max_pixels=MAX_PREVIEW_PIXELS,
                                                  display_size=PREVIEW_SIZE, thumb_size=PREVIEW_SIZE)
        except PhotoRejected as exc:
            words = (f"A preview may be at most {MAX_PREVIEW_PIXELS // 1_000_000} megapixels; the app makes "
                     f"them {PREVIEW_SIZE} pixels across.") if exc.message == TOO_LARGE else exc.message
            raise invalid([FieldError("preview", words)], title="The preview could not be used") from exc
        key = (await services(request).photo_store.put(processed.display)).key
        _made[digest] = key
        while len(_made) > REMEMBERED:
            _made.popitem(last=False)
    else:
        _made.move_to_end(digest)
    await PhotoUpload.update({PhotoUpload.preview_key: key}).where(  # not once the photo is in or refused
        (PhotoUpload.id == row["id"]) & PhotoUpload.state.is_in(list(SHOWN_STATES)))
    return _answer(row, key)


async def preview_owners(key: str) -> list[dict]:
    """The reports a stored preview belongs to, shaped as /media/'s photo rows (report columns
    prefixed `report.`), so the same access rule serves it."""
    rows = await (PhotoUpload.select(*columns(PhotoUpload.report), PhotoUpload.report.device,
                                     PhotoUpload.report.account, PhotoUpload.report.staff_user)
                  .where((PhotoUpload.preview_key == key) & PhotoUpload.state.is_in(list(SHOWN_STATES))))
    return [{**row, "hidden": False} for row in rows]  # hiding one clears its key (reports/preview_removal.py)


routes = [by_method("/api/reports/{reference}/photos/{sha256}/preview", PUT=put_preview)]
