"""How a cancellation's money comes back, in the current language: one wording for the hub, the
emails and anything else (the route itself is decided by `orders.rules.refund_route`)."""

from __future__ import annotations

from orderhub.components.i18n import gettext as _


def refund_how(route: str) -> str:
    """Where the money goes and when the shopper sees it."""
    if route == "none":
        return _("Nothing was charged for this order, so there is nothing to refund.")
    if route == "card":
        return _("The refund goes back to your card. Depending on your card issuer it appears within 5–10 "
                 "business days.")
    if route == "bank":
        return _("We refund by bank transfer. We'll contact you for your account details; the money arrives "
                 "within about 7 business days after that.")
    if route == "wallet":
        return _("The refund goes back to the account you paid with, usually within 3–5 business days.")
    if route == "gift_card":
        return _("The refund goes back to your gift card right away.")
    return _("We refund you the way you paid. We'll contact you if we need anything.")


def refund_method(route: str) -> str:
    """The refund method's name (a fact line)."""
    return {
        "none": _("No payment taken"),
        "card": _("Back to your card"),
        "bank": _("Bank transfer"),
        "wallet": _("Back to your payment account"),
        "gift_card": _("Back to your gift card"),
    }.get(route, _("The way you paid"))
