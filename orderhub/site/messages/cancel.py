"""Error codes of cancellation and step-up (orderhub/db/orders/cancellation.py,
orderhub/db/security/stepup.py) and what they say to a person (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "cancel.closed": "This order can no longer be cancelled online. Please contact us.",
    "cancel.pending": "Your cancellation request is already waiting for the shop's answer.",
    "cancel.none_pending": "There is no cancellation request waiting.",
    "cancel.nothing_chosen": "Choose at least one item to cancel.",
    "cancel.too_many": "You can cancel at most %(num)s of this item.",
    "cancel.bad_units": "Enter a whole number.",
    "cancel.bad_reason": "Choose a reason.",
    "cancel.comment_too_long": "Please keep it under %(max)s characters.",
    "stepup.not_email": "This order is confirmed with its postal code.",
}
