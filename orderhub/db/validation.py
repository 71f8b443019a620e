"""Reading untrusted JSON into plain values, collecting every error with its field path.

Used by the API's write calls and the admin's forms: each reader returns a value (or None) and
records an error at the exact path ("lines[0].quantity"), so a storefront sees all its mistakes at
once. An error is ``{"field", "code", "message"}``: a stable code (``"validation.too_long"``), the
English sentence the API answers, and, for the web layer only, the ``"params"`` its sentence needs
({"n": 200}); the API's JSON carries field, code and message (`ValidationFailed.as_json()`).
Pages word an error from its code and params (`orderhub.site.form_errors`), never from its text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orderhub import money

HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[^@\s<>\"'.]{2,}$")

# -- the shared codes and their English (what the API answers; `{name}` from the error's params) --------
REQUIRED = "validation.required"
EMPTY = "validation.empty"
NOT_OBJECT = "validation.not_object"
NOT_LIST = "validation.not_list"
TOO_FEW_ITEMS = "validation.too_few_items"
TOO_MANY_ITEMS = "validation.too_many_items"
NOT_STRING = "validation.not_string"
NOT_TEXT = "validation.not_text"
TOO_LONG = "validation.too_long"
CONTROL_CHARACTERS = "validation.control_characters"
NOT_PLAIN_TEXT = "validation.not_plain_text"
NOT_CHOICE = "validation.not_choice"
NOT_BOOLEAN = "validation.not_boolean"
NOT_WHOLE_NUMBER = "validation.not_whole_number"
TOO_SMALL = "validation.too_small"
TOO_LARGE = "validation.too_large"
OUT_OF_RANGE = "validation.out_of_range"
NOT_AMOUNT = "validation.not_amount"
NOT_RATE = "validation.not_rate"
RATE_OUT_OF_RANGE = "validation.rate_out_of_range"
NOT_TIMESTAMP = "validation.not_timestamp"
NOT_DATE = "validation.not_date"
NOT_TIME = "validation.not_time"
NOT_TIMEZONE = "validation.not_timezone"
NOT_WEB_URL = "validation.not_web_url"
NOT_EMAIL = "validation.not_email"
NOT_HEX_COLOR = "validation.not_hex_color"
UNKNOWN_KEY = "validation.unknown_key"
#: the code of an error recorded in the old shape, error(field, message) (other areas' validators,
#: until they name their own codes); pages word it as a msgid
INVALID = "validation.invalid"

MESSAGES: dict[str, str] = {
    REQUIRED: "is required",
    EMPTY: "must not be empty",
    NOT_OBJECT: "must be an object",
    NOT_LIST: "must be a list",
    TOO_MANY_ITEMS: "must have at most {n} items",
    NOT_STRING: "must be a string",
    NOT_TEXT: "must be text",
    TOO_LONG: "must be at most {n} characters",
    CONTROL_CHARACTERS: "must not contain control characters",
    NOT_PLAIN_TEXT: "must be plain text (no < or >)",
    NOT_BOOLEAN: "must be true or false",
    NOT_WHOLE_NUMBER: "must be a whole number",
    TOO_SMALL: "must be at least {n}",
    TOO_LARGE: "must be at most {n}",
    OUT_OF_RANGE: "must be a whole number from {low} to {high}",
    NOT_RATE: "must be a decimal string such as \"0.10\"",
    RATE_OUT_OF_RANGE: "must be at least 0 and below 1",
    NOT_TIMESTAMP: "must be an ISO 8601 date and time with a UTC offset",
    NOT_DATE: "must be a date such as 2026-11-20",
    NOT_TIME: "must be a time such as {example}",
    NOT_TIMEZONE: "must be an IANA time zone such as Asia/Tokyo",
    NOT_EMAIL: "must be an email address",
    NOT_HEX_COLOR: "must be a hex colour such as #1F5F3F",
    UNKNOWN_KEY: "is not a setting",
}


def _is_code(text: str) -> bool:
    """A stable code is dotted lower-case words ("team.last_owner"); an English message has spaces."""
    return bool(text) and " " not in text and "." in text and text == text.lower()


class AreaErrors:
    """An area's own field errors ({"field", "code", "message"}, English from the area's table of
    input messages): `field_error = AreaErrors(INPUT_MESSAGES)` in its rules, then
    `field_error("items", "returns.no_items", max=3)`. One shape for every area's validation errors."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        self.messages = messages

    def __call__(self, field: str, code: str, **params: object) -> dict[str, str]:
        return {"field": field, "code": code, "message": self.messages[code].format(**params)}


