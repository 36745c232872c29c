from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin, TiffImagePlugin

from reportit.reports.photos import (
    ACCEPTED_FORMATS,
    PhotoRejected,
    ProcessedPhoto,
    assert_no_metadata,
    process_photo,
    process_photo_async,
    sniff_format,
)
from tests.photo_samples import (
    BLUE,
    GREEN,
    RED,
    asymmetric_picture,
    camera_exif,
    heic_bytes,
    jpeg_with_exif,
    large_jpeg,
    not_an_image,
    png_bomb,
    png_bytes,
    truncated_jpeg,
    webp_bytes,
)

WHITE = (255, 255, 255)


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def jpeg_markers(jpeg: bytes) -> list[int]:
    """Marker codes of the segments before the first scan, read straight from the bytes."""
    assert jpeg[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert jpeg[position] == 0xFF
        marker = jpeg[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        length = int.from_bytes(jpeg[position + 2 : position + 4], "big")
        position += 2 + length


def corner_colours(image: Image.Image) -> dict[str, tuple[int, ...]]:
    inset = 5
    right, bottom = image.width - 1 - inset, image.height - 1 - inset
    return {
        "top_left": image.getpixel((inset, inset)),
        "top_right": image.getpixel((right, inset)),
        "bottom_left": image.getpixel((inset, bottom)),
        "bottom_right": image.getpixel((right, bottom)),
    }


def jpeg_from(picture: Image.Image, **save: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", **save)
    return out.getvalue()


def png_from(picture: Image.Image, **save: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", **save)
    return out.getvalue()


@pytest.fixture(scope="module")
def camera_photo() -> ProcessedPhoto:
    return process_photo(jpeg_with_exif())


# The stored picture is red left, blue right, green marker top-left (800x600).
# Each orientation says how the phone was held; the marker must end where a viewer would see it.
@pytest.mark.parametrize(
    ("orientation", "size", "expected"),
    [
        (1, (800, 600), {"top_left": GREEN, "top_right": BLUE, "bottom_left": RED, "bottom_right": BLUE}),
        (3, (800, 600), {"top_left": BLUE, "top_right": RED, "bottom_left": BLUE, "bottom_right": GREEN}),
        (6, (600, 800), {"top_left": RED, "top_right": GREEN, "bottom_left": BLUE, "bottom_right": BLUE}),
        (8, (600, 800), {"top_left": BLUE, "top_right": BLUE, "bottom_left": GREEN, "bottom_right": RED}),
    ],
)
def test_exif_orientation_is_applied_so_the_photo_is_upright(
    orientation: int, size: tuple[int, int], expected: dict[str, tuple[int, int, int]]
) -> None:
    photo = process_photo(jpeg_with_exif(800, 600, orientation=orientation))

    for jpeg, bound in ((photo.display, 2048), (photo.thumbnail, 400)):
        image = decoded(jpeg)
        scale = min(1, bound / max(size))
        assert image.size == (round(size[0] * scale), round(size[1] * scale))
        colours = corner_colours(image)
        for corner, colour in expected.items():
            assert close_to(colours[corner], colour), (corner, colours[corner], colour)
    assert (photo.width, photo.height) == size


def test_gps_position_is_read_from_the_upload(camera_photo: ProcessedPhoto) -> None:
    assert camera_photo.gps == pytest.approx((51.4975, -0.1357), abs=1e-5)


def test_gps_south_and_east_are_signed_by_their_refs() -> None:
    photo = process_photo(jpeg_with_exif(gps=(-33.8688, 151.2093)))
    assert photo.gps == pytest.approx((-33.8688, 151.2093), abs=1e-5)


def test_photo_without_gps_has_no_position() -> None:
    assert process_photo(jpeg_with_exif(gps=None)).gps is None


def broken_gps_jpeg(**gps_tags: object) -> bytes:
    exif = camera_exif(orientation=1, gps=(51.4975, -0.1357))
    gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for name, value in gps_tags.items():
        gps_ifd[ExifTags.GPS[name]] = value
    return jpeg_from(asymmetric_picture(80, 60), exif=exif)


@pytest.mark.parametrize(
    "gps_tags",
    [
        {"GPSLatitudeRef": "Q"},
        {"GPSLatitude": (TiffImagePlugin.IFDRational(51, 0), 0, 0)},
        {"GPSLatitude": (TiffImagePlugin.IFDRational(95, 1), 0, 0)},
        {"GPSLongitude": (0, 8, 8, 52)},
        {"GPSLatitude": (0, 0, 0), "GPSLongitude": (0, 0, 0)},
    ],
    ids=["unknown-ref", "zero-denominator", "beyond-pole", "four-parts", "no-fix-zeros"],
)
def test_malformed_gps_is_ignored_not_fatal(gps_tags: dict[str, object]) -> None:
    photo = process_photo(broken_gps_jpeg(**gps_tags))
    assert photo.gps is None
    assert photo.width == 80


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_exif_that_cannot_be_parsed_does_not_stop_the_photo() -> None:
    garbage_exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff\xff\xf0junk"
    photo = process_photo(jpeg_from(asymmetric_picture(80, 60), exif=garbage_exif))
    assert (photo.width, photo.height, photo.gps) == (80, 60, None)


@pytest.mark.parametrize("which", ["display", "thumbnail"])
def test_no_metadata_survives_in_the_output(camera_photo: ProcessedPhoto, which: str) -> None:
    jpeg: bytes = getattr(camera_photo, which)
    image = decoded(jpeg)

    assert len(image.getexif()) == 0
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop"):
        assert key not in image.info
    application_or_comment = [m for m in jpeg_markers(jpeg) if 0xE1 <= m <= 0xEF or m == 0xFE]
    assert application_or_comment == []
    for secret in (b"Exif\x00", b"ns.adobe.com/xap", b"ReportIt Test Camera", b"Acacia", b"ICC_PROFILE"):
        assert secret not in jpeg


def test_sizes_are_bounded_for_a_phone_sized_photo() -> None:
    photo = process_photo(large_jpeg(12))

    display, thumbnail = decoded(photo.display), decoded(photo.thumbnail)
    assert max(display.size) <= 2048
    assert max(thumbnail.size) <= 400
    assert display.size == (photo.width, photo.height)
    assert thumbnail.size == (photo.thumb_width, photo.thumb_height)
    # The DCT shortcut may undershoot 2048 a little, never by more than its slack.
    assert max(display.size) >= 2048 * 0.95
    assert display.width / display.height == pytest.approx(4 / 3, rel=0.01)


def test_without_slack_the_display_keeps_the_full_display_size() -> None:
    photo = process_photo(large_jpeg(12), draft_slack=0)
    assert max(photo.width, photo.height) == 2048


def test_a_small_photo_is_not_enlarged() -> None:
    photo = process_photo(png_bytes(120, 90))
    assert (photo.width, photo.height) == (120, 90)


def test_png_with_transparency_is_flattened_onto_white() -> None:
    photo = process_photo(png_bytes(300, 200, alpha=True))

    image = decoded(photo.display)
    assert photo.source_format == "PNG"
    assert image.mode == "RGB"
    assert close_to(image.getpixel((100, 150)), RED)
    assert close_to(image.getpixel((250, 100)), WHITE)


def test_webp_is_accepted() -> None:
    photo = process_photo(webp_bytes(300, 200))
    assert photo.source_format == "WEBP"
    assert (photo.width, photo.height) == (300, 200)
    assert close_to(corner_colours(decoded(photo.display))["top_left"], GREEN)


def test_heic_from_an_iphone_is_accepted() -> None:
    photo = process_photo(heic_bytes(300, 200))
    assert photo.source_format == "HEIF"
    assert (photo.width, photo.height) == (300, 200)
    assert close_to(corner_colours(decoded(photo.display))["bottom_right"], BLUE)
    assert_no_metadata(photo.display)


def sixteen_bit_grey() -> Image.Image:
    """A top-to-bottom black-to-white ramp using the full 16-bit range."""
    return Image.linear_gradient("L").resize((64, 48)).point(lambda v: v * 256, mode="I").convert("I;16")


def odd_mode_uploads() -> list[object]:
    picture = asymmetric_picture(64, 48)
    palette = picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    return [
        pytest.param(jpeg_from(picture.convert("CMYK")), id="cmyk-jpeg"),
        pytest.param(jpeg_from(picture.convert("L")), id="greyscale-jpeg"),
        pytest.param(png_from(palette, transparency=0), id="palette-png-with-transparency"),
        pytest.param(png_from(picture.convert("LA")), id="grey-alpha-png"),
        pytest.param(png_from(sixteen_bit_grey()), id="16-bit-grey-png"),
        pytest.param(png_from(picture.convert("1")), id="1-bit-png"),
    ]


@pytest.mark.parametrize("upload", odd_mode_uploads())
def test_uploads_in_any_colour_mode_become_rgb(upload: bytes) -> None:
    image = decoded(process_photo(upload).display)
    assert image.mode == "RGB"
    assert image.size == (64, 48)


def test_sixteen_bit_grey_keeps_its_tones_instead_of_turning_white() -> None:
    image = decoded(process_photo(png_from(sixteen_bit_grey())).display)
    top, bottom = image.getpixel((32, 2)), image.getpixel((32, 45))
    assert top[0] < 30 and bottom[0] > 220


def test_a_file_object_is_accepted_like_bytes() -> None:
    photo = process_photo(io.BytesIO(jpeg_with_exif()))
    assert (photo.width, photo.height) == (600, 800)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    asymmetric_picture(40, 30).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (not_an_image(), "isn't a photo"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "isn't a photo"),
        (gif_bytes(), "isn't a photo"),
        (b"", "isn't a photo"),
        (truncated_jpeg(), "damaged or incomplete"),
        (png_bytes(200, 100)[:-300], "damaged or incomplete"),
        (heic_bytes(200, 100)[:-200], "damaged or incomplete"),
    ],
    ids=["text-named-jpg", "pdf", "gif", "empty", "truncated-jpeg", "truncated-png", "truncated-heic"],
)
def test_bad_uploads_are_rejected_with_a_message_for_the_resident(upload: bytes, says: str) -> None:
    with pytest.raises(PhotoRejected) as rejected:
        process_photo(upload)
    assert says in rejected.value.message
    assert rejected.value.message.endswith(".")


def refuse_to_decode(self: Image.Image) -> None:
    raise AssertionError("the pixels of a too-large image were decoded")


def test_png_bomb_is_rejected_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse_to_decode)
    with pytest.raises(PhotoRejected) as rejected:
        process_photo(png_bomb(20000, 20000))
    assert "too large" in rejected.value.message


def test_photo_over_our_pixel_limit_but_under_pillows_is_rejected_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse_to_decode)
    assert 8000 * 8000 < Image.MAX_IMAGE_PIXELS
    with pytest.raises(PhotoRejected) as rejected:
        process_photo(png_bomb(8000, 8000))
    assert "too large" in rejected.value.message


