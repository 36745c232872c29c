"""The photo pipeline: check an upload really is a photo, shrink it, turn it upright, strip it.

Residents' photos carry their home's GPS position, their phone's make and serial-like data,
sometimes their name. We read the location (it helps place the report), then re-encode pixels
only and prove nothing else survived; if we cannot prove it, we refuse the photo (fail closed).

`process_photo` is synchronous and pure (bytes in, bytes out) so tests and scripts can call it
directly; request handlers use `process_photo_async`, which keeps Pillow off the event loop.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

import anyio
import anyio.to_thread
import pillow_heif
from PIL import Image, ImageFile

from reportit.reports.decoded_size import decoded_bytes, max_decoded_bytes
from reportit.reports.exif import read_exif

ACCEPTED_FORMATS: frozenset[str] = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})

JPEG_QUALITY = 82
SNIFF_BYTES = 512

# HEIF is a container shared with AVIF and others; only HEVC-coded brands are photos we decode.
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
# pillow-heif only opens files whose *major* brand is one of these.
_HEIF_MAJOR_BRANDS = _HEVC_BRANDS | {b"mif1", b"msf1"}

# A 12 MP phone photo is 4000 or 4032 px wide; halving it by DCT gives 2000/2016 px, a hair under
# a 2048 px display size. Decoding it whole and resampling costs about four times as much for
# 2% more pixels no officer can see, so DCT scaling may land this fraction below display_size.
DEFAULT_DRAFT_SLACK = 0.05

NOT_A_PHOTO = "This file isn't a photo we can use. Please choose a JPEG, PNG, WebP or HEIC photo."
TOO_LARGE = (
    "This photo is too large for us to process. Please try a smaller photo, "
    "or take a new one with your phone's normal camera settings."
)
DAMAGED = (
    "This photo seems to be damaged or incomplete, perhaps because the upload was interrupted. "
    "Please try attaching it again, or choose a different photo."
)
METADATA_REMAINS = (
    "We couldn't remove hidden information (such as location or camera details) from this photo, "
    "so we haven't kept it. Please try a different photo, or take a screenshot of it and send that."
)

# Errors Pillow and libheif raise on data that is not what its header promised.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, RuntimeError)

# Info keys through which Pillow surfaces metadata it found in a file.
_METADATA_INFO_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop")

# Orientation tag value -> the transpose that makes the picture upright (EXIF 2.3, tag 0x0112).
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoRejected(Exception):
    """A photo we will not store. `message` is written for a resident (plain English, says what to do)."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProcessedPhoto:
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    gps: tuple[float, float] | None
    source_format: str


def sniff_format(head: bytes) -> str | None:
    """The accepted format these leading bytes announce, or None. Filenames and MIME types lie."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_MAJOR_BRANDS:
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
        if (brands | {head[8:12]}) & _HEVC_BRANDS:
            return "HEIF"
    return None


def process_photo(
    source: bytes | BinaryIO,
    *,
    max_pixels: int = 50_000_000,
    display_size: int = 2048,
    thumb_size: int = 400,
    draft_slack: float = DEFAULT_DRAFT_SLACK,
) -> ProcessedPhoto:
    """Turn an upload into a metadata-free display JPEG and thumbnail, or raise PhotoRejected."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Something in the process switched this on; damaged uploads would then be stored as
        # grey-filled pictures. Refuse loudly rather than quietly weaken every upload.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for the photo pipeline")

    stream = _as_stream(source)
    start = stream.tell()
    source_format = sniff_format(stream.read(SNIFF_BYTES))
    stream.seek(start)
    if source_format is None:
        raise PhotoRejected(NOT_A_PHOTO)
    if source_format == "HEIF":
        _register_heif_opener()

    with _open(stream, source_format) as image:
        width, height = image.size
        if width * height > max_pixels:
            raise PhotoRejected(TOO_LARGE)
        if source_format == "JPEG":
            image.draft("RGB", _draft_request(image.size, display_size, draft_slack))
        if decoded_bytes(image) > max_decoded_bytes(max_pixels):
            raise PhotoRejected(TOO_LARGE)
        _load(image)
        # After load: PNG's getexif() would otherwise decode the image itself, outside _load's
        # error handling. The EXIF comes from the file's metadata, untouched by draft().
        orientation, gps = read_exif(image)
        display_image = _to_rgb(image)

    # Shrink before turning: transposing the smaller image is cheaper, the result the same.
    display_image = _shrink(display_image, display_size)
    if transpose := _ORIENTATION_TRANSPOSE.get(orientation):
        display_image = display_image.transpose(transpose)
    # A thumbnail may box-average all the way (reducing_gap=1): at 400 px nobody sees the
    # difference from Lanczos, and it is seven times cheaper.
    thumb_image = _shrink(display_image, thumb_size, reducing_gap=1.0)

    display = _encode_jpeg(display_image, optimize=False)
    thumbnail = _encode_jpeg(thumb_image, optimize=True)
    assert_no_metadata(display)
    assert_no_metadata(thumbnail)
    return ProcessedPhoto(
        display=display,
        thumbnail=thumbnail,
        width=display_image.width,
        height=display_image.height,
        thumb_width=thumb_image.width,
        thumb_height=thumb_image.height,
        gps=gps,
        source_format=source_format,
    )


