"""The validators' English messages ("must be at most 200 characters") as sentences a person
reads next to a form field, in the page's language. One table for every form built on the API's
validators (db/validation.Reader and the areas' validate_* functions)."""

from __future__ import annotations

import re
from collections.abc import Callable

from orderhub.components.i18n import gettext as _

_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^(is required|must not be empty)$"), lambda m: _("Please fill this in.")),
    (re.compile(r"^must be at most (\d+) characters$"), lambda m: _("Use at most %(n)s characters.", n=m[1])),
    (re.compile(r"^must be at least (-?\d+)$"), lambda m: _("Use %(n)s or more.", n=m[1])),
    (re.compile(r"^must be at most (-?\d+)$"), lambda m: _("Use %(n)s or less.", n=m[1])),
    (re.compile(r"^must be a whole number from (-?\d+) to (-?\d+)$"),
     lambda m: _("Enter a whole number from %(low)s to %(high)s.", low=m[1], high=m[2])),
    (re.compile(r"^must be a whole number"), lambda m: _("Enter a whole number.")),
    (re.compile(r"^must be plain text"), lambda m: _("Use plain text, without < or >.")),
    (re.compile(r"^must not contain control characters$"), lambda m: _("Use letters, numbers and punctuation only.")),
    (re.compile(r"^must be an email address$"), lambda m: _("Enter an email address such as help@example.com.")),
    (re.compile(r"^must be an http\(s\) URL"), lambda m: _("Enter a web address starting with https://.")),
    (re.compile(r"^must be an IANA time zone"), lambda m: _("Choose a time zone such as Asia/Tokyo.")),
    (re.compile(r"^must be a time"), lambda m: _("Enter a time such as 21:00.")),
    (re.compile(r"^must be after the opening time$"), lambda m: _("Closing must be after opening.")),
    (re.compile(r"^must be a hex colour"), lambda m: _("Enter a colour as # and six hexadecimal digits, for example #1F5F3F.")),
    (re.compile(r"^must have at most (\d+) items$"), lambda m: _("Use at most %(n)s entries.", n=m[1])),
    (re.compile(r"^must be one of "), lambda m: _("Choose one of the options.")),
    (re.compile(r"^must be true or false$"), lambda m: _("Choose yes or no.")),
    (re.compile(r"^(not a number|.*decimal|.*minor unit|.*amount|.*negative)", re.I),
     lambda m: _("Enter an amount such as 500 or 5.00.")),
]


def message(text: str) -> str:
    """One validator message as a translated sentence (an unknown one is translated as a msgid)."""
    for pattern, say in _PATTERNS:
        found = pattern.match(text)
        if found:
            return say(found)
    return _(text)


def by_field(errors: list[dict], *, strip: str = "") -> dict[str, str]:
    """[{"field": "support.email", "message": ...}] -> {"email": "Enter an email address ..."}
    (the first message per field; `strip` drops a path prefix such as "support.")."""
    out: dict[str, str] = {}
    for error in errors:
        name = error["field"][len(strip):] if strip and error["field"].startswith(strip) else error["field"]
        out.setdefault(name, message(error["message"]))
    return out
