"""What a photo's EXIF says that we use: which way up it is, and where it was taken.

EXIF is written by whoever sends the file, so every value is checked and anything odd means
"upright, no position". The photo pipeline (photos.py) strips all of it after reading this.
"""

from __future__ import annotations

import math

from PIL import ExifTags, Image


def read_exif(image: Image.Image) -> tuple[int, tuple[float, float] | None]:
    """Orientation and GPS position from the upload. Odd EXIF means 'upright, no position'."""
    try:
        exif = image.getexif()
        orientation = exif.get(ExifTags.Base.Orientation, 1)
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 - EXIF is attacker-controlled; any parse failure means "none"
        return 1, None
    if not isinstance(orientation, int):
        orientation = 1
    return orientation, gps_position(gps_ifd)


def gps_position(gps_ifd: dict[int, object]) -> tuple[float, float] | None:
    latitude = _coordinate(
        gps_ifd.get(ExifTags.GPS.GPSLatitude), gps_ifd.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90
    )
    longitude = _coordinate(
        gps_ifd.get(ExifTags.GPS.GPSLongitude), gps_ifd.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180
    )
    if latitude is None or longitude is None:
        return None
    if latitude == 0 and longitude == 0:
        # Phones without a fix write zeros; no council is in the Gulf of Guinea.
        return None
    return latitude, longitude


def _coordinate(value: object, ref: object, positive: str, negative: str, limit: float) -> float | None:
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if not isinstance(ref, str):
        return None
    ref = ref.strip("\x00 ").upper()
    if ref not in (positive, negative):
        return None
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    try:
        parts = [float(part) for part in value]  # IFDRational with a zero denominator gives nan
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if degrees > limit:
        return None
    return -degrees if ref == negative else degrees
