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
from orderhub.db import statements
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import (
    claims,
    dropoff_rules,
    exchange_rules,
    exchanges,
    label_queries,
    queries,
    reason_rules,
    rules,
    services,
)
from orderhub.db.validation import is_digits
from orderhub.site import messages, uploads
from orderhub.site.api.returns import image_response
from orderhub.site.deps import PAGE_READS, read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.pagecache import page_cache
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import dropoff as dropoff_words
from orderhub.site.returns import label_words, pickup_parts, presenter, slip_words

OVERVIEW = "site/returns/returns.html.jinja"
WIZARD = "site/returns/wizard.html.jinja"
DETAIL = "site/returns/detail.html.jinja"
STEPS = rules.STEPS
#: one photo per field: the photo for all items, and each item's own
PHOTOS = 1
#: the pictures one post of the reason step may carry (the photo for all and a few items' own; more
#: items' photos are added by posting the step again)
PHOTOS_PER_POST = 3
UPLOAD_LIMIT = uploads.request_limit(PHOTOS_PER_POST)
IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _text(value: Any) -> str:
    """A form field's text ("" for a missing or non-text field)."""
    return value if isinstance(value, str) else ""


def _url(hub: Hub, tail: str = "") -> str:
    return href(f"/o/{hub.token}/returns{tail}")


def _step_url(hub: Hub, step: str) -> str:
    return _url(hub, f"/new/{step}")


async def _view(hub: Hub, return_id: int) -> queries.ReturnView:
    try:
        return await queries.return_for_order(hub.order.id, return_id)
    except NotFound:
        raise NotFoundException() from None


def _detail_context(request: Request, hub: Hub, view: queries.ReturnView, dest: queries.Destination,
                    places: dict[str, Any]) -> dict:
    qr = segno.make(view.qr_payload, error="m").svg_data_uri(scale=5, border=2)
    return hub_context(request, hub, "returns", ret=view, p=presenter, qr=qr, dest=dest, dp=dropoff_words, **places,
                       lw=label_words, label_qr=label_words.slip_qr(view.prepaid, view.number),
                       url=lambda t="": _url(hub, t),
                       photos=[f"/o/{hub.token}/returns/{view.id}/photos/{pid}" for pid in view.photo_ids])


async def _detail_page(request: Request, hub: Hub, return_id: int, *, now: dt.datetime, push: bool = False,
                       status_code: int = 200, postal: str | None = None, slip: dict[str, Any] | None = None,
                       **pickup: Any) -> Template:
    """The return page (or its `detail` block); `pickup` carries the home pickup card's errors, values,
    message or confirmation (pickup_parts.pickup_context); `postal` the drop-off list's postal code;
    `slip` the 着払い tracking-number form's (slip_words.slip_context)."""
    view = await _view(hub, return_id)
    dest = await queries.destination(view)
    places: dict[str, Any] = {"dropoff": None}
    if dest.send_by is not None:  # approved, something to send: where it can go
        places = await dropoff_words.context(hub.order.id, view.method, now=now, postal=postal,
                                             action=_url(hub, f"/{return_id}"))
    context = _detail_context(request, hub, view, dest, places)
    context.update(await pickup_parts.pickup_context(view, now, **pickup))
    context.update(slip_words.slip_context(**(slip or {})))
    return page(request, DETAIL, "detail", context, status_code=status_code,
                push_url=_url(hub, f"/{return_id}") if push else None)


async def refunds_summary(hub: Hub) -> dict:
    """For the order page: the refunds given on the order (none: nothing to show)."""
    refunds = await queries.refunds_for_order(hub.order.id)
    return {"refunds": refunds, "refund_method_label": presenter.refund_method_label} if refunds else {}


