"""Returns received at a store counter (the staff console's `/staff/returns`): find a return by the
code of its QR, grade each item, receive it, refund at once when the merchant says so, and undo
within the pickup's window. Receiving and refunding go through `services.transition`, the same moves
the warehouse and the API make (webhooks, the shopper's emails, counters); everything a counter does
happens in one transaction, so a refusal writes nothing.

Who may do what is decided in rules.py (`counter_refusal`, `counter_visible`, `can_undo_counter`,
`refunds_at_counter`); this module reads and writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from orderhub import money
from orderhub.db import engine, texts
from orderhub.db.documents import rules as document_rules
from orderhub.db.documents import services as documents
from orderhub.db.emails import services as emails
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.outbox import withdraw
from orderhub.db.outbox.services import notify
from orderhub.db.payments import queries as payment_queries
from orderhub.db.payments import services as payments
from orderhub.db.pickup.rules import Clerk
from orderhub.db.returns import queries, rules, services
from orderhub.db.returns.queries import ReturnView
from orderhub.db.returns.rules import field_error
from orderhub.db.returns.tables import ReturnEvent, ReturnItem, ReturnRequest

#: how many returns the screen lists as expected or just received
LISTED = 20
#: the shopper's email when news of an undone reception had already gone out (db/emails: return_correction)
CORRECTION_EVENT = "return.correction"


@dataclass(frozen=True)
class CounterReturn:
    """A return as the counter sees it: the return, whom it is from, and where it should go."""

    view: ReturnView
    customer_name: str
    #: the store the shopper chose, for an in-store return
    store: texts.Named | None


@dataclass(frozen=True)
class CounterScreen:
    """The returns screen's lists: expected at this store, and received here lately."""

    expected: list[CounterReturn]
    received: list[CounterReturn]
    #: the clerk's store
    store: texts.Named | None = None


def _visible(row: Mapping[str, Any], clerk: Clerk) -> bool:
    return rules.counter_visible(method=row["method"], store_code=row["store_code"], clerk_store=clerk.store_code,
                                 counter=row["counter"] if isinstance(row["counter"], dict) else {})


async def _store(merchant_id: int, code: str) -> texts.Named | None:
    """The store by its code (its name in each language is the site's to pick); None without a code."""
    if not code:
        return None
    row = await Store.select(Store.name, Store.texts).output(load_json=True).where(
        Store.key == scoped(merchant_id, code)).first()
    return texts.Named(row["name"], row["texts"] or {}) if row else texts.Named(code, {})


async def find(clerk: Clerk, typed: str) -> int:
    """The return a typed or scanned code names, if it comes to this clerk's counter. Unknown codes and
    other merchants' are NotFound; a mail return or another store's, a Conflict that says so."""
    code = rules.counter_code(typed)
    if not rules.is_return_code(code):
        raise NotFound(rules.RETURN_NOT_FOUND, "no return with this code")
    async with engine.read():
        row = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.method, ReturnRequest.store_code,
                                         ReturnRequest.counter).output(load_json=True).where(
            (ReturnRequest.merchant == clerk.merchant_id) & (ReturnRequest.drop_off_code == code)).first()
        if row is None:
            raise NotFound(rules.RETURN_NOT_FOUND, "no return with this code")
        if not _visible(row, clerk):
            if not rules.at_counter(row["method"]):
                raise Conflict(rules.COUNTER_NOT_AT_COUNTER, "this return does not come to a counter")
            raise Conflict(rules.COUNTER_WRONG_STORE, "this return goes to another store",
                           store=await _store(clerk.merchant_id, row["store_code"]))
    return cast(int, row["id"])


async def for_clerk(clerk: Clerk, return_id: int) -> CounterReturn:
    """One return the clerk may open (NotFound otherwise: another merchant's, another store's)."""
    async with engine.read():
        row = await ReturnRequest.select(ReturnRequest.method, ReturnRequest.store_code, ReturnRequest.counter,
                                         ReturnRequest.order.customer.as_alias("customer")).output(
            load_json=True).where((ReturnRequest.id == return_id) & (ReturnRequest.merchant == clerk.merchant_id)
                                  ).first()
        if row is None or not _visible(row, clerk):
            raise NotFound(rules.RETURN_NOT_FOUND, "no such return at this store")
        view = await queries.return_for_merchant(clerk.merchant_id, return_id)
        store = await _store(clerk.merchant_id, view.store_code) if rules.needs_store(view.method) else None
    return CounterReturn(view, _name(row["customer"]), store)


def _name(customer: Any) -> str:
    return str(customer.get("name", "")) if isinstance(customer, dict) else ""


