"""Writes for returns: submit (idempotent, counters updated atomically), the state machine
moves, drafts of the wizard and photos. Every move records a timeline event and notifies."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from piccolo.columns import Column

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.outbox.services import notify
from orderhub.db.payments import services as payments
from orderhub.db.returns import (
    exchange_rules,
    exchanges,
    home_pickup,
    label_queries,
    label_rules,
    label_store,
    queries,
    reason_rules,
    reason_store,
    replacements,
    rules,
)
from orderhub.db.returns.queries import ReturnView
from orderhub.db.returns.replacements import ReplacementItemView
from orderhub.db.returns.tables import ReturnDraft, ReturnEvent, ReturnItem, ReturnPhoto, ReturnRequest

CODE_ALPHABET = rules.RETURN_CODE_ALPHABET
field_error = rules.field_error


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(rules.RETURN_CODE_LENGTH))


def check_request(facts: queries.OrderFacts, data: dict[str, Any], *, now: dt.datetime, has_photo: bool,
                  line_photos: Collection[str] = ()) -> dict[str, Any]:
    """The wizard's answers -> a clean request, or ValidationFailed with field paths and codes. Each
    item has its reason (its own or the one for all) and needs a photo when its reason does
    (`has_photo`: a photo for all; `line_photos`: the items with their own photo, reason_rules)."""
    errors: list[dict[str, Any]] = []
    items: dict[str, int] = {}
    for line_id, qty in (data.get("items") or {}).items():
        line = facts.line(line_id)
        if line is None:
            errors.append(field_error(f"items.{line_id}", rules.NOT_A_LINE))
            continue
        if not isinstance(qty, int) or qty < 0:
            errors.append(field_error(f"items.{line_id}", rules.WHOLE_NUMBER))
            continue
        if qty == 0:
            continue
        elig = rules.eligibility(line, policy=facts.policy, tags=facts.tags, promised_date=facts.promised_date,
                                 now=now, timezone=facts.timezone)
        if qty > elig.returnable:
            errors.append(field_error(f"items.{line_id}", rules.TOO_MANY_UNITS))
            continue
        items[line_id] = qty
    if not items and not errors:
        errors.append(field_error("items", rules.NO_ITEMS))
    chosen = [lid for lid, qty in (data.get("items") or {}).items() if facts.line(lid) is not None and qty]
    errors += reason_rules.check_reasons(data, chosen, facts.policy, shared_photo=has_photo, line_photos=line_photos)
    comment = data.get("comment") or ""
    resolution = data.get("resolution")
    if resolution not in rules.RESOLUTIONS:
        errors.append(field_error("resolution", rules.RESOLUTION_REQUIRED))
    method = data.get("method")
    if method not in rules.METHODS:
        errors.append(field_error("method", rules.METHOD_REQUIRED))
    if rules.is_exchange(resolution or "") and data.get(exchange_rules.CHOICE) and not exchanges.raw_picks(data):
        errors.append(exchange_rules.field_error(exchange_rules.DRAFT_KEY, exchange_rules.NOTHING_CHOSEN))
    if errors:
        raise ValidationFailed(errors)
    reasons = reason_rules.reasons_of(data, list(items))
    return {"items": items, "reason": reason_rules.headline(reasons), "reasons": reasons,
            "comments": reason_rules.comments_of(data, list(items)), "comment": str(comment).strip(),
            "resolution": resolution, "method": method, "store_code": data.get("store_code") or "",
            "exchange": data.get("exchange") or {},
            # an exchange for something else: the catalog variants chosen (exchanges.py)
            exchange_rules.DRAFT_KEY: exchanges.raw_picks(data) if data.get(exchange_rules.CHOICE) else []}


def check_step(step: str, facts: queries.OrderFacts, data: dict[str, Any], *, now: dt.datetime, has_photo: bool,
               exchange_options: dict[str, list[rules.ExchangeOption]] | None = None,
               store_codes: list[str] | None = None, line_photos: Collection[str] = ()) -> list[dict[str, Any]]:
    """Errors of one wizard step (field paths as in check_request)."""
    try:
        check_request(facts, data, now=now, has_photo=has_photo, line_photos=line_photos)
        errors: list[dict[str, Any]] = []
    except ValidationFailed as e:
        errors = e.errors
    fields = rules.STEP_FIELDS.get(step, ())
    mine = [e for e in errors if e["field"].split(".")[0] in fields]
    if step == "resolution" and rules.is_exchange(data.get("resolution") or "") and not data.get(exchange_rules.CHOICE):
        for line_id in (data.get("items") or {}):
            options = [o.sku for o in (exchange_options or {}).get(line_id, [])]
            if (data.get("exchange") or {}).get(line_id) not in options:
                mine.append(field_error(f"exchange.{line_id}", rules.VARIANT_REQUIRED))
    if step == "method" and rules.needs_store(data.get("method") or "") and \
            data.get("store_code") not in (store_codes or []):
        mine.append(field_error("store_code", rules.STORE_REQUIRED))
    if step == "review":
        mine = errors
    return mine


async def preview(facts: queries.OrderFacts, clean: dict[str, Any]) -> rules.Breakdown:
    refunded, shipping_done = await queries.refunded_so_far(facts.order_id)
    return rules.refund_breakdown(
        facts.money, clean["items"], reason=reason_rules.fee_reason(facts.policy, clean["reasons"]),
        resolution=clean["resolution"], method=clean["method"], policy=facts.policy,
        already_refunded_minor=refunded, shipping_already_refunded=shipping_done, offers_labels=facts.offers_labels,
    )


async def exchange_quote(facts: queries.OrderFacts, data: dict[str, Any],
                         picks: list[exchange_rules.Pick]) -> exchange_rules.Settlement:
    """What the wizard shows for an exchange for something else: the chosen items' value and bonus
    against `picks` (the same rules the submitted exchange stores)."""
    items = {k: v for k, v in (data.get("items") or {}).items() if facts.line(k) and isinstance(v, int) and v > 0}
    reasons = reason_rules.reasons_of(data, list(items))
    clean = {"items": items, "reason": reason_rules.headline(reasons), "reasons": reasons, "resolution": rules.EXCHANGE,
             "method": data.get("method") or rules.DROP_OFF}
    breakdown = await preview(facts, clean)
    refunded, _ = await queries.refunded_so_far(facts.order_id)
    return exchanges.quote(breakdown, picks, policy=facts.policy, total_minor=facts.money.total_minor,
                           refunded_minor=refunded, prices_include_tax=facts.money.prices_include_tax,
                           paid_in_minor=facts.money.paid_in_minor)


async def submit(order_id: int, data: dict[str, Any], *, idempotency_key: str, now: dt.datetime,
                 photo_ids: list[int] | None = None, line_photos: dict[str, int] | None = None,
                 hub_url: str = "") -> int:
    """Create the return request. The same idempotency key twice -> the same return; the lines'
    requested counters are raised atomically, so parallel submissions never ask back more than
    was delivered (the loser gets ValidationFailed). An exchange holds the chosen variants."""
    key = scoped(order_id, idempotency_key)
    existing = await _by_key(key)
    if existing:
        return existing
    try:
        async with engine.write():
            found = await ReturnRequest.select(ReturnRequest.id).where(ReturnRequest.key == key).first()
            if found:
                return cast(int, found["id"])
            facts = await queries.order_facts(order_id)
            own_photos = {lid: pid for lid, pid in (line_photos or {}).items() if lid in (data.get("items") or {})}
            clean = check_request(facts, data, now=now, has_photo=bool(photo_ids), line_photos=list(own_photos))
            breakdown = await preview(facts, clean)
            per_item = reason_rules.item_reasons(breakdown, facts.policy, clean["reasons"], clean["comments"],
                                                 {lid: (pid,) for lid, pid in own_photos.items()})
            status = rules.REQUESTED
            row = ReturnRequest(
                merchant=facts.merchant_id, order=order_id, key=key, number=key, status=status,
                reason=clean["reason"], comment=clean["comment"], resolution=clean["resolution"],
                method=rules.KEEP if breakdown.keep_item else clean["method"], store_code=clean["store_code"],
                exchange=clean["exchange"], keep_item=breakdown.keep_item, currency=facts.currency,
                total_minor=breakdown.total_minor, bonus_minor=breakdown.part("bonus"),
                fee_minor=-breakdown.part("fee"), shipping_minor=breakdown.part("shipping"),
                breakdown=reason_rules.breakdown_json(breakdown, per_item), drop_off_code=_code(), created_at=now,
                updated_at=now,
            )
            await row.save()
            number = f"RMA-{row.id:06d}"
            await ReturnRequest.update({ReturnRequest.number: number}).where(ReturnRequest.id == row.id)
            by_line = {a.line_id: a for a in breakdown.items}
            per_item_of = {i.line_id: i for i in per_item}
            for line_id, qty in clean["items"].items():
                pk = facts.line_pks[line_id]
                line = facts.line(line_id)
                assert line is not None  # check_request kept only the order's lines
                # never more than was delivered: the fulfilled counter (kept by shipping), or the whole
                # line of a picked-up order; checked in the UPDATE itself so parallel submits cannot pass
                limit = OrderLine.quantity if rules.whole_line_handed_over(line, facts.fulfillment_type) \
                    else OrderLine.fulfilled_quantity
                updated = await OrderLine.update(
                    {OrderLine.requested_quantity: OrderLine.requested_quantity + qty}
                ).where((OrderLine.id == pk) & (OrderLine.requested_quantity <= OrderLine.quantity - qty)
                        & (OrderLine.requested_quantity <= limit - qty)).returning(OrderLine.id)
                if not updated:
                    raise ValidationFailed([field_error(f"items.{line_id}", rules.TOO_MANY_UNITS)])
                amount = by_line[line_id]
                item = ReturnItem(request=row.id, line=pk, line_id=line_id, title=line.title, variant=line.variant,
                                  quantity=qty, amount_minor=amount.amount_minor, tax_minor=amount.tax_minor,
                                  tax_rate=str(amount.tax_rate))
                await item.save()
                await reason_store.save_item(row.id, item.id, per_item_of[line_id])
            if rules.is_exchange(clean["resolution"]) and data.get(exchange_rules.CHOICE):
                refunded, _ = await queries.refunded_so_far(order_id)
                await exchanges.create(
                    merchant_id=facts.merchant_id, order_id=order_id, return_id=row.id, number=number,
                    order_number=facts.number, breakdown=breakdown, raw=clean[exchange_rules.DRAFT_KEY],
                    policy=facts.policy, total_minor=facts.money.total_minor, refunded_minor=refunded,
                    prices_include_tax=facts.money.prices_include_tax, hub_url=hub_url, now=now,
                    paid_in_minor=facts.money.paid_in_minor)
            elif rules.is_exchange(clean["resolution"]):
                await _hold_exchange(facts, row.id, clean, now=now)
            attached = [*(photo_ids or []), *own_photos.values()]
            if attached:
                await ReturnPhoto.update({ReturnPhoto.request: row.id, ReturnPhoto.draft_key: ""}).where(
                    ReturnPhoto.id.is_in(attached) & (ReturnPhoto.draft_key == str(order_id)))
            await ReturnEvent(request=row.id, status=status, note="", at=now).save()
            payload = {"return_id": row.id, "number": number, "order_number": facts.number, "status": status}
            await notify(facts.merchant_id, f"return.{status}", payload, order_id=order_id, now=now)
            if reason_rules.auto_approve(clean["reasons"], breakdown.total_minor, facts.policy, facts.currency):
                await _move(row.id, "approve", note="", now=now)
            return row.id
    except ValidationFailed:
        raise
    except Exception:
        # a parallel submit with the same key won the unique constraint: answer with its return
        existing = await _by_key(key)
        if existing:
            return existing
        raise


async def _hold_exchange(facts: queries.OrderFacts, return_id: int, clean: dict[str, Any], *, now: dt.datetime) -> None:
    """Hold the chosen variants (same product, same price, in stock) for the exchange; the whole
    request is refused when one has just sold out."""
    items = []
    for line_id, qty in clean["items"].items():
        sku = (clean["exchange"] or {}).get(line_id)
        # the variants of the product at the same price; whether a unit is still free is decided by hold()
        options = {o.sku: o for o in await queries.exchange_options(facts.merchant_id, facts, line_id,
                                                                     count_holds=False)}
        if sku not in options:
            raise ValidationFailed([field_error(f"exchange.{line_id}", rules.VARIANT_REQUIRED)])
        line = facts.line(line_id)
        assert line is not None  # check_request kept only the order's lines
        items.append(ReplacementItemView(line_id=line_id, title=line.title, sku=sku, option=options[sku].option,
                                         quantity=qty, product_id=line.product_id))
    try:
        await replacements.create(facts.merchant_id, facts.order_id, rules.replacement_source("return", return_id),
                                  items, now=now)
    except replacements.SoldOut as e:
        line_id = next(i.line_id for i in items if i.sku == e.sku)
        raise ValidationFailed([field_error(f"exchange.{line_id}", rules.SOLD_OUT)]) from None


async def _by_key(key: str) -> int | None:
    async with engine.read():
        row = await ReturnRequest.select(ReturnRequest.id).where(ReturnRequest.key == key).first()
    return row["id"] if row else None


async def _move(return_id: int, action: str, *, note: str, now: dt.datetime, extra: dict[str, Any] | None = None,
                shipment: dict[str, str] | None = None, grades: dict[int, str] | None = None) -> None:
    req = await ReturnRequest.select().where(ReturnRequest.id == return_id).first()
    if req is None:
        raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
    try:
        target = rules.next_status(req["status"], action, keep_item=req["keep_item"], resolution=req["resolution"])
    except rules.IllegalTransition as e:
        raise Conflict(rules.NOT_ALLOWED, str(e), status=e.status, action=e.action) from None
    if target == rules.EXCHANGED:
        await exchanges.check_ship(return_id)  # a dearer exchange ships once its difference is paid
    values: dict[Column | str, Any] = {ReturnRequest.status: target, ReturnRequest.updated_at: now,
                                       ReturnRequest.note: note or req["note"]}
    for name, value in (extra or {}).items():
        values[getattr(ReturnRequest, name)] = value
    changed = await ReturnRequest.update(values).where(
        (ReturnRequest.id == return_id) & (ReturnRequest.status == req["status"])).returning(ReturnRequest.id)
    if not changed:
        raise Conflict(rules.CHANGED, "the return changed meanwhile")
    items = await ReturnItem.select().where(ReturnItem.request == return_id)
    source = rules.replacement_source("return", return_id)
    if rules.withdrawn(target):
        for it in items:
            await OrderLine.update({OrderLine.requested_quantity: OrderLine.requested_quantity - it["quantity"]}).where(
                OrderLine.id == it["line"])
        await replacements.release(source, now=now)
        await exchanges.withdraw(return_id, now=now)
        await home_pickup.withdraw(req["order"], return_id, now=now)
        await label_store.cancel_open(return_id, now=now)
    if target == rules.APPROVED and label_rules.wants_label(req["method"], req["keep_item"], target) \
            and not await label_queries.offers_labels(req["merchant"]):
        # the merchant stopped making labels since the shopper was quoted one: none will be made, so
        # none is charged (the refund, pages, emails and the API show the total without it)
        await label_store.drop_label_charge(return_id)
    if target == rules.RECEIVED:
        await _receive_items(items, grades)
    if target == rules.EXCHANGED:
        await replacements.issue(source, now=now)
        await exchanges.refund_difference(return_id, now=now)
    await ReturnEvent(request=return_id, status=target, note=note, at=now).save()
    if target == rules.REFUNDED:
        await _mark_order_returned(req["order"])
        if req["resolution"] == rules.REFUND:
            refunded = await _refund_payment(req, now)
            if refunded < int(req["total_minor"] or 0):
                await _cut_to_refunded(req, refunded)
    payload = {"return_id": return_id, "number": req["number"], "status": target, "previous": req["status"],
               "resolution": req["resolution"], "note": note, **(extra or {})}
    if target == rules.EXCHANGED:
        payload["replacement"] = replacements.api((await replacements.for_sources([source])).get(source))
        # the replacement's parcel as the merchant reported it (carrier, tracking number): the email links it
        payload["shipment"] = rules.replacement_shipment(shipment)
    await notify(req["merchant"], f"return.{target}", payload, order_id=req["order"], now=now)


async def _refund_payment(req: dict[str, Any], now: dt.datetime) -> int:
    """A return refunded to the original payment moves the order's payment (partially_refunded /
    refunded) through payments.record_refund, which reads the order once and cuts the refund to what
    is left after every earlier refund (a cancellation, a claim) -> the amount refunded."""
    amount = int(req["total_minor"] or 0)
    if amount <= 0:
        return 0
    return await payments.record_refund(req["order"], amount, reason=f"return {req['number']}", source="return",
                                        now=now, credit_note=False, up_to=True)


async def _cut_to_refunded(req: dict[str, Any], refunded: int) -> None:
    """Less reached the payment than the return previewed (others refunded the order meanwhile): the
    return says what was really refunded, the difference as its `cap` part (what pages, emails, the
    credit note and the API show)."""
    raw = req["breakdown"]
    stored = json.loads(raw) if isinstance(raw, str) and raw else raw
    breakdown = dict(stored) if isinstance(stored, dict) else {}
    cut = refunded - int(req["total_minor"] or 0)
    breakdown["parts"] = [*breakdown.get("parts", []), {"kind": "cap", "amount_minor": cut}]
    breakdown["total_minor"] = refunded
    await ReturnRequest.update({ReturnRequest.total_minor: refunded, ReturnRequest.breakdown: breakdown}).where(
        ReturnRequest.id == req["id"])


async def _receive_items(items: list[dict[str, Any]], grades: dict[int, str] | None) -> None:
    """The items arrived: the lines' received counters go up (never past what was bought) and each
    item is received and accepted, or, graded at a counter, as its grade says (a missing item is
    neither)."""
    for it in items:
        grade = (grades or {}).get(it["id"], "")
        came_back, reception, acceptance = rules.graded_item(grade)
        if came_back:
            updated = await OrderLine.update(
                {OrderLine.received_quantity: OrderLine.received_quantity + it["quantity"]}).where(
                (OrderLine.id == it["line"]) & (OrderLine.received_quantity <= OrderLine.quantity - it["quantity"])
            ).returning(OrderLine.id)
            if not updated:
                raise Conflict(rules.OVER_RECEIVED, "more units received than were bought")
        await ReturnItem.update({ReturnItem.reception: reception, ReturnItem.acceptance: acceptance,
                                 ReturnItem.grade: grade}).where(ReturnItem.id == it["id"])


async def _mark_order_returned(order_id: int) -> None:
    # final-sale lines can never come back: the order is returned when everything else was refunded
    lines = await OrderLine.select(OrderLine.id, OrderLine.quantity).where(
        (OrderLine.order == order_id) & (OrderLine.final_sale == False))  # noqa: E712
    refunded = await ReturnItem.select(ReturnItem.line, ReturnItem.quantity).where(
        (ReturnItem.request.order == order_id) & (ReturnItem.request.status == rules.REFUNDED))
    done: dict[int, int] = {}
    for r in refunded:
        done[r["line"]] = done.get(r["line"], 0) + r["quantity"]
    if lines and all(done.get(ln["id"], 0) >= ln["quantity"] for ln in lines):
        await Order.update({Order.fulfillment_status: rules.ORDER_RETURNED}).where(Order.id == order_id)


async def transition(merchant_id: int, return_id: int, action: str, *, note: str = "", now: dt.datetime,
                     extra: dict[str, Any] | None = None, shipment: dict[str, str] | None = None,
                     grades: dict[int, str] | None = None) -> ReturnView:
    """A merchant's move (approve, reject, ship, receive, refund, exchange); Conflict when the state
    does not allow it. `extra` sets carrier/tracking_number with `ship`; `shipment` names the
    replacement's parcel (carrier, tracking_number) with `exchange`; `grades` (item id -> grade)
    come with a `receive` at a store counter (orderhub.db.returns.counter)."""
    async with engine.write():
        req = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.status).where(
            (ReturnRequest.id == return_id) & (ReturnRequest.merchant == merchant_id)).first()
        if req is None:
            raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
        if not rules.already_done(req["status"], action):  # the same call twice changes nothing
            await _move(return_id, action, note=note, now=now, extra=extra, shipment=shipment, grades=grades)
    return await queries.return_for_merchant(merchant_id, return_id)


async def ship_by_code(merchant_id: int, code: str, *, store_code: str = "", note: str = "",
                       now: dt.datetime) -> ReturnView:
    """A drop-off or in-store return scanned at the counter (the QR's code): the item is on its way."""
    code = rules.counter_code(code)
    if not rules.is_return_code(code):
        raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
    async with engine.write():
        req = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.method, ReturnRequest.store_code).where(
            (ReturnRequest.merchant == merchant_id) & (ReturnRequest.drop_off_code == code)).first()
        if req is None or not rules.at_counter(req["method"]) or \
                (store_code and rules.needs_store(req["method"]) and req["store_code"] != store_code):
            raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
        return await transition(merchant_id, req["id"], "ship", note=note, now=now,
                                extra={"carrier": "store:" + store_code if store_code else "drop_off"})


