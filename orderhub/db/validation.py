"""Reading untrusted JSON into plain values, collecting every error with its field path.

Used by the API's write calls: each reader returns a value (or None) and records a message at
the exact path ("lines[0].quantity"), so a storefront sees all its mistakes at once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orderhub import money

HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[^@\s<>\"'.]{2,}$")


class ValidationFailed(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


class Reader:
    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    # -- containers ---------------------------------------------------------------------------
    def obj(self, data: Any, path: str, *, required: bool = True) -> dict | None:
        if data is None and not required:
            return None
        if not isinstance(data, dict):
            self.error(path or "body", "must be an object" if data is not None else "is required")
            return None
        return data

    def items(self, data: Any, path: str, *, min_items: int = 0, max_items: int = 500) -> list:
        if not isinstance(data, list):
            self.error(path, "must be a list" if data is not None else "is required")
            return []
        if len(data) < min_items:
            self.error(path, f"must have at least {min_items} item" + ("s" if min_items > 1 else ""))
        if len(data) > max_items:
            self.error(path, f"must have at most {max_items} items")
            return []
        return data

    # -- scalars ------------------------------------------------------------------------------
    def text(self, data: dict, key: str, path: str, *, required: bool = True,
             max_len: int = 200, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, "is required")
            return default
        if not isinstance(value, str):
            self.error(path, "must be a string")
            return default
        value = value.strip()
        if required and not value:
            self.error(path, "must not be empty")
        if len(value) > max_len:
            self.error(path, f"must be at most {max_len} characters")
            return default
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.error(path, "must not contain control characters")
            return default
        return value

    def choice(self, data: dict, key: str, path: str, options, *, default=None):
        value = data.get(key, default)
        if value not in options:
            self.error(path, "must be one of " + ", ".join(sorted(map(str, options))))
            return default
        return value

    def boolean(self, data: dict, key: str, path: str, *, default: bool | None = None) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(path, "must be true or false" if value is not None else "is required")
            return bool(default)
        return value

    def integer(self, data: dict, key: str, path: str, *, minimum: int | None = None,
                maximum: int | None = None, default: int | None = None) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "must be a whole number" if value is not None else "is required")
            return default or 0
        if minimum is not None and value < minimum:
            self.error(path, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            self.error(path, f"must be at most {maximum}")
        return value

    def amount(self, data: dict, key: str, path: str, currency: str | None, *,
               required: bool = True, default: str = "0") -> int:
        value = data.get(key, None if required else default)
        if value is None:
            self.error(path, "is required")
            return 0
        if currency is None:
            return 0
        try:
            return money.parse(value, currency)
        except money.MoneyError as exc:
            self.error(path, str(exc))
            return 0

    def rate(self, data: dict, key: str, path: str, *, default: str | None = None) -> Decimal:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, str):
            self.error(path, "must be a decimal string such as \"0.10\"" if value is not None else "is required")
            return Decimal(0)
        try:
            rate = Decimal(value)
        except InvalidOperation:
            self.error(path, "must be a decimal string such as \"0.10\"")
            return Decimal(0)
        if not rate.is_finite() or rate < 0 or rate >= 1:
            self.error(path, "must be at least 0 and below 1")
            return Decimal(0)
        return rate

    def timestamp(self, data: dict, key: str, path: str, *, required: bool = True) -> dt.datetime | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, "is required")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.error(path, "must be an ISO 8601 date and time with a UTC offset")
            return None
        return parsed

    def date(self, data: dict, key: str, path: str, *, required: bool = False) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, "is required")
            return None
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad()
        except ValueError:
            self.error(path, "must be a date such as 2026-11-20")
            return None

    def timezone(self, data: dict, key: str, path: str, *, default: str | None = None) -> str:
        value = data.get(key, default)
        try:
            if not isinstance(value, str) or not value:
                raise ZoneInfoNotFoundError
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(path, "must be an IANA time zone such as Asia/Tokyo")
            return "UTC"
        return value

    def web_url(self, data: dict, key: str, path: str, *, required: bool = False,
                allow_static: bool = False) -> str:
        value = self.text(data, key, path, required=required, max_len=1000)
        if not value:
            return ""
        if allow_static and value.startswith("/static/") and ".." not in value and "//" not in value[1:]:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in " \"'<>\\"):
            self.error(path, "must be an http(s) URL" + (" or a /static/ path" if allow_static else ""))
            return ""
        return value

    def email(self, data: dict, key: str, path: str, *, required: bool = True) -> str:
        value = self.text(data, key, path, required=required, max_len=254)
        if value and not EMAIL.match(value):
            self.error(path, "must be an email address")
            return ""
        return value

    def color(self, data: dict, key: str, path: str, *, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not HEX_COLOR.match(value):
            self.error(path, "must be a hex colour such as #1F5F3F")
            return default
        return value.upper()

    def strings(self, data: dict, key: str, path: str, *, max_items: int = 50, max_len: int = 200) -> list[str]:
        value = data.get(key, [])
        out: list[str] = []
        for i, item in enumerate(self.items(value, path, max_items=max_items)):
            out.append(self.text({"v": item}, "v", f"{path}[{i}]", max_len=max_len))
        return out


def _bad():
    raise ValueError
