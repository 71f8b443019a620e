"""Image intake bounded in memory (issue 18, item 1): the decoded size is checked from the header
before a pixel is decoded, and an accepted picture is scaled down before any copy is made. Peak
memory is measured in a fresh process (ru_maxrss), since Pillow decodes outside Python's heap."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

from orderhub import images


def flat_png(width: int, height: int, *, color_type: int = 6) -> bytes:
    """A PNG of one flat colour, built row by row: a few hundred KB on disk whatever its canvas
    (colour type 6 = RGBA, 2 = RGB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bands = {6: 4, 2: 3}[color_type]
    packer = zlib.compressobj(9)
    row = b"\0" + b"\x80" * (width * bands)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


PROBE = textwrap.dedent("""
    import json, resource, sys
    from orderhub import images
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        out = images.intake(data)
        answer = {"accepted": [out.width, out.height]}
    except images.ImageRejected as exc:
        answer = {"refused": exc.code}
    answer["growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps(answer))
""")


def _intake_in_a_fresh_process(data: bytes, tmp_path: Path) -> dict:
    picture = tmp_path / "picture.png"
    picture.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", PROBE, str(picture)], capture_output=True, text=True, timeout=120,
                          check=True)
    return json.loads(done.stdout)


def test_a_small_png_that_would_decode_to_hundreds_of_mb_is_refused_from_its_header(tmp_path):
    bomb = flat_png(6000, 4000)  # 24 MP of RGBA: 96 MB decoded, about 300 MB with intake's copies
    assert len(bomb) < 1_000_000
    answer = _intake_in_a_fresh_process(bomb, tmp_path)
    assert answer["refused"] == images.TOO_MANY_PIXELS
    assert answer["growth_mb"] < 16, answer  # nothing was decoded


def test_an_accepted_large_picture_is_decoded_once_not_copied(tmp_path):
    photo = flat_png(4000, 3000)  # 12 MP of RGBA: 48 MB decoded
    answer = _intake_in_a_fresh_process(photo, tmp_path)
    assert answer["accepted"] == [images.OUTPUT_SIDE, 1536]
    assert answer["growth_mb"] < 48 * 1.5, answer  # one decoded copy (the old intake peaked near 4)


def test_the_budget_counts_bands_and_bytes_per_band():
    from PIL import Image

    assert images.decoded_bytes(Image.new("RGBA", (100, 10))) == 4000
    assert images.decoded_bytes(Image.new("L", (100, 10))) == 1000
    assert images.decoded_bytes(Image.new("I", (100, 10))) == 4000
    assert images.MAX_DECODED_BYTES == images.MAX_PIXELS * 4