async def expire_stale(*, now: dt.datetime, limit: int = 200) -> list[int]:
    """Approved returns never sent within the merchant's days (policy `return_ship_within_days`,
    default 14) -> expired: the lines' counters are freed, held stock given back, return.expired."""

    async with engine.read():
        rows = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.merchant, ReturnRequest.status,
                                          ReturnRequest.keep_item, ReturnRequest.updated_at).where(
            (ReturnRequest.status == rules.APPROVED) & (ReturnRequest.keep_item == False)  # noqa: E712
            & (ReturnRequest.updated_at <= now - dt.timedelta(days=1))).order_by(ReturnRequest.id).limit(limit)
        merchants = {m["id"]: m for m in await Merchant.select(Merchant.id, Merchant.policy, Merchant.timezone).output(
            load_json=True).where(Merchant.id.is_in(list({r["merchant"] for r in rows}) or [0]))}
    done = []
    for r in rows:
        m = merchants.get(r["merchant"]) or {}
        if not rules.expired(r["status"], r["keep_item"], r["updated_at"], now, m.get("policy") or {},
                             m.get("timezone") or "UTC"):
            continue
        try:
            async with engine.write():
                await _move(r["id"], "expire", note="", now=now)
        except Conflict:  # moved meanwhile (sent, cancelled): nothing to do
            continue
        done.append(r["id"])
    return done


async def mark_sent_by_shopper(order_id: int, return_id: int, *, now: dt.datetime) -> None:
    """The shopper says the parcel is on its way back (a posted return): in transit, with its email.
    Saying it twice changes nothing; a counter return or any other state is a Conflict."""
    async with engine.write():
        req = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.status, ReturnRequest.method,
                                         ReturnRequest.keep_item).where(
            (ReturnRequest.id == return_id) & (ReturnRequest.order == order_id)).first()
        if req is None:
            raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
        if rules.already_done(req["status"], "ship"):
            return
        if not rules.shopper_can_mark_sent(req["status"], req["method"], req["keep_item"]):
            raise Conflict(rules.NOT_ALLOWED, f"a return that is {req['status']} cannot be marked as sent here",
                           status=req["status"], action="ship")
        await _move(return_id, "ship", note="", now=now)


async def cancel_by_shopper(order_id: int, return_id: int, *, now: dt.datetime) -> None:
    async with engine.write():
        req = await ReturnRequest.select(ReturnRequest.id).where(
            (ReturnRequest.id == return_id) & (ReturnRequest.order == order_id)).first()
        if req is None:
            raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
        await _move(return_id, "cancel", note="", now=now)


# -- drafts and photos -------------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    """The wizard's answers so far and the key that makes its submit idempotent."""

    idempotency_key: str
    data: dict[str, Any]


