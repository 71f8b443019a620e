"""The merchant's orders in the admin: find one by its number (`/admin/orders?number=`), its page
(`/admin/orders/{external_id}`: the status the shopper sees and the state of the shopper's link), and
replacing the shopper's link (issue 18 item 11): a confirmation page, then a POST form with CSRF that
revokes the link through the same service as `POST /api/v1/orders/{external_id}/links/revoke` and
shows the new link once, for the merchant to send. Owners and staff alike, as the other operations
pages; another merchant's order is not found (404)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.documents import queries as doc_queries
from orderhub.db.errors import NotFound
from orderhub.db.orders import queries
from orderhub.db.orders import services as order_services
from orderhub.db.payments import queries as payment_queries
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.api.routes import hub_links
from orderhub.site.payments import words as payment_words
from orderhub.site.rendering import page

log = logging.getLogger("orderhub.admin")

ORDERS = "site/admin/orders.html.jinja"
ORDER = "site/admin/order.html.jinja"
#: the shown-once link must not be kept by a browser or proxy
NO_STORE = {"Cache-Control": "no-store"}


async def money_documents(order_id: int) -> dict[str, Any]:
    """The order's payment, its receipts (voided ones kept, marked) and credit notes (issue 19)."""
    payment = await payment_queries.payment_of(order_id)
    return {"payment": payment, "status": payment_words.status_label(payment) if payment else "",
            "receipts": await doc_queries.receipts_of_order(order_id),
            "credit_notes": await doc_queries.credit_notes(order_id)}


def order_url(external_id: str, *parts: str) -> str:
    """/admin/orders/<id>[/<part>...] with the id quoted as one path segment."""
    return href("/admin/orders/" + "/".join([quote(external_id, safe=""), *parts]))


async def _order(admin: Admin, external_id: str) -> queries.AdminOrder:
    order = await queries.admin_order(admin.merchant.id, external_id)
    if order is None:
        raise NotFoundException()
    return order


class OrdersController(Controller):
    path = "/admin/orders"
    dependencies = guard.DEPENDENCIES

    @get("/", name="admin-orders")
    async def find(self, request: Request, admin_user: Admin) -> Template | Redirect:
        """A search by order number; exactly one match opens its page."""
        number = (request.query_params.get("number") or "").strip()[:100]
        hits = await queries.orders_by_number(admin_user.merchant.id, number) if number else []
        if len(hits) == 1:
            return Redirect(path=order_url(hits[0].external_id), status_code=303)
        context = admin_context(request, admin_user, "orders", number=number, hits=hits, order_url=order_url,
                                tz=admin_user.timezone)
        return page(request, ORDERS, "results", context)

    async def _page(self, request: Request, admin: Admin, order: queries.AdminOrder, now: dt.datetime, *,
                    confirm: bool = False, new_link: str = "", status_code: int = 200) -> Template:
        context = admin_context(request, admin, "orders", order=order, now=now, confirm=confirm, new_link=new_link,
                                expired=order.link_expired(now), order_url=order_url, tz=admin.timezone,
                                money_docs=await money_documents(order.id))
        return page(request, ORDER, "order", context, status_code=status_code, headers=NO_STORE)

    @get("/{external_id:str}", name="admin-order")
    async def show(self, request: Request, admin_user: Admin, external_id: str, now: dt.datetime) -> Template:
        return await self._page(request, admin_user, await _order(admin_user, external_id), now)

    @get("/{external_id:str}/revoke", name="admin-order-revoke-confirm")
    async def confirm(self, request: Request, admin_user: Admin, external_id: str, now: dt.datetime) -> Template:
        """The confirmation step: what replacing the link does, and the button that does it."""
        return await self._page(request, admin_user, await _order(admin_user, external_id), now, confirm=True)

    @post("/{external_id:str}/revoke", name="admin-order-revoke", status_code=200)
    async def revoke(self, request: Request, admin_user: Admin, external_id: str, now: dt.datetime) -> Template:
        """Revoke the shopper's link and show the new one, once (the answer is not kept anywhere)."""
        order = await _order(admin_user, external_id)
        try:
            token = await order_services.revoke_hub_token(admin_user.merchant.id, order.external_id,
                                                          token_key=request.app.state.token_key, now=now)
        except NotFound:
            raise NotFoundException() from None
        log.info("hub link replaced: merchant %s order %s by user %s", admin_user.merchant.id, order.id,
                 admin_user.user_id)
        link = hub_links(request.app.state.settings.base_url, token, admin_user.merchant.slug)["hub"]
        return await self._page(request, admin_user, await _order(admin_user, external_id), now, new_link=link)
