"""The merchant's claims (damaged, missing or wrong items): `/admin/claims`, paged and filtered by
state, and `/admin/claims/{id}` with the items, the shopper's description and photos (served with
their sandbox CSP), the timeline and the resolve form (refund, replacement or both, through
`db/returns/claims.resolve`, the same service as POST /api/v1/claims/{id}/resolve)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.charts import number
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.orders import queries as order_queries
from orderhub.db.returns import claims, rules
from orderhub.db.validation import is_digits
from orderhub.site import messages
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.return_words import claims_in_page_language
from orderhub.site.api.returns import image_response
from orderhub.site.deps import read_scope
from orderhub.site.rendering import page

LIST = "site/admin/claims.html.jinja"
DETAIL = "site/admin/claim_detail.html.jinja"
#: the list's filters besides one state: everything
ALL = "all"
MAX_NOTE = 1000
MAX_PAGE = 100_000
PER_PAGE = 25


def kind_label(kind: str) -> str:
    return {"damaged": _("Damaged"), "missing": _("Missing"), "wrong_item": _("Wrong item")}.get(kind, kind)


def status_label(status: str) -> str:
    return {rules.CLAIM_OPEN: _("Open"), rules.CLAIM_RESOLVED: _("Resolved")}.get(status, status)


def resolution_label(resolution: str) -> str:
    return {rules.CLAIM_REFUND: _("Refund"), rules.CLAIM_REPLACEMENT: _("Replacement"),
            rules.CLAIM_BOTH: _("Refund and replacement")}.get(resolution, resolution)


def resolution_options() -> list[tuple[str, str]]:
    return [(r, resolution_label(r)) for r in rules.CLAIM_RESOLUTIONS]


def _int(raw: str | None) -> int:
    raw = (raw or "").strip()
    return min(int(raw), MAX_PAGE) if is_digits(raw) and len(raw) < 7 else 1


def list_url(status: str, page_no: int = 1) -> str:
    return href("/admin/claims", status=status if status != rules.CLAIM_OPEN else None,
                page=page_no if page_no > 1 else None)


def claim_url(claim_id: int, *parts: str, **query: str | None) -> str:
    return href("/".join([f"/admin/claims/{claim_id}", *parts]), **query)


class ClaimsAdminController(Controller):
    path = "/admin/claims"
    dependencies = guard.DEPENDENCIES

    @get("/", name="admin-claims", middleware=[read_scope])
    async def claims_list(self, request: Request, admin_user: Admin) -> Template:
        raw = request.query_params.get("status")
        key = raw if raw in (*rules.CLAIM_STATUSES, ALL) else rules.CLAIM_OPEN
        listing = await claims.claims_page(admin_user.merchant.id, None if key == ALL else key,
                                           _int(request.query_params.get("page")), PER_PAGE)
        listing = replace(listing, items=await claims_in_page_language(admin_user.merchant.id, listing.items))
        counts = await claims.claim_counts(admin_user.merchant.id)
        filters = [{"key": s, "label": status_label(s), "count": counts.get(s, 0), "href": list_url(s)}
                   for s in rules.CLAIM_STATUSES]
        filters.append({"key": ALL, "label": _("All"), "count": sum(counts.values()), "href": list_url(ALL)})
        context = admin_context(request, admin_user, "claims", listing=listing, status=key, filters=filters,
                                page_url=lambda p: list_url(key, p), number=number, tz=admin_user.timezone,
                                kind_label=kind_label, status_label=status_label, resolution_label=resolution_label,
                                claim_url=claim_url)
        return page(request, LIST, "list", context)

    async def _detail(self, request: Request, admin: Admin, claim_id: int, *, notice: str = "", error: str = "",
                      errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                      status_code: int = 200) -> Template:
        try:
            claim = await claims.claim_for_merchant(admin.merchant.id, claim_id)
            words = await order_queries.line_words(admin.merchant.id, claim.order_id)
        except NotFound:
            raise NotFoundException() from None
        context = admin_context(request, admin, "claims", c=claim, notice=notice, error=error, errors=errors or {},
                                values=values or {}, tz=admin.timezone, kind_label=kind_label,
                                status_label=status_label, resolution_label=resolution_label,
                                resolution_options=resolution_options(), claim_url=claim_url, order_lines=words)
        return page(request, DETAIL, "detail", context, status_code=status_code)

    @get("/{claim_id:int}", name="admin-claim", middleware=[read_scope])
    async def detail(self, request: Request, admin_user: Admin, claim_id: int) -> Template:
        done = request.query_params.get("done") == "resolved"
        return await self._detail(request, admin_user, claim_id, notice=_("The claim is resolved.") if done else "")

    @post("/{claim_id:int}/resolve", name="admin-claim-resolve")
    async def resolve(self, request: Request, admin_user: Admin, claim_id: int,
                      now: dt.datetime) -> Template | Redirect:
        try:
            await claims.claim_for_merchant(admin_user.merchant.id, claim_id)  # 404 before anything else
        except NotFound:
            raise NotFoundException() from None
        form = await request.form()
        values = {"resolution": str(form.get("resolution") or "")[:32], "note": str(form.get("note") or "")}
        errors = {}
        if values["resolution"] not in rules.CLAIM_RESOLUTIONS:
            errors["resolution"] = _("Choose how to resolve the claim.")
        if len(values["note"]) > MAX_NOTE:
            errors["note"] = _("The note is too long (at most %(num)s characters).", num=MAX_NOTE)
        if errors:
            return await self._detail(request, admin_user, claim_id, errors=errors, values=values, status_code=422)
        try:
            await claims.resolve(admin_user.merchant.id, claim_id, values["resolution"], note=values["note"].strip(),
                                 now=now)
        except (Conflict, ValidationFailed) as exc:
            text = messages.for_error(exc) if isinstance(exc, Conflict) else _("Choose how to resolve the claim.")
            return await self._detail(request, admin_user, claim_id, error=text, values=values, status_code=409)
        return Redirect(path=claim_url(claim_id, done="resolved"), status_code=303)

    @get("/{claim_id:int}/photos/{photo_id:int}", name="admin-claim-photo")
    async def photo(self, admin_user: Admin, claim_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await claims.photo_for_merchant(admin_user.merchant.id, claim_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)
