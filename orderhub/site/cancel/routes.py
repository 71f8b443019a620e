"""The shopper's cancellation `/o/{token}/cancel` (full page; step-up first).

GET shows, in this order: the latest cancellation's state (requested, refused with the shop's note,
cancelled with the refund); then, while the order can be cancelled, either the step-up card (not yet
confirmed in this browser) or the form: units per line, a reason and a comment. The form posts to
`/cancel/review` (the refund preview, 200; errors 422 next to the fields), whose confirm button posts
to `/cancel` (step-up checked again; 303 back to the page; under htmx the page's `flow` block).
The page is never kept by the page cache: what it shows depends on this browser's step-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.errors import Conflict, ValidationFailed
from orderhub.db.orders import cancellation
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.cancellation import CancelFacts
from orderhub.db.orders.queries import Hub
from orderhub.db.validation import is_digits
from orderhub.site import messages
from orderhub.site.cancel import presenter
from orderhub.site.hub.context import hub_context
from orderhub.site.hub.stepup import StepupRequired, end_stepup, require_stepup, stepup_state
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/cancel/cancel.html.jinja"
PURPOSE = "cancel"


def cancel_url(hub: Hub) -> str:
    return href(f"/o/{hub.token}/cancel")


async def cancel_summary(hub: Hub) -> dict:
    """For the order page: what it says about cancelling (read from the same facts as the cancel page)."""
    facts = await cancellation.hub_cancel_facts(hub)
    now = hub.extras.get("now") or dt.datetime.now(dt.UTC)  # open_hub sets it (as for the feedback card)
    return {"cancel": presenter.summary(hub.order, facts, now, cancel_url(hub))}


def _form_values(form: Any, facts: CancelFacts) -> dict[str, Any]:
    quantities = {line_id: str(form.get(f"qty_{line_id}") or "0") for line_id in facts.available}
    reason = form.get("reason") or ""
    comment = form.get("comment") or ""
    return {"quantities": quantities, "reason": reason if isinstance(reason, str) else "",
            "comment": comment if isinstance(comment, str) else ""}


class CancelController(Controller):
    path = "/o/{token:str}/cancel"

    async def _page(self, request: Request, hub: Hub, now: dt.datetime, *, step: str = "form",
                    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200, notice: str = "", push: bool = False) -> Template:
        facts = await cancellation.cancel_facts(hub.order.id)
        open_now = facts.can_cancel(now)
        state = await stepup_state(request, hub, PURPOSE, next_url=cancel_url(hub)) if open_now else None
        values = values or {"quantities": {k: str(v) for k, v in facts.available.items()}, "reason": "",
                            "comment": ""}
        preview: dict[str, Any] | None = None
        if step == "review" and not errors:
            items = {k: int(v) for k, v in values["quantities"].items() if is_digits(v) and int(v)}
            preview = {"items": items, "whole": facts.whole(items), "refund_minor": facts.refund_for(items)}
        latest = facts.latest
        context = hub_context(
            request, hub, "order", visit=False, facts=facts, open_now=open_now, s=state, values=values,
            errors=errors or {}, step=step, preview=preview, latest=latest, p=presenter, notice=notice,
            latest_items=presenter.item_rows(hub.order, latest.items) if latest else [],
            reasons=presenter.reason_choices(), url=cancel_url(hub),
            review_url=href(f"/o/{hub.token}/cancel/review"), max_comment=order_rules.MAX_CANCEL_COMMENT,
            deadline=facts.cancel_until)
        return page(request, TEMPLATE, "flow", context, status_code=status_code,
                    push_url=cancel_url(hub) if push else None)

    @get("/", name="cancel")
    async def show(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        return await self._page(request, hub, now)

    async def _checked(self, request: Request, hub: Hub, now: dt.datetime) -> tuple[CancelFacts, dict[str, Any],
                                                                                 dict[str, int], dict[str, str]]:
        facts = await cancellation.cancel_facts(hub.order.id)
        values = _form_values(await request.form(), facts)
        items, errors = order_rules.read_cancel_choice(values["quantities"], facts.available, values["reason"],
                                                       values["comment"])
        return facts, values, items, presenter.field_errors(errors)

    @post("/review", name="cancel-review")
    async def review(self, request: Request, hub: Hub, now: dt.datetime) -> Response[Any]:
        facts, values, _items, errors = await self._checked(request, hub, now)
        if not facts.can_cancel(now):
            return await self._page(request, hub, now, status_code=409)
        try:
            await require_stepup(request, hub, PURPOSE)
        except StepupRequired:
            return await self._page(request, hub, now, status_code=403)
        if errors:
            return await self._page(request, hub, now, values=values, errors=errors, status_code=422)
        return await self._page(request, hub, now, step="review", values=values)

    @post("/", name="cancel-confirm")
    async def confirm(self, request: Request, hub: Hub, now: dt.datetime) -> Response[Any]:
        facts, values, items, errors = await self._checked(request, hub, now)
        try:
            await require_stepup(request, hub, PURPOSE)
        except StepupRequired:
            return await self._page(request, hub, now, status_code=403)
        if errors:
            return await self._page(request, hub, now, values=values, errors=errors, status_code=422)
        try:
            await cancellation.request(hub.order.id, items, values["reason"], values["comment"], now=now)
        except ValidationFailed as e:
            return await self._page(request, hub, now, values=values, errors=presenter.field_errors(e.errors),
                                    status_code=422)
        except Conflict as e:
            return await self._page(request, hub, now, status_code=409, notice=messages.for_error(e))
        await end_stepup(request, hub, PURPOSE)
        if wants_partial(request):
            return await self._page(request, hub, now, push=True)
        return Redirect(path=cancel_url(hub), status_code=303)
