"""The merchant's documents in the admin (issue 19 item 2): the issue log (`/admin/documents`,
電子帳簿保存法: every numbered receipt and credit note, searchable by issue date, amount and
counterparty) and voiding a receipt to reissue it (`POST /admin/orders/{external_id}/receipt/void`:
the old number is kept, marked 無効 / VOID, and the order gets a receipt with the next number).
Owners only; another merchant's order is not found (404)."""

from __future__ import annotations

import datetime as dt
import logging

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.db.documents import queries, rules, services
from orderhub.db.orders import queries as order_queries
from orderhub.site import form_errors
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.orders import order_url
from orderhub.site.rendering import page

log = logging.getLogger("orderhub.admin")

LOG = "site/admin/documents.html.jinja"
FILTERS = ("date_from", "date_to", "amount_min", "amount_max", "counterparty")


class DocumentsController(Controller):
    path = "/admin"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    @get("/documents", name="admin-documents")
    async def issue_log(self, request: Request, admin_user: Admin) -> Template:
        """The issue log; bad filters -> the same page, 422, the message next to the field."""
        params = {k: (request.query_params.get(k) or "")[:100] for k in FILTERS}
        search, errors = rules.read_log_search(params, admin_user.merchant.currency)
        entries = [] if errors else await queries.search_log(admin_user.merchant.id, search, admin_user.timezone)
        context = admin_context(request, admin_user, "documents", values=params,
                                errors=form_errors.by_field(errors), entries=entries, tz=admin_user.timezone,
                                searched=any(params.values()), max_rows=queries.MAX_LOG_ROWS, order_url=order_url)
        return page(request, LOG, "log", context, status_code=422 if errors else 200,
                    headers={"Cache-Control": "no-store"})

    @post("/orders/{external_id:str}/receipt/void", name="admin-receipt-void", status_code=303)
    async def void(self, request: Request, admin_user: Admin, external_id: str, now: dt.datetime) -> Redirect:
        """Void the order's receipt and issue the next number (409 when it has none)."""
        order = await order_queries.admin_order(admin_user.merchant.id, external_id)
        if order is None:
            raise NotFoundException()
        receipt = await services.void_and_reissue(admin_user.merchant.id, order.id, now)
        log.info("receipt voided and reissued: merchant %s order %s as %s by user %s", admin_user.merchant.id,
                 order.id, receipt.number_label, admin_user.user_id)
        return Redirect(path=order_url(order.external_id) + "#order-documents", status_code=303)