def test_pixel_limit_is_a_parameter() -> None:
    with pytest.raises(PhotoRejected):
        process_photo(jpeg_with_exif(800, 600), max_pixels=800 * 600 - 1)
    assert process_photo(jpeg_with_exif(800, 600), max_pixels=800 * 600).height == 800


def test_loading_truncated_images_stays_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    process_photo(jpeg_with_exif())
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        process_photo(truncated_jpeg())


def test_assert_no_metadata_rejects_a_jpeg_carrying_exif() -> None:
    with pytest.raises(PhotoRejected) as rejected:
        assert_no_metadata(jpeg_with_exif())
    assert "hidden information" in rejected.value.message


@pytest.mark.parametrize(
    "save",
    [
        {"comment": b"hello"},
        {"xmp": b"<x:xmpmeta/>"},
        {"icc_profile": b"\x00" * 128},
        {"exif": camera_exif(orientation=None, gps=None)},
    ],
    ids=["comment", "xmp", "icc", "exif-without-gps"],
)
def test_assert_no_metadata_rejects_each_kind_of_metadata(save: dict[str, object]) -> None:
    with pytest.raises(PhotoRejected):
        assert_no_metadata(jpeg_from(asymmetric_picture(40, 30), **save))


def test_assert_no_metadata_rejects_data_hidden_after_the_image(camera_photo: ProcessedPhoto) -> None:
    with pytest.raises(PhotoRejected):
        assert_no_metadata(camera_photo.display + b"GPS 51.4975,-0.1357")


