"""Words for the returns pages: reasons, resolutions, methods, states and refusals (msgids are
English, translated when called). Which state allows or shows what is decided in
`orderhub.db.returns.rules` and asked through the view objects; this module only words it."""

from __future__ import annotations

from typing import Any

from orderhub.components.filters import money
from orderhub.components.i18n import gettext as _
from orderhub.components.return_reasons import reason_label
from orderhub.db.returns import exchange_rules as xr
from orderhub.db.returns import rules
from orderhub.site import messages

__all__ = ["reason_label"]  # words a reason (components.return_reasons), as every returns page asks here


def resolution_label(resolution: str) -> str:
    return {rules.REFUND: _("Refund to the original payment"), rules.STORE_CREDIT: _("Store credit"),
            rules.EXCHANGE: _("Exchange for another size or colour")}.get(resolution, resolution)


def kind_label(ret: Any) -> str:
    """The admin's name of what a return asks for: an exchange for something else is told apart from a
    same-product swap (its `resolution` stays `exchange`)."""
    return _("Exchange for something else") if getattr(ret, "exchange_for", None) else resolution_label(ret.resolution)


def difference_text(ret: Any) -> str:
    """The difference of an exchange for something else, for the merchant ("" when there is none)."""
    x = getattr(ret, "exchange_for", None)
    note = x.difference_note if x is not None else None
    if x is None or note is None:
        return ""
    key, amount_minor = note
    amount = money(amount_minor, x.currency)
    return {xr.OWED: _("Difference owed: %(amount)s", amount=amount),
            xr.PAID_IN: _("Difference paid: %(amount)s", amount=amount),
            xr.REFUND_DUE: _("Difference to refund: %(amount)s", amount=amount),
            xr.GIVEN_BACK: _("Difference refunded: %(amount)s", amount=amount)}.get(key, "")


def method_label(method: str) -> str:
    return {rules.DROP_OFF: _("Boxless drop-off"), rules.IN_STORE: _("Return in store"), rules.MAIL: _("Send by mail"),
            rules.HOME_PICKUP: _("Home pickup"), rules.KEEP: _("Keep the item")}.get(method, method)


def refund_method_label(method: str) -> str:
    """Where a refund went (rules.REFUND_METHODS)."""
    return {rules.TO_PAYMENT: _("To your original payment method"),
            rules.TO_STORE_CREDIT: _("As store credit")}.get(method, method)


def method_hint(method: str) -> str:
    return {
        rules.DROP_OFF: _("Bring the item unpacked to a drop-off point and show the QR code. No box, no label."),
        rules.IN_STORE: _("Bring the item to the store you choose and show the QR code at the counter."),
        rules.MAIL: _("Pack the item, attach the printable return slip and post it."),
        rules.HOME_PICKUP: _("A courier collects the packed item from your address."),
    }.get(method, "")


def part_label(kind: str) -> str:
    return {"items": _("Items"), "tax": _("Tax"), "shipping": _("Shipping refunded"), "fee": _("Return fee"),
            "label": _("Return label"),
            "bonus": _("Store credit bonus"), "cap": _("Limited to what was paid"),
            "exchange": _("Exchanged for the same price")}.get(kind, kind)


def step_label(step: str) -> str:
    return {"items": _("Items"), "reason": _("Reason"), "resolution": _("Resolution"), "method": _("Method"),
            "review": _("Review")}.get(step, step)


def status_label(status: str) -> str:
    return {
        rules.REQUESTED: _("Requested"), rules.APPROVED: _("Approved"), rules.IN_TRANSIT: _("On its way back"),
        rules.RECEIVED: _("Received"), rules.REFUNDED: _("Refunded"), rules.EXCHANGED: _("Exchanged"),
        rules.CLOSED: _("Closed"), rules.REJECTED: _("Rejected"), rules.CANCELLED: _("Cancelled"),
        rules.EXPIRED: _("Expired"), rules.RECEPTION_UNDONE: _("Reception undone"),
    }.get(status, status)


def counter_refund_label(setting: str) -> str:
    return {rules.REFUND_AT_DROP_OFF: _("Refund at drop-off"),
            rules.REFUND_AFTER_INSPECTION: _("Refund after inspection")}.get(setting, setting)


