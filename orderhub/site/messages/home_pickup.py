"""Error codes of home pickup bookings (orderhub.db.returns.home_pickup_rules) and what they say to a
person (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "home_pickup.not_bookable": "A pickup can be booked once the return is approved, and only for a home pickup.",
    "home_pickup.already_booked": "A pickup is already booked for this return. You can change it below.",
    "home_pickup.no_booking": "There is no pickup booked for this return.",
    "home_pickup.past_cutoff": "It is too late to change this pickup: the carrier has already planned it. "
                               "Please contact the shop if you cannot be at home.",
    "home_pickup.date": "Choose one of the dates offered.",
    "home_pickup.slot": "Choose one of the time slots offered.",
    "home_pickup.plain_text": "Please use plain text, without < or >.",
    "home_pickup.same_slot": "This is the pickup already booked. Choose another date or time, or keep it.",
    "home_pickup.config": "This home pickup setting is not valid.",
}
