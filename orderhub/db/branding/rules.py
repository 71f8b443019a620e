"""Pure decisions about a merchant's brand: the one list of fonts and of corner styles, the colours
and their contrast rule (WCAG AA), the merchant's own words, `read_brand` (the one brand validator,
for the API and the editor alike), the theme pages and documents draw with, the editor's form and
draft, logo intake and the logo's PDF copy.

db/branding builds on db/merchants (a brand belongs to a merchant) and never the other way round:
the merchant's whole settings document (PUT /api/v1/merchant) is read here, the merchants area's
settings plus the brand (`read_merchant_settings`)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image

from orderhub import images
from orderhub.db import markup
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.validation import NOT_CHOICE, NOT_TEXT, TOO_LONG, UNKNOWN_KEY, Reader

# --- fonts: the one list (the editor's choices, the theme, the web-font files, PDFs) --------------------


@dataclass(frozen=True)
class FontFile:
    """One web-font file, served as /fonts/<name> from Debian's font package."""

    name: str
    path: str
    style: str  # normal | italic
    weight: int
    local: tuple[str, ...]  # the names of the same face a visitor may have installed (local())


@dataclass(frozen=True)
class Font:
    key: str  # what the brand stores ("lato")
    label: str  # what the editor lists: an English msgid, or the face's own name
    family: str  # the CSS font-family of pages and emails
    pdf_family: str = ""  # the family of PDFs, from installed fonts ("" keeps print.css's own)
    face: str = ""  # the @font-face family name of `files`
    files: tuple[FontFile, ...] = ()

    @property
    def web(self) -> bool:
        """Pages using this font load the web-font stylesheet (its files are ours to serve)."""
        return bool(self.files)


def _faces(prefix: str, folder: str, stem: str, local: str) -> tuple[FontFile, ...]:
    return (
        FontFile(f"{prefix}-400.ttf", f"{folder}/{stem}-Regular.ttf", "normal", 400,
                 (f"{local} Regular", f"{stem}-Regular")),
        FontFile(f"{prefix}-400-italic.ttf", f"{folder}/{stem}-Italic.ttf", "italic", 400,
                 (f"{local} Italic", f"{stem}-Italic")),
        FontFile(f"{prefix}-700.ttf", f"{folder}/{stem}-Bold.ttf", "normal", 700, (f"{local} Bold", f"{stem}-Bold")),
    )


#: the Latin faces come from Debian's packages (fonts-lato, fonts-open-sans) and are served by us (never a
#: CDN); the CJK faces are far too large to download (20 MB+), so the Noto JP choices rely on the visitor's
#: own fonts (Hiragino, Yu Gothic, Noto CJK) and PDFs use the installed Noto CJK fonts
FONT_LIST: tuple[Font, ...] = (
    Font("system", "System font (fastest)",
         'system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif'),
    Font("noto-sans-jp", "Noto Sans JP", '"Noto Sans JP", "Noto Sans CJK JP", "Hiragino Sans", system-ui, sans-serif'),
    Font("noto-serif-jp", "Noto Serif JP", '"Noto Serif JP", "Noto Serif CJK JP", "Hiragino Mincho ProN", serif',
         pdf_family='"Noto Serif CJK JP"'),
    Font("lato", "Lato", 'Lato, "Noto Sans JP", "Noto Sans CJK JP", system-ui, sans-serif',
         pdf_family='Lato,"Noto Sans CJK JP"', face="Lato",
         files=_faces("lato", "/usr/share/fonts/truetype/lato", "Lato", "Lato")),
    Font("open-sans", "Open Sans", '"Open Sans", "Noto Sans JP", "Noto Sans CJK JP", system-ui, sans-serif',
         pdf_family='"Open Sans","Noto Sans CJK JP"', face="Open Sans",
         files=_faces("open-sans", "/usr/share/fonts/truetype/open-sans", "OpenSans", "Open Sans")),
)
FONTS: dict[str, Font] = {f.key: f for f in FONT_LIST}
DEFAULT_FONT = "system"
#: every web-font file by its served name
FONT_FILES: dict[str, FontFile] = {file.name: file for f in FONT_LIST for file in f.files}


def font(key: object) -> Font:
    """The font a brand names (the default for anything else)."""
    return FONTS.get(key, FONTS[DEFAULT_FONT]) if isinstance(key, str) else FONTS[DEFAULT_FONT]


# --- corners -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corner:
    key: str
    label: str  # English msgid
    radius: str  # the CSS border radius


CORNER_LIST: tuple[Corner, ...] = (Corner("square", "Square", "0"), Corner("rounded", "Rounded", "0.5rem"),
                                   Corner("pill", "Pill", "1.25rem"))
CORNERS: dict[str, Corner] = {c.key: c for c in CORNER_LIST}
DEFAULT_CORNER = "rounded"


