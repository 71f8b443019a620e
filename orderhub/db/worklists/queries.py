"""Reads for the merchant's operations lists (admin): the returns queue, paged and filtered by
status. Stalled shipments and anxious shoppers come from db/shipping/queries (the same functions
the API's /shipments/attention uses); reviews and detractors from db/feedback/queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from piccolo.columns.combination import And
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from orderhub.db import engine
from orderhub.db.errors import NotFound
from orderhub.db.paging import PER_PAGE as PER_PAGE  # the lists' pages, where they always were
from orderhub.db.paging import Page as Page
from orderhub.db.paging import clamp_page as clamp_page
from orderhub.db.paging import pages_for as pages_for
from orderhub.db.paging import paginate as paginate
from orderhub.db.returns import exchanges
from orderhub.db.returns import rules as return_rules
from orderhub.db.returns.exchanges import ExchangeView
from orderhub.db.returns.tables import ReturnItem, ReturnRequest

#: the queue's default filter: what needs the merchant's hands (every state that is not final)
OPEN = tuple(s for s in return_rules.STATUSES if s not in return_rules.FINAL)
#: the state of returns waiting for the merchant's approval (the dashboard links to them)
AWAITING_APPROVAL = next(s for s, moves in return_rules.TRANSITIONS.items() if "approve" in moves)

#: what the API lets a merchant do to a return, in the queue's order
MERCHANT_ACTIONS = ("approve", "reject", "ship", "receive", "refund", "exchange")

RETURN_NOT_FOUND = "return.not_found"


@dataclass(frozen=True)
class QueueRow:
    id: int
    number: str
    order_number: str
    customer_name: str
    customer_email: str
    status: str
    reason: str
    comment: str
    resolution: str
    method: str
    keep_item: bool
    currency: str
    total_minor: int
    note: str
    items: int
    #: the items' titles as bought, and the order lines they name (for their words in a page's language)
    titles: list[str]
    line_ids: list[str]
    order_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    #: an exchange for something else (its `resolution` stays `exchange`): the difference and its payment
    exchange_for: ExchangeView | None = None

    @property
    def actions(self) -> list[str]:
        """The merchant's moves (those the API offers) that the state machine allows now, in the order
        the queue shows them."""
        out = []
        for action in MERCHANT_ACTIONS:
            try:
                return_rules.next_status(self.status, action, keep_item=self.keep_item, resolution=self.resolution)
            except return_rules.IllegalTransition:
                continue
            out.append(action)
        return out


def _where(merchant_id: int, statuses: tuple[str, ...]) -> And:
    return (ReturnRequest.merchant == merchant_id) & ReturnRequest.status.is_in(list(statuses))


async def status_counts(merchant_id: int) -> dict[str, int]:
    async with engine.read():
        rows = await ReturnRequest.select(ReturnRequest.status, Count(alias="n")).where(
            ReturnRequest.merchant == merchant_id).group_by(ReturnRequest.status)
    return {r["status"]: r["n"] for r in rows}


async def _rows(where: Combinable, *, limit: int | None = None, offset: int = 0) -> list[QueueRow]:
    query = ReturnRequest.select(
        *ReturnRequest.all_columns(exclude=[ReturnRequest.breakdown, ReturnRequest.exchange]),
        ReturnRequest.order.number.as_alias("order_number"), ReturnRequest.order.customer.as_alias("customer"),
    ).output(load_json=True).where(where).order_by(ReturnRequest.created_at, ReturnRequest.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    ids = [r["id"] for r in rows]
    items = await ReturnItem.select(ReturnItem.request, ReturnItem.line_id, ReturnItem.title, ReturnItem.quantity).where(
        ReturnItem.request.is_in(ids)).order_by(ReturnItem.id) if ids else []
    swaps = await exchanges.for_returns(ids)
    out = []
    for r in rows:
        mine = [i for i in items if i["request"] == r["id"]]
        customer = r["customer"] if isinstance(r["customer"], dict) else {}
        out.append(QueueRow(
            id=r["id"], number=r["number"], order_number=r["order_number"],
            customer_name=str(customer.get("name", "")), customer_email=str(customer.get("email", "")),
            status=r["status"], reason=r["reason"], comment=r["comment"], resolution=r["resolution"],
            method=r["method"], keep_item=r["keep_item"], currency=r["currency"], total_minor=r["total_minor"],
            note=r["note"], items=sum(i["quantity"] for i in mine), titles=[i["title"] for i in mine],
            created_at=r["created_at"], updated_at=r["updated_at"], exchange_for=swaps.get(r["id"]),
            order_id=r["order"], line_ids=[i["line_id"] for i in mine],
        ))
    return out


async def returns_queue(merchant_id: int, statuses: tuple[str, ...] = OPEN, page: int = 1,
                        per_page: int = PER_PAGE) -> Page[QueueRow]:
    """The merchant's returns in these states, oldest first (the one waiting longest on top)."""
    async with engine.read():
        total = await ReturnRequest.count().where(_where(merchant_id, statuses))
        page = clamp_page(page, total, per_page)
        rows = await _rows(_where(merchant_id, statuses), limit=per_page, offset=(page - 1) * per_page)
    return Page(rows, page, pages_for(total, per_page), total, per_page)


async def queue_row(merchant_id: int, return_id: int) -> QueueRow:
    async with engine.read():
        rows = await _rows((ReturnRequest.merchant == merchant_id) & (ReturnRequest.id == return_id))
    if not rows:
        raise NotFound(RETURN_NOT_FOUND, "return not found")
    return rows[0]
