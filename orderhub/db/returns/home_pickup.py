"""Home pickup of an approved return (issue 20 item 3): where the slots come from, the booking as the
pages, emails and API read it, and the shopper's book / reschedule / cancel.

Decisions are in `home_pickup_rules`; this module reads and writes. Each move writes its row(s) and
announces its event (`return.pickup_booked`, `return.pickup_rescheduled`, `return.pickup_cancelled`:
the merchant's webhooks and the shopper's email) in one transaction: nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from orderhub.db import engine
from orderhub.db import validation as v
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import change_rules
from orderhub.db.orders.rules import masked_address
from orderhub.db.outbox.services import notify
from orderhub.db.returns import home_pickup_rules as rules
from orderhub.db.returns.home_pickup_tables import ReturnPickup
from orderhub.db.returns.rules import RETURN_NOT_FOUND
from orderhub.db.returns.tables import ReturnRequest

# --- where the slots come from --------------------------------------------------------------------


@dataclass(frozen=True)
class DayOffer:
    day: dt.date
    slots: tuple[rules.Slot, ...]


class SlotSource(Protocol):
    """What a carrier offers for a home pickup. The merchant's configured slots are the source built
    now (`MerchantSlots`); a label adapter whose carrier publishes its own pickup slots implements
    the same three methods."""

    @property
    def carrier(self) -> str:
        """The carrier that collects (a code of `shipping.rules.CARRIERS`)."""
        ...

    def offer(self, now: dt.datetime) -> list[DayOffer]:
        """The days and slots bookable at `now`."""
        ...

    def check(self, day: dt.date | None, slot: str, now: dt.datetime) -> list[dict[str, Any]]:
        """Field errors (`date`, `slot`) of a choice; [] when bookable."""
        ...

    def cutoff(self, day: dt.date) -> dt.datetime:
        """The last moment a pickup on `day` may be booked, moved or cancelled."""
        ...


@dataclass(frozen=True)
class MerchantSlots:
    """The merchant's own slots (`policy["home_pickup"]`), in the merchant's time zone."""

    config: rules.Config
    timezone: str

    @property
    def carrier(self) -> str:
        return self.config.carrier

    def offer(self, now: dt.datetime) -> list[DayOffer]:
        return [DayOffer(d, self.config.slots) for d in rules.bookable_dates(self.config, now, self.timezone)]

    def check(self, day: dt.date | None, slot: str, now: dt.datetime) -> list[dict[str, Any]]:
        return rules.check_choice(self.config, day, slot, now, self.timezone)

    def cutoff(self, day: dt.date) -> dt.datetime:
        return rules.cutoff_at(self.config, day, self.timezone)


def slot_source(policy: Mapping[str, Any] | None, timezone: str) -> SlotSource:
    return MerchantSlots(rules.config_of(policy), timezone)


# --- the booking as it is read ----------------------------------------------------------------------


@dataclass(frozen=True)
class BookingView:
    id: int
    return_id: int
    status: str
    carrier: str
    day: dt.date
    slot: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    address_source: str
    address: dict[str, Any]
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    #: the last moment it may be moved or cancelled
    cutoff: dt.datetime

    @property
    def active(self) -> bool:
        return self.status == rules.ACTIVE

    @property
    def shown_address(self) -> dict[str, Any] | None:
        """What a hub page shows of it: city level (the link holder has not proved more)."""
        return masked_address(self.address)

    def api(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "carrier": self.carrier, "date": self.day.isoformat(),
                "slot": self.slot, "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
                "timezone": self.timezone, "address_source": self.address_source, "address": self.address,
                "notes": self.notes, "cutoff": self.cutoff.isoformat(), "booked_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}


@dataclass(frozen=True)
class PickupState:
    """Everything the return page needs: the active booking, what may be done at `now`, and why not."""

    booking: BookingView | None
    offer: list[DayOffer]
    can_book: bool
    #: why the booking cannot be moved or cancelled (a code), None when it can
    change_refusal: str | None
    #: the merchant's time zone (the slots' words)
    timezone: str = "UTC"
    #: the carrier that collects
    carrier: str = ""
    #: the order's own address is the one offered first
    order_address: dict[str, Any] | None = None
    history: list[BookingView] = field(default_factory=list)

    @property
    def slots(self) -> tuple[rules.Slot, ...]:
        return self.offer[0].slots if self.offer else ()

    @property
    def can_change(self) -> bool:
        return self.booking is not None and self.change_refusal is None


def _view(row: Mapping[str, Any], source: SlotSource) -> BookingView:
    day = row["day"] if isinstance(row["day"], dt.date) else dt.date.fromisoformat(str(row["day"]))
    return BookingView(
        id=row["id"], return_id=row["request"], status=row["status"], carrier=row["carrier"], day=day,
        slot=row["slot"], starts_at=row["starts_at"], ends_at=row["ends_at"], timezone=row["timezone"],
        address_source=row["address_source"], address=dict(row["address"] or {}), notes=row["notes"],
        created_at=row["created_at"], updated_at=row["updated_at"], cutoff=source.cutoff(day))


async def _merchant(merchant_id: int) -> tuple[dict[str, Any], str]:
    m = await Merchant.select(Merchant.policy, Merchant.timezone).output(load_json=True).where(
        Merchant.id == merchant_id).first()
    return (cast(dict[str, Any], (m or {}).get("policy") or {}), str((m or {}).get("timezone") or "UTC"))


async def bookings(return_ids: list[int]) -> dict[int, BookingView]:
    """The active booking of each return that has one (the returns list, the admin's list)."""
    if not return_ids:
        return {}
    async with engine.read():
        rows = await ReturnPickup.select().output(load_json=True).where(
            ReturnPickup.active_for.is_in(return_ids))
        out = {}
        for row in rows:
            policy, tz = await _merchant(row["merchant"])
            out[row["request"]] = _view(row, slot_source(policy, tz))
    return out


async def state(return_id: int, *, now: dt.datetime) -> PickupState:
    async with engine.read():
        req = await ReturnRequest.select(
            ReturnRequest.id, ReturnRequest.merchant, ReturnRequest.status, ReturnRequest.method,
            ReturnRequest.keep_item, ReturnRequest.order.shipping_address.as_alias("shipping_address"),
        ).output(load_json=True).where(ReturnRequest.id == return_id).first()
        if req is None:
            raise NotFound(RETURN_NOT_FOUND, "return not found")
        policy, tz = await _merchant(req["merchant"])
        rows = await ReturnPickup.select().output(load_json=True).where(
            ReturnPickup.request == return_id).order_by(ReturnPickup.id)
    source = slot_source(policy, tz)
    views = [_view(r, source) for r in rows]
    active = next((b for b in views if b.active), None)
    can_book = rules.booking_refusal(return_status=req["status"], method=req["method"], keep_item=req["keep_item"],
                                     has_active=active is not None) is None
    refusal = rules.change_refusal(return_status=req["status"], booking_status=active.status if active else None,
                                   day=active.day if active else None, config=rules.config_of(policy), now=now, tz=tz)
    wants_offer = can_book or refusal is None
    return PickupState(booking=active, offer=source.offer(now) if wants_offer else [], can_book=can_book,
                       change_refusal=refusal, timezone=tz, carrier=source.carrier, order_address=req["shipping_address"] or None,
                       history=views)


# --- the shopper's moves ----------------------------------------------------------------------------


def read_form(form: Mapping[str, Any], source: SlotSource, order_address: Mapping[str, Any] | None,
              now: dt.datetime) -> dict[str, Any]:
    """Date, slot, address and notes from the shopper's form, or ValidationFailed with every field's
    error. The order's address needs no typing; another one is checked as a delivery change's is."""
    r = v.Reader()
    day = rules.read_date(r, form)
    slot = form.get("slot") if isinstance(form.get("slot"), str) else ""
    r.errors.extend(e for e in source.check(day, str(slot), now) if not r.failed(e["field"]))
    notes = rules.read_notes(r, form)
    choice = form.get("address_choice") or rules.ORDER_ADDRESS
    address: dict[str, Any] = dict(order_address or {})
    if choice not in rules.ADDRESS_CHOICES:
        r.not_one_of("address_choice", rules.ADDRESS_CHOICES)
    elif choice == rules.OTHER_ADDRESS:
        country = str((order_address or {}).get("country") or "")
        try:
            address = change_rules.read_address(form, {"country": country})
        except ValidationFailed as e:
            r.errors.extend(e.errors)
    if r.errors:
        raise ValidationFailed(r.errors)
    return {"day": day, "slot": slot, "notes": notes, "address_source": choice, "address": address}


async def _return_row(order_id: int, return_id: int) -> dict[str, Any]:
    req = await ReturnRequest.select(
        ReturnRequest.id, ReturnRequest.merchant, ReturnRequest.order, ReturnRequest.number, ReturnRequest.status,
        ReturnRequest.method, ReturnRequest.keep_item, ReturnRequest.order.number.as_alias("order_number"),
        ReturnRequest.order.shipping_address.as_alias("shipping_address"),
    ).output(load_json=True).where((ReturnRequest.id == return_id) & (ReturnRequest.order == order_id)).first()
    if req is None:
        raise NotFound(RETURN_NOT_FOUND, "return not found")
    return req


async def _insert(req: Mapping[str, Any], source: SlotSource, tz: str, choice: dict[str, Any],
                  now: dt.datetime) -> dict[str, Any]:
    starts, ends = rules.window(choice["day"], rules.Slot(choice["slot"]), tz)
    row = ReturnPickup(merchant=req["merchant"], order=req["order"], request=req["id"], active_for=req["id"],
                       status=rules.ACTIVE, carrier=source.carrier, day=choice["day"], slot=choice["slot"],
                       starts_at=starts, ends_at=ends, timezone=tz, address_source=choice["address_source"],
                       address=choice["address"], notes=choice["notes"], created_at=now, updated_at=now)
    await row.save()
    saved = await ReturnPickup.select().output(load_json=True).where(ReturnPickup.id == row.id).first()
    return cast(dict[str, Any], saved)


async def _announce(req: Mapping[str, Any], event: str, booking: BookingView,
                    previous: BookingView | None, now: dt.datetime) -> None:
    payload: dict[str, Any] = {"return_id": req["id"], "number": req["number"], "order_number": req["order_number"],
                               "pickup": booking.api()}
    if previous is not None:
        payload["previous"] = previous.api()
    await notify(req["merchant"], event, payload, order_id=req["order"], now=now)


async def book(order_id: int, return_id: int, form: Mapping[str, Any], *, now: dt.datetime) -> BookingView:
    """The first booking of an approved home-pickup return (a parallel second one loses on the unique
    `active_for` and is answered as already booked)."""
    try:
        return await _book(order_id, return_id, form, now=now)
    except (Conflict, NotFound, ValidationFailed):
        raise
    except Exception:
        async with engine.read():
            if await ReturnPickup.exists().where(ReturnPickup.active_for == return_id):
                raise Conflict(rules.ALREADY_BOOKED, "a pickup is already booked for this return") from None
        raise


async def _book(order_id: int, return_id: int, form: Mapping[str, Any], *, now: dt.datetime) -> BookingView:
    async with engine.write():
        req = await _return_row(order_id, return_id)
        policy, tz = await _merchant(req["merchant"])
        active = await ReturnPickup.exists().where(ReturnPickup.active_for == return_id)
        refusal = rules.booking_refusal(return_status=req["status"], method=req["method"],
                                        keep_item=req["keep_item"], has_active=active)
        if refusal:
            raise Conflict(refusal, "a pickup cannot be booked for this return now")
        source = slot_source(policy, tz)
        choice = read_form(form, source, req["shipping_address"], now)
        booking = _view(await _insert(req, source, tz, choice, now), source)
        await _announce(req, rules.BOOKED_EVENT, booking, None, now)
    return booking


async def _active_for_change(req: Mapping[str, Any], policy: dict[str, Any], tz: str,
                             now: dt.datetime) -> BookingView:
    row = await ReturnPickup.select().output(load_json=True).where(ReturnPickup.active_for == req["id"]).first()
    source = slot_source(policy, tz)
    current = _view(row, source) if row else None
    refusal = rules.change_refusal(return_status=req["status"], booking_status=current.status if current else None,
                                   day=current.day if current else None, config=rules.config_of(policy), now=now,
                                   tz=tz)
    if refusal or current is None:
        raise Conflict(refusal or rules.NO_BOOKING, "the pickup cannot be changed now")
    return current


async def reschedule(order_id: int, return_id: int, form: Mapping[str, Any], *, now: dt.datetime) -> BookingView:
    """Another date, slot, address or notes, until the cut-off: the old row is kept (replaced), a new
    one is active; no fee is charged again."""
    async with engine.write():
        req = await _return_row(order_id, return_id)
        policy, tz = await _merchant(req["merchant"])
        current = await _active_for_change(req, policy, tz, now)
        source = slot_source(policy, tz)
        choice = read_form(form, source, req["shipping_address"], now)
        if (choice["day"], choice["slot"], choice["notes"]) == (current.day, current.slot, current.notes) and \
                choice["address"] == current.address:
            raise ValidationFailed([rules.field_error("slot", rules.SAME_SLOT)])
        moved = await ReturnPickup.update({ReturnPickup.status: rules.REPLACED, ReturnPickup.active_for: None,
                                           ReturnPickup.updated_at: now}).where(
            (ReturnPickup.id == current.id) & (ReturnPickup.status == rules.ACTIVE)).returning(ReturnPickup.id)
        if not moved:
            raise Conflict(rules.NO_BOOKING, "the pickup changed meanwhile")
        booking = _view(await _insert(req, source, tz, choice, now), source)
        await _announce(req, rules.RESCHEDULED_EVENT, booking, current, now)
    return booking


async def withdraw(order_id: int, return_id: int, *, now: dt.datetime) -> None:
    """The return was cancelled, rejected or expired (returns.services, in its transaction): its active
    pickup is cancelled whatever the cut-off, and announced like a cancellation, so the courier is not
    sent and the shopper is told."""
    moved = await ReturnPickup.update({ReturnPickup.status: rules.CANCELLED, ReturnPickup.active_for: None,
                                       ReturnPickup.updated_at: now}).where(
        (ReturnPickup.active_for == return_id) & (ReturnPickup.status == rules.ACTIVE)).returning(ReturnPickup.id)
    if not moved:
        return
    req = await _return_row(order_id, return_id)
    policy, tz = await _merchant(req["merchant"])
    row = await ReturnPickup.select().output(load_json=True).where(ReturnPickup.id == moved[0]["id"]).first()
    await _announce(req, rules.CANCELLED_EVENT, _view(cast(dict[str, Any], row), slot_source(policy, tz)), None, now)


async def cancel(order_id: int, return_id: int, *, now: dt.datetime) -> BookingView:
    """Cancel the pickup until the cut-off (the return stays approved: another may be booked)."""
    async with engine.write():
        req = await _return_row(order_id, return_id)
        policy, tz = await _merchant(req["merchant"])
        current = await _active_for_change(req, policy, tz, now)
        moved = await ReturnPickup.update({ReturnPickup.status: rules.CANCELLED, ReturnPickup.active_for: None,
                                           ReturnPickup.updated_at: now}).where(
            (ReturnPickup.id == current.id) & (ReturnPickup.status == rules.ACTIVE)).returning(ReturnPickup.id)
        if not moved:
            raise Conflict(rules.NO_BOOKING, "the pickup changed meanwhile")
        row = await ReturnPickup.select().output(load_json=True).where(ReturnPickup.id == current.id).first()
        cancelled = _view(cast(dict[str, Any], row), slot_source(policy, tz))
        await _announce(req, rules.CANCELLED_EVENT, cancelled, None, now)
    return cancelled

