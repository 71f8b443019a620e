"""The shopper's pickup section `/o/{token}/pickup`: store, hours, QR code and pickup code, "I'm on my
way" / "I'm here" (curbside bay and car), an alternate pickup person; live state over SSE.

The shopper's page can move the pickup only to on_the_way / arrived and name someone else; it can
never hand the order over (there is no route for that here). What the page shows in each state is
asked of the pickup view (`orderhub.db.pickup.rules`); the hub and the time come from dependency
injection (`orderhub.site.deps`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, ServerSentEvent, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.qr import qr_svg
from orderhub.components.shop_texts import words
from orderhub.components.urls import href
from orderhub.db import clock, statements
from orderhub.db.errors import Conflict, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.pickup import queries, rules, services
from orderhub.db.pickup.queries import PickupView
from orderhub.site import live, messages
from orderhub.site.api.pickup import announce
from orderhub.site.deps import PAGE_READS, read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.hub.notify import panel_context, panel_reads
from orderhub.site.pagecache import page_cache
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/pickup/pickup.html.jinja"
#: the order page, whose block "pickup" is the pickup card
CARD_TEMPLATE = "site/confirmation/confirmation.html.jinja"
#: a form's `return_to` when it was posted from the order page's card
RETURN_TO_ORDER = "order"


ETA_CHOICES = (5, 10, 15, 30, 45, 60)

#: what a shopper's form does: (hub, form, now) -> the pickup after the move
Action = Callable[[Hub, dict, dt.datetime], Awaitable[PickupView]]


async def pickup_summary(hub: Hub) -> dict:
    """For the order page: the pickup (its state, and the card's code and prompts: the same view and
    rules as the pickup section); nothing for shipped orders."""
    if not rules.is_pickup_order(hub.order.fulfillment_type):
        return {}
    pickup = await queries.for_order(hub.order.id) or PickupView.initial(hub.order.id, hub.merchant.id)
    return {"pickup_state": pickup.state, "pickup": _card(hub, pickup)}


def _card(hub: Hub, pickup: PickupView, *, errors: dict | None = None, values: dict | None = None) -> dict:
    """What the order page's pickup card shows (confirmation block "pickup")."""
    store = hub.order.store
    base = f"/o/{hub.token}/pickup"
    return {
        "view": pickup, "tz": store.timezone if store else hub.order.timezone,
        "store_name": words(store.texts, "name", store.name) if store else "",  # in the page's language
        "qr": qr_svg(pickup.qr_payload, label=_("Pickup QR code")) if pickup.shows_code else "",
        "curbside": _curbside(hub), "base": base, "card_url": f"{base}/card", "events_url": f"{base}/events",
        "eta_choices": ETA_CHOICES, "errors": errors or {}, "values": values or {},
    }


def _curbside(hub: Hub) -> dict | None:
    store = hub.order.store
    return store.curbside if store and (store.curbside or {}).get("enabled") else None


def maps_url(address: dict) -> str:
    parts = [address.get(k, "") for k in ("postal_code", "region", "city", "line1", "line2")]
    text = " ".join(p for p in parts if isinstance(p, str) and p)
    return "https://www.openstreetmap.org/search?query=" + quote(text)


def _errors(exc: ValidationFailed) -> dict[str, str]:
    """The form's errors by field, worded from their codes in the page's language."""
    return {e["field"]: messages.text(e.get("code", "")) for e in exc.errors}


def _pickup_hub(hub: Hub) -> Hub:
    """Only a pickup order has this section (the same 404 as a bad token otherwise)."""
    if not rules.is_pickup_order(hub.order.fulfillment_type):
        raise NotFoundException()
    return hub