def is_digits(text: str) -> bool:
    """`text` is one or more ASCII digits 0-9. (`str.isdigit()` also says yes to "²" and other digits
    that `int()` refuses with ValueError: an input like ?page=² must be a plain "not a number".)"""
    return text.isascii() and text.isdigit()


def field_errors_of(messages: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """An area's `field_error(field, code, **params)`: its own codes' English sentences (`messages`),
    formatted with the params the page sentence needs too (a range's ends)."""

    def area_field_error(field: str, code: str, **params: Any) -> dict[str, Any]:
        return field_error(field, code, messages[code].format(**params), **params)

    return area_field_error


def field_error(field: str, code: str, message: str | None = None, **params: Any) -> dict[str, Any]:
    """One error: {"field", "code", "message"} plus "params" when its sentence needs any. `message`
    defaults to the code's English in MESSAGES (formatted with the params).

    The old shape, field_error(field, "an English message"), still works: the code is then INVALID."""
    if message is None and not _is_code(code):
        code, message = INVALID, code
    if message is None:
        message = MESSAGES[code].format(**params)
    error: dict[str, Any] = {"field": field, "code": code, "message": message}
    if params:
        error["params"] = params
    return error


def api_error(error: dict[str, Any]) -> dict[str, Any]:
    """What the API answers for one error: field, code and message (INVALID when it was given none)."""
    return {"field": error.get("field", ""), "code": error.get("code") or INVALID, "message": error.get("message", "")}


class ValidationFailed(Exception):
    """Some fields are wrong. `errors`: the errors as recorded; `details`: each with its code (INVALID
    when it was recorded without one), for pages that word them; `as_json()`: what the API answers."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        self.details = [{**error, "code": error.get("code") or INVALID} for error in errors]
        super().__init__("; ".join(f"{e.get('field', '')}: {e.get('message', '')}" for e in errors))

    def as_json(self) -> list[dict[str, Any]]:
        """[{"field", "code", "message"}] (no params: those are for the web layer's sentences)."""
        return [api_error(error) for error in self.errors]


class Reader:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def error(self, field: str, code: str, message: str | None = None, **params: Any) -> None:
        """Record an error: error(path, CODE, **params), or with an English message of its own,
        error(path, "area.code", "the English", **params). The old error(path, "message") shape
        records the code INVALID."""
        self.errors.append(field_error(field, code, message, **params))

    def failed(self, *fields: str) -> bool:
        """Whether any of these paths already has an error."""
        return any(e["field"] in fields for e in self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    # -- containers ---------------------------------------------------------------------------
    def obj(self, data: Any, path: str, *, required: bool = True) -> dict[str, Any] | None:
        if data is None and not required:
            return None
        if not isinstance(data, dict):
            self.error(path or "body", NOT_OBJECT if data is not None else REQUIRED)
            return None
        return data

    def items(self, data: Any, path: str, *, min_items: int = 0, max_items: int = 500) -> list[Any]:
        if not isinstance(data, list):
            self.error(path, NOT_LIST if data is not None else REQUIRED)
            return []
        if len(data) < min_items:
            self.error(path, TOO_FEW_ITEMS, f"must have at least {min_items} item" + ("s" if min_items > 1 else ""),
                       n=min_items)
        if len(data) > max_items:
            self.error(path, TOO_MANY_ITEMS, n=max_items)
            return []
        return data

    # -- scalars ------------------------------------------------------------------------------
    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = True,
             max_len: int = 200, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, REQUIRED)
            return default
        if not isinstance(value, str):
            self.error(path, NOT_STRING)
            return default
        value = value.strip()
        if required and not value:
            self.error(path, EMPTY)
        if len(value) > max_len:
            self.error(path, TOO_LONG, n=max_len)
            return default
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.error(path, CONTROL_CHARACTERS)
            return default
        return value

    def choice(self, data: dict[str, Any], key: str, path: str, options: Collection[Any], *, default: Any = None) -> Any:
        value = data.get(key, default)
        try:
            known = value in options
        except TypeError:  # a list or an object where a name was expected: not hashable, none of them
            known = False
        if not known:
            self.not_one_of(path, options)
            return default
        return value

    def not_one_of(self, path: str, options: Iterable[object]) -> None:
        """The value at `path` is none of `options` (listed in the English message)."""
        self.error(path, NOT_CHOICE, "must be one of " + ", ".join(sorted(map(str, options))))

    def boolean(self, data: dict[str, Any], key: str, path: str, *, default: bool | None = None) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(path, NOT_BOOLEAN if value is not None else REQUIRED)
            return bool(default)
        return value

    def integer(self, data: dict[str, Any], key: str, path: str, *, minimum: int | None = None,
                maximum: int | None = None, default: int | None = None) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, NOT_WHOLE_NUMBER if value is not None else REQUIRED)
            return default or 0
        if minimum is not None and value < minimum:
            self.error(path, TOO_SMALL, n=minimum)
        if maximum is not None and value > maximum:
            self.error(path, TOO_LARGE, n=maximum)
        return value

    def amount(self, data: dict[str, Any], key: str, path: str, currency: str | None, *,
               required: bool = True, default: str = "0") -> int:
        value = data.get(key, None if required else default)
        if value is None:
            self.error(path, REQUIRED)
            return 0
        if currency is None:
            return 0
        try:
            return money.parse(value, currency)
        except money.MoneyError as exc:
            self.error(path, NOT_AMOUNT, str(exc))
            return 0

    def rate(self, data: dict[str, Any], key: str, path: str, *, default: str | None = None) -> Decimal:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, str):
            self.error(path, NOT_RATE if value is not None else REQUIRED)
            return Decimal(0)
        try:
            rate = Decimal(value)
        except InvalidOperation:
            self.error(path, NOT_RATE)
            return Decimal(0)
        if not rate.is_finite() or rate < 0 or rate >= 1:
            self.error(path, RATE_OUT_OF_RANGE)
            return Decimal(0)
        return rate

    def timestamp(self, data: dict[str, Any], key: str, path: str, *, required: bool = True) -> dt.datetime | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, REQUIRED)
            return None
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.error(path, NOT_TIMESTAMP)
            return None
        return parsed

    def date(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, REQUIRED)
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad()
        except ValueError:
            self.error(path, NOT_DATE)
            return None

    def timezone(self, data: dict[str, Any], key: str, path: str, *, default: str | None = None) -> str:
        value = data.get(key, default)
        try:
            if not isinstance(value, str) or not value:
                raise ZoneInfoNotFoundError
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(path, NOT_TIMEZONE)
            return "UTC"
        return value

    def web_url(self, data: dict[str, Any], key: str, path: str, *, required: bool = False,
                allow_static: bool = False) -> str:
        value = self.text(data, key, path, required=required, max_len=1000)
        if not value:
            return ""
        if allow_static and value.startswith("/static/") and ".." not in value and "//" not in value[1:]:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in " \"'<>\\"):
            self.error(path, NOT_WEB_URL, "must be an http(s) URL" + (" or a /static/ path" if allow_static else ""))
            return ""
        return value

    def email(self, data: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = self.text(data, key, path, required=required, max_len=254)
        if value and not EMAIL.match(value):
            self.error(path, NOT_EMAIL)
            return ""
        return value

    def color(self, data: dict[str, Any], key: str, path: str, *, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not HEX_COLOR.match(value):
            self.error(path, NOT_HEX_COLOR)
            return default
        return value.upper()

    def strings(self, data: dict[str, Any], key: str, path: str, *, max_items: int = 50, max_len: int = 200) -> list[str]:
        value = data.get(key, [])
        out: list[str] = []
        for i, item in enumerate(self.items(value, path, max_items=max_items)):
            out.append(self.text({"v": item}, "v", f"{path}[{i}]", max_len=max_len))
        return out


def _bad() -> NoReturn:
    raise ValueError