async def draft(order_id: int, *, now: dt.datetime) -> Draft:
    """The wizard's answers so far, read only (a page view writes nothing: with no draft yet, an
    empty one without an idempotency key; the first answer posted creates it, `ensure_draft`)."""
    async with engine.read():
        row = await ReturnDraft.select().output(load_json=True).where(ReturnDraft.key == str(order_id)).first()
    if row is None:
        return Draft("", {})
    return Draft(row["idempotency_key"], row["data"] or {})


async def ensure_draft(order_id: int, *, now: dt.datetime) -> Draft:
    """The wizard's answers so far (created on first use). `idempotency_key` changes after a submit."""
    async with engine.write():
        row = await ReturnDraft.select().output(load_json=True).where(ReturnDraft.key == str(order_id)).first()
        if row is None:
            idem = secrets.token_urlsafe(16)
            await ReturnDraft(order=order_id, key=str(order_id), idempotency_key=idem, data={}, updated_at=now).save()
            return Draft(idem, {})
    return Draft(row["idempotency_key"], row["data"] or {})


async def save_draft(order_id: int, changes: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    async with engine.write():
        current = await ensure_draft(order_id, now=now)
        data = {**current.data, **changes}
        await ReturnDraft.update({ReturnDraft.data: data, ReturnDraft.updated_at: now}).where(
            ReturnDraft.key == str(order_id))
    return data


async def finish_draft(order_id: int, *, now: dt.datetime) -> None:
    """After a submit: a fresh draft with a new idempotency key for the next return."""
    async with engine.write():
        await ReturnDraft.update({ReturnDraft.data: {}, ReturnDraft.idempotency_key: secrets.token_urlsafe(16),
                                  ReturnDraft.updated_at: now}).where(ReturnDraft.key == str(order_id))
        # photos of the draft that the return did not take (an item dropped on the way)
        await ReturnPhoto.delete().where(ReturnPhoto.draft_key == str(order_id))


async def add_photo(order_id: int, data: bytes, content_type: str, *, now: dt.datetime, line_id: str = "") -> int:
    """Store an already cleaned picture (see orderhub.images) on the order's draft: the photo for all
    items, or one item's own (`line_id`); it replaces the one it had before. One transaction: the photo
    and the draft pointing at it are stored together or not at all."""
    async with engine.write():
        current = await ensure_draft(order_id, now=now)
        own = dict(current.data.get(reason_rules.ITEM_PHOTO) or {})
        before = own.get(line_id) if line_id else current.data.get("photo_id")
        if isinstance(before, int):
            await ReturnPhoto.delete().where((ReturnPhoto.id == before) & (ReturnPhoto.draft_key == str(order_id)))
        row = ReturnPhoto(draft_key=str(order_id), content_type=content_type, data=data, created_at=now)
        await row.save()
        if line_id:
            own[line_id] = row.id
            await save_draft(order_id, {reason_rules.ITEM_PHOTO: own}, now=now)
        else:
            await save_draft(order_id, {"photo_id": row.id}, now=now)
    return row.id


def draft_photos(data: dict[str, Any]) -> tuple[int | None, dict[str, int]]:
    """The draft's photo for all items and the items' own photos (of the items still chosen)."""
    shared = data.get("photo_id")
    chosen = data.get("items") or {}
    own = {lid: pid for lid, pid in (data.get(reason_rules.ITEM_PHOTO) or {}).items()
           if isinstance(pid, int) and chosen.get(lid)}
    return (shared if isinstance(shared, int) else None), own
