"""Pure decisions about merchants: settings, brand values, registration numbers, stores."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from orderhub import money
from orderhub.db import markup
from orderhub.db.validation import Reader

FONTS = {
    "system": 'system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif',
    "noto-sans-jp": '"Noto Sans JP", "Noto Sans CJK JP", "Hiragino Sans", system-ui, sans-serif',
    "noto-serif-jp": '"Noto Serif JP", "Noto Serif CJK JP", "Hiragino Mincho ProN", serif',
    "lato": 'Lato, "Noto Sans JP", "Noto Sans CJK JP", system-ui, sans-serif',
    "open-sans": '"Open Sans", "Noto Sans JP", "Noto Sans CJK JP", system-ui, sans-serif',
}
CORNERS = {"square": "0", "rounded": "0.5rem", "pill": "1.25rem"}
LOCALES = ("ja-JP", "en-US", "en-GB", "en")
RETURN_METHODS = ("drop_off", "in_store", "mail", "home_pickup")
REASONS = ("too_small", "too_large", "not_as_described", "changed_mind", "damaged", "wrong_item", "defective", "other")
REGISTRATION_NUMBER = re.compile(r"^T[1-9]\d{12}$")

DEFAULT_POLICY: dict[str, Any] = {
    "return_window_days": 30,
    "extended_window_days_by_tag": {},
    "free_return_methods": ["in_store"],
    "return_fee": {},
    "store_credit_bonus_percent": 0,
    "keep_item_under": "0",
    "photo_required_reasons": ["damaged"],
    "cancel_window_hours": 1,
}


def registration_number_ok(value: str) -> bool:
    """Japan's qualified-invoice issuer number: T + 13 digits whose first digit is the check
    digit of the other twelve (the corporate-number check: 9 - sum(P_n * Q_n) mod 9)."""
    if not REGISTRATION_NUMBER.match(value):
        return False
    digits = value[1:]
    base = digits[1:]
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return int(digits[0]) == 9 - total % 9


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


#: the page colours brand colours meet: --paper and --canvas in static/css/app.css
PAGE_BACKGROUNDS = ("#FFFFFF", "#F4F5F7")
#: WCAG 2.2 SC 1.4.3 (AA), normal-size text
MIN_TEXT_CONTRAST = 4.5
CONTRAST_PAIRS = {
    "text_on_primary": "text on the primary colour",
    "primary_on_background": "the primary colour on the page background",
    "text_on_accent": "text on the accent colour",
}
WORD_SECTIONS = ("confirmation", "tracking", "pickup", "returns", "feedback", "receipt")
WORD_LANGUAGES = ("ja", "en")
#: an uploaded logo, served by the branding routes under a content-hashed name
LOGO_PATH = re.compile(r"^/brand/[A-Za-z0-9_-]{1,64}/logo/[0-9a-f]{32}\.(png|jpg|webp)$")


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


def read_brand(r: Reader, data: Any, path: str = "brand") -> dict:
    brand = r.obj(data if data is not None else {}, path) or {}
    out = {
        "primary_color": r.color(brand, "primary_color", f"{path}.primary_color", default="#1F2937"),
        "accent_color": r.color(brand, "accent_color", f"{path}.accent_color", default="#2563EB"),
        "font": r.choice(brand, "font", f"{path}.font", FONTS, default="system"),
        "corner": r.choice(brand, "corner", f"{path}.corner", CORNERS, default="rounded"),
        "logo_url": (brand["logo_url"] if isinstance(brand.get("logo_url"), str) and LOGO_PATH.match(brand["logo_url"])
                     else r.web_url(brand, "logo_url", f"{path}.logo_url", allow_static=True)),
    }
    words = read_words(r, brand.get("words"), f"{path}.words")
    if words:
        out["words"] = words
    for key in brand:
        if key not in out and key != "words":
            r.error(f"{path}.{key}", "is not a brand setting")
    if not any(e["field"] in (f"{path}.primary_color", f"{path}.accent_color") for e in r.errors):
        for check in contrast_checks(out["primary_color"], out["accent_color"]):
            if not check.ok:
                r.error(f"{path}.{check.field}", f"{CONTRAST_PAIRS[check.pair]} has a contrast of "
                        f"{check.shown}:1, below {check.minimum}:1")
    return out


def read_words(r: Reader, data: Any, path: str) -> dict:
    """The merchant's own words per hub section and language, cleaned to the small safe markup."""

    if data is None:
        return {}
    sections = r.obj(data, path) or {}
    out: dict[str, dict[str, str]] = {}
    for section, langs in sections.items():
        if section not in WORD_SECTIONS:
            r.error(f"{path}.{section}", "must be one of " + ", ".join(WORD_SECTIONS))
            continue
        langs = r.obj(langs, f"{path}.{section}") or {}
        for lang, text in langs.items():
            if lang not in WORD_LANGUAGES:
                r.error(f"{path}.{section}.{lang}", "must be ja or en")
            elif not isinstance(text, str):
                r.error(f"{path}.{section}.{lang}", "must be text")
            elif len(text) > markup.MAX_LENGTH:
                r.error(f"{path}.{section}.{lang}", f"must be at most {markup.MAX_LENGTH} characters")
            elif cleaned := markup.clean(text):
                out.setdefault(section, {})[lang] = cleaned
    return out


