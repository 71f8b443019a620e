"""Claims from the returns section: `/o/{token}/returns/claims/new` (a small form: items, what
happened, a description, photos required for damaged or wrong items) and the claim's status page.
Works without JavaScript (303 to the claim), with htmx the status block is swapped in."""

from __future__ import annotations

import re
import secrets

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub import images
from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import claims, queries
from orderhub.site import uploads
from orderhub.site.api.returns import image_response
from orderhub.site.hub.context import hub_context, open_hub
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import presenter

NEW = "site/returns/claim_new.html.jinja"
DETAIL = "site/returns/claim_detail.html.jinja"
UPLOAD_LIMIT = claims.MAX_PHOTOS * images.MAX_BYTES + 64 * 1024
IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _url(hub: Hub, request: Request, tail: str = "") -> str:
    lang = request.query_params.get("lang")
    return f"/o/{hub.token}/returns{tail}" + (f"?lang={lang}" if lang in ("ja", "en") else "")


def claimable_lines(facts: queries.OrderFacts) -> list[dict]:
    return [{"line": ln, "claimable": max(0, ln.fulfilled_quantity - ln.requested_quantity)}
            for ln in facts.money.lines]


class ClaimsController(Controller):
    path = "/o/{token:str}/returns/claims"

    async def _form(self, request: Request, hub: Hub, *, values: dict | None = None, errors: list[dict] | None = None,
                    key: str = "", status_code: int = 200) -> Template:
        facts = await queries.order_facts(hub.order.id)
        by_field: dict[str, str] = {}
        for e in errors or []:
            by_field.setdefault(e["field"], presenter.error_text(e["message"]))
        ctx = hub_context(request, hub, "returns", p=presenter, lines=claimable_lines(facts), kinds=claims.KINDS,
                          photo_kinds=claims.PHOTO_KINDS, values=values or {}, errors=by_field,
                          idempotency_key=key or secrets.token_urlsafe(16), action=_url(hub, request, "/claims/new"),
                          returns_url=_url(hub, request))
        return page(request, NEW, "claim", ctx, status_code=status_code)

    @get("/new", name="claim-new")
    async def new(self, request: Request, token: str) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
        return await self._form(request, hub)

    @post("/new", name="claim-create", request_max_body_size=UPLOAD_LIMIT)
    async def create(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        hub = await open_hub(request, token)
        form = await request.form()
        key = form.get("idempotency_key") or ""
        if not isinstance(key, str) or not IDEMPOTENCY.match(key):
            key = secrets.token_urlsafe(16)
        items: dict[str, int] = {}
        errors: list[dict] = []
        for ln in hub.order.lines:
            raw = form.get(f"qty_{ln.line_id}") or "0"
            raw = raw.strip() if isinstance(raw, str) else ""
            if not raw.isdigit() or len(raw) > 6:
                errors.append({"field": f"items.{ln.line_id}", "message": "must be a whole number"})
            elif int(raw):
                items[ln.line_id] = int(raw)
        kind = form.get("kind") if isinstance(form.get("kind"), str) else ""
        description = form.get("description") if isinstance(form.get("description"), str) else ""
        values = {"items": items, "kind": kind, "description": description}
        pictures, problem = await uploads.pictures(form, "photos", limit=claims.MAX_PHOTOS)
        if problem:
            errors.append({"field": "photos", "message": problem if problem.startswith("at most")
                           else presenter.image_error(problem)})
        photos = [(clean.data, clean.content_type) for clean in pictures]
        if not errors:
            try:
                claim_id = await claims.open_claim(hub.order.id, values, photos=photos, idempotency_key=key, now=now)
            except ValidationFailed as e:
                errors = e.errors
        if errors:
            return await self._form(request, hub, values=values, errors=errors, key=key, status_code=422)
        target = _url(hub, request, f"/claims/{claim_id}")
        if wants_partial(request):
            view = await claims.claim_for_order(hub.order.id, claim_id)
            return page(request, DETAIL, "claimdetail", self._detail(request, hub, view), push_url=target)
        return Redirect(path=target, status_code=303)

    def _detail(self, request: Request, hub: Hub, view: claims.ClaimView) -> dict:
        return hub_context(request, hub, "returns", claim=view, p=presenter, returns_url=_url(hub, request),
                           photos=[f"/o/{hub.token}/returns/claims/{view.id}/photos/{pid}" for pid in view.photo_ids])

    @get("/{claim_id:int}", name="claim-detail")
    async def detail(self, request: Request, token: str, claim_id: int) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
        try:
            view = await claims.claim_for_order(hub.order.id, claim_id)
        except Exception:
            raise NotFoundException() from None
        return page(request, DETAIL, "claimdetail", self._detail(request, hub, view))

    @get("/{claim_id:int}/photos/{photo_id:int}", name="claim-photo")
    async def photo(self, request: Request, token: str, claim_id: int, photo_id: int) -> Response:

        async with engine.read():
            hub = await open_hub(request, token)
        try:
            data, content_type = await claims.photo_for_order(hub.order.id, claim_id, photo_id)
        except Exception:
            raise NotFoundException() from None
        return image_response(data, content_type)
