"""Error codes of delivery changes (orderhub.db.orders.change_rules) and what they say to a person
(English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "changes.not_changeable": "Your order is already on its way, so its delivery can no longer be changed here. "
                              "Please contact the shop.",
    "changes.already_pending": "You already asked for a change like this. The shop will answer it first.",
    "changes.not_found": "We couldn't find that change.",
    "changes.not_pending": "That change has already been answered.",
    "changes.no_change": "This is the same as now. Change something, or leave it as it is.",
    "changes.postal_code": "This postal code does not belong to the prefecture or state you chose.",
    "changes.region": "Choose a prefecture or state of this country.",
    "changes.country": "The country cannot change. For another country, please contact the shop.",
    "changes.date_not_allowed": "This shop does not take a delivery date for this order.",
    "changes.date_out_of_range": "Choose a date from %(first)s to %(last)s.",
    "changes.plain_text": "Please use plain text, without < or >.",
}