def read_policy(r: Reader, data: Any, currency: str, path: str = "policy") -> dict:
    policy = r.obj(data if data is not None else {}, path) or {}
    merged = {**DEFAULT_POLICY, **policy}
    out: dict[str, Any] = {
        "return_window_days": r.integer(merged, "return_window_days", f"{path}.return_window_days", minimum=0, maximum=3650),
        "cancel_window_hours": r.integer(merged, "cancel_window_hours", f"{path}.cancel_window_hours", minimum=0, maximum=720),
        "store_credit_bonus_percent": r.integer(merged, "store_credit_bonus_percent", f"{path}.store_credit_bonus_percent", minimum=0, maximum=100),
    }
    ext = r.obj(merged.get("extended_window_days_by_tag"), f"{path}.extended_window_days_by_tag") or {}
    out["extended_window_days_by_tag"] = {
        str(tag)[:64]: r.integer(ext, tag, f"{path}.extended_window_days_by_tag.{tag}", minimum=0, maximum=3650)
        for tag in ext
    }
    free = r.strings(merged, "free_return_methods", f"{path}.free_return_methods", max_items=4)
    for i, method in enumerate(free):
        if method not in RETURN_METHODS:
            r.error(f"{path}.free_return_methods[{i}]", "must be one of " + ", ".join(RETURN_METHODS))
    out["free_return_methods"] = free
    fees = r.obj(merged.get("return_fee"), f"{path}.return_fee") or {}
    out["return_fee"] = {}
    for method in fees:
        if method not in RETURN_METHODS:
            r.error(f"{path}.return_fee.{method}", "must be one of " + ", ".join(RETURN_METHODS))
            continue
        minor = r.amount(fees, method, f"{path}.return_fee.{method}", currency)
        if method not in free:  # a free method charges nothing whatever its fee says
            out["return_fee"][method] = money.to_string(minor, currency)
    keep = r.amount(merged, "keep_item_under", f"{path}.keep_item_under", currency)
    out["keep_item_under"] = money.to_string(keep, currency)
    reasons = r.strings(merged, "photo_required_reasons", f"{path}.photo_required_reasons", max_items=len(REASONS))
    for i, reason in enumerate(reasons):
        if reason not in REASONS:
            r.error(f"{path}.photo_required_reasons[{i}]", "must be one of " + ", ".join(REASONS))
    out["photo_required_reasons"] = reasons
    if policy.get("return_ship_within_days") is not None:  # default in orderhub.db.returns.rules (14)
        out["return_ship_within_days"] = r.integer(policy, "return_ship_within_days",
                                                   f"{path}.return_ship_within_days", minimum=1, maximum=365)
    return out


def read_merchant_settings(data: Any) -> tuple[dict, list[dict]]:
    """The body of PUT /api/v1/merchant -> (settings, errors)."""
    r = Reader()
    body = r.obj(data, "") or {}
    currency = body.get("currency")
    if not money.is_currency(currency):
        r.error("currency", "must be an ISO 4217 currency code such as JPY or USD")
        currency = None
    settings: dict[str, Any] = {
        "name": r.text(body, "name", "name", max_len=200),
        "legal_name": r.text(body, "legal_name", "legal_name", required=False, max_len=200),
        "locale": r.choice(body, "locale", "locale", LOCALES, default="en-US"),
        "currency": currency or "USD",
        "timezone": r.timezone(body, "timezone", "timezone"),
        "prices_include_tax": r.boolean(body, "prices_include_tax", "prices_include_tax"),
        "storefront_url": r.web_url(body, "storefront_url", "storefront_url"),
    }
    trn = body.get("tax_registration_number")
    if trn is not None and (not isinstance(trn, str) or not registration_number_ok(trn)):
        r.error("tax_registration_number", "must be T followed by 13 digits with a valid check digit")
        trn = None
    settings["tax_registration_number"] = trn
    settings["support"] = read_support(r, body.get("support", {}))
    address = r.obj(body.get("address", {}), "address") or {}
    settings["address"] = read_address(r, address, "address", required=False)
    settings["brand"] = read_brand(r, body.get("brand"))
    settings["policy"] = read_policy(r, body.get("policy"), currency or "USD")
    return settings, r.errors


