"""Pure image intake for uploads (return photos, review photos, brand logos).

`intake(data)` accepts only PNG, JPEG and WebP, refuses oversized files and pictures with too many
pixels (decompression bombs are refused from the header, before any pixel is decoded), decodes the
picture fully, applies its EXIF orientation, and re-encodes it with Pillow so that nothing of the
original file survives: no EXIF, no GPS, no XMP, no ICC tricks, no trailing payloads. It returns
the new bytes and their content type, or raises `ImageRejected`: a coded refusal (``image.too_large``
with the limit as a parameter, ...) that pages word through `orderhub.site.messages`.

The limits are the one source for what pages say about them (`MAX_MB`, `MAX_MEGAPIXELS`, `ACCEPT`):
templates receive the figures and never restate them.

No I/O, no database: callers store the bytes where they like.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageMode, ImageOps, UnidentifiedImageError

from orderhub.db.errors import DomainError

#: the formats we accept, as Pillow names them -> the content type we answer with
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
#: for a file input's `accept` attribute
ACCEPT = ",".join(FORMATS.values())
MIB = 1024 * 1024
MAX_BYTES = 8 * MIB
MAX_PIXELS = 16_000_000  # e.g. 4900 x 3265 (a phone's 12 MP photo fits)
MAX_SIDE = 10_000
#: the most memory one decoded picture may take (width x height x bands x bytes per band), checked
#: from the header before a pixel is decoded: 16 MP of RGBA. Intake keeps one decoded copy at a time
#: (it scales down before converting), and `site/uploads` decodes a few pictures at once per process.
MAX_DECODED_BYTES = MAX_PIXELS * 4
#: re-encoded pictures are scaled down to fit this box (enough for a photo of a damaged item)
OUTPUT_SIDE = 2048

_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


#: the file name extension of each picture type intake produces
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def megabytes(max_bytes: int) -> int:
    """A byte limit as the whole megabytes a page states."""
    return max_bytes // MIB or 1


def megapixels(max_pixels: int) -> int:
    return max_pixels // 1_000_000


#: the default limits as pages state them ("up to 8 MB")
MAX_MB = megabytes(MAX_BYTES)
MAX_MEGAPIXELS = megapixels(MAX_PIXELS)

# -- refusals: stable codes (worded by orderhub.site.messages), params fill the sentence ---------
EMPTY = "image.empty"
NOT_A_PICTURE = "image.not_a_picture"
TOO_LARGE = "image.too_large"  # mb
TOO_MANY_PIXELS = "image.too_many_pixels"  # mp
UNREADABLE = "image.unreadable"
#: more files than a form takes (orderhub.site.uploads); num
TOO_MANY = "upload.too_many"
#: a hub link sent more pictures than its budget allows lately (orderhub.site.uploads.per_link)
TOO_OFTEN = "upload.too_often"


class ImageRejected(DomainError, ValueError):
    """An upload that is not an acceptable picture: `code` and `params` say why (pages word them
    through orderhub.site.messages); `str(error)` is the English reason."""


def _too_large(max_bytes: int) -> ImageRejected:
    mb = megabytes(max_bytes)
    return ImageRejected(TOO_LARGE, f"The picture is too large (at most {mb} MB).", mb=mb)


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    mp = megapixels(max_pixels)
    return ImageRejected(TOO_MANY_PIXELS, f"The picture has too many pixels (at most {mp} megapixels).", mp=mp)


def _not_a_picture() -> ImageRejected:
    return ImageRejected(NOT_A_PICTURE, "Only pictures can be uploaded (PNG, JPEG or WebP).")


def too_many(limit: int) -> ImageRejected:
    """More than `limit` files were sent."""
    return ImageRejected(TOO_MANY, f"at most {limit} photos", num=limit)


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


def decoded_bytes(img: Image.Image) -> int:
    """What decoding `img` takes in memory, from its header alone."""
    mode = ImageMode.getmode(img.mode)
    per_band = int(mode.typestr[-1]) if mode.typestr[-1].isdigit() else 1
    return img.width * img.height * len(mode.bands) * per_band


def intake(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
           output_side: int = OUTPUT_SIDE) -> CleanImage:
    """Check and re-encode an uploaded picture. Raises ImageRejected."""
    if not data:
        raise ImageRejected(EMPTY, "The file is empty.")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not _looks_like_image(data):
        raise _not_a_picture()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # open() reads the header only: check the size before decoding a single pixel
            img: Image.Image  # an ImageFile while open, an Image once transposed
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:
                fmt = img.format
                width, height = img.size
                if fmt not in FORMATS:
                    raise _not_a_picture()
                if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels \
                        or decoded_bytes(img) > max_pixels * 4:
                    raise _too_many_pixels(max_pixels)
                if getattr(img, "n_frames", 1) > 1:
                    img.seek(0)
                if fmt == "JPEG":  # decode at the smallest scale that still fills the output box
                    img.draft(img.mode, (output_side, output_side))
                _load_complete(img)
                # scale down first (in place), so the copies below are of the small picture
                img.thumbnail((output_side, output_side))
                img = ImageOps.exif_transpose(img)
                out = _flatten(img, fmt)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise ImageRejected(UNREADABLE, "The file is not a readable picture.") from None

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
