"""Claims: damaged, missing or wrong items, their own record beside returns (docs/architecture.md). Nothing is
sent back; the merchant resolves a claim by a refund, a replacement or both. The money is the
returns' refund rules (the merchant's fault: shipping comes back when the whole order is claimed),
and the lines' requested counters are raised so that a claimed unit cannot also be returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from orderhub import money
from orderhub.db import engine, statements
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.orders.tables import OrderLine
from orderhub.db.outbox.services import notify
from orderhub.db.paging import Page, clamp_page, pages_for
from orderhub.db.payments import services as payments
from orderhub.db.returns import queries, replacements, rules
from orderhub.db.returns.replacements import ReplacementItemView, ReplacementView
from orderhub.db.returns.rules import field_error
from orderhub.db.returns.tables import Claim, ClaimItem, ClaimPhoto

# the claim vocabulary (kinds, resolutions, states) and what each allows live in rules.py


def check_claim(facts: queries.OrderFacts, data: dict[str, Any], *, photos: int) -> dict[str, Any]:
    """The shopper's form -> a clean claim, or ValidationFailed with field paths and codes. Only
    delivered units that were not asked back already can be claimed (final-sale lines too: a broken
    item is broken)."""
    errors: list[dict[str, Any]] = []
    items: dict[str, int] = {}
    for line_id, qty in (data.get("items") or {}).items():
        line = facts.line(line_id)
        if line is None:
            errors.append(field_error(f"items.{line_id}", rules.NOT_A_LINE))
        elif not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            errors.append(field_error(f"items.{line_id}", rules.WHOLE_NUMBER))
        elif qty > rules.claimable_units(line):
            errors.append(field_error(f"items.{line_id}", rules.TOO_MANY_UNITS))
        elif qty:
            items[line_id] = qty
    if not items and not errors:
        errors.append(field_error("items", rules.NO_ITEMS))
    kind = data.get("kind")
    if kind not in rules.CLAIM_KINDS:
        errors.append(field_error("kind", rules.KIND_REQUIRED))
    description = data.get("description") or ""
    if not isinstance(description, str) or len(description) > rules.MAX_DESCRIPTION:
        errors.append(field_error("description", rules.TOO_LONG))
    elif not description.strip():
        errors.append(field_error("description", rules.DESCRIPTION_REQUIRED))
    if kind in rules.CLAIM_KINDS and rules.claim_needs_photo(kind) and photos < 1:
        errors.append(field_error("photos", rules.PHOTO_REQUIRED))
    if photos > rules.MAX_CLAIM_PHOTOS:
        errors.append(field_error("photos", rules.TOO_MANY_PHOTOS, limit=rules.MAX_CLAIM_PHOTOS))
    if errors:
        raise ValidationFailed(errors)
    return {"items": items, "kind": kind, "description": description.strip()}


async def open_claim(order_id: int, data: dict[str, Any], *, photos: list[tuple[bytes, str]], idempotency_key: str,
                     now: dt.datetime) -> int:
    """Record a claim (idempotent by key). `photos` are already cleaned pictures (orderhub.images)."""
    key = scoped(order_id, idempotency_key)
    try:
        return await _open(order_id, key, data, photos=photos, now=now)
    except ValidationFailed:
        raise
    except Exception:
        # a parallel submit with the same key won the unique constraint: answer with its claim
        async with engine.read():
            found = await Claim.select(Claim.id).where(Claim.key == key).first()
        if found:
            return cast(int, found["id"])
        raise


async def _open(order_id: int, key: str, data: dict[str, Any], *, photos: list[tuple[bytes, str]], now: dt.datetime) -> int:
    async with engine.write():
        found = await Claim.select(Claim.id).where(Claim.key == key).first()
        if found:
            return cast(int, found["id"])
        facts = await queries.order_facts(order_id)
        clean = check_claim(facts, data, photos=len(photos))
        refunded, shipping_done = await queries.refunded_so_far(order_id)
        b = rules.refund_breakdown(facts.money, clean["items"], reason=clean["kind"], resolution=rules.REFUND,
                                   method=rules.KEEP, policy={**facts.policy, "keep_item_under": "0"},
                                   already_refunded_minor=refunded, shipping_already_refunded=shipping_done,
                                   offers_labels=False)  # nothing is sent back: no label
        row = Claim(merchant=facts.merchant_id, order=order_id, key=key, number=key, kind=clean["kind"],
                    description=clean["description"], status=rules.CLAIM_OPEN, currency=facts.currency,
                    refundable_minor=b.total_minor, shipping_minor=b.part("shipping"),
                    breakdown=rules.breakdown_json(b), created_at=now, updated_at=now)
        await row.save()
        number = f"CLM-{row.id:06d}"
        await Claim.update({Claim.number: number}).where(Claim.id == row.id)
        by_line = {a.line_id: a for a in b.items}
        for line_id, qty in clean["items"].items():
            pk = facts.line_pks[line_id]
            done = await OrderLine.update({OrderLine.requested_quantity: OrderLine.requested_quantity + qty}).where(
                (OrderLine.id == pk) & (OrderLine.requested_quantity <= OrderLine.quantity - qty)
            ).returning(OrderLine.id)
            if not done:
                raise ValidationFailed([field_error(f"items.{line_id}", rules.TOO_MANY_UNITS)])
            line = facts.line(line_id)
            assert line is not None  # check_claim kept only the order's lines
            await ClaimItem(claim=row.id, line=pk, line_id=line_id, title=line.title, variant=line.variant,
                            sku=facts.skus.get(line_id, ""), quantity=qty, amount_minor=by_line[line_id].amount_minor,
                            tax_minor=by_line[line_id].tax_minor).save()
        for data_, content_type in photos:
            await ClaimPhoto(claim=row.id, content_type=content_type, data=data_, created_at=now).save()
        await notify(facts.merchant_id, "claim.opened", {
            "claim_id": row.id, "number": number, "order_number": facts.number, "kind": clean["kind"],
            "status": rules.CLAIM_OPEN, "items": [{"line_id": k, "quantity": v} for k, v in clean["items"].items()],
        }, order_id=order_id, now=now)
    return row.id


async def resolve(merchant_id: int, claim_id: int, resolution: str, *, note: str = "", now: dt.datetime) -> ClaimView:
    """Resolve an open claim: refund (never more than paid minus refunded), a replacement of the same
    items (held and sent at once; 409 when one is out of stock), or both. The same call twice changes
    nothing; another resolution of a resolved claim is a 409."""
    if resolution not in rules.CLAIM_RESOLUTIONS:
        raise ValidationFailed([field_error("resolution", rules.NOT_A_CHOICE,
                                            choices=", ".join(rules.CLAIM_RESOLUTIONS))])
    async with engine.write():
        claim = await Claim.select().where((Claim.id == claim_id) & (Claim.merchant == merchant_id)).first()
        if claim is None:
            raise NotFound(rules.CLAIM_NOT_FOUND, "claim not found")
        if rules.claim_resolved(claim["status"]):
            if claim["resolution"] != resolution:
                raise Conflict(rules.CLAIM_ALREADY_RESOLVED,
                               f"the claim was already resolved by {claim['resolution']}",
                               resolution=claim["resolution"])
            return await claim_for_merchant(merchant_id, claim_id)
        refund = 0
        if rules.claim_refunds(resolution) and claim["refundable_minor"] > 0:
            # the payments area's one cap: what was charged minus every refund so far (cancellations too)
            refund = await payments.record_refund(claim["order"], int(claim["refundable_minor"]),
                                                  reason=f"claim {claim['number']}", source="claim", now=now,
                                                  up_to=True)
        changed = await Claim.update({Claim.status: rules.CLAIM_RESOLVED, Claim.resolution: resolution,
                                      Claim.note: note, Claim.refunded_minor: refund, Claim.updated_at: now,
                                      Claim.resolved_at: now}
                                     ).where((Claim.id == claim_id) & (Claim.status == rules.CLAIM_OPEN)
                                             ).returning(Claim.id)
        if not changed:
            raise Conflict(rules.CLAIM_CHANGED, "the claim changed meanwhile")
        rep = None
        if rules.claim_replaces(resolution):
            rep = await _replace(claim, now=now)
        view = await claim_for_merchant(merchant_id, claim_id)
        await notify(merchant_id, "claim.resolved", {
            "claim_id": claim_id, "number": claim["number"], "status": rules.CLAIM_RESOLVED, "resolution": resolution,
            "refund": view.api()["refund"], "replacement": replacements.api(rep), "note": note,
        }, order_id=claim["order"], now=now)
    return view


async def _replace(claim: dict[str, Any], *, now: dt.datetime) -> ReplacementView:
    items = await ClaimItem.select().where(ClaimItem.claim == claim["id"])
    lines = {ln["id"]: ln for ln in await OrderLine.select(OrderLine.id, OrderLine.product_id, OrderLine.variant).where(
        OrderLine.id.is_in([i["line"] for i in items]))}
    wanted = [ReplacementItemView(line_id=i["line_id"], title=i["title"], sku=i["sku"], option=i["variant"],
                                  quantity=i["quantity"], product_id=lines[i["line"]]["product_id"]) for i in items]
    source = rules.replacement_source("claim", claim["id"])
    try:
        rep = await replacements.create(claim["merchant"], claim["order"], source, wanted, now=now)
    except replacements.SoldOut as e:
        raise Conflict(rules.OUT_OF_STOCK, f"{e.sku} is out of stock: resolve by refund, or update the stock first",
                       sku=e.sku) from None
    await replacements.issue(source, now=now)
    return replacements.issued(rep)


# -- reads ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimItemView:
    line_id: str
    title: str
    variant: str
    sku: str
    quantity: int
    amount_minor: int
    tax_minor: int


@dataclass(frozen=True)
class ClaimEvent:
    status: str
    at: dt.datetime
    note: str


@dataclass(frozen=True)
class ClaimView:
    id: int
    number: str
    order_id: int
    order_number: str
    kind: str
    description: str
    status: str
    resolution: str
    note: str
    currency: str
    refundable_minor: int
    refunded_minor: int
    shipping_minor: int
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    items: list[ClaimItemView] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)
    replacement: ReplacementView | None = None

    # -- what the state shows (rules.py decides) -----------------------------------------------

    @property
    def tone(self) -> str:
        return rules.claim_tone(self.status)

    @property
    def resolved(self) -> bool:
        return rules.claim_resolved(self.status)

    @property
    def status_message(self) -> str:
        return rules.claim_message(self.status, self.resolution)

    @property
    def timeline(self) -> list[ClaimEvent]:
        """Opened, then resolved (with the merchant's note) once it is."""
        out = [ClaimEvent(rules.CLAIM_OPEN, self.created_at, "")]
        if self.resolved and self.resolved_at is not None:
            out.append(ClaimEvent(rules.CLAIM_RESOLVED, self.resolved_at, self.note))
        return out

    def api(self) -> dict[str, Any]:
        def show(minor: int) -> str:
            return money.to_string(minor, self.currency)

        return {
            "id": self.id, "number": self.number, "order_number": self.order_number, "kind": self.kind,
            "description": self.description, "status": self.status, "resolution": self.resolution or None,
            "note": self.note, "currency": self.currency, "refundable": show(self.refundable_minor),
            "refund": show(self.refunded_minor), "shipping": show(self.shipping_minor),
            "items": [{"line_id": i.line_id, "title": i.title, "variant": i.variant or None, "sku": i.sku,
                       "quantity": i.quantity, "amount": show(i.amount_minor), "tax": show(i.tax_minor)}
                      for i in self.items],
            "timeline": [{"status": t.status, "note": t.note, "at": t.at.isoformat()} for t in self.timeline],
            "photos": [f"/api/v1/claims/{self.id}/photos/{p}" for p in self.photo_ids],
            "replacement": replacements.api(self.replacement),
            "created_at": self.created_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }


async def _views(where: Any, *, limit: int | None = None, offset: int = 0) -> list[ClaimView]:
    async with engine.read():
        query = Claim.select(*Claim.all_columns(), Claim.order.number.as_alias("order_number")).where(
            where).order_by(Claim.id)
        rows = await (query.limit(limit).offset(offset) if limit is not None else query)
        ids = [r["id"] for r in rows]
        items = await ClaimItem.select().where(ClaimItem.claim.is_in(ids)).order_by(ClaimItem.id) if ids else []
        photos = await ClaimPhoto.select(ClaimPhoto.id, ClaimPhoto.claim).where(
            ClaimPhoto.claim.is_in(ids)).order_by(ClaimPhoto.id) if ids else []
    return await _built(rows, items, photos)


#: one order's claims as fixed statements (orderhub.db.statements; columns from the tables): the claim
#: rows as `_views` reads them, their items and photo ids
_CLAIM = statements.columns(Claim, "c")
_ITEM = statements.columns(ClaimItem, "i")
_CLAIMS_OF_ORDER = statements.Statement(
    f'SELECT {_CLAIM.select}, o.number AS order_number FROM claims c JOIN orders o ON o.id = c."order" '
    'WHERE c."order" = ? ORDER BY c.id')
_ITEMS_OF_ORDER = statements.Statement(
    f'SELECT {_ITEM.select} FROM claim_items i JOIN claims c ON c.id = i.claim WHERE c."order" = ? ORDER BY i.id')
_PHOTOS_OF_ORDER = statements.Statement(
    'SELECT p.id AS id, p.claim AS claim FROM claim_photos p JOIN claims c ON c.id = p.claim '
    'WHERE c."order" = ? ORDER BY p.id')


async def _built(rows: list[dict[str, Any]], items: list[dict[str, Any]],
                 photos: list[dict[str, Any]]) -> list[ClaimView]:
    ids = [r["id"] for r in rows]
    sources = {i: rules.replacement_source("claim", i) for i in ids}
    reps = await replacements.for_sources(list(sources.values()))
    return [ClaimView(
        id=r["id"], number=r["number"], order_id=r["order"], order_number=r["order_number"], kind=r["kind"],
        description=r["description"], status=r["status"], resolution=r["resolution"], note=r["note"],
        currency=r["currency"], refundable_minor=r["refundable_minor"], refunded_minor=r["refunded_minor"],
        shipping_minor=r["shipping_minor"], created_at=r["created_at"], resolved_at=r["resolved_at"],
        items=[ClaimItemView(i["line_id"], i["title"], i["variant"], i["sku"], i["quantity"], i["amount_minor"],
                             i["tax_minor"]) for i in items if i["claim"] == r["id"]],
        photo_ids=[p["id"] for p in photos if p["claim"] == r["id"]],
        replacement=reps.get(sources[r["id"]]),
    ) for r in rows]


def _one(found: list[ClaimView]) -> ClaimView:
    if not found:
        raise NotFound(rules.CLAIM_NOT_FOUND, "claim not found")
    return found[0]


def overview_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The reads `claims_for_order` makes (the order's claims, their items and photo ids), from the
    order's row (prefetched with the hub's own reads: one round trip on PostgreSQL,
    `statements.prefetch`)."""
    return [s.read(order["id"]) for s in (_CLAIMS_OF_ORDER, _ITEMS_OF_ORDER, _PHOTOS_OF_ORDER)]


async def claims_for_order(order_id: int) -> list[ClaimView]:
    """The order's claims, oldest first (the returns page: fixed statements, the last two only when it
    has any)."""
    async with engine.read():
        rows = _CLAIM.rows(await _CLAIMS_OF_ORDER.all(order_id), "order_number")
        if not rows:
            return []
        items = _ITEM.rows(await _ITEMS_OF_ORDER.all(order_id))
        photos = await _PHOTOS_OF_ORDER.all(order_id)
    return await _built(rows, items, photos)


async def claim_for_order(order_id: int, claim_id: int) -> ClaimView:
    return _one(await _views((Claim.order == order_id) & (Claim.id == claim_id)))


async def claims_for_merchant(merchant_id: int, status: str | None = None) -> list[ClaimView]:
    where: Combinable = Claim.merchant == merchant_id
    if status:
        where = where & (Claim.status == status)
    return await _views(where)


async def claims_page(merchant_id: int, status: str | None, page: int, per_page: int) -> Page[ClaimView]:
    """One page of the merchant's claims (oldest first): the admin's list and the API's."""
    where: Combinable = Claim.merchant == merchant_id
    if status:
        where = where & (Claim.status == status)
    async with engine.read():
        total = await Claim.count().where(where)
        page = clamp_page(page, total, per_page)
        items = await _views(where, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, page, pages_for(total, per_page), total, per_page)


async def claim_counts(merchant_id: int) -> dict[str, int]:
    async with engine.read():
        rows = await Claim.select(Claim.status, Count(alias="n")).where(Claim.merchant == merchant_id).group_by(
            Claim.status)
    return {r["status"]: r["n"] for r in rows}


async def claim_for_merchant(merchant_id: int, claim_id: int) -> ClaimView:
    return _one(await _views((Claim.merchant == merchant_id) & (Claim.id == claim_id)))


async def _photo(claim_where: Any, photo_id: int) -> tuple[bytes, str]:
    async with engine.read():
        row = await ClaimPhoto.select(ClaimPhoto.data, ClaimPhoto.content_type).where(
            (ClaimPhoto.id == photo_id) & claim_where).first()
    if row is None:
        raise NotFound(rules.PHOTO_NOT_FOUND, "photo not found")
    return bytes(row["data"]), row["content_type"]


async def photo_for_order(order_id: int, claim_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ClaimPhoto.claim == claim_id) & (ClaimPhoto.claim.order == order_id), photo_id)


async def photo_for_merchant(merchant_id: int, claim_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ClaimPhoto.claim == claim_id) & (ClaimPhoto.claim.merchant == merchant_id), photo_id)
