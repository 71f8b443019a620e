"""The returns section `/o/{token}/returns`: the shopper's returns and the self-service wizard.

Every step is a real URL. Without JavaScript a step's form POSTs and gets a 303 to the next step;
under htmx the same POST answers with the next step's block and pushes its URL. Errors come back
as the same block with 422 and messages next to the fields."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from orderhub import images
from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants.rules import REASONS
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import claims, queries, rules, services
from orderhub.site import uploads
from orderhub.site.api.returns import image_response
from orderhub.site.hub.context import hub_context, open_hub
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import presenter

OVERVIEW = "site/returns/returns.html.jinja"
WIZARD = "site/returns/wizard.html.jinja"
DETAIL = "site/returns/detail.html.jinja"
STEPS = services.STEPS
UPLOAD_LIMIT = images.MAX_BYTES + 64 * 1024
IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")




def _query(request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"?lang={lang}" if lang in ("ja", "en") else ""


def _url(hub: Hub, request: Request, tail: str = "") -> str:
    return f"/o/{hub.token}/returns{tail}{_query(request)}"


def _step_url(hub: Hub, request: Request, step: str) -> str:
    return _url(hub, request, f"/new/{step}")


def _errors_by_field(errors: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e["field"], presenter.error_text(e["message"]))
    return out


class ReturnsController(Controller):
    path = "/o/{token:str}/returns"

    # -- overview and detail -----------------------------------------------------------------

    @get("/", name="returns")
    async def overview(self, request: Request, token: str) -> Template:
        now = request.app.state.clock()
        async with engine.read():
            hub = await open_hub(request, token)
            facts = await queries.order_facts(hub.order.id)
            views = await queries.returns_for_order(hub.order.id)

            reports = await claims.claims_for_order(hub.order.id)
        lines = self._lines(facts, now)
        context = hub_context(request, hub, "returns", returns=views, lines=lines, p=presenter, claims=reports,
                              can_claim=any(ln.fulfilled_quantity > ln.requested_quantity for ln in facts.money.lines),
                              can_start=any(ln["returnable"] for ln in lines),
                              start_url=_step_url(hub, request, "items"), url=lambda t="": _url(hub, request, t))
        return page(request, OVERVIEW, "overview", context)

    @get("/{return_id:int}", name="return-detail")
    async def detail(self, request: Request, token: str, return_id: int) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
            view = await self._view(hub, return_id)
            stores = await queries.stores(hub.order.merchant_id)
        return page(request, DETAIL, "detail", self._detail_context(request, hub, view, stores))

    @post("/{return_id:int}/cancel", name="return-cancel")
    async def cancel(self, request: Request, token: str, return_id: int) -> Response:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        await self._view(hub, return_id)
        await services.cancel_by_shopper(hub.order.id, return_id, now=now)
        target = _url(hub, request, f"/{return_id}")
        if wants_partial(request):
            view = await queries.return_for_order(hub.order.id, return_id)
            stores = await queries.stores(hub.order.merchant_id)
            return page(request, DETAIL, "detail", self._detail_context(request, hub, view, stores), push_url=target)
        return Redirect(path=target, status_code=303)

    @get("/{return_id:int}/photos/{photo_id:int}", name="return-photo")
    async def photo(self, request: Request, token: str, return_id: int, photo_id: int) -> Response:

        async with engine.read():
            hub = await open_hub(request, token)
        try:
            data, content_type = await queries.photo_for_order(hub.order.id, return_id, photo_id)
        except Exception:
            raise NotFoundException() from None
        return image_response(data, content_type)

    async def _view(self, hub: Hub, return_id: int) -> queries.ReturnView:
        try:
            return await queries.return_for_order(hub.order.id, return_id)
        except Exception:
            raise NotFoundException() from None

    def _detail_context(self, request: Request, hub: Hub, view: queries.ReturnView, stores: list[dict]) -> dict:
        import segno

        store = next((s for s in stores if s["code"] == view.store_code), None)
        qr = segno.make(f"RMA:{view.number}:{view.drop_off_code}", error="m").svg_data_uri(scale=5, border=2)
        reached = [e["status"] for e in view.events]
        if view.resolution == "exchange":
            path = ["requested", "approved", "in_transit", "received", "exchanged"]
        elif view.keep_item:
            path = ["requested", "approved", "refunded"]
        else:
            path = ["requested", "approved", "in_transit", "received", "refunded"]
        if view.status in ("rejected", "cancelled", "expired", "closed"):
            path = reached
        timeline = [{"status": s, "label": presenter.status_label(s),
                     "at": next((e["at"] for e in view.events if e["status"] == s), None),
                     "note": next((e["note"] for e in view.events if e["status"] == s), ""),
                     "done": s in reached or (s == "in_transit" and "received" in reached)} for s in path]
        return hub_context(request, hub, "returns", ret=view, p=presenter, qr=qr, store=store, timeline=timeline,
                           url=lambda t="": _url(hub, request, t),
                           photos=[f"/o/{hub.token}/returns/{view.id}/photos/{pid}" for pid in view.photo_ids],
                           can_cancel=view.status in ("requested", "approved"))

    # -- the wizard ----------------------------------------------------------------------------

    def _lines(self, facts: queries.OrderFacts, now) -> list[dict]:
        out = []
        for ln in facts.money.lines:
            e = rules.eligibility(ln, policy=facts.policy, tags=facts.tags, promised_date=facts.promised_date,
                                  now=now, timezone=facts.timezone)
            out.append({"line": ln, "returnable": e.returnable, "why": presenter.ineligible_text(e.reason),
                        "deadline": e.deadline})
        return out

    async def _wizard(self, request: Request, hub: Hub, step: str, *, errors: list[dict] | None = None,
                      status_code: int = 200, push: bool = False, values: dict | None = None) -> Template:
        now = request.app.state.clock()
        facts = await queries.order_facts(hub.order.id)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft["data"], **(values or {})}
        context: dict[str, Any] = {
            "step": step, "steps": STEPS, "data": data, "errors": _errors_by_field(errors or []),
            "idempotency_key": draft["idempotency_key"], "p": presenter, "reasons": REASONS,
            "resolutions": rules.RESOLUTIONS, "methods": rules.METHODS, "policy": facts.policy,
            "step_url": lambda s: _step_url(hub, request, s), "returns_url": _url(hub, request),
            "currency": facts.currency,
        }
        context["lines"] = self._lines(facts, now)
        chosen = [ln for ln in facts.money.lines if (data.get("items") or {}).get(ln.line_id)]
        context["chosen"] = chosen
        if step == "reason":
            context["photo_reasons"] = facts.policy.get("photo_required_reasons") or []
        if step in ("resolution", "review"):
            context["exchange_options"] = {ln.line_id: await queries.exchange_options(facts.merchant_id, facts,
                                                                                      ln.line_id) for ln in chosen}
            context["can_exchange"] = bool(chosen) and all(context["exchange_options"].values())
            context["bonus_percent"] = int(facts.policy.get("store_credit_bonus_percent") or 0)
        if step in ("method", "review"):
            context["stores"] = await queries.stores(facts.merchant_id)
            context["fees"] = {m: rules.fee_minor(facts.policy, m, data.get("resolution", "refund"), facts.currency)
                               for m in rules.METHODS}
        if step == "review":
            try:
                clean = services.check_request(facts, data, now=now, has_photo=bool(data.get("photo_id")))
                context["breakdown"] = await services.preview(facts, clean)
            except ValidationFailed as e:
                context["errors"] = _errors_by_field(e.errors)
                context["breakdown"] = None
        ctx = hub_context(request, hub, "returns", **context)
        return page(request, WIZARD, "wizard", ctx, status_code=status_code,
                    push_url=_step_url(hub, request, step) if push else None)

    def _first_missing(self, data: dict) -> str | None:
        if not any((data.get("items") or {}).values()):
            return "items"
        if not data.get("reason"):
            return "reason"
        if not data.get("resolution"):
            return "resolution"
        if not data.get("method"):
            return "method"
        return None

    @get([f"/new/{s}" for s in STEPS], name="returns-step")
    async def step(self, request: Request, token: str) -> Template | Redirect:
        step = request.url.path.rstrip("/").rsplit("/", 1)[1]
        if step not in STEPS:
            raise NotFoundException()
        now = request.app.state.clock()
        async with engine.read():
            hub = await open_hub(request, token)
        draft = await services.draft(hub.order.id, now=now)
        missing = self._first_missing(draft["data"])
        if missing and STEPS.index(missing) < STEPS.index(step):
            return Redirect(path=_step_url(hub, request, missing), status_code=303)
        return await self._wizard(request, hub, step)

    async def _advance(self, request: Request, hub: Hub, step: str) -> Template | Redirect:
        nxt = STEPS[STEPS.index(step) + 1]
        if wants_partial(request):
            return await self._wizard(request, hub, nxt, push=True)
        return Redirect(path=_step_url(hub, request, nxt), status_code=303)

    async def _check(self, request: Request, hub: Hub, step: str, data: dict) -> list[dict]:
        now = request.app.state.clock()
        facts = await queries.order_facts(hub.order.id)
        options = None
        if step == "resolution":
            options = {lid: await queries.exchange_options(facts.merchant_id, facts, lid)
                       for lid in (data.get("items") or {})}
        codes = [s["code"] for s in await queries.stores(facts.merchant_id)] if step == "method" else None
        return services.check_step(step, facts, data, now=now, has_photo=bool(data.get("photo_id")),
                                   exchange_options=options, store_codes=codes)

    @post("/new/items", name="returns-items-post")
    async def post_items(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        items: dict[str, int] = {}
        errors: list[dict] = []
        for ln in hub.order.lines:
            raw = (form.get(f"qty_{ln.line_id}") or "0").strip()
            if not raw.isdigit() or len(raw) > 6:
                errors.append({"field": f"items.{ln.line_id}", "message": "must be a whole number"})
                continue
            if int(raw):
                items[ln.line_id] = int(raw)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft["data"], "items": items}
        errors = errors or await self._check(request, hub, "items", data)
        if errors:
            return await self._wizard(request, hub, "items", errors=errors, status_code=422, values={"items": items})
        await services.save_draft(hub.order.id, {"items": items}, now=now)
        return await self._advance(request, hub, "items")

    @post("/new/reason", name="returns-reason-post", request_max_body_size=UPLOAD_LIMIT)
    async def post_reason(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        reason = form.get("reason") or ""
        comment = form.get("comment") or ""
        if not isinstance(comment, str):
            comment = ""
        values = {"reason": reason if isinstance(reason, str) else "", "comment": comment}
        errors: list[dict] = []
        photos, problem = await uploads.pictures(form, "photo", limit=1)
        if problem:
            errors.append({"field": "photo", "message": presenter.image_error(problem)})
        for clean in photos:
            await services.add_photo(hub.order.id, clean.data, clean.content_type, now=now)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft["data"], **values}
        if not errors:
            errors = await self._check(request, hub, "reason", data)
        if errors:
            return await self._wizard(request, hub, "reason", errors=errors, status_code=422, values=values)
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "reason")

    @post("/new/resolution", name="returns-resolution-post")
    async def post_resolution(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        exchange = {lid: form.get(f"exchange_{lid}") or "" for lid in (draft["data"].get("items") or {})}
        values = {"resolution": form.get("resolution") or "", "exchange": exchange}
        errors = await self._check(request, hub, "resolution", {**draft["data"], **values})
        if errors:
            return await self._wizard(request, hub, "resolution", errors=errors, status_code=422, values=values)
        if values["resolution"] != "exchange":
            values["exchange"] = {}
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "resolution")

    @post("/new/method", name="returns-method-post")
    async def post_method(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        values = {"method": form.get("method") or "", "store_code": form.get("store_code") or ""}
        if values["method"] != "in_store":
            values["store_code"] = ""
        errors = await self._check(request, hub, "method", {**draft["data"], **values})
        if errors:
            return await self._wizard(request, hub, "method", errors=errors, status_code=422, values=values)
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "method")

    @post("/new/submit", name="returns-submit")
    async def submit(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        key = form.get("idempotency_key") or ""
        if not isinstance(key, str) or not IDEMPOTENCY.match(key):
            key = draft["idempotency_key"]
        data = draft["data"]
        photo = data.get("photo_id")
        try:
            return_id = await services.submit(hub.order.id, data, idempotency_key=key, now=now,
                                              photo_ids=[photo] if photo else None)
        except ValidationFailed as e:
            return await self._wizard(request, hub, "review", errors=e.errors, status_code=422)
        if key == draft["idempotency_key"]:
            await services.finish_draft(hub.order.id, now=now)
        target = _url(hub, request, f"/{return_id}")
        if wants_partial(request):
            view = await queries.return_for_order(hub.order.id, return_id)
            stores = await queries.stores(hub.order.merchant_id)
            ctx = self._detail_context(request, hub, view, stores)
            return page(request, DETAIL, "detail", ctx, push_url=target)
        return Redirect(path=target, status_code=303)
