"""Money as Decimal in a currency's own minor units (JPY has none); stored as integers."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

_KNOWN = frozenset(Locale("en").currencies)


class MoneyError(ValueError):
    """A value that is not an amount of money in the given currency."""


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in _KNOWN


def exponent(currency: str) -> int:
    return get_currency_precision(currency)


def parse(value: object, currency: str, *, allow_negative: bool = False) -> int:
    """A decimal string in `currency` -> minor units. Floats and extra decimals are refused."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise MoneyError("must be a decimal string such as \"13200\" or \"155.64\", not a number")
    text = value.strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a decimal amount")
    if amount < 0 and not allow_negative:
        raise MoneyError("must not be negative")
    digits = exponent(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency} amounts have at most {digits} decimal places")
    if abs(scaled) >= 10**15:
        raise MoneyError("is too large")
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def to_string(minor: int, currency: str) -> str:
    """Minor units -> the API's decimal string ("13200", "155.64")."""
    digits = exponent(currency)
    value = to_decimal(minor, currency)
    return f"{value:.{digits}f}"


def round_minor(value: Decimal) -> int:
    """Round a Decimal amount already in minor units, half up (tax, prorations)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@functools.lru_cache(maxsize=8192)
def format(minor: int, currency: str, locale: str) -> str:
    text = format_currency(to_decimal(minor, currency), currency, locale=locale.replace("-", "_"))
    # Japanese pages write the half-width yen sign (¥17,560), as shops and receipts do
    return text.replace("\uffe5", "\u00a5")


def prorate(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` minor units in proportion to `weights`; the parts always add up exactly
    (largest remainder, earlier lines first on ties)."""
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i)
    )
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares
