"""OpenAPI request bodies for handlers that read their JSON themselves (to answer malformed JSON
with a 422 and field paths): the document says what each call takes, per docs/api.md."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Reference, RequestBody, Schema

from orderhub.db.payments.rules import STATUSES as PAYMENT_STATUSES

MONEY = Schema(type=OpenAPIType.STRING, pattern=r"^\d+(\.\d+)?$", description="decimal string in the order's currency")


def _object(description: str, properties: dict[str, Schema | Reference] | None = None,
            required: list[str] | None = None) -> Schema:
    return Schema(type=OpenAPIType.OBJECT, description=description, properties=properties, required=required)


BODIES = {
    "merchant": _object(
        "merchant settings: a merchants.json entry without slug",
        {
            "name": Schema(type=OpenAPIType.STRING),
            "locale": Schema(type=OpenAPIType.STRING),
            "currency": Schema(type=OpenAPIType.STRING),
            "timezone": Schema(type=OpenAPIType.STRING),
            "prices_include_tax": Schema(type=OpenAPIType.BOOLEAN),
            "brand": _object("brand"),
            "policy": _object("return policy"),
            "support": _object("support contacts"),
        },
        ["name", "currency", "timezone", "prices_include_tax"],
    ),
    "store": _object(
        "a store, as in stores.json",
        {
            "name": Schema(type=OpenAPIType.STRING),
            "timezone": Schema(type=OpenAPIType.STRING),
            "address": _object("address"),
            "hours": Schema(type=OpenAPIType.ARRAY, items=_object("hours")),
        },
        ["name", "timezone", "address"],
    ),
    "product": _object(
        "a product with variants, as in catalog/",
        {
            "title": Schema(type=OpenAPIType.STRING),
            "url": Schema(type=OpenAPIType.STRING),
            "variants": Schema(
                type=OpenAPIType.ARRAY, items=_object("variant", {"sku": Schema(type=OpenAPIType.STRING), "price": MONEY})
            ),
        },
        ["title", "url", "variants"],
    ),
    "order": _object(
        "an order, as in orders/",
        {
            "number": Schema(type=OpenAPIType.STRING),
            "placed_at": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            "currency": Schema(type=OpenAPIType.STRING),
            "status": Schema(type=OpenAPIType.STRING, enum=["open", "picking", "cancelled"],
                             description="cancelled: the storefront cancelled every unit not shipped; picking: "
                                         "the shopper can no longer cancel on the hub"),
            "lines": Schema(type=OpenAPIType.ARRAY, items=_object(
                "line", {"cancelled_quantity": Schema(type=OpenAPIType.INTEGER, minimum=0,
                                                      description="units of the line cancelled (a total)")})),
            "totals": _object("totals", {k: MONEY for k in ("subtotal", "discount", "shipping", "tax", "total")}),
            "payment": _object("the payment: method, brand, last4, and its state", {
                "method": Schema(type=OpenAPIType.STRING, enum=["card", "konbini", "bank_transfer", "cod"]),
                "status": Schema(type=OpenAPIType.STRING, enum=list(PAYMENT_STATUSES), description="default paid"),
                "paid_at": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
                "deadline": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
                "reference": Schema(type=OpenAPIType.STRING, description="the payment number"),
            }),
        },
        ["number", "placed_at", "currency", "lines", "totals"],
    ),
    "change_decision": _object(
        "the merchant's answer to a shopper's delivery change",
        {
            "decision": Schema(type=OpenAPIType.STRING, enum=["accept", "refuse"]),
            "note": Schema(type=OpenAPIType.STRING, max_length=500, description="shown to the shopper"),
        },
        ["decision"],
    ),
    "cancellation_decision": _object(
        "the merchant's answer to the shopper's cancellation request",
        {
            "decision": Schema(type=OpenAPIType.STRING, enum=["accept", "refuse"]),
            "note": Schema(type=OpenAPIType.STRING, max_length=500, description="shown to the shopper"),
            "refund": MONEY,
        },
        ["decision"],
    ),
    "payment": _object(
        "the payment's new state; the same body again changes nothing",
        {
            "status": Schema(type=OpenAPIType.STRING, enum=list(PAYMENT_STATUSES)),
            "paid_at": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            "deadline": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME,
                               description="by when a konbini or bank payment must be made"),
            "reference": Schema(type=OpenAPIType.STRING, max_length=64, description="the payment number"),
        },
        ["status"],
    ),
    "slip_tracking_number": _object(
        "the tracking number (送り状番号) of a 着払い slip's parcel, from the carrier's receipt: 12 digits "
        "(hyphens and spaces allowed), checked by the carrier's check digit; carrier events on it then move "
        "the return. Changeable until the carrier's first event on it",
        {"tracking_number": Schema(type=OpenAPIType.STRING, max_length=40, examples=["4444-1375-8703"])},
        ["tracking_number"],
    ),
    "exchange_payment": _object(
        "the storefront's answer to exchange.created for a dearer exchange: either the URL where the shopper "
        "pays the difference (shown on the hub as \"Pay the difference\" until paid) or that it is paid (the "
        "replacement may then be sent); the same body again changes nothing",
        {
            "payment_url": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.URI, max_length=2000,
                                  pattern="^https://", description="https only, no credentials"),
            "status": Schema(type=OpenAPIType.STRING, enum=["paid"]),
        },
    ),
}


def takes(kind: str) -> type[Operation]:
    """An Operation class whose request body is BODIES[kind] (JSON)."""

    @dataclass
    class _Operation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(content={"application/json": OpenAPIMediaType(schema=BODIES[kind])}, required=True)

    _Operation.__name__ = f"{kind.title()}Operation"
    return _Operation
