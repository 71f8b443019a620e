"""Shared security state: rate-limit counters every worker sees, and server-side sign-in sessions.
Schema only."""

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
