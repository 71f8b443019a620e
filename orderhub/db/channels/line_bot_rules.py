"""Pure decisions of the LINE bot's half of the account link (no I/O): what a LINE user's message
names, the order's short code shown on the hub, which user ids and link tokens are well formed, and
how long a link in progress stays valid.

The journey (docs/architecture.md, "LINE account link"): a LINE user follows the shop's official
account or sends it a message; a message naming an order (its number, or the number with the hub's
short code) makes the bot ask LINE for a link token for that user and reply with a link to the hub's
updates page carrying it; the shopper, proven there by the hub token, presses "Get updates on LINE";
we keep a fresh nonce and send the browser to LINE's account-link dialog; LINE's `accountLink`
webhook event with that nonce binds the user to the order."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from orderhub.db.validation import is_digits

#: LINE's link token is valid for 10 minutes; a nonce we issued for the dialog lives as long
LINK_TTL = dt.timedelta(minutes=10)
#: a LINE user id: "U" and 32 hex digits
USER_ID = re.compile(r"U[0-9a-f]{32}")
#: the link token LINE issues (alphanumeric; we accept nothing else in URLs)
MAX_LINK_TOKEN = 200
CODE_LENGTH = 8
_CODE = re.compile(rf"[A-Z2-7]{{{CODE_LENGTH}}}")
#: digits typed for the base32 letters they look like (base32 has no 0, 1, 8 or 9)
_LOOK_ALIKE = str.maketrans({"0": "O", "1": "I", "8": "B"})
#: longest message text the bot reads (anything longer names no order)
MAX_TEXT = 120
MAX_NUMBER = 40


def user_id_ok(user_id: object) -> bool:
    return isinstance(user_id, str) and USER_ID.fullmatch(user_id) is not None


def link_token_ok(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= MAX_LINK_TOKEN and token.isascii() and token.isalnum()


def link_code(key: bytes, hub_token: str) -> str:
    """The order's short code (8 letters and digits, base32 of an HMAC of the current hub token):
    the hub shows it, a shopper sends it to the bot with the order number to prove the order. A new
    hub link (revoked or renewed) makes a new code."""
    digest = hmac.new(key, hub_token.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def code_matches(key: bytes, hub_token: str, code: str) -> bool:
    return bool(code) and hmac.compare_digest(link_code(key, hub_token), code)


@dataclass(frozen=True)
class Asked:
    """What a message names: an order number, and the short code when one came with it ("" if not)."""

    number: str
    code: str = ""


def read_message(text: object) -> Asked | None:
    """"1001", "#1001", "YK-1001 K7QX2MPA", full-width "１００１　ｋ７ｑｘ２ｍｐａ" -> what it names; None
    for a message that names no order (too long, empty, several words that are not number + code)."""
    if not isinstance(text, str):
        return None
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain or len(plain) > MAX_TEXT:
        return None
    words = plain.split()
    code = ""
    typed = words[1].upper().translate(_LOOK_ALIKE) if len(words) == 2 else ""
    if typed and _CODE.fullmatch(typed):
        code = typed
        words = words[:1]
    if len(words) != 1:
        return None
    number = words[0].removeprefix("#")
    if not (0 < len(number) <= MAX_NUMBER) or not any(is_digits(c) for c in number):
        return None
    if not all(c.isalnum() or c in "-_" for c in number):
        return None
    return Asked(number, code)


def nonce_fresh(started_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A nonce issued at `started_at` may still bind a LINE user at `now`."""
    return started_at is not None and now - LINK_TTL <= started_at <= now + dt.timedelta(minutes=1)
