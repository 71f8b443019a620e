"""Pure decisions about merchants: settings, registration numbers, stores, the team's roles, and the
stable codes of the merchants area's refusals (the web layer words them: orderhub.site.messages.admin).

The brand (colours, fonts, words) is db/branding's: db/merchants never imports it."""

from __future__ import annotations

import re
from typing import Any

from orderhub import money
from orderhub.db import texts
from orderhub.db.returns import home_pickup_rules
from orderhub.db.validation import NOT_CHOICE, NOT_TIME, Reader

# --- the team's roles --------------------------------------------------------------------------------
OWNER, STAFF = "owner", "staff"
#: everyone who may sign in to a merchant's admin (staff see the operations lists)
ROLES = (OWNER, STAFF)
#: who may open the pages for owners (settings, branding, team, dashboard)
OWNERS = (OWNER,)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024

# --- refusals: stable codes (the API answers the English; pages map the code to a catalog message) ---
CURRENCY = "merchant.currency"
REGISTRATION_NUMBER_INVALID = "merchant.registration_number"
SLUG_INVALID = "merchant.slug"
SLUG_TAKEN = "merchant.slug_taken"
MERCHANT_NOT_FOUND = "merchant.not_found"
API_KEY_NOT_FOUND = "merchant.api_key_not_found"
STORE_NOT_FOUND = "store.not_found"
STORE_CODE_INVALID = "store.code"
STORE_CODE_MISMATCH = "store.code_mismatch"
STORE_CLOSES_BEFORE_OPENING = "store.closes_before_opening"
ROLE_INVALID = "team.role"
STAFF_NEED_STORE = "team.staff_need_store"
PASSWORD_TOO_SHORT = "team.password_too_short"
PASSWORD_TOO_LONG = "team.password_too_long"
PASSWORDS_DIFFER = "team.passwords_differ"
EMAIL_INVALID = "team.email"
ALREADY_MEMBER = "team.already_member"
CANNOT_DISABLE_SELF = "team.cannot_disable_self"
LAST_OWNER = "team.last_owner"
NO_INVITATION = "team.no_invitation"
INVITATION_USED = "team.invitation_used"
WRONG_PASSWORD = "team.wrong_password"
SAME_PASSWORD = "team.same_password"
INVITATION_EXPIRED = "team.invitation_expired"
NO_USER = "team.no_user"
#: the admin's settings forms write some lists as lines of text: a line that doesn't read
POLICY_TAG_LINES = "settings.extended_format"  # "member-gold: 60"
STORE_HOURS_LINES = "settings.hours_format"  # "mon-fri 11:00-20:00"

LOCALES = ("ja-JP", "en-US", "en-GB", "en")
RETURN_METHODS = ("drop_off", "in_store", "mail", "home_pickup")
#: when an item returned at a store counter is refunded: at once, or after the merchant's inspection
COUNTER_REFUNDS = ("at_drop_off", "after_inspection")
REASONS = ("too_small", "too_large", "not_as_described", "changed_mind", "damaged", "wrong_item", "defective", "other")
REGISTRATION_NUMBER = re.compile(r"^T[1-9]\d{12}$")

DEFAULT_POLICY: dict[str, Any] = {
    "return_window_days": 30,
    "extended_window_days_by_tag": {},
    "free_return_methods": ["in_store"],
    "return_fee": {},
    #: what a prepaid return label costs the shopper, per method ({} : the merchant pays)
    "label_cost": {},
    "store_credit_bonus_percent": 0,
    "keep_item_under": "0",
    "photo_required_reasons": ["damaged"],
    "cancel_window_hours": 1,
    #: a shopper's cancellation on the hub: "request" (the merchant answers it) or "instant"
    #: (orders.rules.CANCEL_MODES)
    "cancellation": "request",
    #: how many days of delivery dates a shopper may choose from on the change page (0: none)
    "delivery_date_choice_days": 0,
    #: no return fee when the reason is the merchant's fault (damaged, wrong item, defective, missing)
    "waive_fee_for_merchant_fault": True,
    #: a return received at a store counter is refunded after the merchant's inspection, or at drop-off
    "counter_refund": "after_inspection",
}


