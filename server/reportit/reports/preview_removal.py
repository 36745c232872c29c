"""Previews go with their photo: when staff hide or redact it, when it arrives or is refused, when
the account that sent it is erased, or when staff hide a preview whose photo never came. The row
forgets the key at once (so /media/ no longer serves it); the file goes once nothing uses it."""

from __future__ import annotations

from piccolo.custom_types import Combinable

from reportit.reports.storage import PhotoStore
from reportit.reports.tables import Photo, PhotoUpload, UploadState

# A preview is shown only while its photo may still come (or never came): not once it is in or refused.
SHOWN_STATES = (UploadState.arriving, UploadState.expired)
HIDDEN = "hidden"  # in place of the key: staff took the preview down, and the phone may not send another


def has_preview(key: str) -> bool:
    return bool(key) and key != HIDDEN


async def forget_previews(where: Combinable, *, mark: str = "") -> list[str]:
    """Clear the preview of every upload row `where` matches (to `mark`); the keys it held."""
    having = where & (PhotoUpload.preview_key != "") & (PhotoUpload.preview_key != HIDDEN)
    rows = await PhotoUpload.select(PhotoUpload.preview_key).where(having)
    if rows:
        await PhotoUpload.update({PhotoUpload.preview_key: mark}).where(having)
    return sorted({r["preview_key"] for r in rows})


async def key_in_use(key: str) -> bool:
    """Files are stored by content: another photo or preview may share these bytes."""
    return (await Photo.exists().where((Photo.key == key) | (Photo.thumb_key == key))
            or await PhotoUpload.exists().where(PhotoUpload.preview_key == key))


async def delete_unused_previews(store: PhotoStore, keys: list[str]) -> int:
    removed = 0
    for key in keys:
        if await key_in_use(key):
            continue
        await store.delete(key, "jpg")
        removed += 1
    return removed
