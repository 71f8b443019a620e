"""Pure decisions for the branding editor: reading the editor's form into a brand (through the one
brand validator, `orderhub.db.merchants.rules.read_brand`), logo intake and the logo's PDF copy."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from orderhub import images
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.validation import Reader

#: a logo is a small picture: smaller limits than photos, and it is stored at most this wide or tall
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000
LOGO_SIDE = 512
#: the copy embedded in PDFs as a data: URI (orderhub.pdf.fetcher takes at most 64 KiB)
PRINT_MAX_BYTES = 40 * 1024
PRINT_SIDES = (320, 200, 120, 64)
#: the brand a merchant starts from when nothing was ever set
DEFAULT_BRAND = {"primary_color": "#1F2937", "accent_color": "#2563EB", "font": "system", "corner": "rounded",
                 "logo_url": "", "words": {}}
FIELDS = ("primary_color", "accent_color", "font", "corner")


@dataclass(frozen=True)
class Logo:
    digest: str
    content_type: str
    data: bytes
    print_type: str
    print_data: bytes

    @property
    def extension(self) -> str:
        return images.EXTENSIONS[self.content_type]

    def url(self, slug: str) -> str:
        return f"/brand/{slug}/logo/{self.digest}.{self.extension}"


def logo_intake(raw: bytes) -> Logo:
    """An uploaded logo -> re-encoded picture and its small PDF copy. Raises images.ImageRejected."""
    clean = images.intake(raw, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS, output_side=LOGO_SIDE)
    print_type, print_data = _print_copy(clean.data)
    digest = hashlib.sha256(clean.data).hexdigest()[:32]
    return Logo(digest, clean.content_type, clean.data, print_type, print_data)


def _print_copy(data: bytes) -> tuple[str, bytes]:
    """A PNG (keeps transparency) small enough to embed; JPEG on white when a PNG can't be."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        for side in PRINT_SIDES:
            copy = img.copy()
            copy.thumbnail((side, side))
            buffer = io.BytesIO()
            copy.save(buffer, "PNG", optimize=True)
            if buffer.tell() <= PRINT_MAX_BYTES:
                return "image/png", buffer.getvalue()
            flat = Image.new("RGB", copy.size, "white")
            flat.paste(copy, mask=copy.getchannel("A") if "A" in copy.getbands() else None)
            buffer = io.BytesIO()
            flat.save(buffer, "JPEG", quality=80)
            if buffer.tell() <= PRINT_MAX_BYTES:
                return "image/jpeg", buffer.getvalue()
    return "image/jpeg", buffer.getvalue()


def data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def current_draft(merchant: dict) -> dict:
    """What the editor shows: the unpublished draft, or else the published brand."""
    draft = (merchant.get("settings") or {}).get("brand_draft")
    return {**DEFAULT_BRAND, **(draft if isinstance(draft, dict) else (merchant.get("brand") or {}))}


def has_draft(merchant: dict) -> bool:
    draft = (merchant.get("settings") or {}).get("brand_draft")
    return isinstance(draft, dict) and draft != {**DEFAULT_BRAND, **(merchant.get("brand") or {})}


def pick_color(form: dict, name: str) -> str:
    """The text box wins when it was edited, the colour picker otherwise (both post; without
    JavaScript nothing keeps them in step, so `<name>_was` says what the page showed)."""
    text = str(form.get(name) or "").strip()
    picker = str(form.get(f"{name}_picker") or "").strip()
    was = str(form.get(f"{name}_was") or "").strip()
    if text and not text.startswith("#") and len(text) in (3, 6):
        text = "#" + text
    if len(text) == 4 and text.startswith("#"):
        text = "#" + "".join(c * 2 for c in text[1:])
    if text.upper() != was.upper() or not picker:
        return text
    return picker


def read_form(form: dict, base: dict) -> tuple[dict, list[dict]]:
    """The editor's fields (plus the logo already in `base`) -> (brand, errors) through read_brand.
    Errors name the form's fields: primary_color, accent_color, font, corner, words_<section>_<lang>."""
    words: dict[str, dict[str, str]] = {}
    for section in merchant_rules.WORD_SECTIONS:
        for lang in merchant_rules.WORD_LANGUAGES:
            text = form.get(f"words_{section}_{lang}")
            if isinstance(text, str) and text.strip():
                words.setdefault(section, {})[lang] = text.replace("\r\n", "\n").strip()
    logo_url = "" if form.get("remove_logo") else (base.get("logo_url") or "")
    data: dict[str, Any] = {
        "primary_color": pick_color(form, "primary_color"),
        "accent_color": pick_color(form, "accent_color"),
        "font": str(form.get("font") or ""),
        "corner": str(form.get("corner") or ""),
        "logo_url": logo_url,
        "words": words,
    }
    r = Reader()
    brand = merchant_rules.read_brand(r, data)
    brand.setdefault("words", {})
    errors = [{**e, "field": _form_field(e["field"])} for e in r.errors]
    return brand, errors


def _form_field(path: str) -> str:
    parts = path.split(".")  # brand.primary_color, brand.words.confirmation.ja
    if len(parts) == 4 and parts[1] == "words":
        return f"words_{parts[2]}_{parts[3]}"
    return parts[1] if len(parts) > 1 else path