def test_assert_no_metadata_accepts_a_plain_jpeg(camera_photo: ProcessedPhoto) -> None:
    assert_no_metadata(jpeg_from(asymmetric_picture(40, 30)))
    assert_no_metadata(camera_photo.display)
    assert_no_metadata(camera_photo.thumbnail)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (jpeg_with_exif()[:64], "JPEG"),
        (png_bytes(4, 4)[:64], "PNG"),
        (webp_bytes(4, 4)[:64], "WEBP"),
        (heic_bytes(64, 64)[:64], "HEIF"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", None),
        (gif_bytes()[:64], None),
        (not_an_image(), None),
    ],
    ids=["jpeg", "png", "webp", "heic", "avif", "gif", "text"],
)
def test_format_is_sniffed_from_the_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected
    assert expected is None or expected in ACCEPTED_FORMATS


async def test_async_wrapper_processes_off_the_event_loop() -> None:
    photo = await process_photo_async(jpeg_with_exif(), thumb_size=100)
    assert (photo.width, photo.height) == (600, 800)
    assert max(photo.thumb_width, photo.thumb_height) == 100


async def test_async_wrapper_raises_photo_rejected() -> None:
    with pytest.raises(PhotoRejected):
        await process_photo_async(not_an_image())


def test_a_photo_under_the_pixel_limit_that_decodes_too_big_is_refused_unread():
    # 4 Mpx, under a 5 Mpx limit; 16-bit RGBA samples are 32 MB, more than 5 Mpx of 8-bit RGB (15 MB).
    with pytest.raises(PhotoRejected, match="too large"):
        process_photo(png_bomb(2000, 2000, rgba16=True), max_pixels=5_000_000)
    assert process_photo(png_bytes(2000, 2000), max_pixels=5_000_000).width == 2000
