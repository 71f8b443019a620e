"""Words and pictures of a return's prepaid label (db/returns/label_queries.LabelView) for the shopper's
return page and the admin's: the carrier's name, what each state means, the 着払い slip's QR code."""

from __future__ import annotations

from markupsafe import Markup

from orderhub.components.i18n import gettext as _
from orderhub.components.qr import qr_svg
from orderhub.db.returns import label_rules
from orderhub.db.returns.label_queries import LabelView
from orderhub.db.shipping import rules as shipping_rules


def carrier(code: str) -> str:
    return _(shipping_rules.carrier_name(code)) if code else _("the carrier")


def provider(code: str) -> str:
    return {label_rules.EASYPOST: "EasyPost", label_rules.SHIPPO: "Shippo",
            label_rules.JP_SLIP: _("Collect-on-delivery slip (Japan)")}.get(code, code)


def state(code: str) -> str:
    return {label_rules.PENDING: _("Waiting for the provider"), label_rules.CREATING: _("Being created"),
            label_rules.CREATED: _("Label ready"), label_rules.FAILED: _("Could not be made"),
            label_rules.CANCELLED: _("Cancelled: the return was withdrawn")}.get(code, code)


def state_tone(code: str) -> str:
    return {label_rules.CREATED: "good", label_rules.FAILED: "bad"}.get(code, "info")


def slip_qr(label: LabelView | None, return_number: str) -> Markup:
    """The 着払い slip's QR code (its reference and the return), for the counter to scan."""
    if label is None or not label.created or not label.is_slip:
        return Markup("")
    return qr_svg(label_rules.slip_qr_payload(label.reference, return_number),
                  label=_("QR code of reference %(reference)s", reference=label.reference), css_class="qr")