def read_support(r: Reader, data: Any, path: str = "support") -> dict:
    support = r.obj(data, path) or {}
    return {
        "email": r.email(support, "email", f"{path}.email", required=False),
        "phone": r.text(support, "phone", f"{path}.phone", required=False, max_len=40),
        "hours": r.text(support, "hours", f"{path}.hours", required=False, max_len=100),
        "url": r.web_url(support, "url", f"{path}.url"),
    }


def read_address(r: Reader, data: dict, path: str, *, required: bool = True) -> dict:
    return {
        "name": r.text(data, "name", f"{path}.name", required=False, max_len=200),
        "postal_code": r.text(data, "postal_code", f"{path}.postal_code", required=required, max_len=20),
        "region": r.text(data, "region", f"{path}.region", required=False, max_len=100),
        "city": r.text(data, "city", f"{path}.city", required=required, max_len=100),
        "line1": r.text(data, "line1", f"{path}.line1", required=required, max_len=200),
        "line2": r.text(data, "line2", f"{path}.line2", required=False, max_len=200),
        "country": r.text(data, "country", f"{path}.country", required=required, max_len=2).upper(),
    }


DAY_GROUPS = {
    "mon": (0,), "tue": (1,), "wed": (2,), "thu": (3,), "fri": (4,), "sat": (5,), "sun": (6,),
    "mon-fri": (0, 1, 2, 3, 4), "mon-sat": (0, 1, 2, 3, 4, 5), "sat-sun": (5, 6), "mon-sun": tuple(range(7)), "daily": tuple(range(7)),
}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def read_store(data: Any, code: str) -> tuple[dict, list[dict]]:
    r = Reader()
    body = r.obj(data, "") or {}
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code):
        r.error("code", "must be 1 to 64 letters, digits, - or _")
    if "code" in body and body["code"] != code:
        r.error("code", "must match the code in the URL")
    store: dict[str, Any] = {
        "name": r.text(body, "name", "name"),
        "timezone": r.timezone(body, "timezone", "timezone"),
        "address": read_address(r, r.obj(body.get("address"), "address") or {}, "address"),
        "pickup_instructions": r.text(body, "pickup_instructions", "pickup_instructions", required=False, max_len=1000),
        "what_to_bring": r.strings(body, "what_to_bring", "what_to_bring", max_items=10),
        "hold_days": r.integer(body, "hold_days", "hold_days", minimum=1, maximum=60, default=7),
    }
    hours = []
    for i, item in enumerate(r.items(body.get("hours", []), "hours", max_items=14)):
        h = r.obj(item, f"hours[{i}]") or {}
        days = r.choice(h, "days", f"hours[{i}].days", DAY_GROUPS, default="daily")
        opens, closes = h.get("open"), h.get("close")
        if not (isinstance(opens, str) and _TIME.match(opens)):
            r.error(f"hours[{i}].open", "must be a time such as 10:00")
        if not (isinstance(closes, str) and _TIME.match(closes)):
            r.error(f"hours[{i}].close", "must be a time such as 20:00")
        elif isinstance(opens, str) and closes <= opens:
            r.error(f"hours[{i}].close", "must be after the opening time")
        hours.append({"days": days, "open": opens, "close": closes})
    store["hours"] = hours
    curb = r.obj(body.get("curbside", {"enabled": False}), "curbside") or {}
    store["curbside"] = {
        "enabled": r.boolean(curb, "enabled", "curbside.enabled", default=False),
        "bays": r.strings(curb, "bays", "curbside.bays", max_items=30, max_len=20),
        "instructions": r.text(curb, "instructions", "curbside.instructions", required=False, max_len=1000),
    }
    return store, r.errors
