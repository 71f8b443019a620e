"""Pure image intake for uploads (return photos, review photos, brand logos).

`intake(data)` accepts only PNG, JPEG and WebP, refuses oversized files and pictures with too many
pixels (decompression bombs are refused from the header, before any pixel is decoded), decodes the
picture fully, applies its EXIF orientation, and re-encodes it with Pillow so that nothing of the
original file survives: no EXIF, no GPS, no XMP, no ICC tricks, no trailing payloads. It returns
the new bytes and their content type, or raises `ImageRejected` with a message a person can read.

No I/O, no database: callers store the bytes where they like.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

#: the formats we accept, as Pillow names them -> the content type we answer with
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000  # e.g. 6000 x 4000
MAX_SIDE = 10_000
#: re-encoded pictures are scaled down to fit this box (enough for a photo of a damaged item)
OUTPUT_SIDE = 2048

_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


#: the file name extension of each picture type intake produces
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


class ImageRejected(ValueError):
    """An upload that is not an acceptable picture: a stable `code` ("image.too_large") with the
    `params` its sentence needs; `str(error)` is the English reason."""

    def __init__(self, code: str, message: str, **params: int) -> None:
        super().__init__(message % params if params else message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def intake(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
           output_side: int = OUTPUT_SIDE) -> CleanImage:
    """Check and re-encode an uploaded picture. Raises ImageRejected."""
    if not data:
        raise ImageRejected("image.empty", "The file is empty.")
    if len(data) > max_bytes:
        raise ImageRejected("image.too_large", "The picture is too large (at most %(mb)s MB).",
                            mb=max_bytes // (1024 * 1024) or 1)
    if not _looks_like_image(data):
        raise ImageRejected("image.not_a_picture", "Only pictures can be uploaded (PNG, JPEG or WebP).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # open() reads the header only: check the size before decoding a single pixel
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:
                fmt = img.format
                width, height = img.size
                if fmt not in FORMATS:
                    raise ImageRejected("image.not_a_picture", "Only pictures can be uploaded (PNG, JPEG or WebP).")
                if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
                    raise ImageRejected("image.too_many_pixels",
                                        "The picture has too many pixels (at most %(mp)s megapixels).",
                                        mp=max_pixels // 1_000_000)
                if getattr(img, "n_frames", 1) > 1:
                    img.seek(0)
                _load_complete(img)
                img = ImageOps.exif_transpose(img)
                out = _flatten(img, fmt)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("image.too_many_pixels", "The picture has too many pixels (at most %(mp)s megapixels).",
                            mp=max_pixels // 1_000_000) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise ImageRejected("image.unreadable", "The file is not a readable picture.") from None

    out.thumbnail((output_side, output_side))
    buffer = io.BytesIO()
    if fmt == "PNG":
        out.save(buffer, "PNG", optimize=True)
    elif fmt == "WEBP":
        out.save(buffer, "WEBP", quality=85)
    else:
        out.save(buffer, "JPEG", quality=85, optimize=True)
    return CleanImage(buffer.getvalue(), FORMATS[fmt], out.width, out.height)


def _load_complete(img: Image.Image) -> None:
    """Decode every pixel, refusing a truncated file even when another library (WeasyPrint sets
    ImageFile.LOAD_TRUNCATED_IMAGES on import) has told Pillow to accept them."""
    from PIL import ImageFile

    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        img.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _flatten(img: Image.Image, fmt: str) -> Image.Image:
    """A fresh image holding pixels only (the new object carries no info/exif of the original)."""
    if fmt == "JPEG":
        mode = "RGB" if img.mode not in ("L",) else "L"
    else:
        mode = "RGBA" if ("A" in img.getbands() or img.mode == "P" and "transparency" in img.info) else "RGB"
    converted = img.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean
