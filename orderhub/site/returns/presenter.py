"""Words for the returns pages: reasons, resolutions, methods, statuses (msgids are English)."""

from __future__ import annotations

from orderhub.components.i18n import gettext as _


def reason_label(reason: str) -> str:
    return {
        "too_small": _("Too small"), "too_large": _("Too large"), "not_as_described": _("Not as described"),
        "changed_mind": _("Changed my mind"), "damaged": _("Arrived damaged"), "wrong_item": _("Wrong item sent"),
        "defective": _("Defective"), "other": _("Other reason"),
    }.get(reason, reason)


def resolution_label(resolution: str) -> str:
    return {"refund": _("Refund to the original payment"), "store_credit": _("Store credit"),
            "exchange": _("Exchange for another size or colour")}.get(resolution, resolution)


def method_label(method: str) -> str:
    return {"drop_off": _("Boxless drop-off"), "in_store": _("Return in store"), "mail": _("Send by mail"),
            "home_pickup": _("Home pickup"), "keep": _("Keep the item")}.get(method, method)


def method_hint(method: str) -> str:
    return {
        "drop_off": _("Bring the item unpacked to a drop-off point and show the QR code. No box, no label."),
        "in_store": _("Bring the item to the store you choose and show the QR code at the counter."),
        "mail": _("Pack the item, attach the printable return slip and post it."),
        "home_pickup": _("A courier collects the packed item from your address."),
    }.get(method, "")


def part_label(kind: str) -> str:
    return {"items": _("Items"), "tax": _("Tax"), "shipping": _("Shipping refunded"), "fee": _("Return fee"),
            "bonus": _("Store credit bonus"), "cap": _("Limited to what was paid"),
            "exchange": _("Exchanged for the same price")}.get(kind, kind)


def status_label(status: str) -> str:
    return {
        "requested": _("Requested"), "approved": _("Approved"), "in_transit": _("On its way back"),
        "received": _("Received"), "refunded": _("Refunded"), "exchanged": _("Exchanged"), "closed": _("Closed"),
        "rejected": _("Rejected"), "cancelled": _("Cancelled"), "expired": _("Expired"),
    }.get(status, status)


def status_text(status: str, resolution: str) -> str:
    return {
        "requested": _("We have your request and will review it shortly."),
        "approved": _("Your return is approved. Send the item back as described below."),
        "in_transit": _("Your item is on its way back to us."),
        "received": _("We received your item and are checking it."),
        "refunded": _("Your store credit has been issued.") if resolution == "store_credit"
        else _("Your refund has been issued. It can take a few days to appear on your statement."),
        "exchanged": _("Your exchange is on its way."),
        "closed": _("This return is closed."),
        "rejected": _("We could not accept this return."),
        "cancelled": _("You cancelled this return."),
        "expired": _("This return expired because the item was not sent back in time."),
    }.get(status, "")


def status_badge(status: str) -> str:
    return {"refunded": "good", "exchanged": "good", "approved": "info", "in_transit": "info", "received": "info",
            "requested": "warn", "rejected": "bad", "cancelled": "muted", "expired": "muted", "closed": "muted"
            }.get(status, "muted")


def ineligible_text(reason: str) -> str:
    return {
        "final_sale": _("Final sale: not returnable"), "not_delivered": _("Not delivered yet"),
        "window_closed": _("The return window has closed"), "all_returned": _("Already returned"),
    }.get(reason, "")


def error_text(message: str) -> str:
    return {
        "is not a line of this order": _("This item is not part of the order."),
        "must be a whole number": _("Enter a whole number."),
        "is more than can be returned": _("That is more than can be returned."),
        "choose at least one item": _("Choose at least one item."),
        "choose a reason": _("Choose a reason."),
        "is too long": _("This is too long."),
        "a photo is required for this reason": _("Please add a photo for this reason."),
        "choose a resolution": _("Choose what you would like instead."),
        "choose how to send it back": _("Choose how to send it back."),
        "choose a store": _("Choose a store."),
        "choose a variant": _("Choose the size or colour you want."),
        "choose what happened": _("Choose what happened."),
        "describe the problem": _("Please describe the problem."),
        "at most 3 photos": _("Choose at most 3 photos."),
        "has just sold out": _("Sorry, this size or colour has just sold out. Please choose another."),
    }.get(message, _(message))


def image_error(message: str) -> str:
    """orderhub.images messages -> the page's language."""
    for text in (
        "The file is empty.", "Only pictures can be uploaded (PNG, JPEG or WebP).",
        "The file is not a readable picture.",
    ):
        if message == text:
            return _(text)
    if message.startswith("The picture is too large"):
        return _("The picture is too large (at most %(mb)s MB).", mb=8)
    if message.startswith("The picture has too many pixels"):
        return _("The picture has too many pixels (at most %(mp)s megapixels).", mp=24)
    return _("The file is not a readable picture.")


def replacement_label(status: str) -> str:
    return {"held": _("Reserved for you"), "issued": _("Sent"), "released": _("Released")}.get(status, status)


def replacement_text(status: str) -> str:
    return {
        "held": _("We have set your new size or colour aside. It ships as soon as your return arrives."),
        "issued": _("Your replacement is on its way."),
        "released": _("The item we set aside for you has been released."),
    }.get(status, "")


def replacement_badge(status: str) -> str:
    return {"held": "info", "issued": "good", "released": "muted"}.get(status, "muted")


def claim_kind_label(kind: str) -> str:
    return {"damaged": _("An item arrived damaged"), "missing": _("An item is missing"),
            "wrong_item": _("I received the wrong item")}.get(kind, kind)


def claim_status_label(status: str) -> str:
    return {"open": _("Under review"), "resolved": _("Resolved")}.get(status, status)


def claim_status_text(status: str, resolution: str) -> str:
    if status == "open":
        return _("We have your report and will get back to you shortly. There is nothing to send back.")
    return {
        "refund": _("We refunded the items. It can take a few days to appear on your statement."),
        "replacement": _("We are sending you a replacement."),
        "both": _("We refunded the items and are sending you a replacement."),
    }.get(resolution, "")
