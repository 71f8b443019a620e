"""Error codes of the documents area (receipts, invoices, return slips) and what they say to a
person (English msgids, translated when shown). The codes are defined in
`orderhub.db.documents.rules`."""

from __future__ import annotations

from orderhub.db.documents import rules

MESSAGES: dict[str, str] = {
    rules.ORDER_CANCELLED: "This order was cancelled, so there is no receipt for it.",
    rules.ALREADY_ISSUED: "This receipt was already issued. Download it again to get a copy marked as reissued.",
    rules.ADDRESSEE_REQUIRED: "Please enter the addressee.",
    rules.TOO_LONG: "Please keep it to %(num)s characters or fewer.",
    rules.NOT_PRINTABLE: "Please use only printable characters.",
    rules.NOT_PAID: ("We haven't received the payment for this order yet, so there is no receipt. "
                     "The order confirmation on your order page lists what you ordered."),
    rules.NOT_DELIVERED: "You pay on delivery, so the receipt is ready once your order has been delivered.",
    rules.NO_RECEIPT: "This order has no receipt to void.",
    rules.LOG_BAD_DATE: "Enter a date like 2026-12-31.",
    rules.LOG_BAD_AMOUNT: "Enter an amount like 1200.",
    rules.LOG_RANGE: "The end date must not be before the start date.",
}
