"""The shopper's "Change delivery" page `/o/{token}/change` (issue 19 item 4): the delivery address, the
delivery time slot (and date, where the merchant allows it) and the safe place, before anything ships;
the changes asked so far, pending or done.

What may change, and how, is decided in orderhub.db.orders.change_rules and done by
orderhub.db.orders.changes; this controller reads the form, calls one service and renders. Every
POST is CSRF-protected (the app's CSRF config) and needs the step-up first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components import delivery as words
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db import addresses
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.orders import change_rules as rules
from orderhub.db.orders import changes
from orderhub.db.orders.queries import Hub
from orderhub.db.shipping import rules as shipping_rules
from orderhub.site import form_errors, messages
from orderhub.site.deps import read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.hub.stepup import StepupRequired, require_stepup, stepup_state
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/changes/change.html.jinja"
#: what the page says after a change (?done=...), by the change's state
DONE = (rules.APPLIED, rules.PENDING)
#: the step-up purpose (orderhub.db.security.stepup.PURPOSES); a verified step-up covers every change of
#: this visit (its 15 minutes, this browser, this order), so that a shopper can fix the address and the
#: time slot with one code
PURPOSE = "change"


def _region_options(country: str, lang: str) -> list[tuple[str, str]]:
    """The prefecture or state select's options in the page's language ([] : a text field)."""
    choices = rules.region_choices(country)
    if country == "JP":
        return [(code, addresses.prefecture(code, lang)) for code, _latin in choices]
    return choices


def _shipped_hub(hub: Hub) -> Hub:
    """Only an order sent by carrier has this page (the same 404 as a bad token otherwise)."""
    if not hub.order.ships:
        raise NotFoundException()
    return hub


def _policy(hub: Hub) -> dict[str, Any]:
    return dict(hub.merchant.policy or {}) if isinstance(hub.merchant.policy, dict) else {}


async def delivery_summary(hub: Hub) -> dict[str, Any]:
    """For the order page: the delivery time and safe place, and the way to change them while nothing
    has shipped (with the number of changes waiting for the shop); nothing for pickups."""
    if not hub.order.ships:
        return {}
    state = await changes.hub_delivery_state(hub)
    return {"delivery_change": {"changeable": state.changeable, "pending": len(state.pending),
                                "delivery": state.delivery, "url": f"/o/{hub.token}/change", "words": words}}


class ChangeController(Controller):
    path = "/o/{token:str}/change"

    async def _render(self, request: Request, hub: Hub, now: dt.datetime, *, errors: dict[str, str] | None = None,
                      values: dict[str, Any] | None = None, message: str = "", done: str = "",
                      status_code: int = 200, push: bool = False) -> Template:
        state = await changes.delivery_state(hub.order.id)
        base = f"/o/{hub.token}/change"
        step = await stepup_state(request, hub, PURPOSE, next_url=base)
        country = str((hub.order.address or {}).get("country") or "")
        today = shipping_rules.local_date(now, hub.order.timezone)
        dates = changes.date_choices(_policy(hub), hub.order.processing_days, today)
        context = hub_context(
            request, hub, "confirmation", visit=False, state=state, base=base, words=words, done=done,
            errors=errors or {}, values=values or {}, message=message, country=country,
            region_options=_region_options(country, current_language()),
            window_options=[(code, words.window_label(code)) for code in rules.WINDOWS],
            safe_place_options=[(code, words.safe_place_label(code)) for code in rules.SAFE_PLACES],
            dates=dates, instructions_max=rules.INSTRUCTIONS_MAX, stepup=step,
            # the street address only to a visitor who proved who they are
            full_address=state.address if step.verified else None,
        )
        return page(request, TEMPLATE, "page", context, status_code=status_code, push_url=href(base) if push else None)

    @get("/", name="change", middleware=[read_scope])
    async def show(self, request: Request, hub: Hub, now: dt.datetime, done: str | None = None) -> Template:
        return await self._render(request, _shipped_hub(hub), now, done=done if done in DONE else "")

    async def _act(self, request: Request, hub: Hub, now: dt.datetime, kind: str) -> Template | Redirect:
        hub = _shipped_hub(hub)
        form = {k: v for k, v in (await request.form()).items() if k != "_csrf_token"}
        try:
            await require_stepup(request, hub, PURPOSE)
        except StepupRequired:
            return await self._render(request, hub, now, message=_("First, confirm it's you."), status_code=403)
        try:
            change = await changes.request_change(
                hub.order.id, kind, form, today=shipping_rules.local_date(now, hub.order.timezone), now=now)
        except ValidationFailed as exc:
            return await self._render(request, hub, now, errors=form_errors.by_field(exc.errors), values=form,
                                      status_code=422)
        except (Conflict, NotFound) as exc:
            return await self._render(request, hub, now, message=messages.for_error(exc), status_code=409)
        url = href(f"/o/{hub.token}/change?done={change.state}")
        if wants_partial(request):
            return await self._render(request, hub, now, done=change.state, push=True)
        return Redirect(path=url, status_code=303)

    @post("/address", name="change-address")
    async def address(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, rules.ADDRESS)

    @post("/window", name="change-window")
    async def window(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, rules.WINDOW)

    @post("/safe-place", name="change-safe-place")
    async def safe_place(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        return await self._act(request, hub, now, rules.SAFE_PLACE)