def overview_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The returns overview's reads after the hub's own (the order's lines and delivery dates, its
    returns and claims)."""
    return [*queries.overview_reads(order), *claims.overview_reads(order)]


class ReturnsController(Controller):
    path = "/o/{token:str}/returns"

    # -- overview and detail -----------------------------------------------------------------

    @get("/", name="returns", middleware=[page_cache("returns"), read_scope], opt={PAGE_READS: overview_reads})
    async def overview(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        facts = await queries.hub_order_facts(hub)
        views = await queries.returns_for_order(hub.order.id)
        reports = await claims.claims_for_order(hub.order.id)
        lines = facts.returnable_lines(now)
        context = hub_context(request, hub, "returns", returns=views, lines=lines, p=presenter, claims=reports,
                              can_claim=any(c.available for c in facts.claimable_lines()),
                              can_start=any(ln.available for ln in lines),
                              start_url=_step_url(hub, "items"), url=lambda t="": _url(hub, t),
                              **await pickup_parts.list_context(views))
        return page(request, OVERVIEW, "overview", context)

    @get("/{return_id:int}", name="return-detail", middleware=[read_scope])
    async def detail(self, request: Request, hub: Hub, now: dt.datetime, return_id: int,
                     postal: str | None = None, pickup: str | None = None, slip: str | None = None) -> Template:
        return await _detail_page(request, hub, return_id, now=now, postal=postal, done=pickup or "",
                                  slip={"done": slip or ""})

    @post("/{return_id:int}/cancel", name="return-cancel")
    async def cancel(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Response:
        await _view(hub, return_id)
        await services.cancel_by_shopper(hub.order.id, return_id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, now=now, push=True)
        return Redirect(path=_url(hub, f"/{return_id}"), status_code=303)

    @post("/{return_id:int}/sent", name="return-sent")
    async def sent(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Response:
        """The shopper posted the parcel: the return is on its way back (and the shopper gets its email)."""
        await _view(hub, return_id)
        await services.mark_sent_by_shopper(hub.order.id, return_id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, now=now, push=True)
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
                      values: dict | None = None, postal: str | None = None) -> Template:
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
        shared_photo, own_photos = services.draft_photos(data)
        reasons = reason_rules.reasons_of(data, [ln.line_id for ln in chosen])
        if step == "reason":
            context["reasons"] = rules.reason_choices(facts.policy)
            context["reason_items"] = items = reason_rules.reason_step(chosen, data, facts.policy)
            context["item_reasons_open"] = any(i.reason or i.comment or i.has_photo for i in items) or any(
                k.split(".")[0] in reason_rules.REASON_FIELDS[3:] for k in (errors or {}))
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
            context["fee_waived"] = reason_rules.all_waived(facts.policy, reasons)
            context["fees"] = reason_rules.method_fees(facts.policy, resolution=data.get("resolution") or rules.REFUND,
                                                       reasons=reasons, currency=facts.currency)
            context["label_costs"] = rules.method_label_costs(
                facts.policy, resolution=data.get("resolution") or rules.REFUND,
                reason=reason_rules.fee_reason(facts.policy, reasons), currency=facts.currency,
                offers_labels=facts.offers_labels)
        if step == "method":
            context.update(await dropoff_words.context(hub.order.id, rules.DROP_OFF, now=now, postal=postal,
                                                       action=_step_url(hub, "method")), dp=dropoff_words)
        if step in ("resolution", "review") and data.get(exchange_rules.CHOICE):
            picks = await exchanges.resolve_picks_or_none(facts.merchant_id, facts.currency, data)
            context["swap"] = swap = await services.exchange_quote(facts, data, picks or [])
            context["swap_picks"] = swap.picks  # priced: each line's amount as the settlement counts it
        if step == "review":
            context["item_reasons"] = reasons
            try:
                clean = services.check_request(facts, data, now=now, has_photo=bool(shared_photo),
                                               line_photos=list(own_photos))
                context["breakdown"] = await services.preview(facts, clean)
                context["send_by_day"] = dropoff_rules.send_by_on_submit(
                    clean["reasons"], context["breakdown"].total_minor, context["breakdown"].keep_item, facts.policy,
                    facts.currency, now, facts.timezone)
                context["ship_within_days"] = rules.ship_within_days(facts.policy)
                context["per_item"] = {i.line_id: i for i in reason_rules.item_reasons(
                    context["breakdown"], facts.policy, clean["reasons"])}
            except ValidationFailed as e:
                context["errors"] = presenter.field_errors(e.errors)
                context["breakdown"] = None
        ctx = hub_context(request, hub, "returns", **context)
        return page(request, WIZARD, "wizard", ctx, status_code=status_code,
                    push_url=_step_url(hub, step) if push else None)

    @get([f"/new/{s}" for s in STEPS], name="returns-step")
    async def step(self, request: Request, hub: Hub, now: dt.datetime, postal: str | None = None) -> Template | Redirect:
        step = request.url.path.rstrip("/").rsplit("/", 1)[1]
        if step not in STEPS:
            raise NotFoundException()
        draft = await services.draft(hub.order.id, now=now)
        back = rules.step_reachable(step, draft.data)
        if back:
            return Redirect(path=_step_url(hub, back), status_code=303)
        return await self._wizard(request, hub, step, now, postal=postal)

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
        shared_photo, own_photos = services.draft_photos(data)
        return presenter.field_errors(services.check_step(
            step, facts, data, now=now, has_photo=bool(shared_photo), exchange_options=options,
            store_codes=codes, line_photos=list(own_photos)))

    @post("/new/items", name="returns-items-post")
    async def post_items(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        items: dict[str, int] = {}
        invalid: list[dict] = []
        for ln in hub.order.lines:
            raw = (form.get(f"qty_{ln.line_id}") or "0").strip()
            if not is_digits(raw) or len(raw) > 6:
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
        """One reason for all (the shortcut), and per item its own reason, comment and photo."""
        form = await request.form()
        draft = await services.draft(hub.order.id, now=now)
        chosen = [lid for lid, qty in (draft.data.get("items") or {}).items() if qty]
        values = {"reason": _text(form.get("reason")), "comment": _text(form.get("comment")),
                  reason_rules.ITEM_REASON: {lid: _text(form.get(f"reason_{lid}")) for lid in chosen
                                             if _text(form.get(f"reason_{lid}"))},
                  reason_rules.ITEM_COMMENT: {lid: _text(form.get(f"comment_{lid}")) for lid in chosen
                                              if _text(form.get(f"comment_{lid}"))}}
        errors: dict[str, str] = {}
        for lid in ["", *chosen]:
            field = f"photo_{lid}" if lid else "photo"
            photos, problem = await uploads.pictures(form, field, limit=PHOTOS,
                                                     per=uploads.per_link(request, hub.order.id))
            if problem:
                errors[f"{reason_rules.ITEM_PHOTO}.{lid}" if lid else "photo"] = messages.for_error(problem)
            for clean in photos:
                await services.add_photo(hub.order.id, clean.data, clean.content_type, now=now, line_id=lid)
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
        answer = form.get("resolution") or ""
        other = answer == exchange_rules.CHOICE  # exchange for something else: the catalog comes next
        values: dict[str, Any] = {"resolution": rules.EXCHANGE if other else answer, "exchange": exchange,
                                  exchange_rules.CHOICE: other}
        errors = await self._check(hub, "resolution", {**draft.data, **values}, now)
        if errors:
            return await self._wizard(request, hub, "resolution", now, errors=errors, status_code=422,
                                      values=values)
        if not rules.is_exchange(values["resolution"]) or other:
            values["exchange"] = {}
        await services.save_draft(hub.order.id, values, now=now)
        if other:
            from orderhub.site.returns.exchange import browse_page  # the catalog step (its own module)

            if wants_partial(request):
                return await browse_page(request, hub, now, push=True)
            return Redirect(path=_url(hub, "/new/exchange"), status_code=303)
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
        photo, own_photos = services.draft_photos(draft.data)
        try:
            return_id = await services.submit(hub.order.id, draft.data, idempotency_key=key, now=now,
                                              photo_ids=[photo] if photo else None, line_photos=own_photos,
                                              hub_url=f"{request.app.state.settings.base_url}/o/{hub.token}")
        except ValidationFailed as e:
            return await self._wizard(request, hub, "review", now, errors=presenter.field_errors(e.errors),
                                      status_code=422)
        if key == draft.idempotency_key:
            await services.finish_draft(hub.order.id, now=now)
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, now=now, push=True)
        return Redirect(path=_url(hub, f"/{return_id}"), status_code=303)
