"""How much memory a photo takes once decoded: what bounds a photo, beside its pixel count."""

from __future__ import annotations

from PIL import Image


def max_decoded_bytes(max_pixels: int) -> int:
    """A photo at the pixel limit in 8-bit RGB: what any camera photo decodes to. Counting pixels
    alone let a 49 Mpx 16-bit RGBA PNG (392 MB of samples) through."""
    return max_pixels * 3


def decoded_bytes(image: Image.Image) -> int:
    """The bytes this opened (not yet loaded) image's samples take once decoded, by its bands and
    bit depth; after JPEG's draft(), at the reduced size it will really decode to."""
    width, height = image.size
    rawmode = image.mode
    if image.tile:
        args = image.tile[0][3]  # the decoder arguments: a rawmode like "RGBA;16B", or (rawmode, ...)
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            args = args[0]
        if isinstance(args, str):
            rawmode = args
    if image.mode in ("I", "F", "RGBX", "RGBa"):
        sample_bytes = 4 if image.mode in ("I", "F") else 1
    else:
        sample_bytes = 2 if "16" in rawmode else 1
    return width * height * len(image.getbands()) * sample_bytes