def corner(key: object) -> Corner:
    return CORNERS.get(key, CORNERS[DEFAULT_CORNER]) if isinstance(key, str) else CORNERS[DEFAULT_CORNER]


# --- colours and their contrast --------------------------------------------------------------------------

DEFAULT_PRIMARY = "#1F2937"
DEFAULT_ACCENT = "#2563EB"
#: the page colours brand colours meet: --paper and --canvas in static/css/app.css
PAGE_BACKGROUNDS = ("#FFFFFF", "#F4F5F7")
#: WCAG 2.2 SC 1.4.3 (AA), normal-size text
MIN_TEXT_CONTRAST = 4.5
#: the pairings the hub draws with the brand colours, and how the API's message names them
CONTRAST_PAIRS = {
    "text_on_primary": "text on the primary colour",
    "primary_on_background": "the primary colour on the page background",
    "text_on_accent": "text on the accent colour",
}
LOW_CONTRAST = "brand.low_contrast"


def relative_luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """The readable text colour (near-black or white) for a background colour."""
    dark, light = "#111111", "#FFFFFF"
    return dark if contrast_ratio(background, dark) >= contrast_ratio(background, light) else light


@dataclass(frozen=True)
class ContrastCheck:
    field: str  # the brand field to fix: primary_color | accent_color
    pair: str  # a key of CONTRAST_PAIRS
    foreground: str
    background: str
    ratio: float
    minimum: float = MIN_TEXT_CONTRAST

    @property
    def ok(self) -> bool:
        return self.ratio >= self.minimum

    @property
    def shown(self) -> str:
        """The ratio as people read it, never rounded up past the limit (4.499 shows 4.49)."""
        return f"{int(self.ratio * 100) / 100:.2f}"


def contrast_checks(primary: str, accent: str) -> list[ContrastCheck]:
    """Every pairing the hub draws with the brand colours: text on a primary button or bar (near-black
    or white, whichever reads better), the primary colour as text or rule on the page background
    (the darker of paper and canvas), and text on the accent colour."""
    on_primary, on_accent = text_on(primary), text_on(accent)
    background = min(PAGE_BACKGROUNDS, key=lambda bg: contrast_ratio(primary, bg))
    return [
        ContrastCheck("primary_color", "text_on_primary", on_primary, primary, contrast_ratio(on_primary, primary)),
        ContrastCheck("primary_color", "primary_on_background", primary, background, contrast_ratio(primary, background)),
        ContrastCheck("accent_color", "text_on_accent", on_accent, accent, contrast_ratio(on_accent, accent)),
    ]


# --- the merchant's own words ----------------------------------------------------------------------------

WORD_SECTIONS = ("confirmation", "tracking", "pickup", "returns", "feedback", "receipt")
WORD_LANGUAGES = ("ja", "en")

# --- the brand -------------------------------------------------------------------------------------------

#: an uploaded logo, served by the branding routes under a content-hashed name
LOGO_PATH = re.compile(r"^/brand/[A-Za-z0-9_-]{1,64}/logo/[0-9a-f]{32}\.(png|jpg|webp)$")
#: the brand a merchant starts from when nothing was ever set
DEFAULT_BRAND = {"primary_color": DEFAULT_PRIMARY, "accent_color": DEFAULT_ACCENT, "font": DEFAULT_FONT,
                 "corner": DEFAULT_CORNER, "logo_url": "", "words": {}}
#: the editor's fields carried by the preview stylesheet's URL
FIELDS = ("primary_color", "accent_color", "font", "corner")


def read_brand(r: Reader, data: Any, path: str = "brand") -> dict[str, Any]:
    brand = r.obj(data if data is not None else {}, path) or {}
    out = {
        "primary_color": r.color(brand, "primary_color", f"{path}.primary_color", default=DEFAULT_PRIMARY),
        "accent_color": r.color(brand, "accent_color", f"{path}.accent_color", default=DEFAULT_ACCENT),
        "font": r.choice(brand, "font", f"{path}.font", FONTS, default=DEFAULT_FONT),
        "corner": r.choice(brand, "corner", f"{path}.corner", CORNERS, default=DEFAULT_CORNER),
        "logo_url": (brand["logo_url"] if isinstance(brand.get("logo_url"), str) and LOGO_PATH.match(brand["logo_url"])
                     else r.web_url(brand, "logo_url", f"{path}.logo_url", allow_static=True)),
    }
    words = read_words(r, brand.get("words"), f"{path}.words")
    if words:
        out["words"] = words
    for key in brand:
        if key not in out and key != "words":
            r.error(f"{path}.{key}", UNKNOWN_KEY, "is not a brand setting")
    if not r.failed(f"{path}.primary_color", f"{path}.accent_color"):
        for check in contrast_checks(out["primary_color"], out["accent_color"]):
            if not check.ok:
                r.error(f"{path}.{check.field}", LOW_CONTRAST,
                        f"{CONTRAST_PAIRS[check.pair]} has a contrast of {check.shown}:1, below {check.minimum}:1",
                        pair=check.pair, ratio=check.shown, minimum=check.minimum)
    return out