async def screen(clerk: Clerk) -> CounterScreen:
    """In-store returns approved for this store (oldest first), and the returns received here lately."""
    async with engine.read():
        expected = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.order.customer.as_alias("customer")
                                              ).output(load_json=True).where(
            (ReturnRequest.merchant == clerk.merchant_id) & (ReturnRequest.method == rules.IN_STORE)
            & (ReturnRequest.store_code == clerk.store_code)
            & ReturnRequest.status.is_in(list(rules.COUNTER_RECEIVABLE))).order_by(ReturnRequest.id).limit(LISTED)
        done = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.counter,
                                          ReturnRequest.order.customer.as_alias("customer")).output(
            load_json=True).where((ReturnRequest.merchant == clerk.merchant_id)
                                  & ReturnRequest.method.is_in(list(rules.COUNTER_METHODS))
                                  & ReturnRequest.status.is_in([rules.RECEIVED, rules.REFUNDED, rules.EXCHANGED,
                                                                rules.CLOSED])
                                  ).order_by(ReturnRequest.updated_at, ascending=False).limit(LISTED * 5)
        done = [r for r in done if isinstance(r["counter"], dict) and r["counter"].get("store") == clerk.store_code]
        done = done[:LISTED]
        views = {v.id: v for v in await queries.returns_by_ids(clerk.merchant_id, [r["id"] for r in expected + done])}
        store = await _store(clerk.merchant_id, clerk.store_code)
    return CounterScreen(
        store=store,
        expected=[CounterReturn(views[r["id"]], _name(r["customer"]), None) for r in expected if r["id"] in views],
        received=[CounterReturn(views[r["id"]], _name(r["customer"]), None) for r in done if r["id"] in views],
    )


def check_grades(items: Sequence[Mapping[str, Any]], grades: Mapping[str, str]) -> dict[int, str]:
    """The clerk's grades (form field per item id) -> {item id: grade}, or ValidationFailed: every item
    graded, and at least one of them there."""
    clean: dict[int, str] = {}
    errors = []
    for it in items:
        grade = grades.get(str(it["id"]))
        if grade not in rules.GRADES:
            errors.append(field_error(f"grade.{it['id']}", rules.GRADE_REQUIRED))
        else:
            clean[it["id"]] = grade
    if not errors and all(g == rules.MISSING for g in clean.values()):
        errors.append(field_error("grade", rules.NOTHING_RECEIVED))
    if errors:
        raise ValidationFailed(errors)
    return clean


async def receive(clerk: Clerk, return_id: int, grades: Mapping[str, str], *, now: dt.datetime) -> ReturnView:
    """Receive the return at this counter with the clerk's grades, and refund (or credit) at once when
    the merchant refunds at drop-off and every item is there. One transaction: a refusal (another
    store's, not approved, already received, a grade missing) writes nothing."""
    async with engine.write():
        req = await ReturnRequest.select().output(load_json=True).where(
            (ReturnRequest.id == return_id) & (ReturnRequest.merchant == clerk.merchant_id)).first()
        if req is None or not _visible(req, clerk):
            raise NotFound(rules.RETURN_NOT_FOUND, "no such return at this store")
        refusal = rules.counter_refusal(status=req["status"], method=req["method"], store_code=req["store_code"],
                                        clerk_store=clerk.store_code)
        if refusal:
            raise Conflict(refusal, "this return can't be received here now", status=req["status"])
        items = await ReturnItem.select(ReturnItem.id).where(ReturnItem.request == return_id).order_by(ReturnItem.id)
        clean = check_grades(items, grades)
        merchant = await Merchant.select(Merchant.policy).output(load_json=True).where(
            Merchant.id == clerk.merchant_id).first()
        order = await Order.select(Order.fulfillment_status, Order.payment_status).where(
            Order.id == req["order"]).first()
        assert merchant is not None and order is not None  # the return's foreign keys
        last = await ReturnEvent.select(ReturnEvent.id).where(ReturnEvent.request == return_id).order_by(
            ReturnEvent.id, ascending=False).first()
        await services.transition(clerk.merchant_id, return_id, "receive", now=now, grades=clean)
        refund = rules.refunds_at_counter(merchant["policy"] or {}, req["resolution"], list(clean.values()))
        refund_before = await payments.latest_refund(req["order"])
        if refund:
            await services.transition(clerk.merchant_id, return_id, "refund", now=now)
        refund_after = await payments.latest_refund(req["order"])
        await ReturnRequest.update({ReturnRequest.counter: {
            "at": now.isoformat(), "by": clerk.email, "store": clerk.store_code, "before": req["status"],
            "updated_at": req["updated_at"].isoformat(), "refunded": refund,
            "order_status": order["fulfillment_status"], "last_event": last["id"] if last else 0,
            # the payment refund the counter made (what an undo takes back), and the payment before it
            "payment_refund": refund_after if refund_after != refund_before else None,
            "payment_status": order["payment_status"],
        }}).where(ReturnRequest.id == return_id)
    return await queries.return_for_merchant(clerk.merchant_id, return_id)