def page_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The pickup page's reads after the hub's own (the pickup; the panel)."""
    return [*queries.hub_reads(order), *panel_reads(order)]


class PickupController(Controller):
    path = "/o/{token:str}/pickup"

    async def _render(self, request: Request, hub: Hub, now: dt.datetime, *, errors: dict | None = None,
                      values: dict | None = None, message: str = "", status_code: int = 200,
                      push: bool = False) -> Template:
        pickup = await queries.for_order(hub.order.id) or PickupView.initial(hub.order.id, hub.merchant.id)
        store = hub.order.store
        tz = store.timezone if store else hub.order.timezone
        base = f"/o/{hub.token}/pickup"
        week = rules.week_hours(store.hours, tz, now) if store else []
        if week:  # "open now" changes when the store opens or closes, "today" at its midnight
            for moment in rules.day_changes(week[0], tz):
                clock.changes_at(moment, now)
            clock.changes_at(clock.next_local_midnight(now, tz), now)
        context = hub_context(
            request, hub, "pickup", pickup=pickup, store=store, tz=tz, now=now, week=week,
            open_now=rules.open_now(week[0], now, tz) if week else False,
            curbside=_curbside(hub),
            maps_url=maps_url(store.address or {}) if store else "",
            qr=qr_svg(pickup.qr_payload, label=_("Pickup QR code")) if pickup.shows_code else "",
            base=base, events_url=f"{base}/events", eta_choices=ETA_CHOICES, errors=errors or {},
            values=values or {}, message=message, **await panel_context(hub, "pickup"),
        )
        status = status_code
        if wants_partial(request) and pickup.is_final and request.method == "GET":
            status = live.STOP_POLLING
        return page(request, TEMPLATE, "state", context, status_code=status, push_url=base if push else None)

    @get("/", name="pickup", middleware=[page_cache("pickup"), read_scope], opt={PAGE_READS: page_reads})
    async def show(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        return await self._render(request, _pickup_hub(hub), now)

    async def _card_block(self, request: Request, hub: Hub, *, errors: dict | None = None,
                          values: dict | None = None, status_code: int = 200) -> Template:
        """The order page's pickup card alone (htmx): its live refresh and its forms' answers."""
        pickup = await queries.for_order(hub.order.id) or PickupView.initial(hub.order.id, hub.merchant.id)
        card = _card(hub, pickup, errors=errors, values=values)
        status = status_code
        if pickup.is_final and request.method == "GET":
            status = live.STOP_POLLING
        context = hub_context(request, hub, "confirmation", visit=False,
                              summary={"pickup_state": pickup.state, "pickup": card})
        return page(request, CARD_TEMPLATE, "pickup", context, status_code=status)

    @get("/card", name="pickup-card", middleware=[read_scope])
    async def card(self, request: Request, hub: Hub) -> Template | Redirect:
        """The order page's pickup card for htmx; a visitor landing here gets the order page."""
        hub = _pickup_hub(hub)
        if not wants_partial(request):
            return Redirect(path=href(f"/o/{hub.token}"), status_code=303)
        return await self._card_block(request, hub)

    @get("/events", name="pickup-events")
    async def events(self, request: Request, hub: Hub) -> ServerSentEvent:
        return live.sse_response(request, [live.topic("pickup", _pickup_hub(hub).order.id)])

    async def _act(self, request: Request, hub: Hub, now: dt.datetime, action: Action) -> Template | Redirect:
        hub = _pickup_hub(hub)
        form = dict(await request.form())
        # a form on the order page answers with the order page's card (htmx) or the order page
        on_card = form.pop("return_to", "") == RETURN_TO_ORDER
        try:
            pickup = await action(hub, form, now)
        except ValidationFailed as exc:
            if on_card and wants_partial(request):
                return await self._card_block(request, hub, errors=_errors(exc), values=form, status_code=422)
            return await self._render(request, hub, now, errors=_errors(exc), values=form, status_code=422)
        except Conflict as exc:
            return await self._render(request, hub, now, message=messages.for_error(exc), status_code=409)
        await announce(request, pickup)
        if on_card:
            if wants_partial(request):
                return await self._card_block(request, hub)
            return Redirect(path=href(f"/o/{hub.token}"), status_code=303)
        if wants_partial(request):
            return await self._render(request, hub, now, push=True)
        return Redirect(path=href(f"/o/{hub.token}/pickup"), status_code=303)

    @post("/on-my-way", name="pickup-on-my-way")
    async def on_my_way(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, _on_my_way)

    @post("/here", name="pickup-here")
    async def here(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, _here)

    @post("/alternate", name="pickup-alternate")
    async def alternate(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, _alternate)


async def _on_my_way(hub: Hub, form: dict, now: dt.datetime) -> PickupView:
    return await services.on_the_way(hub.order.id, services.read_on_the_way(form), now=now)


async def _here(hub: Hub, form: dict, now: dt.datetime) -> PickupView:
    store = hub.order.store
    bays = list((store.curbside or {}).get("bays") or []) if store else []
    bay, car = services.read_arrival(form, [str(b) for b in bays])
    return await services.arrived(hub.order.id, bay, car, now=now)


async def _alternate(hub: Hub, form: dict, now: dt.datetime) -> PickupView:
    return await services.set_alternate(hub.order.id, services.read_alternate(form), now=now)
