"""The words and links of a return's moves in the admin (the queue's rows and the return detail page):
what each button says, what a finished move says, why a move was refused."""

from __future__ import annotations

from types import SimpleNamespace

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.site.returns import presenter as words


def action_label(action: str) -> str:
    return {"approve": _("Approve"), "reject": _("Reject"), "ship": _("Mark on its way back"),
            "receive": _("Mark received"), "refund": _("Refund"), "exchange": _("Send the exchange")}.get(action, action)


def done_text(action: str, number: str) -> str:
    return {
        "approve": _("%(number)s approved.", number=number), "reject": _("%(number)s rejected.", number=number),
        "receive": _("%(number)s marked as received.", number=number),
        "refund": _("%(number)s refunded.", number=number),
        "exchange": _("%(number)s exchanged: the replacement is on its way.", number=number),
        "ship": _("%(number)s marked as on its way back.", number=number),
    }.get(action, "")


def conflict_text(action: str, number: str, status: str) -> str:
    return _("%(number)s can't be changed with “%(action)s”: its status is now “%(status)s”.",
             number=number, action=action_label(action), status=words.status_label(status))


def return_url(return_id: int, action: str) -> str:
    return href(f"/admin/returns/{return_id}/{action}")


WORDS = SimpleNamespace(reason_label=words.reason_label, resolution_label=words.resolution_label,
                        method_label=words.method_label, status_label=words.status_label,
                        status_badge=words.status_badge, action_label=action_label, action_url=return_url,
                        grade_label=words.grade_label, reception_label=words.reception_label,
                        part_label=words.part_label, kind_label=words.kind_label,
                        difference_text=words.difference_text)