async def undo(clerk: Clerk, return_id: int, *, now: dt.datetime) -> ReturnView:
    """Take back a reception made at this store's counter within the window: the return is where it
    was (approved or on its way), the lines' received counters and the items' grades are put back, a
    refund made at the counter is reversed (the order's status too), the reception's timeline events
    give way to one "reception undone" event, and `return.receive_undone` tells the storefront."""
    async with engine.write():
        req = await ReturnRequest.select().output(load_json=True).where(
            (ReturnRequest.id == return_id) & (ReturnRequest.merchant == clerk.merchant_id)).first()
        if req is None or not _visible(req, clerk):
            raise NotFound(rules.RETURN_NOT_FOUND, "no such return at this store")
        counter = req["counter"] if isinstance(req["counter"], dict) else {}
        if not rules.can_undo_counter(req["status"], counter, clerk.store_code, now):
            raise Conflict(rules.UNDO_EXPIRED, "this reception can no longer be undone")
        before = str(counter.get("before") or rules.APPROVED)
        changed = await ReturnRequest.update({
            ReturnRequest.status: before, ReturnRequest.counter: {},
            ReturnRequest.updated_at: dt.datetime.fromisoformat(counter["updated_at"]),
        }).where((ReturnRequest.id == return_id) & (ReturnRequest.status == req["status"])).returning(ReturnRequest.id)
        if not changed:
            raise Conflict(rules.CHANGED, "the return changed meanwhile")
        items = await ReturnItem.select().where(ReturnItem.request == return_id)
        for it in items:
            if it["reception"] == rules.ITEM_RECEIVED:
                await OrderLine.update({OrderLine.received_quantity: OrderLine.received_quantity - it["quantity"]}
                                       ).where(OrderLine.id == it["line"])
        await ReturnItem.update({ReturnItem.reception: "pending", ReturnItem.acceptance: "pending",
                                 ReturnItem.grade: ""}).where(ReturnItem.request == return_id)
        if counter.get("refunded") and counter.get("order_status"):
            await Order.update({Order.fulfillment_status: counter["order_status"]}).where(
                (Order.id == req["order"]) & (Order.fulfillment_status == rules.ORDER_RETURNED))
        await ReturnEvent.delete().where((ReturnEvent.request == return_id)
                                         & (ReturnEvent.id > int(counter.get("last_event") or 0)))
        await ReturnEvent(request=return_id, status=rules.RECEPTION_UNDONE, note="", at=now).save()
        reversed_minor = await _reverse_refund(req, counter, now=now)
        news = await _take_back_news(req, counter, now=now)
        payload = {"return_id": return_id, "number": req["number"], "status": before, "previous": req["status"],
                   "refund_reversed": bool(counter.get("refunded")), "store_code": clerk.store_code,
                   "refund": money.to_string(reversed_minor, req["currency"]) if reversed_minor else None}
        await notify(clerk.merchant_id, "return.receive_undone", payload, order_id=req["order"], now=now)
        if news.already_sent:
            # the shopper was already told of the reception or the refund: say it was undone
            await emails.enqueue(clerk.merchant_id, CORRECTION_EVENT,
                                 {**payload, "corrects": sorted(news.already_sent)}, order_id=req["order"], now=now)
    return await queries.return_for_merchant(clerk.merchant_id, return_id)


async def _reverse_refund(req: Mapping[str, Any], counter: Mapping[str, Any], *, now: dt.datetime) -> int:
    """The refund the counter made goes back off the payment (payments.reverse_refund: the order's
    refunded total and payment status as before, its credit note void) and the return's credit note
    PDF is forgotten -> the amount taken back (0: the counter refunded nothing to the payment)."""
    refund_id = counter.get("payment_refund")
    if not counter.get("refunded"):
        return 0
    await documents.drop_cached(req["order"], f"return-{document_rules.CREDIT_NOTE}")
    if not isinstance(refund_id, int):
        return 0
    return await payments.reverse_refund(req["order"], refund_id, status_before=str(counter.get("payment_status")),
                                         reason=f"return {req['number']}: reception undone", now=now)


async def _take_back_news(req: Mapping[str, Any], counter: Mapping[str, Any], *, now: dt.datetime) -> withdraw.Withdrawn:
    """The reception's and refund's messages still waiting are withdrawn (emails, webhooks, channel
    messages): the shopper is never told of a refund that was undone."""
    since = dt.datetime.fromisoformat(str(counter["at"]))
    mine = await withdraw.withdraw(req["order"], rules.COUNTER_NEWS, lambda p: p.get("return_id") == req["id"],
                                   since=since, now=now)
    # the payment's own news of the counter's refund (webhooks), and only of it: another refund of the
    # order since then (a claim's) keeps its news
    refund_id = counter.get("payment_refund")
    said = await payment_queries.news_of_refund(req["order"], refund_id, req["currency"]) \
        if counter.get("refunded") and isinstance(refund_id, int) else None
    if said is None:
        return mine
    paid = await withdraw.withdraw(
        req["order"], rules.COUNTER_PAYMENT_NEWS,
        lambda p: p.get("status") == said["status"] and p.get("refunded") == said["refunded"], since=since, now=now)
    return withdraw.Withdrawn(mine.withdrawn + paid.withdrawn, mine.already_sent)


async def photo(clerk: Clerk, return_id: int, photo_id: int) -> tuple[bytes, str]:
    """A photo the shopper attached, for a clerk who may open the return."""
    await for_clerk(clerk, return_id)
    return await queries.photo_for_merchant(clerk.merchant_id, return_id, photo_id)