def decoded_estimate(source: bytes | bytearray | BinaryIO, max_pixels: int = 50_000_000,
                     display_size: int = 2048, draft_slack: float = DEFAULT_DRAFT_SLACK) -> int:
    """decoded_bytes from the header alone (cheap: nothing is decoded); 0 for anything that is not
    a photo we open, which process_photo then refuses with the right message."""
    stream = _as_stream(source)
    source_format = sniff_format(stream.read(SNIFF_BYTES))
    stream.seek(0)
    if source_format is None:
        return 0
    if source_format == "HEIF":
        _register_heif_opener()
    try:
        with _open(stream, source_format) as image:
            if source_format == "JPEG" and image.width * image.height <= max_pixels:
                image.draft("RGB", _draft_request(image.size, display_size, draft_slack))
            return decoded_bytes(image)
    except (PhotoRejected, *_DECODE_ERRORS):
        return 0  # process_photo says what is wrong with it


_limiter: anyio.CapacityLimiter | None = None


def _thread_limiter() -> anyio.CapacityLimiter:
    # Created on first use because anyio needs a running event loop to build one. One per CPU:
    # Pillow releases the GIL while decoding, so more threads than cores only add memory.
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(os.cpu_count() or 1)
    return _limiter


async def process_photo_async(
    source: bytes | BinaryIO,
    *,
    max_pixels: int = 50_000_000,
    display_size: int = 2048,
    thumb_size: int = 400,
    draft_slack: float = DEFAULT_DRAFT_SLACK,
) -> ProcessedPhoto:
    """`process_photo` in a worker thread, so the event loop keeps serving other residents."""
    work = functools.partial(
        process_photo,
        source,
        max_pixels=max_pixels,
        display_size=display_size,
        thumb_size=thumb_size,
        draft_slack=draft_slack,
    )
    return await anyio.to_thread.run_sync(work, limiter=_thread_limiter())


def assert_no_metadata(jpeg: bytes) -> None:
    """Raise PhotoRejected unless `jpeg` is a baseline/progressive JPEG carrying pixels only.

    Checks both what Pillow reports and the raw segments, so metadata Pillow does not parse
    (or a segment hidden after the first scan) still fails the check.
    """
    _assert_only_pixel_segments(jpeg)
    try:
        with Image.open(io.BytesIO(jpeg), formats=["JPEG"]) as reopened:
            if reopened.format != "JPEG" or len(reopened.getexif()) > 0:
                raise PhotoRejected(METADATA_REMAINS)
            if any(key in reopened.info for key in _METADATA_INFO_KEYS):
                raise PhotoRejected(METADATA_REMAINS)
    except _DECODE_ERRORS as error:
        raise PhotoRejected(METADATA_REMAINS) from error


# JPEG markers that carry no payload length (ITU T.81 B.1.1.3): TEM and RST0-7.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_SOI, _EOI, _SOS, _APP0 = 0xD8, 0xD9, 0xDA, 0xE0
# Segments that describe how to decode pixels. Anything else (APPn, COM, unknown) could hold
# metadata, except the plain JFIF header our own encoder writes.
_PIXEL_SEGMENTS = frozenset({0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDD, 0xDA})


def _assert_only_pixel_segments(jpeg: bytes) -> None:
    if not jpeg.startswith(b"\xff\xd8"):
        raise PhotoRejected(METADATA_REMAINS)
    position = 2
    while True:
        if position + 2 > len(jpeg) or jpeg[position] != 0xFF:
            raise PhotoRejected(METADATA_REMAINS)
        while position + 1 < len(jpeg) and jpeg[position + 1] == 0xFF:  # fill bytes
            position += 1
        marker = jpeg[position + 1]
        position += 2
        if marker == _EOI:
            if position != len(jpeg):  # a trailer after the image is a classic hiding place
                raise PhotoRejected(METADATA_REMAINS)
            return
        if marker in _STANDALONE_MARKERS:
            continue
        if position + 2 > len(jpeg):
            raise PhotoRejected(METADATA_REMAINS)
        length = int.from_bytes(jpeg[position : position + 2], "big")
        segment = jpeg[position + 2 : position + length]
        if marker == _APP0:
            # Bare JFIF header (no embedded thumbnail): identifier, version, units, density, 0x0.
            if length != 16 or not segment.startswith(b"JFIF\x00"):
                raise PhotoRejected(METADATA_REMAINS)
        elif marker not in _PIXEL_SEGMENTS:
            raise PhotoRejected(METADATA_REMAINS)
        position += length
        if marker == _SOS:
            position = _end_of_entropy_data(jpeg, position)


