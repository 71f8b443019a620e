"""Error codes of the pickup area and what they say to a person (English msgids, translated when shown).

`MESSAGES` is the wording for the shopper (and any page); `STAFF` words the same refusals for the
clerk at the staff console, where it differs."""

from __future__ import annotations

#: a move the pickup's state does not allow, as the shopper reads it
_NOT_NOW = "That can't be done now: the order is not ready for pickup or its pickup is closed."
_NO_SUCH_CODE = "No pickup with this code at this store."

MESSAGES: dict[str, str] = {
    # conflicts (409)
    "pickup.already_picked_up": "This order has already been picked up.",
    "pickup.illegal_move": _NOT_NOW,
    "pickup.not_allowed": _NOT_NOW,
    "pickup.closed": _NOT_NOW,
    "pickup.changed": _NOT_NOW,
    "pickup.undo_expired": "This hand-over can no longer be undone.",
    "pickup.not_a_pickup_order": "This order is shipped, not picked up in a store.",
    "pickup.deadline_before_ready": "The pickup deadline must be after the ready time.",
    # not found (404)
    "pickup.order_not_found": "We couldn't find this order.",
    "pickup.not_found": "This pickup is not at this store.",
    "pickup.bad_code": _NO_SUCH_CODE,
    "pickup.code_not_found": _NO_SUCH_CODE,
    # the shopper's forms (422)
    "pickup.eta_required": "Choose when you will arrive.",
    "pickup.unknown_bay": "Choose one of the bays.",
    "pickup.car_required": "Describe your car so staff can find you.",
    "pickup.too_long": "That is too long. Please shorten it.",
    "pickup.control_characters": "Use letters, numbers and spaces only.",
}

#: the staff console's wording where it differs from MESSAGES
_NOT_COLLECTABLE = "This order can't be handed over: it is not ready for pickup."
STAFF: dict[str, str] = {
    "pickup.already_picked_up": "Already picked up.",
    "pickup.illegal_move": _NOT_COLLECTABLE,
    "pickup.not_allowed": _NOT_COLLECTABLE,
    "pickup.closed": _NOT_COLLECTABLE,
    "pickup.changed": _NOT_COLLECTABLE,
}
