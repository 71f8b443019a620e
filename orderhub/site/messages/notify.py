"""Error codes of the shopper's notification choices and what they say (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "push.bad_subscription": "This browser sent a notification subscription we cannot use.",
    "push.bad_endpoint": "This browser's push service is not one we can send to.",
    "push.bad_key": "This browser sent a notification subscription we cannot use.",
    "channels.no_phone": "This order has no phone number for text messages.",
    "channels.bad_phone": "This order's phone number cannot receive text messages.",
}
