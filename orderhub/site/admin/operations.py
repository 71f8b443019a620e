"""The merchant's operations lists: the returns queue (`/admin/returns`, approve / reject / receive /
refund / exchange / close through the same service the API uses), stalled shipments and anxious
shoppers (`/admin/shipments`, the same queries as GET /api/v1/shipments/attention).

Every action is a POST form with CSRF that works without JavaScript (303 back to the list) and, under
htmx, swaps only its row. A state that does not allow the move answers 409 with a clear message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.charts import number
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.orders import delays
from orderhub.db.returns import rules as return_rules
from orderhub.db.returns import services as return_services
from orderhub.db.shipping import queries as shipping_queries
from orderhub.db.validation import is_digits
from orderhub.db.worklists import queries
from orderhub.site.admin import guard, return_detail
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.return_words import (  # noqa: F401
    WORDS,
    action_label,
    conflict_text,
    done_text,
    queue_rows_in_page_language,
    return_url,
)
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import presenter as words
from orderhub.site.tracking import presenter as tracking_words

RETURNS = "site/admin/returns.html.jinja"
RETURN_ROW = "site/admin/return_row_block.html.jinja"
SHIPMENTS = "site/admin/shipments.html.jinja"
ROLES = merchant_rules.ROLES
ACTIONS = queries.MERCHANT_ACTIONS
#: the queue's filters besides one status: what needs the merchant's hands (the default), everything
OPEN, ALL = "open", "all"
MAX_NOTE = 1000
MAX_PAGE = 100_000



def _int(raw: str | None, default: int = 1) -> int:
    raw = (raw or "").strip()
    return min(int(raw), MAX_PAGE) if is_digits(raw) and len(raw) < 7 else default


def status_filter(raw: str | None) -> tuple[str, tuple[str, ...]]:
    """OPEN (default), ALL or one status -> (key, statuses)."""
    if raw in return_rules.STATUSES:
        return raw, (raw,)
    if raw == ALL:
        return ALL, tuple(return_rules.STATUSES)
    return OPEN, queries.OPEN


def list_url(status: str, page: int, **extra: str) -> str:
    return href("/admin/returns", status=status if status != OPEN else None, page=page if page > 1 else None,
                **extra)


class OperationsController(Controller):
    path = "/admin"
    dependencies = guard.DEPENDENCIES

    async def _returns_page(self, request: Request, admin: Admin, *, notice: str = "", error: str = "",
                            status_code: int = 200) -> Template:
        key, statuses = status_filter(request.query_params.get("status"))
        number_ = _int(request.query_params.get("page"))
        listing = await queries.returns_queue(admin.merchant.id, statuses, number_)
        listing = replace(listing, items=await queue_rows_in_page_language(admin.merchant.id, listing.items))
        counts = await queries.status_counts(admin.merchant.id)
        filters: list[dict[str, Any]] = [{"key": OPEN, "label": _("Open"), "count": sum(counts.get(s, 0) for s in queries.OPEN)}]
        filters += [{"key": s, "label": words.status_label(s), "count": counts.get(s, 0)} for s in return_rules.STATUSES
                    if s in queries.OPEN or counts.get(s)]
        filters.append({"key": ALL, "label": _("All"), "count": sum(counts.values())})
        for f in filters:
            f["href"] = list_url(f["key"], 1)
        context = admin_context(
            request, admin, "returns", listing=listing, status=key, showing_open=key == OPEN, filters=filters,
            notice=notice, error=error, page_url=lambda p: list_url(key, p), back=list_url(key, listing.page),
            number=number, tz=admin.timezone, w=WORDS,
        )
        return page(request, RETURNS, "queue", context, status_code=status_code)

    @get("/returns", name="admin-returns")
    async def returns(self, request: Request, admin_user: Admin) -> Template:
        notice = ""
        done, rma = request.query_params.get("done", ""), request.query_params.get("n", "")[:64]
        if done in ACTIONS and rma:
            notice = done_text(done, rma)
        return await self._returns_page(request, admin_user, notice=notice)

    @post("/returns/{return_id:int}/{action:str}", name="admin-return-action")
    async def return_action(self, request: Request, admin_user: Admin, return_id: int, action: str,
                            now: dt.datetime) -> Template | Redirect:
        if action not in ACTIONS:
            raise NotFoundException()
        merchant_id = admin_user.merchant.id
        try:
            row = await queries.queue_row(merchant_id, return_id)
        except NotFound:
            raise NotFoundException() from None
        form = await request.form()
        key, _statuses = status_filter(str(form.get("status") or ""))
        page_no = _int(str(form.get("page") or ""))
        note = str(form.get("note") or "").strip()
        error, status_code = "", 200
        if len(note) > MAX_NOTE:
            error, status_code = _("The note is too long (at most %(num)s characters).", num=MAX_NOTE), 422
        else:
            try:
                await return_services.transition(merchant_id, return_id, action, note=note, now=now)
            except Conflict:
                fresh = await queries.queue_row(merchant_id, return_id)
                error, status_code = conflict_text(action, fresh.number, fresh.status), 409
            except NotFound:
                raise NotFoundException() from None
        if form.get("back") == return_detail.BACK_TO_DETAIL:  # posted from the return's own page
            if error:
                return await return_detail.detail_page(request, admin_user, return_id, error=error,
                                                       status_code=status_code)
            return Redirect(path=return_detail.detail_url(return_id, done=action, n=row.number), status_code=303)
        if wants_partial(request):
            fresh = await queries.queue_row(merchant_id, return_id)
            [fresh] = await queue_rows_in_page_language(merchant_id, [fresh])
            context = admin_context(request, admin_user, "returns", r=fresh, status=key, back=list_url(key, page_no),
                                    page=page_no, row_error=error,
                                    row_notice="" if error else done_text(action, fresh.number),
                                    tz=admin_user.timezone, w=WORDS)
            return page(request, RETURN_ROW, "row", context, status_code=status_code)
        if error:
            return await self._returns_page(request, admin_user, error=error, status_code=status_code)
        return Redirect(path=list_url(key, page_no, done=action, n=row.number), status_code=303)

    @get("/shipments", name="admin-shipments")
    async def shipments(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template:
        merchant_id = admin_user.merchant.id
        flagged = await shipping_queries.late_or_stalled(merchant_id, now)
        anxious = await shipping_queries.anxious_shoppers(merchant_id, now)
        unshipped = await delays.late_orders(now, merchant_id=merchant_id)
        context = admin_context(
            request, admin_user, "shipments",
            unshipped=queries.paginate(unshipped, _int(request.query_params.get("upage"))),
            unshipped_url=lambda p: href("/admin/shipments", upage=p),
            flagged=queries.paginate(flagged, _int(request.query_params.get("page"))),
            anxious=queries.paginate(anxious, _int(request.query_params.get("apage"))),
            stalled_count=sum(1 for s in flagged if s.stalled), late_count=sum(1 for s in flagged if s.late),
            tz=admin_user.timezone, number=number, shipment_status=tracking_words.status_label,
            flagged_url=lambda p: href("/admin/shipments", page=p),
            anxious_url=lambda p: href("/admin/shipments", apage=p),
        )
        return page(request, SHIPMENTS, "lists", context)
