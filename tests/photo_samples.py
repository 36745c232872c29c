"""Test photos made in memory with Pillow, so no binary fixtures live in the repository.

Each helper returns encoded file bytes, shaped like what a resident's phone would upload
(or like what an attacker would upload instead).
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from fractions import Fraction

import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageDraw, TiffImagePlugin

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GREEN = (20, 200, 20)

# A marker in the stored top-left corner tells a rotation apart from a mirror.
MARKER_FRACTION = 0.2

XMP_PACKET = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Jo Resident"/>'
    b"</rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def asymmetric_picture(width: int, height: int) -> Image.Image:
    """Left half red, right half blue, a green square in the top-left corner."""
    picture = Image.new("RGB", (width, height), BLUE)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width // 2 - 1, height - 1), fill=RED)
    marker = max(1, int(min(width, height) * MARKER_FRACTION))
    draw.rectangle((0, 0, marker - 1, marker - 1), fill=GREEN)
    return picture


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    """Decimal degrees as the (degrees, minutes, seconds) rationals cameras write."""
    value = abs(value)
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = Fraction((minutes_float - minutes) * 60).limit_denominator(10_000)
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(seconds.numerator, seconds.denominator),
    )


def camera_exif(orientation: int | None, gps: tuple[float, float] | None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ReportIt Test Camera"
    exif[ExifTags.Base.Model] = "Phone 1"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:01 09:30:00"
    if gps is not None:
        lat, lng = gps
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps_ifd[ExifTags.GPS.GPSLatitude] = _dms(lat)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E" if lng >= 0 else "W"
        gps_ifd[ExifTags.GPS.GPSLongitude] = _dms(lng)
    return exif


def jpeg_with_exif(
    width: int = 800,
    height: int = 600,
    orientation: int | None = 6,
    gps: tuple[float, float] | None = (51.4975, -0.1357),
    make_xmp: bool = True,
) -> bytes:
    """A camera-like JPEG carrying everything we promise to strip: EXIF (with GPS), XMP, ICC, COM."""
    out = io.BytesIO()
    extra: dict[str, object] = {
        "exif": camera_exif(orientation, gps),
        "comment": b"Taken outside 12 Acacia Avenue",
        "icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    }
    if make_xmp:
        extra["xmp"] = XMP_PACKET
    asymmetric_picture(width, height).save(out, "JPEG", quality=90, **extra)
    return out.getvalue()


def png_bytes(width: int, height: int, alpha: bool = False) -> bytes:
    """Asymmetric PNG; with alpha the right half is fully transparent."""
    picture = asymmetric_picture(width, height)
    if alpha:
        mask = Image.new("L", (width, height), 255)
        ImageDraw.Draw(mask).rectangle((width // 2, 0, width - 1, height - 1), fill=0)
        picture.putalpha(mask)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def webp_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    asymmetric_picture(width, height).save(out, "WEBP", quality=85)
    return out.getvalue()


def heic_bytes(width: int, height: int) -> bytes:
    """HEIC as an iPhone would send it. Raises if this libheif build has no HEVC encoder."""
    if not pillow_heif.libheif_info().get("HEIF"):
        raise RuntimeError("The installed pillow-heif cannot encode HEIC; tests need an encoder.")
    out = io.BytesIO()
    pillow_heif.from_pillow(asymmetric_picture(width, height)).save(out, quality=85)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A JPEG cut off mid-scan, like an upload interrupted by a lost signal."""
    whole = jpeg_with_exif(orientation=None, gps=None, make_xmp=False)
    return whole[: len(whole) * 6 // 10]


def not_an_image() -> bytes:
    return b"Dear council,\nThis is a letter saved with a .jpg name, not a photo.\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=4)
@functools.lru_cache(maxsize=4)
def png_bomb(width: int = 20000, height: int = 20000, rgba16: bool = False) -> bytes:
    """A genuine, decodable PNG: 1-bit grey (width*height bytes once decoded), or 16-bit RGBA
    (8 bytes a pixel: 7000 x 7000 is under the pixel limit and 392 MB of samples).

    Scanlines are streamed through one compressor so neither this helper nor the file is big.
    """
    depth, colour, bits_per_pixel = (16, 6, 64) if rgba16 else (1, 0, 1)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)  # no interlace
    scanline = b"\x00" * (1 + (width * bits_per_pixel + 7) // 8)  # filter byte "none" + zero pixels
    compressor = zlib.compressobj(9)
    idat = [compressor.compress(scanline) for _ in range(height)]
    idat.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(idat))
        + _png_chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=2)
def large_jpeg(megapixels: int = 12) -> bytes:
    """A 4:3 photo-like JPEG: smooth gradients, shapes and sensor-like noise, ~2-4 MB at 12 MP."""
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    gradient = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 18)
    picture = Image.merge(
        "RGB",
        (
            Image.blend(gradient, noise, 0.35),
            Image.blend(radial, noise, 0.3),
            Image.blend(gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.4),
        ),
    )
    draw = ImageDraw.Draw(picture)
    for i in range(40):
        x, y = (i * 613) % width, (i * 331) % height
        draw.ellipse((x, y, x + width // 8, y + height // 8), fill=(i * 6 % 256, 120, 255 - i * 6 % 256))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=camera_exif(1, (51.4975, -0.1357)))
    return out.getvalue()
