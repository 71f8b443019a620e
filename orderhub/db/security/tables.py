"""Shared security state: rate-limit counters every worker sees, server-side sign-in sessions and
shoppers' step-up challenges. Schema only."""

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import User


class RateCounter(Table, tablename="rate_counters"):
    """Hits of one limiter key in one fixed window (`slot` = unix seconds // window length); two
    windows make a sliding-window estimate (`db/security/limits.py`)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    #: "<limiter>:<key>:<window>"
    key = Varchar(length=300, unique=True)
    slot = BigInt()
    hits = Integer()
    #: rows past this (unix seconds) are deleted by the next sweep
    expires = BigInt(index=True)  # unix seconds


class UserSession(Table, tablename="user_sessions"):
    """A signed-in session of the admin or the staff console. The cookie holds a random id; only its
    SHA-256 is kept. Signing out, changing the password, disabling the user and "sign out
    everywhere" set `ended_at`, and the session opens nothing from that moment."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    user = ForeignKey(references=User, index=True)
    #: "admin" or "staff"
    purpose = Varchar(length=16)
    id_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class StepupChallenge(Table, tablename="stepup_challenges"):
    """A shopper proving, before a hub action (cancel, change), that they own the order: a 6-digit code
    sent to the order's email (only its HMAC is kept) or the shipping postal code. Bound to one order,
    one purpose and one browser (`session_hash`: SHA-256 of the random cookie value); single-use,
    expiring, with its own count of wrong answers (`orderhub/db/security/stepup.py`)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    #: the order (a plain id: the security app runs before orders)
    order_id = BigInt(index=True)
    #: "cancel", "change" (stepup.PURPOSES)
    purpose = Varchar(length=16)
    #: "email" or "postal"
    method = Varchar(length=8)
    session_hash = Varchar(length=64, index=True)
    #: HMAC-SHA256 of "<id>:<code>" ("" for the postal-code method)
    code_hash = Varchar(length=64, default="")
    attempts = Integer(default=0)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    #: when the right answer was given (the challenge then answers nothing more)
    verified_at = Timestamptz(null=True, default=None)
    #: the step-up lasts until then, for this order, purpose and browser
    verified_until = Timestamptz(null=True, default=None)
