"""Claims from the returns section: `/o/{token}/returns/claims/new` (a small form: items, what
happened, a description, photos required for damaged or wrong items) and the claim's status page.
Works without JavaScript (303 to the claim), with htmx the status block is swapped in."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import claims, queries, rules
from orderhub.db.validation import is_digits
from orderhub.site import messages, uploads
from orderhub.site.api.returns import image_response
from orderhub.site.deps import read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import presenter

NEW = "site/returns/claim_new.html.jinja"
DETAIL = "site/returns/claim_detail.html.jinja"
UPLOAD_LIMIT = uploads.request_limit(rules.MAX_CLAIM_PHOTOS)
IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _url(hub: Hub, tail: str = "") -> str:
    return href(f"/o/{hub.token}/returns{tail}")


class ClaimsController(Controller):
    path = "/o/{token:str}/returns/claims"

    async def _form(self, request: Request, hub: Hub, *, values: dict | None = None,
                    errors: dict[str, str] | None = None, key: str = "", status_code: int = 200) -> Template:
        facts = await queries.order_facts(hub.order.id)
        ctx = hub_context(request, hub, "returns", p=presenter, lines=facts.claimable_lines(),
                          kinds=rules.claim_kind_choices(), values=values or {}, errors=errors or {},
                          idempotency_key=key or secrets.token_urlsafe(16), action=_url(hub, "/claims/new"),
                          returns_url=_url(hub), max_description=rules.MAX_DESCRIPTION,
                          photo_limits=uploads.limits(rules.MAX_CLAIM_PHOTOS))
        return page(request, NEW, "claim", ctx, status_code=status_code)

    @get("/new", name="claim-new", middleware=[read_scope])
    async def new(self, request: Request, hub: Hub) -> Template:
        return await self._form(request, hub)

    @post("/new", name="claim-create", request_max_body_size=UPLOAD_LIMIT)
    async def create(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        key = form.get("idempotency_key") or ""
        if not isinstance(key, str) or not IDEMPOTENCY.match(key):
            key = secrets.token_urlsafe(16)
        items: dict[str, int] = {}
        invalid: list[dict] = []
        for ln in hub.order.lines:
            raw = form.get(f"qty_{ln.line_id}") or "0"
            raw = raw.strip() if isinstance(raw, str) else ""
            if not is_digits(raw) or len(raw) > 6:
                invalid.append(rules.field_error(f"items.{ln.line_id}", rules.WHOLE_NUMBER))
            elif int(raw):
                items[ln.line_id] = int(raw)
        kind = form.get("kind") if isinstance(form.get("kind"), str) else ""
        description = form.get("description") if isinstance(form.get("description"), str) else ""
        values = {"items": items, "kind": kind, "description": description}
        errors = presenter.field_errors(invalid)
        pictures, problem = await uploads.pictures(form, "photos", limit=rules.MAX_CLAIM_PHOTOS,
                                                      per=uploads.per_link(request, hub.order.id))
        if problem:
            errors["photos"] = messages.for_error(problem)
        photos = [(clean.data, clean.content_type) for clean in pictures]
        if not errors:
            try:
                claim_id = await claims.open_claim(hub.order.id, values, photos=photos, idempotency_key=key, now=now)
            except ValidationFailed as e:
                errors = presenter.field_errors(e.errors)
        if errors:
            return await self._form(request, hub, values=values, errors=errors, key=key, status_code=422)
        target = _url(hub, f"/claims/{claim_id}")
        if wants_partial(request):
            view = await claims.claim_for_order(hub.order.id, claim_id)
            return page(request, DETAIL, "claimdetail", self._detail(request, hub, view), push_url=target)
        return Redirect(path=target, status_code=303)

    def _detail(self, request: Request, hub: Hub, view: claims.ClaimView) -> dict:
        return hub_context(request, hub, "returns", claim=view, p=presenter, returns_url=_url(hub),
                           photos=[f"/o/{hub.token}/returns/claims/{view.id}/photos/{pid}" for pid in view.photo_ids])

    @get("/{claim_id:int}", name="claim-detail", middleware=[read_scope])
    async def detail(self, request: Request, hub: Hub, claim_id: int) -> Template:
        try:
            view = await claims.claim_for_order(hub.order.id, claim_id)
        except NotFound:
            raise NotFoundException() from None
        return page(request, DETAIL, "claimdetail", self._detail(request, hub, view))

    @get("/{claim_id:int}/photos/{photo_id:int}", name="claim-photo", middleware=[read_scope])
    async def photo(self, hub: Hub, claim_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await claims.photo_for_order(hub.order.id, claim_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)
