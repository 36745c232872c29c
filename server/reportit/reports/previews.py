"""A small preview of each photo (about 20 KB, made on the phone), sent right after the report so an
officer sees evidence within seconds while the full photo is still on its way.

`PUT /api/reports/{ref}/photos/{sha256}/preview` with the JPEG as the body. It goes through the
same Pillow pipeline as every photo (real type from the bytes, metadata stripped), at preview size,
and is stored content-addressed beside the photos; until the full photo is in, pages and the
console show it. Sending it again replaces nothing and costs nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from reportit.app_state import services
from reportit.problems import FieldError, Problem, invalid
from reportit.reports.photos import PhotoRejected, process_photo_async
from reportit.reports.present import photo_url
from reportit.reports.preview_removal import SHOWN_STATES
from reportit.reports.resumable import _upload_of
from reportit.reports.tables import PhotoUpload
from reportit.reports.visibility import columns
from reportit.routing import by_method

MAX_PREVIEW_BYTES = 100 * 1024  # the app makes ~20 KB; a little room for odd phones
PREVIEW_SIZE = 480  # px on the long side, kept as the phone sent it when smaller


async def put_preview(request: Request) -> JSONResponse:
    row = await _upload_of(request)
    with services(request).upload_budget.claim() as claim:  # its bytes count with every upload in flight
        data = bytearray()
        async for piece in request.stream():
            claim.take(len(piece))
            data += piece
            if len(data) > MAX_PREVIEW_BYTES:
                raise Problem(413, "Preview too large", f"A preview must be smaller than {MAX_PREVIEW_BYTES // 1024} KB.")
        return await _store(request, row, bytes(data))


async def _store(request: Request, row: dict, data: bytes) -> JSONResponse:
    if not data:
        raise invalid([FieldError("preview", "The preview is empty.")], title="The preview could not be used")
    try:
        processed = await process_photo_async(data, max_pixels=services(request).settings.config.max_photo_pixels,
                                              display_size=PREVIEW_SIZE, thumb_size=PREVIEW_SIZE)
    except PhotoRejected as exc:
        raise invalid([FieldError("preview", exc.message)], title="The preview could not be used") from exc
    stored = await services(request).photo_store.put(processed.display)
    await PhotoUpload.update({PhotoUpload.preview_key: stored.key}).where(PhotoUpload.id == row["id"])
    return JSONResponse({"position": row["position"], "preview_url": photo_url(stored.key)},
                        headers={"Cache-Control": "no-store"})


async def preview_owners(key: str) -> list[dict]:
    """The reports a stored preview belongs to, shaped as /media/'s photo rows (report columns
    prefixed `report.`), so the same access rule serves it."""
    rows = await (PhotoUpload.select(*columns(PhotoUpload.report), PhotoUpload.report.device,
                                     PhotoUpload.report.account, PhotoUpload.report.staff_user)
                  .where((PhotoUpload.preview_key == key) & PhotoUpload.state.is_in(list(SHOWN_STATES))))
    return [{**row, "hidden": False} for row in rows]  # hiding one clears its key (reports/preview_removal.py)


routes = [by_method("/api/reports/{reference}/photos/{sha256}/preview", PUT=put_preview)]
