"""The 着払い slip's tracking-number form on the shopper's return page (db/returns/slip_numbers.py): its
state for the template (errors next to the field, the value typed, a refusal, the confirmation)."""

from __future__ import annotations

from typing import Any

from orderhub.components.i18n import gettext as _

#: `?slip=` after a plain form's 303
SAVED = "saved"


def slip_context(*, errors: dict[str, str] | None = None, value: str = "", message: str = "",
                 done: str = "") -> dict[str, Any]:
    return {"slip_errors": errors or {}, "slip_value": value, "slip_message": message,
            "slip_done": done == SAVED, "slip_hint": hint}


def hint() -> str:
    return _("The 12 digits on the receipt the carrier gave you, for example 1234-5678-9012.")
