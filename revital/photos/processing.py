"""Photos as they are uploaded: checked, re-encoded, stripped of every metadata.

Pure module (Pillow and the standard library). ``process_photo`` takes the uploaded bytes
and returns a JPEG of at most ``MAX_SIDE`` pixels and a thumbnail, or raises ``PhotoError``
whose text can be shown to the resident as is.

Order of the checks, cheapest and safest first:

1. size of the upload (nothing is parsed when it is too big or empty);
2. magic bytes: only JPEG, PNG and WebP go further;
3. width × height read from the file header by this module, so that Pillow never even
   parses the header of an image over ``MAX_PIXELS`` (and so never emits its own
   ``DecompressionBombWarning``); Pillow's reading of the size is checked again after
   ``Image.open``, which is lazy, before any pixel is decoded;
4. decoding (JPEG at reduced scale when possible), EXIF orientation, resizing,
   flattening onto white, conversion to sRGB;
5. a fresh image built from the pixels alone, saved as JPEG without EXIF, XMP, ICC
   profile or comment.

Pillow's global ``Image.MAX_IMAGE_PIXELS`` is deliberately left alone: it is shared by the
whole process (WeasyPrint, maps…), and the limit is enforced here before Pillow is called.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps

MAX_BYTES = 10 * 1024 * 1024  # 10 MB upload
MAX_PIXELS = 40_000_000  # refuse before decoding
MAX_SIDE = 1600  # stored photo, longest side
THUMB_SIDE = 400  # thumbnail, longest side
ACCEPTED = {"JPEG", "PNG", "WEBP"}

JPEG_QUALITY = 82
THUMB_QUALITY = 80
# A progressive JPEG may hold any number of scans, and each one walks over the whole image
# again: a few kilobytes can keep the decoder busy for minutes. Cameras and encoders write
# about ten; an MPO (two or three pictures) or an embedded EXIF thumbnail adds a few more.
MAX_JPEG_SCANS = 100

# Pillow formats accepted for each kind of magic bytes. Some cameras and phones write
# "multi-picture" JPEGs, which Pillow reports as MPO: they are JPEG files all the same.
_PILLOW_FORMATS = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}, "WEBP": {"WEBP"}}
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_WHITE = (255, 255, 255)
_SRGB = ImageCms.createProfile("sRGB")
# Python < 3.14 keeps warning filters process-wide: ``catch_warnings`` is only safe when
# calls cannot interleave. The lock also means a single large image is decoded at a time,
# which bounds memory (a 40-megapixel RGBA PNG takes 160 MB once decoded).
_LOCK = threading.Lock()

MSG_EMPTY = "Le fichier envoyé est vide : choisissez une photo."
MSG_NOT_A_PHOTO = "Ce fichier n’est pas une photo JPEG, PNG ou WebP."
MSG_UNREADABLE = "La photo est illisible ou abîmée."
MSG_TOO_MANY_PIXELS = "La photo est trop grande : {limit} de pixels au plus."


class PhotoError(ValueError):
    """A photo the app refuses; ``str()`` is a French message for the resident."""


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes  # JPEG, longest side <= MAX_SIDE, no metadata
    thumbnail: bytes  # JPEG, longest side <= THUMB_SIDE, no metadata
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    content_type: str = "image/jpeg"


def process_photo(content: bytes) -> ProcessedPhoto:
    """Check an uploaded photo and re-encode it; raise ``PhotoError`` when it is refused."""
    content = bytes(content)
    if not content:
        raise PhotoError(MSG_EMPTY)
    if len(content) > MAX_BYTES:
        raise PhotoError(_too_heavy_message(len(content)))
    kind = sniff(content)
    if kind is None:
        raise PhotoError(MSG_NOT_A_PHOTO)
    size = header_size(kind, content)
    if size is None:
        raise PhotoError(MSG_UNREADABLE)
    _check_pixels(size)
    if kind == "JPEG" and content.count(b"\xff\xda") > MAX_JPEG_SCANS:
        raise PhotoError(MSG_UNREADABLE)

    with _LOCK, warnings.catch_warnings():
        # Pillow warns about files it can still read (damaged EXIF, malformed MPO index,
        # broken APNG control chunk): the metadata is dropped and only the first frame is
        # kept, so these are ignored, in production and under ``-W error`` alike. The
        # decompression bomb warning cannot fire after the header check above; should it
        # ever, it becomes an exception and a refusal.
        warnings.filterwarnings("ignore", module=r"PIL(\.|$)")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(content, kind)
            data = _encode(image, JPEG_QUALITY)
            thumb = image.resize(_fit(image.size, THUMB_SIDE), Image.Resampling.LANCZOS)
            thumb_data = _encode(thumb, THUMB_QUALITY)
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoError(MSG_TOO_MANY_PIXELS.format(limit=_millions(MAX_PIXELS))) from exc
        except MemoryError:
            raise  # the server's trouble, not the resident's: let it surface as an error
        except Exception as exc:  # any Pillow failure: OSError, SyntaxError, struct.error…
            raise PhotoError(MSG_UNREADABLE) from exc
    return ProcessedPhoto(
        data=data,
        thumbnail=thumb_data,
        width=image.width,
        height=image.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
    )


def sniff(content: bytes) -> str | None:
    """The kind of image announced by the magic bytes: "JPEG", "PNG", "WEBP" or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "WEBP"
    return None