REGISTRATION_NUMBER_CHECK = "merchant.registration_number_check_digit"


def registration_number_format_ok(value: str) -> bool:
    """T + 13 digits: what a registration number looks like (stored even when its check digit fails)."""
    return bool(REGISTRATION_NUMBER.match(value))


def registration_number_warning(value: str | None) -> str | None:
    """A number whose check digit fails is kept, with this warning (a sole proprietor's number is not
    a corporate number, and the tax office's list is the authority, not our arithmetic)."""
    if value and registration_number_format_ok(value) and not registration_number_ok(value):
        return REGISTRATION_NUMBER_CHECK
    return None


def read_registration_number(r: Reader, value: Any, path: str = "tax_registration_number") -> str | None:
    """The qualified-invoice issuer number: None or empty clears it; T + 13 digits is accepted (a failing
    check digit only warns, registration_number_warning); anything else is refused."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not registration_number_format_ok(value.strip()):
        r.error(path, REGISTRATION_NUMBER_INVALID, "must be T followed by 13 digits")
        return None
    return value.strip()


def registration_number_ok(value: str) -> bool:
    """Japan's qualified-invoice issuer number: T + 13 digits whose first digit is the check
    digit of the other twelve (the corporate-number check: 9 - sum(P_n * Q_n) mod 9)."""
    if not REGISTRATION_NUMBER.match(value):
        return False
    digits = value[1:]
    base = digits[1:]
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return int(digits[0]) == 9 - total % 9


def read_policy(r: Reader, data: Any, currency: str, path: str = "policy") -> dict[str, Any]:
    policy = r.obj(data if data is not None else {}, path) or {}
    merged = {**DEFAULT_POLICY, **policy}
    out: dict[str, Any] = {
        "return_window_days": r.integer(merged, "return_window_days", f"{path}.return_window_days", minimum=0, maximum=3650),
        "cancel_window_hours": r.integer(merged, "cancel_window_hours", f"{path}.cancel_window_hours", minimum=0, maximum=720),
        "cancellation": r.choice(merged, "cancellation", f"{path}.cancellation", ("request", "instant"),
                                 default="request"),

        "delivery_date_choice_days": r.integer(
            merged, "delivery_date_choice_days", f"{path}.delivery_date_choice_days", minimum=0, maximum=60),
        "store_credit_bonus_percent": r.integer(
            merged, "store_credit_bonus_percent", f"{path}.store_credit_bonus_percent", minimum=0, maximum=100
        ),
    }
    ext = r.obj(merged.get("extended_window_days_by_tag"), f"{path}.extended_window_days_by_tag") or {}
    out["extended_window_days_by_tag"] = {
        str(tag)[:64]: r.integer(ext, tag, f"{path}.extended_window_days_by_tag.{tag}", minimum=0, maximum=3650) for tag in ext
    }
    free = r.strings(merged, "free_return_methods", f"{path}.free_return_methods", max_items=4)
    for i, method in enumerate(free):
        if method not in RETURN_METHODS:
            r.error(f"{path}.free_return_methods[{i}]", NOT_CHOICE, "must be one of " + ", ".join(RETURN_METHODS))
    out["free_return_methods"] = free
    fees = r.obj(merged.get("return_fee"), f"{path}.return_fee") or {}
    out["return_fee"] = {}
    for method in fees:
        if method not in RETURN_METHODS:
            r.error(f"{path}.return_fee.{method}", NOT_CHOICE, "must be one of " + ", ".join(RETURN_METHODS))
            continue
        minor = r.amount(fees, method, f"{path}.return_fee.{method}", currency)
        if method not in free:  # a free method charges nothing whatever its fee says
            out["return_fee"][method] = money.to_string(minor, currency)
    costs = r.obj(merged.get("label_cost"), f"{path}.label_cost") or {}
    out["label_cost"] = {}
    for method in costs:  # what a prepaid return label costs the shopper (db/returns/label_rules.py)
        if method not in RETURN_METHODS:
            r.error(f"{path}.label_cost.{method}", NOT_CHOICE, "must be one of " + ", ".join(RETURN_METHODS))
            continue
        minor = r.amount(costs, method, f"{path}.label_cost.{method}", currency)
        if minor and method not in free:
            out["label_cost"][method] = money.to_string(minor, currency)
    keep = r.amount(merged, "keep_item_under", f"{path}.keep_item_under", currency)
    out["keep_item_under"] = money.to_string(keep, currency)
    reasons = r.strings(merged, "photo_required_reasons", f"{path}.photo_required_reasons", max_items=len(REASONS))
    for i, reason in enumerate(reasons):
        if reason not in REASONS:
            r.error(f"{path}.photo_required_reasons[{i}]", NOT_CHOICE, "must be one of " + ", ".join(REASONS))
    out["photo_required_reasons"] = reasons
    out["waive_fee_for_merchant_fault"] = r.boolean(
        merged, "waive_fee_for_merchant_fault", f"{path}.waive_fee_for_merchant_fault", default=True)
    out["counter_refund"] = r.choice(merged, "counter_refund", f"{path}.counter_refund", COUNTER_REFUNDS,
                                     default="after_inspection")
    out["home_pickup"] = home_pickup_rules.read_config(r, merged.get("home_pickup"), f"{path}.home_pickup")
    if policy.get("return_ship_within_days") is not None:  # default in orderhub.db.returns.rules (14)
        out["return_ship_within_days"] = r.integer(
            policy, "return_ship_within_days", f"{path}.return_ship_within_days", minimum=1, maximum=365
        )
    return out


def read_settings(r: Reader, body: dict[str, Any]) -> dict[str, Any]:
    """The merchant's own settings of PUT /api/v1/merchant (everything but the brand, which
    orderhub.db.branding.rules.read_merchant_settings adds)."""
    currency = body.get("currency")
    if not money.is_currency(currency):
        r.error("currency", CURRENCY, "must be an ISO 4217 currency code such as JPY or USD")
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
    settings["tax_registration_number"] = read_registration_number(r, body.get("tax_registration_number"))
    settings["support"] = read_support(r, body.get("support", {}))
    settings["texts"] = read_merchant_texts(r, body, settings["locale"], settings["name"], settings["support"])
    address = r.obj(body.get("address", {}), "address") or {}
    settings["address"] = read_address(r, address, "address", required=False)
    settings["policy"] = read_policy(r, body.get("policy"), currency or "USD")
    return settings


def read_merchant_texts(r: Reader, body: dict[str, Any], locale: str, name: str,
                        support: dict[str, Any]) -> dict[str, Any]:
    """The merchant's words shoppers read, per language: `name` (with `name_ja` / `name_en`) and
    `support.hours` (with `support.hours_ja` / `support.hours_en`)."""
    base = texts.language_of_locale(locale)
    out: dict[str, Any] = {"name": texts.read_text(r, body, "name", "name", base, base=name, max_len=200)}
    given = body.get("support")
    raw_support: dict[str, Any] = given if isinstance(given, dict) else {}
    out["support_hours"] = texts.read_text(r, raw_support, "hours", "support.hours", base,
                                           base=support.get("hours") or "", max_len=100)
    return {k: v for k, v in out.items() if v}


def slug_ok(slug: str) -> bool:
    return bool(slug) and slug.replace("-", "").isalnum() and slug.islower() and len(slug) <= 64


def read_support(r: Reader, data: Any, path: str = "support") -> dict[str, Any]:
    support = r.obj(data, path) or {}
    return {
        "email": r.email(support, "email", f"{path}.email", required=False),
        "phone": r.text(support, "phone", f"{path}.phone", required=False, max_len=40),
        "hours": r.text(support, "hours", f"{path}.hours", required=False, max_len=100),
        "url": r.web_url(support, "url", f"{path}.url"),
    }


def read_address(r: Reader, data: dict[str, Any], path: str, *, required: bool = True) -> dict[str, Any]:
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
    "mon": (0,),
    "tue": (1,),
    "wed": (2,),
    "thu": (3,),
    "fri": (4,),
    "sat": (5,),
    "sun": (6,),
    "mon-fri": (0, 1, 2, 3, 4),
    "mon-sat": (0, 1, 2, 3, 4, 5),
    "sat-sun": (5, 6),
    "mon-sun": tuple(range(7)),
    "daily": tuple(range(7)),
}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def read_store(data: Any, code: str, locale: str = "ja-JP") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A store of PUT /api/v1/stores/{code}; its plain texts are in the merchant's `locale`, and each
    may be given per language beside it (`name_en`, `pickup_instructions_ja`, ...: orderhub.db.texts)."""
    r = Reader()
    body = r.obj(data, "") or {}
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code):
        r.error("code", STORE_CODE_INVALID, "must be 1 to 64 letters, digits, - or _")
    if "code" in body and body["code"] != code:
        r.error("code", STORE_CODE_MISMATCH, "must match the code in the URL")
    store: dict[str, Any] = {
        "name": r.text(body, "name", "name"),
        "timezone": r.timezone(body, "timezone", "timezone"),
        "address": read_address(r, r.obj(body.get("address"), "address") or {}, "address"),
        "pickup_instructions": r.text(body, "pickup_instructions", "pickup_instructions", required=False, max_len=1000),
        "what_to_bring": r.strings(body, "what_to_bring", "what_to_bring", max_items=10),
        "hold_days": r.integer(body, "hold_days", "hold_days", minimum=1, maximum=60, default=7),
    }
    store["hours"] = read_hours(r, body)
    curb = r.obj(body.get("curbside", {"enabled": False}), "curbside") or {}
    store["curbside"] = {
        "enabled": r.boolean(curb, "enabled", "curbside.enabled", default=False),
        "bays": r.strings(curb, "bays", "curbside.bays", max_items=30, max_len=20),
        "instructions": r.text(curb, "instructions", "curbside.instructions", required=False, max_len=1000),
    }
    store["texts"] = read_store_texts(r, body, curb, store, texts.language_of_locale(locale))
    return store, r.errors