# In a scan, 0xFF is followed by 0x00 (a stuffed byte), RSTn (0xD0-0xD7) or more 0xFF (fill);
# anything else is the next real marker. A regex finds it at C speed: a Python loop over every
# 0xFF of a photo's entropy data was a tenth of intake's cost.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _end_of_entropy_data(jpeg: bytes, position: int) -> int:
    """Index of the next real marker after a scan."""
    found = _NEXT_MARKER.search(jpeg, position)
    if found is None:
        raise PhotoRejected(METADATA_REMAINS)
    return found.start()


@functools.cache
def _register_heif_opener() -> None:
    # Registering mutates Pillow's plugin registry; do it once, and only when a HEIC arrives.
    pillow_heif.register_heif_opener()


def _as_stream(source: bytes | BinaryIO) -> BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    return source


def _open(stream: BinaryIO, source_format: str) -> Image.Image:
    # Only the plugin the bytes announced may parse them, so a crafted file cannot steer
    # Pillow into a less-trodden decoder.
    try:
        return Image.open(stream, formats=[source_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limit (its warning too, when warnings are errors) fires at open time.
        raise PhotoRejected(TOO_LARGE) from error
    except Image.UnidentifiedImageError as error:
        raise PhotoRejected(NOT_A_PHOTO) from error
    except _DECODE_ERRORS as error:
        raise PhotoRejected(DAMAGED) from error


def _load(image: Image.Image) -> None:
    """Decode every byte now, so a truncated or corrupt upload fails here, not later."""
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(TOO_LARGE) from error
    except _DECODE_ERRORS as error:
        raise PhotoRejected(DAMAGED) from error


def _draft_request(size: tuple[int, int], display_size: int, slack: float) -> tuple[int, int]:
    """The size to pass to JpegImageFile.draft so it picks the largest useful DCT scale.

    draft() picks the largest of 1/2, 1/4, 1/8 that keeps both sides >= the request; we want the
    longest side to stay >= display_size (less the slack), whatever the orientation.
    """
    longest = max(size)
    wanted = max(1, math.ceil(display_size * (1 - slack)))
    scale = next((s for s in (8, 4, 2) if math.ceil(longest / s) >= wanted), 1)
    return (max(1, size[0] // scale), max(1, size[1] // scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    """`image` as RGB (itself if it already is): transparency flattened onto white, as a
    browser shows it; 16-bit greys scaled rather than clipped."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        # Converting straight to L clips everything above 255 to white; scale 16-bit range instead.
        wide = image.convert("I") if image.mode != "F" else image
        highest = wide.getextrema()[1]
        scaled = wide.point(lambda value: value * (255 / highest)) if highest and highest > 255 else wide
        return scaled.convert("L").convert("RGB")
    if image.mode == "RGB" and not image.has_transparency_data:
        return image
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, (255, 255, 255))
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        return flattened
    return image.convert("RGB")


def _shrink(image: Image.Image, bound: int, reducing_gap: float = 1.5) -> Image.Image:
    """`image` scaled to fit a bound x bound box, keeping its shape; never enlarged, never copied."""
    width, height = image.size
    if max(width, height) <= bound:
        return image
    if width >= height:
        size = (bound, max(1, round(height * bound / width)))
    else:
        size = (max(1, round(width * bound / height)), bound)
    # reducing_gap lets Pillow box-average by an integer factor first, then Lanczos the last
    # step: about a third of the cost of Lanczos all the way, with no visible difference.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


def _encode_jpeg(image: Image.Image, *, optimize: bool) -> bytes:
    # Pillow's JPEG writer falls back to image.info for some fields (the COM comment), and
    # convert()/transpose() copy info from the upload, so start from an empty info.
    image.info = {}
    out = io.BytesIO()
    # optimize makes files ~15% smaller but triples the encode time of a full-size photo (the
    # largest cost of intake), so only thumbnails, which every list shows, get it. Not
    # progressive: it doubles encode time, and these images are small enough to arrive whole.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=optimize)
    return out.getvalue()
