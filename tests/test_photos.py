"""Photo uploads: refusals in French, metadata stripped, sizes bounded, decoding guarded.

Every image is built in memory with Pillow or crafted byte by byte; nothing touches the
database or the web app.
"""

import io
import random
import struct
import threading
import time
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageChops, ImageCms

from revital.photos import processing as photos
from revital.photos.processing import (
    MAX_BYTES,
    MAX_JPEG_SCANS,
    MAX_SIDE,
    THUMB_SIDE,
    PhotoError,
    ProcessedPhoto,
    process_photo,
)

NNBSP = "\u202f"  # thousands separator, as in revital.formatting.number_fr
MODEL = "EOS SecretModel 5D"


# --- building images -------------------------------------------------------------------


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo(size=(300, 200), color=(30, 120, 60), fmt="JPEG", **params) -> bytes:
    return encode(Image.new("RGB", size, color), fmt, **params)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = MODEL  # Model
    exif[0x0132] = "2024:05:17 10:31:00"  # DateTime
    exif[0x8825] = {  # GPSInfo IFD: the resident's garden, to the metre
        1: "N",
        2: (44.0, 26.0, 12.5),
        3: "E",
        4: (3.0, 33.0, 1.25),
    }
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def crafted_png(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims width × height 1-bit pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def crafted_webp(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) is rewritten to claim width × height."""
    data = bytearray(photo((64, 48)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(data)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def pillow_must_not_decode(monkeypatch):
    """Fail the test if process_photo hands the bytes to Pillow at all.

    The calls are recorded and checked afterwards: raising from inside would only be turned
    into a PhotoError by process_photo, which catches every failure of Pillow.
    """
    calls = []
    real_open = Image.open

    def spy(*args, **kwargs):
        calls.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(photos.Image, "open", spy)
    yield
    assert not calls, "the bytes reached Image.open"


# --- metadata --------------------------------------------------------------------------


@pytest.mark.parametrize("with_icc", [False, True], ids=["no-profile", "sRGB-profile"])
def test_exif_with_gps_and_all_other_metadata_is_gone(with_icc):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() if with_icc else None
    source = photo(
        (800, 600),
        exif=gps_exif(),
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        comment=b"secret comment",
        icc_profile=icc,
    )
    # The source really carries what must disappear.
    before = opened(source)
    assert before.getexif().get_ifd(0x8825)[2] == (44.0, 26.0, 12.5)
    assert before.getexif()[0x0110] == MODEL
    assert {"exif", "xmp", "comment"} <= before.info.keys()
    assert ("icc_profile" in before.info) == with_icc

    result = process_photo(source)

    for data in (result.data, result.thumbnail):
        image = opened(data)
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}
        assert not {"exif", "xmp", "comment", "icc_profile"} & image.info.keys()
        assert b"Exif" not in data
        assert MODEL.encode() not in data
        assert b"Canon" not in data
        assert b"secret" not in data
        assert b"ICC_PROFILE" not in data
        assert b"http://ns.adobe.com/xap/1.0/" not in data


def test_exif_orientation_is_applied_before_the_exif_is_dropped():
    image = Image.new("RGB", (300, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 60, 60))  # red in the stored top-left corner
    result = process_photo(encode(image, "JPEG", exif=gps_exif(orientation=6)))

    assert (result.width, result.height) == (200, 300)
    assert (result.thumb_width, result.thumb_height) == (200, 300)
    upright = opened(result.data)
    assert dict(upright.getexif()) == {}
    # Orientation 6: the camera was turned a quarter clockwise; the top-left goes top-right.
    red, green, blue = upright.getpixel((200 - 15, 15))
    assert red > 200 and blue < 60
    red, green, blue = upright.getpixel((15, 15))
    assert blue > 200 and red < 60


def test_orientation_survives_reduced_scale_jpeg_decoding():
    image = Image.new("RGB", (4000, 3000), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 400))
    result = process_photo(encode(image, "JPEG", exif=gps_exif(orientation=6)))
    assert (result.width, result.height) == (1200, 1600)
    assert (result.thumb_width, result.thumb_height) == (300, 400)
    red, green, blue = opened(result.data).getpixel((1200 - 40, 40))
    assert red > 200 and blue < 60


def test_damaged_exif_does_not_stop_a_good_photo():
    # One IFD entry whose data lies far beyond the end of the file: Pillow warns
    # "Tag data larger than file" (an error under this suite's warning filter).
    tiff = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01" + b"\x01\x10\x00\x02\x00\x00\x0f\xa0\x00\x00\x00\x1a"
    source = photo((320, 240), exif=b"Exif\x00\x00" + tiff + b"\x00\x00\x00\x00")
    result = process_photo(source)
    assert (result.width, result.height) == (320, 240)
    assert dict(opened(result.data).getexif()) == {}


def test_colour_profile_is_applied_then_dropped():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = process_photo(photo((120, 80), color=(200, 40, 40), icc_profile=icc))
    image = opened(result.data)
    assert "icc_profile" not in image.info
    red, green, blue = image.getpixel((60, 40))
    assert abs(red - 200) < 8 and abs(green - 40) < 8 and abs(blue - 40) < 8


def test_damaged_colour_profile_is_ignored():
    result = process_photo(photo((120, 80), icc_profile=b"not a profile at all" * 10))
    assert "icc_profile" not in opened(result.data).info


# --- formats accepted ------------------------------------------------------------------


def test_png_with_alpha_is_flattened_on_white():
    image = Image.new("RGBA", (300, 200), (0, 0, 255, 255))
    image.paste((0, 0, 0, 0), (0, 0, 150, 200))  # left half fully transparent
    result = process_photo(encode(image, "PNG"))
    out = opened(result.data)
    assert out.mode == "RGB"
    assert min(out.getpixel((40, 100))) > 245  # white, not black
    red, green, blue = out.getpixel((260, 100))
    assert blue > 200 and red < 40


def test_transparent_edges_leave_no_dark_fringe_once_resized():
    # Transparent *black* next to opaque white: resizing without premultiplied alpha
    # would bleed the hidden black into a grey seam.
    image = Image.new("RGBA", (3200, 2000), (0, 0, 0, 0))
    image.paste((255, 255, 255, 255), (1601, 0, 3200, 2000))
    out = opened(process_photo(encode(image, "PNG")).data)
    assert out.size == (1600, 1000)
    assert min(min(out.getpixel((x, 500))) for x in range(780, 820)) > 240


@pytest.mark.parametrize(
    "image",
    [
        Image.new("LA", (90, 60), (0, 0)),  # greyscale, transparent
        Image.new("P", (90, 60), 0),  # palette with a transparent index
        Image.new("RGB", (90, 60), (0, 0, 0)),  # colour key (tRNS) transparency
    ],
    ids=["LA", "P-transparency", "RGB-colour-key"],
)
def test_other_png_transparency_is_flattened_on_white(image):
    params = {} if image.mode == "LA" else {"transparency": 0 if image.mode == "P" else (0, 0, 0)}
    result = process_photo(encode(image, "PNG", **params))
    assert min(opened(result.data).getpixel((45, 30))) > 245


def test_16_bit_greyscale_png_keeps_its_tones():
    image = Image.new("I;16", (90, 60), 32768)  # mid-grey on 16 bits
    result = process_photo(encode(image, "PNG"))
    grey = opened(result.data).getpixel((45, 30))
    assert all(110 < channel < 145 for channel in grey)


@pytest.mark.parametrize("params", [{"quality": 80}, {"lossless": True}], ids=["lossy", "lossless"])
def test_webp_is_accepted(params):
    image = Image.new("RGBA", (400, 300), (200, 30, 30, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 300))
    result = process_photo(encode(image, "WEBP", **params))
    out = opened(result.data)
    assert out.format == "JPEG" and out.size == (400, 300)
    assert min(out.getpixel((20, 150))) > 240
    red, green, blue = out.getpixel((300, 150))
    assert red > 170 and green < 70


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animated_image_keeps_its_first_frame(fmt):
    frames = [Image.new("RGB", (120, 90), color) for color in ((220, 0, 0), (0, 0, 220))]
    source = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
    assert getattr(opened(source), "n_frames", 1) == 2
    red, green, blue = opened(process_photo(source).data).getpixel((60, 45))
    assert red > 180 and blue < 60


def test_multi_picture_jpeg_from_a_camera_is_accepted():
    first, second = Image.new("RGB", (160, 120), (0, 150, 0)), Image.new("RGB", (160, 120))
    source = encode(first, "MPO", save_all=True, append_images=[second])
    assert opened(source).format == "MPO"
    result = process_photo(source)
    assert (result.width, result.height) == (160, 120)


def test_cmyk_jpeg_is_converted_to_rgb():
    source = encode(Image.new("CMYK", (80, 60), (0, 255, 255, 0)), "JPEG")
    out = opened(process_photo(source).data)
    assert out.mode == "RGB"
    red, green, blue = out.getpixel((40, 30))
    assert red > 180 and green < 80 and blue < 80


# --- sizes -----------------------------------------------------------------------------


def test_large_photo_is_resized_and_thumbnailed():
    result = process_photo(photo((5000, 3000)))
    assert (result.width, result.height) == (1600, 960)
    assert (result.thumb_width, result.thumb_height) == (400, 240)
    assert opened(result.data).size == (1600, 960)
    assert opened(result.thumbnail).size == (400, 240)


def test_portrait_photo_is_resized_on_its_height():
    result = process_photo(photo((3000, 5000), fmt="PNG"))
    assert (result.width, result.height) == (960, 1600)
    assert (result.thumb_width, result.thumb_height) == (240, 400)


@pytest.mark.parametrize(
    ("size", "thumb"), [((640, 480), (400, 300)), ((100, 50), (100, 50)), ((1, 1), (1, 1))]
)
def test_small_photo_is_not_upscaled(size, thumb):
    result = process_photo(photo(size))
    assert (result.width, result.height) == size
    assert (result.thumb_width, result.thumb_height) == thumb
    assert opened(result.data).size == size


def test_output_is_a_progressive_jpeg():
    result = process_photo(photo((2000, 1500), fmt="PNG"))
    assert isinstance(result, ProcessedPhoto)
    assert result.content_type == "image/jpeg"
    for data in (result.data, result.thumbnail):
        assert data.startswith(b"\xff\xd8\xff")
        image = opened(data)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.info.get("progressive")
    assert max(result.width, result.height) <= MAX_SIDE
    assert max(result.thumb_width, result.thumb_height) <= THUMB_SIDE
    with pytest.raises(AttributeError):
        result.width = 1  # frozen


# --- refusals --------------------------------------------------------------------------


def test_upload_over_10_mb_is_refused_before_decoding(pillow_must_not_decode):
    with pytest.raises(PhotoError) as refused:
        process_photo(b"\xff\xd8\xff" + bytes(13_000_000 - 3))
    assert str(refused.value) == (
        "La photo dépasse 10 Mo (12,4 Mo) : réduisez-la ou choisissez-en une autre."
    )
    with pytest.raises(PhotoError, match=r"\(10,1 Mo\)"):  # one byte over: rounded up
        process_photo(b"\xff\xd8\xff" + bytes(MAX_BYTES - 2))


def test_upload_of_exactly_10_mb_passes_the_size_check():
    with pytest.raises(PhotoError) as refused:
        process_photo(b"\xff\xd8\xff" + bytes(MAX_BYTES - 3))
    assert "Mo" not in str(refused.value)


def test_empty_file_is_refused():
    with pytest.raises(PhotoError, match="vide"):
        process_photo(b"")


def gif() -> bytes:
    return photo((40, 30), fmt="GIF")


NOT_PHOTOS = {
    "pdf": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    "gif": gif,
    "svg": lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
    "random bytes": lambda: random.Random(7).randbytes(4096),
    "bmp": lambda: photo((40, 30), fmt="BMP"),
    "tiff": lambda: photo((40, 30), fmt="TIFF"),
    "heic": lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100),
    "wav in RIFF": lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40),
    "html": lambda: b"<!doctype html><script>alert(1)</script>",
}


@pytest.mark.parametrize("name", NOT_PHOTOS)
def test_files_that_are_not_photos_are_refused(name, pillow_must_not_decode):
    with pytest.raises(PhotoError) as refused:
        process_photo(NOT_PHOTOS[name]())
    assert str(refused.value) == "Ce fichier n’est pas une photo JPEG, PNG ou WebP."


UNREADABLE = {
    "truncated jpeg": lambda: photo((640, 480))[:3000],
    "truncated png": lambda: photo((640, 480), color=(1, 2, 3), fmt="PNG")[:-30],
    "truncated webp": lambda: photo((640, 480), fmt="WEBP")[:200],
    "jpeg magic only": lambda: b"\xff\xd8\xff",
    "jpeg magic then png": lambda: b"\xff\xd8\xff" + photo(fmt="PNG"),
    "png signature only": lambda: b"\x89PNG\r\n\x1a\n",
    "png without IHDR": lambda: b"\x89PNG\r\n\x1a\n" + png_chunk(b"IEND", b""),
    "webp without image": lambda: b"RIFF\x04\x00\x00\x00WEBP",
    "zero width": lambda: crafted_png(0, 100),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_damaged_photos_are_refused(name):
    with pytest.raises(PhotoError) as refused:
        process_photo(UNREADABLE[name]())
    assert str(refused.value) == "La photo est illisible ou abîmée."


# --- decompression bombs ---------------------------------------------------------------


def test_decompression_bomb_is_refused_fast_without_decoding(pillow_must_not_decode):
    bomb = crafted_png(50_000, 50_000)
    assert len(bomb) < 200
    with pytest.raises(PhotoError) as refused:
        process_photo(bomb)
    assert str(refused.value) == (
        f"La photo est trop grande (50{NNBSP}000 × 50{NNBSP}000 pixels) : "
        "40 millions de pixels au plus."
    )


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (lambda: crafted_png(12_000, 8_000), f"12{NNBSP}000 × 8{NNBSP}000"),  # Pillow would warn
        (lambda: crafted_png(9_000, 5_000), f"9{NNBSP}000 × 5{NNBSP}000"),  # 45 MP: over ours
        (lambda: jpeg_claiming(60_000, 60_000), f"60{NNBSP}000 × 60{NNBSP}000"),
        (lambda: crafted_webp(16_000, 16_000), f"16{NNBSP}000 × 16{NNBSP}000"),
    ],
    ids=["png-96MP", "png-45MP", "jpeg-3600MP", "webp-256MP"],
)
def test_too_many_pixels_are_refused_from_the_header(source, shown, pillow_must_not_decode):
    with pytest.raises(PhotoError) as refused:
        process_photo(source())
    assert f"({shown} pixels)" in str(refused.value)


def test_pixel_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100 * 100)
    assert process_photo(photo((100, 100))).width == 100
    with pytest.raises(PhotoError, match="trop grande"):
        process_photo(photo((101, 100)))


@pytest.mark.parametrize("size", [(40, 40), (100, 100)], ids=["warning", "error"])
def test_pillow_bomb_warning_and_error_become_refusals(monkeypatch, size):
    # Should Pillow's own limit ever be the one that trips (over it: a warning; over
    # twice: an error), the resident gets the pixel message, not a crash.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as in production: warnings are not errors
        with pytest.raises(PhotoError) as refused:
            process_photo(photo(size, fmt="PNG"))
    assert str(refused.value) == "La photo est trop grande : 40 millions de pixels au plus."


def test_jpeg_scan_bomb_is_refused_before_decoding(pillow_must_not_decode):
    # A progressive JPEG may repeat scans: each one makes the decoder walk the whole image
    # again (20 000 tiny scans measured at ≈ 10 s of CPU for a 720 kB file).
    source = photo((64, 48), progressive=True)
    last_scan = source[source.rindex(b"\xff\xda") : -2]
    bomb = source[:-2] + last_scan * MAX_JPEG_SCANS + source[-2:]
    with pytest.raises(PhotoError, match="illisible"):
        process_photo(bomb)


def test_ordinary_progressive_jpeg_is_accepted():
    source = photo((640, 480), progressive=True)
    assert 1 < source.count(b"\xff\xda") <= MAX_JPEG_SCANS
    assert process_photo(source).width == 640


# --- robustness ------------------------------------------------------------------------


def test_no_pillow_exception_escapes_from_damaged_files():
    # Seen escaping from Pillow on such files: OSError, UnidentifiedImageError, SyntaxError,
    # TypeError (damaged EXIF orientation), ValueError (APNG), struct.error.
    picture = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    turned = picture.transpose(Image.Transpose.ROTATE_180)
    sources = [
        encode(picture, "JPEG", exif=gps_exif(orientation=6)),
        encode(picture, "JPEG", progressive=True),
        encode(picture.convert("RGBA"), "PNG"),
        encode(picture.convert("P"), "PNG", transparency=3),
        encode(picture, "PNG", save_all=True, append_images=[turned]),
        encode(picture, "WEBP"),
        encode(picture, "WEBP", lossless=True),
        encode(picture, "WEBP", save_all=True, append_images=[turned]),
        encode(picture, "MPO", save_all=True, append_images=[turned]),
    ]
    rng = random.Random(1)
    outcomes = {"accepted": 0, "refused": 0}
    for source in sources:
        for _ in range(300):
            damaged = bytearray(source)
            for _ in range(rng.randint(1, 6)):
                damaged[rng.randrange(2, len(damaged))] = rng.randrange(256)
            if rng.random() < 0.2:
                damaged = damaged[: rng.randrange(3, len(damaged))]
            try:
                result = process_photo(bytes(damaged))
            except PhotoError as error:
                assert str(error)
                outcomes["refused"] += 1
            else:
                assert result.data.startswith(b"\xff\xd8\xff")
                outcomes["accepted"] += 1
    assert outcomes["accepted"] and outcomes["refused"]


def test_concurrent_processing_leaves_warning_filters_alone():
    filters_before = list(warnings.filters)
    sources = [photo((900 + 10 * index, 700), exif=gps_exif(orientation=6)) for index in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(process_photo, sources))
    assert [(result.width, result.height) for result in results] == [
        (700, 900 + 10 * index) for index in range(8)
    ]
    assert warnings.filters == filters_before
    assert not photos._LOCK.locked()
    assert threading.active_count() >= 1


def test_photo_error_is_a_value_error_with_a_french_message():
    with pytest.raises(ValueError) as refused:
        process_photo(b"GIF89a")
    assert isinstance(refused.value, PhotoError)
    assert "photo" in str(refused.value)


def test_time_to_process_a_12_megapixel_photo(capsys):
    """Measured, not asserted: the figure depends on the machine."""
    # Gradients with noise, so that the file weighs what a phone photo weighs (≈ 4 MB).
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    channels = [
        ImageChops.add(band, Image.effect_noise((4000, 3000), 24), scale=2)
        for band in (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient.rotate(90))
    ]
    source = encode(Image.merge("RGB", channels), "JPEG", quality=90, exif=gps_exif())
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        result = process_photo(source)
        timings.append(time.perf_counter() - started)
    assert (result.width, result.height) == (1600, 1200)
    with capsys.disabled():
        print(
            f"\n12 MP JPEG ({len(source) / 1e6:.1f} MB) -> {len(result.data) / 1e3:.0f} kB "
            f"+ {len(result.thumbnail) / 1e3:.0f} kB thumbnail: "
            f"best {min(timings):.3f} s, runs {', '.join(f'{t:.3f}' for t in timings)}"
        )


def test_damaged_photos_are_refused_even_after_weasyprint_is_loaded():
    """Importing WeasyPrint (the workshop kit) sets Pillow's LOAD_TRUNCATED_IMAGES for the whole
    process: the photo pipeline must not trust that flag."""
    from PIL import ImageFile

    from revital.workshops import kit

    kit.load_weasyprint()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # set back by the kit's loader
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # whatever another library does
    try:
        assert process_photo(photo((640, 480))).width == 640
        for name in ("truncated jpeg", "truncated png"):
            with pytest.raises(PhotoError):
                process_photo(UNREADABLE[name]())
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