def read_hours(r: Reader, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Opening hours `[{"days": "mon-fri", "open": "11:00", "close": "20:00"}]` (a store's, a drop-off point's)."""
    hours = []
    for i, item in enumerate(r.items(body.get("hours", []), "hours", max_items=14)):
        h = r.obj(item, f"hours[{i}]") or {}
        days = r.choice(h, "days", f"hours[{i}].days", DAY_GROUPS, default="daily")
        opens, closes = h.get("open"), h.get("close")
        if not (isinstance(opens, str) and _TIME.match(opens)):
            r.error(f"hours[{i}].open", NOT_TIME, example="10:00")
        if not (isinstance(closes, str) and _TIME.match(closes)):
            r.error(f"hours[{i}].close", NOT_TIME, example="20:00")
        elif isinstance(opens, str) and closes <= opens:
            r.error(f"hours[{i}].close", STORE_CLOSES_BEFORE_OPENING, "must be after the opening time")
        hours.append({"days": days, "open": opens, "close": closes})
    return hours


def read_store_texts(r: Reader, body: dict[str, Any], curb: dict[str, Any], store: dict[str, Any],
                     base: str) -> dict[str, Any]:
    """{field: {lang: text}} for the store's words (name, pickup instructions, what to bring, the
    opening-hours note, curbside instructions)."""
    hours_note = r.text(body, "hours_note", "hours_note", required=False, max_len=300)
    out: dict[str, Any] = {
        "name": texts.read_text(r, body, "name", "name", base, base=store["name"], max_len=200),
        "pickup_instructions": texts.read_text(r, body, "pickup_instructions", "pickup_instructions", base,
                                               base=store["pickup_instructions"], max_len=1000),
        "what_to_bring": texts.read_list(r, body, "what_to_bring", "what_to_bring", base,
                                         base=store["what_to_bring"], max_items=10, max_len=200),
        "hours_note": texts.read_text(r, body, "hours_note", "hours_note", base, base=hours_note, max_len=300),
        "curbside_instructions": texts.read_text(r, curb, "instructions", "curbside.instructions", base,
                                                 base=store["curbside"]["instructions"], max_len=1000),
    }
    return {k: v for k, v in out.items() if v}
