"""The payment method in words (pages, documents, emails): the card's brand, or the method's name."""

from __future__ import annotations

from typing import Any

from orderhub.components.i18n import gettext as _
from orderhub.db.payments.rules import CARD

PAYMENT_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "jcb": "JCB",
                  "diners": "Diners Club", "discover": "Discover", "unionpay": "UnionPay"}


def payment_label(payment: dict[str, Any]) -> str:
    brand = payment.get("brand", "")
    method = payment.get("method", CARD)
    if method == CARD:
        return PAYMENT_BRANDS.get(brand, brand.title() or _("Card"))
    return {
        "cash_on_delivery": _("Cash on delivery"),
        "cod": _("Cash on delivery"),
        "konbini": _("Convenience store payment"),
        "bank_transfer": _("Bank transfer"),
        "paypay": "PayPay",
        "paypal": "PayPal",
        "gift_card": _("Gift card"),
    }.get(method, _("Other"))
