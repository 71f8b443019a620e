"""orderhub.images: only real pictures, within limits, re-encoded without metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from orderhub import images
from tests.returns_support import png


def test_png_jpeg_webp_are_reencoded():
    for fmt, ctype in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        out = images.intake(png(fmt=fmt))
        assert out.content_type == ctype and (out.width, out.height) == (40, 30)
        assert Image.open(io.BytesIO(out.data)).format == fmt


def test_exif_and_gps_are_stripped():
    raw = png(exif_gps=True, fmt="JPEG")
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    out = images.intake(raw)
    img = Image.open(io.BytesIO(out.data))
    assert not img.getexif() and b"SpyCam" not in out.data


def _bomb_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge canvas in a few bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"GIF89a" + b"\0" * 100, "Only pictures"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "Only pictures"),
    (b"%PDF-1.7\n", "Only pictures"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "not a readable picture"),
    (_bomb_header(60000, 60000), "too many pixels"),
    (_bomb_header(6000, 6000), "too many pixels"),
    (b"\xff\xd8\xff" + b"0" * (images.MAX_BYTES), "too large"),
])
def test_hostile_uploads_are_refused(data, message):
    with pytest.raises(images.ImageRejected, match=message):
        images.intake(data)


def test_truncated_file_is_refused():
    raw = png(size=(300, 300), fmt="JPEG")
    with pytest.raises(images.ImageRejected):
        images.intake(raw[: len(raw) // 3])


def test_large_photo_is_scaled_down():
    out = images.intake(png(size=(4000, 3000), fmt="JPEG"))
    assert max(out.width, out.height) == images.OUTPUT_SIDE


def test_truncated_file_is_refused_even_after_weasyprint_loaded():
    import weasyprint  # noqa: F401  (sets Pillow's LOAD_TRUNCATED_IMAGES on import)

    raw = png(size=(300, 300), fmt="JPEG")
    with pytest.raises(images.ImageRejected):
        images.intake(raw[: len(raw) // 3])