def read_words(r: Reader, data: Any, path: str) -> dict[str, Any]:
    """The merchant's own words per hub section and language, cleaned to the small safe markup."""
    if data is None:
        return {}
    sections = r.obj(data, path) or {}
    out: dict[str, dict[str, str]] = {}
    for section, langs in sections.items():
        if section not in WORD_SECTIONS:
            r.error(f"{path}.{section}", NOT_CHOICE, "must be one of " + ", ".join(WORD_SECTIONS))
            continue
        langs = r.obj(langs, f"{path}.{section}") or {}
        for lang, text in langs.items():
            if lang not in WORD_LANGUAGES:
                r.error(f"{path}.{section}.{lang}", NOT_CHOICE, "must be ja or en")
            elif not isinstance(text, str):
                r.error(f"{path}.{section}.{lang}", NOT_TEXT)
            elif len(text) > markup.MAX_LENGTH:
                r.error(f"{path}.{section}.{lang}", TOO_LONG, n=markup.MAX_LENGTH)
            elif cleaned := markup.clean(text):
                out.setdefault(section, {})[lang] = cleaned
    return out


def read_merchant_settings(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The body of PUT /api/v1/merchant -> (settings, errors): the merchants area's settings
    (orderhub.db.merchants.rules.read_settings) with the brand, every error at once."""
    r = Reader()
    body = r.obj(data, "") or {}
    settings = merchant_rules.read_settings(r, body)
    settings["brand"] = read_brand(r, body.get("brand"))
    return settings, r.errors


@dataclass(frozen=True)
class Theme:
    """What pages, emails and documents draw a stored brand with."""

    primary: str
    accent: str
    font: Font
    corner: Corner

    @property
    def on_primary(self) -> str:
        return text_on(self.primary)

    @property
    def on_accent(self) -> str:
        return text_on(self.accent)


def theme(brand: Mapping[str, Any] | None) -> Theme:
    """The theme of a stored brand (validated when it was set; missing values take the defaults)."""
    brand = brand or {}
    return Theme(brand.get("primary_color") or DEFAULT_PRIMARY, brand.get("accent_color") or DEFAULT_ACCENT,
                 font(brand.get("font")), corner(brand.get("corner")))


# --- the editor: draft and form ---------------------------------------------------------------------------

#: where the unpublished brand waits: a namespace of Merchant.settings shoppers never see
DRAFT = "brand_draft"


def current_draft(brand: Mapping[str, Any] | None, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the editor shows: the unpublished draft, or else the published brand."""
    draft = (settings or {}).get(DRAFT)
    return {**DEFAULT_BRAND, **(draft if isinstance(draft, dict) else (brand or {}))}


def has_draft(brand: Mapping[str, Any] | None, settings: Mapping[str, Any] | None) -> bool:
    draft = (settings or {}).get(DRAFT)
    return isinstance(draft, dict) and draft != {**DEFAULT_BRAND, **(brand or {})}


def pick_color(form: Mapping[str, Any], name: str) -> str:
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


def read_form(form: Mapping[str, Any], base: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The editor's fields (plus the logo already in `base`) -> (brand, errors) through read_brand.
    Errors name the form's fields: primary_color, accent_color, font, corner, words_<section>_<lang>."""
    words: dict[str, dict[str, str]] = {}
    for section in WORD_SECTIONS:
        for lang in WORD_LANGUAGES:
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
    brand = read_brand(r, data)
    brand.setdefault("words", {})
    errors = [{**e, "field": _form_field(e["field"])} for e in r.errors]
    return brand, errors


def _form_field(path: str) -> str:
    parts = path.split(".")  # brand.primary_color, brand.words.confirmation.ja
    if len(parts) == 4 and parts[1] == "words":
        return f"words_{parts[2]}_{parts[3]}"
    return parts[1] if len(parts) > 1 else path


# --- logos -----------------------------------------------------------------------------------------------

#: a logo is a small picture: smaller limits than photos, and it is stored at most this wide or tall
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000
LOGO_SIDE = 512
#: the copy embedded in PDFs as a data: URI (orderhub.pdf.fetcher takes at most 64 KiB)
PRINT_MAX_BYTES = 40 * 1024
PRINT_SIDES = (320, 200, 120, 64)


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


def logo_digest(logo_url: str) -> str | None:
    """The content hash an uploaded logo's URL names (None for any other URL)."""
    if not logo_url or not LOGO_PATH.match(logo_url):
        return None
    return logo_url.rsplit("/", 1)[1].split(".")[0]


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
