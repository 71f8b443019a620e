"""What each return reason is called (msgids are English, translated when called): the return pages,
the admin, the staff console, the emails and the PDF slip all word a reason here."""

from __future__ import annotations

from orderhub.components.i18n import gettext as _


def reason_label(reason: str) -> str:
    return {
        "too_small": _("Too small"), "too_large": _("Too large"), "not_as_described": _("Not as described"),
        "changed_mind": _("Changed my mind"), "damaged": _("Arrived damaged"), "wrong_item": _("Wrong item sent"),
        "defective": _("Defective"), "other": _("Other reason"),
    }.get(reason, reason)
