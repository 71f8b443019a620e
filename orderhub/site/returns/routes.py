"""The returns section `/o/{token}/returns`: the shopper's returns and the self-service wizard.

Every step is a real URL. Without JavaScript a step's form POSTs and gets a 303 to the next step;
under htmx the same POST answers with the next step's block and pushes its URL. Errors come back
as the same block with 422 and messages next to the fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from orderhub.components.urls import href
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import claims, label_queries, queries, rules, services
from orderhub.site import messages, uploads
from orderhub.site.api.returns import image_response
from orderhub.site.deps import read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.pagecache import page_cache
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import label_words, presenter

OVERVIEW = "site/returns/returns.html.jinja"
WIZARD = "site/returns/wizard.html.jinja"
DETAIL = "site/returns/detail.html.jinja"
STEPS = rules.STEPS
#: one photo with the reason
PHOTOS = 1
UPLOAD_LIMIT = uploads.request_limit(PHOTOS)
IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _url(hub: Hub, tail: str = "") -> str:
    return href(f"/o/{hub.token}/returns{tail}")


def _step_url(hub: Hub, step: str) -> str:
    return _url(hub, f"/new/{step}")


async def _view(hub: Hub, return_id: int) -> queries.ReturnView:
    try:
        return await queries.return_for_order(hub.order.id, return_id)
    except NotFound:
        raise NotFoundException() from None


def _detail_context(request: Request, hub: Hub, view: queries.ReturnView, dest: queries.Destination) -> dict:
    qr = segno.make(view.qr_payload, error="m").svg_data_uri(scale=5, border=2)
    return hub_context(request, hub, "returns", ret=view, p=presenter, qr=qr, dest=dest, lw=label_words,
                       label_qr=label_words.slip_qr(view.prepaid, view.number),
                       url=lambda t="": _url(hub, t),
                       photos=[f"/o/{hub.token}/returns/{view.id}/photos/{pid}" for pid in view.photo_ids])


async def _detail_page(request: Request, hub: Hub, return_id: int, *, push: bool = False) -> Template:
    view = await _view(hub, return_id)
    dest = await queries.destination(view)
    return page(request, DETAIL, "detail", _detail_context(request, hub, view, dest),
                push_url=_url(hub, f"/{return_id}") if push else None)


async def refunds_summary(hub: Hub) -> dict:
    """For the order page: the refunds given on the order (none: nothing to show)."""
    refunds = await queries.refunds_for_order(hub.order.id)
    return {"refunds": refunds, "refund_method_label": presenter.refund_method_label} if refunds else {}


class ReturnsController(Controller):
    path = "/o/{token:str}/returns"

    # -- overview and detail -----------------------------------------------------------------

    @get("/", name="returns", middleware=[page_cache("returns"), read_scope])
    async def overview(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        facts = await queries.order_facts(hub.order.id)
        views = await queries.returns_for_order(hub.order.id)
        reports = await claims.claims_for_order(hub.order.id)
        lines = facts.returnable_lines(now)
        context = hub_context(request, hub, "returns", returns=views, lines=lines, p=presenter, claims=reports,
                              can_claim=any(c.available for c in facts.claimable_lines()),
                              can_start=any(ln.available for ln in lines),
                              start_url=_step_url(hub, "items"), url=lambda t="": _url(hub, t))
        return page(request, OVERVIEW, "overview", context)

    @get("/{return_id:int}", name="return-detail", middleware=[read_scope])
    async def detail(self, request: Request, hub: Hub, return_id: int) -> Template:
        return await _detail_page(request, hub, return_id)

    @post("/{return_id:int}/cancel", name="return-cancel")
    async def cancel(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Response:
        await _view(hub, return_id)
        await services.cancel_by_shopper(hub.order.id, return_id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, push=True)
        return Redirect(path=_url(hub, f"/{return_id}"), status_code=303)

    @post("/{return_id:int}/sent", name="return-sent")
    async def sent(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Response:
        """The shopper posted the parcel: the return is on its way back (and the shopper gets its email)."""
        await _view(hub, return_id)
        await services.mark_sent_by_shopper(hub.order.id, return_id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, push=True)
        return Redirect(path=_url(hub, f"/{return_id}"), status_code=303)

    @get("/{return_id:int}/label.pdf", name="return-label-pdf", middleware=[read_scope])
    async def label_pdf(self, hub: Hub, return_id: int) -> Response:
        """The prepaid label when the provider gave its PDF itself (else the page links the provider's)."""
        view = await _view(hub, return_id)
        pdf = await label_queries.label_pdf(view.id)
        if not pdf:
            raise NotFoundException()
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="return-label-{view.number}.pdf"',
            "Cache-Control": "private, no-store"})

    @get("/{return_id:int}/photos/{photo_id:int}", name="return-photo", middleware=[read_scope])
    async def photo(self, hub: Hub, return_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await queries.photo_for_order(hub.order.id, return_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)

    # -- the wizard ----------------------------------------------------------------------------

    async def _wizard(self, request: Request, hub: Hub, step: str, now: dt.datetime, *,
                      errors: dict[str, str] | None = None, status_code: int = 200, push: bool = False,
                      values: dict | None = None) -> Template:
        facts = await queries.order_facts(hub.order.id)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft.data, **(values or {})}
        chosen = [ln for ln in facts.money.lines if (data.get("items") or {}).get(ln.line_id)]
        context: dict[str, Any] = {
            "step": step, "steps": STEPS, "data": data, "errors": errors or {},
            "idempotency_key": draft.idempotency_key, "p": presenter,
            "methods": rules.METHODS, "step_url": lambda s: _step_url(hub, s), "returns_url": _url(hub),
            "currency": facts.currency, "lines": facts.returnable_lines(now), "chosen": chosen,
            "max_comment": rules.MAX_COMMENT, "photo_limits": uploads.limits(PHOTOS),
            "store_credit": rules.is_store_credit(data.get("resolution") or ""),
        }
        if step == "reason":
            context["reasons"] = rules.reason_choices(facts.policy)
        if step in ("resolution", "review"):
            offer = rules.ExchangeOffer({ln.line_id: await queries.exchange_options(facts.merchant_id, facts, ln.line_id)
                                         for ln in chosen})
            context["exchange"] = offer
            context["sold_out_titles"] = [ln.title for ln in chosen if ln.line_id in offer.sold_out]
            context["resolutions"] = rules.resolution_choices(
                can_exchange=offer.possible,
                bonus_percent=rules.store_credit_bonus_percent(facts.policy))
        if step in ("method", "review"):
            context["stores"] = await queries.stores(facts.merchant_id)
            context["fee_waived"] = rules.fee_waived_for(facts.policy, data.get("reason") or "")
            context["fees"] = rules.method_fees(facts.policy, resolution=data.get("resolution") or rules.REFUND,
                                                reason=data.get("reason") or "", currency=facts.currency)
            context["label_costs"] = rules.method_label_costs(
                facts.policy, resolution=data.get("resolution") or rules.REFUND, reason=data.get("reason") or "",
                currency=facts.currency)
        if step == "review":
            try:
                clean = services.check_request(facts, data, now=now, has_photo=bool(data.get("photo_id")))
                context["breakdown"] = await services.preview(facts, clean)
            except ValidationFailed as e:
                context["errors"] = presenter.field_errors(e.errors)
                context["breakdown"] = None
        ctx = hub_context(request, hub, "returns", **context)
        return page(request, WIZARD, "wizard", ctx, status_code=status_code,
                    push_url=_step_url(hub, step) if push else None)

    @get([f"/new/{s}" for s in STEPS], name="returns-step")
    async def step(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        step = request.url.path.rstrip("/").rsplit("/", 1)[1]
        if step not in STEPS:
            raise NotFoundException()
        draft = await services.draft(hub.order.id, now=now)
        back = rules.step_reachable(step, draft.data)
        if back:
            return Redirect(path=_step_url(hub, back), status_code=303)
        return await self._wizard(request, hub, step, now)

    async def _advance(self, request: Request, hub: Hub, step: str, now: dt.datetime) -> Template | Redirect:
        nxt = STEPS[STEPS.index(step) + 1]
        if wants_partial(request):
            return await self._wizard(request, hub, nxt, now, push=True)
        return Redirect(path=_step_url(hub, nxt), status_code=303)

    async def _check(self, hub: Hub, step: str, data: dict, now: dt.datetime) -> dict[str, str]:
        facts = await queries.order_facts(hub.order.id)
        options = None
        if step == "resolution":
            options = {lid: await queries.exchange_options(facts.merchant_id, facts, lid)
                       for lid in (data.get("items") or {})}
        codes = [s.code for s in await queries.stores(facts.merchant_id)] if step == "method" else None
        return presenter.field_errors(services.check_step(
            step, facts, data, now=now, has_photo=bool(data.get("photo_id")), exchange_options=options,
            store_codes=codes))

    @post("/new/items", name="returns-items-post")
    async def post_items(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        items: dict[str, int] = {}
        invalid: list[dict] = []
        for ln in hub.order.lines:
            raw = (form.get(f"qty_{ln.line_id}") or "0").strip()
            if not raw.isdigit() or len(raw) > 6:
                invalid.append(rules.field_error(f"items.{ln.line_id}", rules.WHOLE_NUMBER))
                continue
            if int(raw):
                items[ln.line_id] = int(raw)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft.data, "items": items}
        errors = presenter.field_errors(invalid) or await self._check(hub, "items", data, now)
        if errors:
            return await self._wizard(request, hub, "items", now, errors=errors, status_code=422,
                                      values={"items": items})
        await services.save_draft(hub.order.id, {"items": items}, now=now)
        return await self._advance(request, hub, "items", now)

    @post("/new/reason", name="returns-reason-post", request_max_body_size=UPLOAD_LIMIT)
    async def post_reason(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        reason = form.get("reason") or ""
        comment = form.get("comment") or ""
        if not isinstance(comment, str):
            comment = ""
        values = {"reason": reason if isinstance(reason, str) else "", "comment": comment}
        errors: dict[str, str] = {}
        photos, problem = await uploads.pictures(form, "photo", limit=PHOTOS,
                                                 per=uploads.per_link(request, hub.order.id))
        if problem:
            errors["photo"] = messages.for_error(problem)
        for clean in photos:
            await services.add_photo(hub.order.id, clean.data, clean.content_type, now=now)
        draft = await services.draft(hub.order.id, now=now)
        data = {**draft.data, **values}
        if not errors:
            errors = await self._check(hub, "reason", data, now)
        if errors:
            return await self._wizard(request, hub, "reason", now, errors=errors, status_code=422, values=values)
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "reason", now)

    @post("/new/resolution", name="returns-resolution-post")
    async def post_resolution(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        exchange = {lid: form.get(f"exchange_{lid}") or "" for lid in (draft.data.get("items") or {})}
        values: dict[str, Any] = {"resolution": form.get("resolution") or "", "exchange": exchange}
        errors = await self._check(hub, "resolution", {**draft.data, **values}, now)
        if errors:
            return await self._wizard(request, hub, "resolution", now, errors=errors, status_code=422,
                                      values=values)
        if not rules.is_exchange(values["resolution"]):
            values["exchange"] = {}
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "resolution", now)

    @post("/new/method", name="returns-method-post")
    async def post_method(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        values = {"method": form.get("method") or "", "store_code": form.get("store_code") or ""}
        if not rules.needs_store(values["method"]):
            values["store_code"] = ""
        errors = await self._check(hub, "method", {**draft.data, **values}, now)
        if errors:
            return await self._wizard(request, hub, "method", now, errors=errors, status_code=422, values=values)
        await services.save_draft(hub.order.id, values, now=now)
        return await self._advance(request, hub, "method", now)

    @post("/new/submit", name="returns-submit")
    async def submit(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        draft = await services.ensure_draft(hub.order.id, now=now)
        key = form.get("idempotency_key") or ""
        if not isinstance(key, str) or not IDEMPOTENCY.match(key):
            key = draft.idempotency_key
        photo = draft.data.get("photo_id")
        try:
            return_id = await services.submit(hub.order.id, draft.data, idempotency_key=key, now=now,
                                              photo_ids=[photo] if photo else None)
        except ValidationFailed as e:
            return await self._wizard(request, hub, "review", now, errors=presenter.field_errors(e.errors),
                                      status_code=422)
        if key == draft.idempotency_key:
            await services.finish_draft(hub.order.id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, push=True)
        return Redirect(path=_url(hub, f"/{return_id}"), status_code=303)