def grade_label(grade: str) -> str:
    return {rules.RESELLABLE: _("Resellable"), rules.DAMAGED: _("Damaged"),
            rules.MISSING: _("Missing")}.get(grade, grade)


def reception_label(reception: str) -> str:
    return {"pending": _("Not received yet"), rules.ITEM_RECEIVED: _("Received"),
            rules.ITEM_MISSING: _("Missing")}.get(reception, reception)


def status_text(message: str) -> str:
    """The sentence for `ReturnView.status_message` (rules.status_message)."""
    return {
        rules.REQUESTED: _("We have your request and will review it shortly."),
        rules.APPROVED: _("Your return is approved. Send the item back as described below."),
        rules.IN_TRANSIT: _("Your item is on its way back to us."),
        rules.RECEIVED: _("We received your item and are checking it."),
        "refunded_store_credit": _("Your store credit has been issued."),
        rules.REFUNDED: _("Your refund has been issued. It can take a few days to appear on your statement."),
        rules.EXCHANGED: _("Your exchange is on its way."),
        rules.CLOSED: _("This return is closed."),
        rules.REJECTED: _("We could not accept this return."),
        rules.CANCELLED: _("You cancelled this return."),
        rules.EXPIRED: _("This return expired because the item was not sent back in time."),
    }.get(message, "")


def status_badge(status: str) -> str:
    """The badge tone of a return's state (for pages that hold only the state, e.g. the admin queue)."""
    return rules.status_tone(status)


def ineligible_text(reason: str) -> str:
    return {
        rules.FINAL_SALE: _("Final sale: not returnable"), rules.NOT_DELIVERED: _("Not delivered yet"),
        rules.WINDOW_CLOSED: _("The return window has closed"), rules.ALL_RETURNED: _("Already returned"),
    }.get(reason, "")


def _limits(code: str) -> dict[str, Any]:
    """The figures a field error's sentence states (the same limits the rules enforce)."""
    return {"num": rules.MAX_CLAIM_PHOTOS} if code == rules.TOO_MANY_PHOTOS else {}


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """A ValidationFailed's coded errors -> {field: sentence} (the first error of each field)."""
    out: dict[str, str] = {}
    for e in errors:
        code = e.get("code", "")
        out.setdefault(e["field"], messages.text(code, **_limits(code)))
    return out


def image_error(problem: Any) -> str:
    """A picture `orderhub.site.uploads` refused (an `images.ImageRejected`), in the page's language."""
    return messages.for_error(problem)


def replacement_label(status: str) -> str:
    return {rules.HELD: _("Reserved for you"), rules.ISSUED: _("Sent"),
            rules.RELEASED: _("Released")}.get(status, status)


def replacement_text(status: str) -> str:
    return {
        rules.HELD: _("We have set your new size or colour aside. It ships as soon as your return arrives."),
        rules.ISSUED: _("Your replacement is on its way."),
        rules.RELEASED: _("The item we set aside for you has been released."),
    }.get(status, "")


def claim_kind_label(kind: str) -> str:
    return {"damaged": _("An item arrived damaged"), "missing": _("An item is missing"),
            "wrong_item": _("I received the wrong item")}.get(kind, kind)


def claim_status_label(status: str) -> str:
    return {rules.CLAIM_OPEN: _("Under review"), rules.CLAIM_RESOLVED: _("Resolved")}.get(status, status)


def claim_status_text(message: str) -> str:
    """The sentence for `ClaimView.status_message` (rules.claim_message)."""
    return {
        rules.CLAIM_OPEN: _("We have your report and will get back to you shortly. There is nothing to send back."),
        rules.CLAIM_REFUND: _("We refunded the items. It can take a few days to appear on your statement."),
        rules.CLAIM_REPLACEMENT: _("We are sending you a replacement."),
        rules.CLAIM_BOTH: _("We refunded the items and are sending you a replacement."),
    }.get(message, "")


def exchange_payment_label(state: str) -> str:
    """The difference's payment of an exchange for something else (exchange_rules.PAYMENT_STATES)."""
    return {xr.AWAITING_LINK: _("Payment link on its way"), xr.DUE: _("Difference to pay"), xr.PAID: _("Paid"),
            xr.NOT_NEEDED: _("Nothing to pay"), xr.WITHDRAWN: _("Withdrawn"),
            xr.REFUNDED: _("Paid difference refunded")}.get(state, state)