def header_size(kind: str, content: bytes) -> tuple[int, int] | None:
    """(width, height) read from the file header, or None when the header is unreadable.

    For a JPEG with several frame headers the largest is returned, so that whichever one
    Pillow keeps is no larger.
    """
    try:
        if kind == "PNG":
            return _png_size(content)
        if kind == "WEBP":
            return _webp_size(content)
        if kind == "JPEG":
            return _jpeg_size(content)
    except (IndexError, ValueError):
        return None
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The IHDR chunk must come first: length 13, type, width, height (big-endian).
    if data[8:16] != b"\x00\x00\x00\x0dIHDR" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:  # extended: canvas size, 24 bits minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":  # lossy
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:  # lossless
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    i, end = 2, len(data)
    while i < end:
        if data[i] != 0xFF:
            return None  # not a marker where one is due: a damaged header
        while i < end and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= end:
            break
        marker = data[i]
        i += 1
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if marker == 0xD9:  # end of image
            break
        if i + 2 > end:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if i + 7 > end:
                return None
            height = int.from_bytes(data[i + 3 : i + 5], "big")
            width = int.from_bytes(data[i + 5 : i + 7], "big")
            if best is None or width * height > best[0] * best[1]:
                best = (width, height)
        if marker == 0xDA:  # start of scan: the header is over
            break
        i += length
    return best


def _decode(content: bytes, kind: str) -> Image.Image:
    """The first frame, upright, in RGB on white, longest side <= MAX_SIDE, in sRGB."""
    # A damaged file is refused, whatever a library imported meanwhile set (WeasyPrint sets it).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image: Image.Image
    with Image.open(io.BytesIO(content), formats=[kind]) as image:  # leaving only closes fp
        if image.format not in _PILLOW_FORMATS[kind]:
            raise PhotoError(MSG_NOT_A_PHOTO)
        _check_pixels(image.size)
        icc = image.info.get("icc_profile")
        if kind == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves at least
            # the final size: a 12-megapixel photo is then never decoded in full.
            image.draft(None, _fit(image.size, MAX_SIDE))
        # Decodes the first frame, then turns it upright (EXIF or XMP orientation). In
        # place: a 40-megapixel RGBA image is 160 MB, every full-size copy counts.
        ImageOps.exif_transpose(image, in_place=True)
    image = _normalise_mode(image)
    target = _fit(image.size, MAX_SIDE)
    if target != image.size:
        # Pillow premultiplies alpha when resizing RGBA / LA: no dark fringes, and the
        # flattening below then works on the small image.
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = _to_srgb(_flatten(image), icc)
    # A fresh image holds the pixels and nothing else: no EXIF, XMP, ICC, comment, DPI.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, L or CMYK, or RGBA / LA when the image has transparency."""
    mode = image.mode
    if mode in ("RGBA", "LA"):
        return image
    if mode.startswith("I;16") or mode == "I":  # 16-bit greyscale PNG: 0-65535 to 0-255
        image = image.convert("I") if mode != "I" else image
        return image.point(lambda value: value * (1 / 257)).convert("L")
    if "transparency" in image.info:  # palette or colour-key transparency (tRNS)
        return image.convert("RGBA")
    if mode in ("RGB", "L", "CMYK"):
        return image
    if mode in ("PA", "La", "RGBa"):
        return image.convert("RGBA")
    return image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode not in ("RGBA", "LA"):
        return image
    background = Image.new("RGBA", image.size, _WHITE + (255,))
    return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB when the photo carries a colour profile (Display P3 on iPhones,
    Adobe RGB, CMYK…), since the profile itself is not kept; plain conversion otherwise."""
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # damaged profile, or one that does not match the pixels: ignore it
    return image.convert("RGB")


def _encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(
        buffer, "JPEG", quality=quality, optimize=True, progressive=True, exif=b"", icc_profile=None
    )
    return buffer.getvalue()


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size scaled so that its longest side is at most ``side``; never enlarged."""
    width, height = size
    longest = max(width, height)
    if longest <= side:
        return width, height
    scale = side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise PhotoError(MSG_UNREADABLE)
    if width * height > MAX_PIXELS:
        raise PhotoError(
            f"La photo est trop grande ({_thousands(width)} × {_thousands(height)} pixels) : "
            f"{_millions(MAX_PIXELS)} de pixels au plus."
        )


def _too_heavy_message(size: int) -> str:
    mebibyte = 1024 * 1024
    weight = math.ceil(size * 10 / mebibyte) / 10  # rounded up: never "dépasse 10 Mo (10,0 Mo)"
    limit = f"{MAX_BYTES / mebibyte:g}".replace(".", ",")
    return (
        f"La photo dépasse {limit} Mo ({weight:.1f} Mo) : ".replace(".", ",")
        + "réduisez-la ou choisissez-en une autre."
    )


def _thousands(value: int) -> str:
    """12 000, with the narrow no-break space used by ``revital.formatting.number_fr``."""
    return f"{value:,}".replace(",", "\u202f")


def _millions(value: int) -> str:
    millions = value / 1_000_000
    return f"{millions:g}".replace(".", ",") + (" million" if millions < 2 else " millions")
