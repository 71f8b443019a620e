"""Error codes of the returns area (returns, exchanges, claims) and of the shared picture intake
(`orderhub.images`, `orderhub.site.uploads`), and what they say to a person (English msgids,
translated when shown). The codes are defined in `orderhub.db.returns.rules` and `orderhub.images`."""

from __future__ import annotations

from orderhub import images
from orderhub.db.returns import dropoff_rules, label_rules, rules

MESSAGES: dict[str, str] = {
    # the 着払い slip's tracking number (送り状番号), on the return page and the admin's
    label_rules.SLIP_NUMBER_REQUIRED: "Enter the tracking number from the carrier's receipt.",
    label_rules.SLIP_NUMBER_FORMAT: "Enter the 12 digits of the tracking number on the carrier's receipt.",
    label_rules.SLIP_NUMBER_CHECK: "This number does not check out: a digit is probably wrong. Compare it with "
                                   "the receipt.",
    label_rules.SLIP_NUMBER_TAKEN: "This tracking number belongs to another parcel. Check the receipt.",
    label_rules.SLIP_NUMBER_NOT_A_SLIP: "This return has no collect-on-delivery slip.",
    label_rules.SLIP_NUMBER_LOCKED: "The carrier has already scanned the parcel, so its tracking number can no "
                                    "longer be changed.",
    # partner drop-off points (the admin's form)
    dropoff_rules.POSTAL_CODE_INVALID: "This is not a postal code of that country.",
    dropoff_rules.POINT_LIMIT: "You have the most drop-off points allowed (%(n)s). Remove one first.",
    dropoff_rules.POINT_NOT_FOUND: "This drop-off point does not exist.",
    # the wizard's and the claim form's fields
    rules.NOT_A_LINE: "This item is not part of the order.",
    rules.WHOLE_NUMBER: "Enter a whole number.",
    rules.TOO_MANY_UNITS: "That is more than can be returned.",
    rules.NO_ITEMS: "Choose at least one item.",
    rules.REASON_REQUIRED: "Choose a reason.",
    rules.TOO_LONG: "This is too long.",
    rules.PHOTO_REQUIRED: "Please add a photo for this reason.",
    rules.RESOLUTION_REQUIRED: "Choose what you would like instead.",
    rules.METHOD_REQUIRED: "Choose how to send it back.",
    rules.STORE_REQUIRED: "Choose a store.",
    rules.VARIANT_REQUIRED: "Choose the size or colour you want.",
    rules.SOLD_OUT: "Sorry, this size or colour has just sold out. Please choose another.",
    rules.KIND_REQUIRED: "Choose what happened.",
    rules.DESCRIPTION_REQUIRED: "Please describe the problem.",
    rules.TOO_MANY_PHOTOS: "Choose at most %(num)s photos.",
    # the integration API's input (answered in English; worded here for completeness)
    rules.NOT_A_CHOICE: "Choose one of the options.",
    rules.NOT_TEXT: "Please type plain text.",
    rules.TEXT_TOO_LONG: "This is too long.",
    rules.REQUIRED: "This is required.",
    rules.NOT_AN_OBJECT: "Something in that request wasn't right",
    # moves
    rules.NOT_ALLOWED: "This return can't be changed any more. Please reload the page to see where it stands.",
    rules.CHANGED: "This return was just changed. Please reload the page and try again.",
    rules.OVER_RECEIVED: "More units would be received than were bought.",
    rules.RETURN_NOT_FOUND: "This return could not be found.",
    rules.PHOTO_NOT_FOUND: "This photo could not be found.",
    rules.ORDER_NOT_FOUND: "This order could not be found.",
    rules.CLAIM_NOT_FOUND: "This report could not be found.",
    rules.CLAIM_ALREADY_RESOLVED: "This report was already resolved another way.",
    rules.CLAIM_CHANGED: "This report was just changed. Please reload the page and try again.",
    rules.OUT_OF_STOCK: "%(sku)s is out of stock: resolve by refund, or update the stock first.",
    # the store counter (staff console)
    rules.COUNTER_WRONG_STORE: "This return is to be handed in at another store: %(store)s.",
    rules.COUNTER_NOT_AT_COUNTER: "This return is sent by mail or collected from home, not handed in at a counter.",
    rules.COUNTER_NOT_APPROVED: "This return hasn't been approved yet. Ask the customer to wait for the approval email.",
    rules.COUNTER_ALREADY_RECEIVED: "This return has already been received.",
    rules.COUNTER_CLOSED: "This return is closed (rejected, cancelled or expired) and can't be received.",
    rules.GRADE_REQUIRED: "Grade this item.",
    rules.NOTHING_RECEIVED: "At least one item must be there to receive the return.",
    rules.UNDO_EXPIRED: "This reception can no longer be undone.",
    # pictures (every section that takes them)
    images.EMPTY: "The file is empty.",
    images.NOT_A_PICTURE: "Only pictures can be uploaded (PNG, JPEG or WebP).",
    images.TOO_LARGE: "The picture is too large (at most %(mb)s MB).",
    images.TOO_MANY_PIXELS: "The picture has too many pixels (at most %(mp)s megapixels).",
    images.UNREADABLE: "The file is not a readable picture.",
    images.TOO_MANY: "Choose at most %(num)s photos.",
    images.TOO_OFTEN: "Too many photos were sent from this link lately. Please try again later.",
}
