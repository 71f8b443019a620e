"""The shopper's pickup section `/o/{token}/pickup`: store, hours, QR code and pickup code, "I'm on my
way" / "I'm here" (curbside bay and car), an alternate pickup person; live state over SSE.

The shopper's page can move the pickup only to on_the_way / arrived and name someone else; it can
never hand the order over (there is no route for that here)."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, ServerSentEvent, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.qr import qr_svg
from orderhub.db import engine
from orderhub.db.errors import Conflict, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.pickup import queries, rules, services
from orderhub.site import live
from orderhub.site.api.pickup import announce
from orderhub.site.hub.context import hub_context, open_hub
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/pickup/pickup.html.jinja"


ETA_CHOICES = (5, 10, 15, 30, 45, 60)


async def pickup_summary(hub: Hub) -> dict:
    """For the confirmation page: the pickup's state (None for shipped orders)."""
    if hub.order.fulfillment_type != "pickup":
        return {}
    return {"pickup_state": await queries.state_of(hub.order.id) or "placed"}


def maps_url(address: dict) -> str:
    parts = [address.get(k, "") for k in ("postal_code", "region", "city", "line1", "line2")]
    text = " ".join(p for p in parts if isinstance(p, str) and p)
    return "https://www.openstreetmap.org/search?query=" + quote(text)


def _messages() -> dict[str, str]:
    """The services' field messages (English) in the page's language."""
    return {
        "Choose when you will arrive.": _("Choose when you will arrive."),
        "Choose one of the bays.": _("Choose one of the bays."),
        "Describe your car so staff can find you.": _("Describe your car so staff can find you."),
        "too long": _("That is too long. Please shorten it."),
        "control characters": _("Use letters, numbers and spaces only."),
    }


def _errors(exc: ValidationFailed) -> dict[str, str]:
    known = _messages()
    return {e["field"]: known.get(e["message"], e["message"]) for e in exc.errors}


class PickupController(Controller):
    path = "/o/{token:str}/pickup"

    async def _hub(self, request: Request, token: str) -> Hub:
        hub = await open_hub(request, token)
        if hub.order.fulfillment_type != "pickup":
            raise NotFoundException()
        return hub

    async def _render(self, request: Request, hub: Hub, *, errors: dict | None = None, values: dict | None = None,
                      message: str = "", status_code: int = 200, push: bool = False) -> Template:
        now = request.app.state.clock()
        view = await queries.for_order(hub.order.id)
        store = hub.order.store
        tz = store.timezone if store else hub.order.timezone
        state = view.state if view else "placed"
        final = state in ("picked_up", "cancelled", "expired")
        base = f"/o/{hub.token}/pickup"
        week = rules.week_hours(store.hours, tz, now) if store else []
        show_code = view is not None and state in rules.COLLECTABLE
        context = hub_context(
            request, hub, "pickup", pickup=view, state=state, store=store, tz=tz, now=now, week=week,
            open_now=rules.open_now(week[0], now, tz) if week else False,
            curbside=(store.curbside if store and (store.curbside or {}).get("enabled") else None),
            maps_url=maps_url(store.address or {}) if store else "",
            qr=qr_svg(view.qr_payload, label=_("Pickup QR code")) if show_code else "",
            show_code=show_code, live=not final, final=final, base=base, events_url=f"{base}/events",
            eta_choices=ETA_CHOICES, errors=errors or {}, values=values or {}, message=message,
            can_undo_window=int(rules.UNDO_WINDOW.total_seconds() // 60),
        )
        status = status_code
        if wants_partial(request) and final and request.method == "GET":
            status = live.STOP_POLLING
        return page(request, TEMPLATE, "state", context, status_code=status, push_url=base if push else None)

    @get("/", name="pickup")
    async def show(self, request: Request, token: str) -> Template:
        async with engine.read():
            hub = await self._hub(request, token)
            return await self._render(request, hub)

    @get("/events", name="pickup-events")
    async def events(self, request: Request, token: str) -> ServerSentEvent:
        async with engine.read():
            hub = await self._hub(request, token)
        return live.sse_response(request, [live.topic("pickup", hub.order.id)])

    async def _act(self, request: Request, token: str, action) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await self._hub(request, token)
        form = dict(await request.form())
        try:
            row = await action(hub, form, now)
        except ValidationFailed as exc:
            return await self._render(request, hub, errors=_errors(exc), values=form, status_code=422)
        except Conflict as exc:
            return await self._render(request, hub, message=_conflict_text(str(exc)), status_code=409)
        await announce(request, hub.merchant.id, row["store_code"], hub.order.id, row["state"])
        if wants_partial(request):
            return await self._render(request, hub, push=True)
        return Redirect(path=f"/o/{hub.token}/pickup", status_code=303)

    @post("/on-my-way", name="pickup-on-my-way")
    async def on_my_way(self, request: Request, token: str) -> Template | Redirect:
        async def action(hub, form, now):
            return await services.on_the_way(hub.order.id, services.read_on_the_way(form), now=now)
        return await self._act(request, token, action)

    @post("/here", name="pickup-here")
    async def here(self, request: Request, token: str) -> Template | Redirect:
        async def action(hub, form, now):
            store = hub.order.store
            bays = list((store.curbside or {}).get("bays") or []) if store else []
            bay, car = services.read_arrival(form, [str(b) for b in bays])
            return await services.arrived(hub.order.id, bay, car, now=now)
        return await self._act(request, token, action)

    @post("/alternate", name="pickup-alternate")
    async def alternate(self, request: Request, token: str) -> Template | Redirect:
        async def action(hub, form, now):
            return await services.set_alternate(hub.order.id, services.read_alternate(form), now=now)
        return await self._act(request, token, action)


def _conflict_text(message: str) -> str:
    if message == "already picked up":
        return _("This order has already been picked up.")
    return _("That can't be done now: the order is not ready for pickup or its pickup is closed.")
