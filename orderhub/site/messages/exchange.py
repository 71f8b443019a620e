"""Error codes of exchanges for something else (`orderhub.db.returns.exchange_rules`) and what they
say to a person (English msgids, translated when shown)."""

from __future__ import annotations

from orderhub.db.returns import exchange_rules as xr

MESSAGES: dict[str, str] = {
    xr.NOTHING_CHOSEN: "Choose at least one item to exchange for.",
    xr.NOT_IN_CATALOG: "Sorry, this item is no longer available. Please choose another.",
    xr.TOO_MANY: "That is more than one exchange can take.",
    xr.UNPAID: "The difference is not paid yet: the replacement can be sent once it is.",
    xr.NOT_AN_EXCHANGE: "This return is not an exchange for something else.",
    xr.NOTHING_TO_PAY: "There is no difference to pay.",
    xr.ALREADY_PAID: "The difference is paid already.",
    xr.CLOSED: "This exchange is closed.",
}
