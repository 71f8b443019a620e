"""The merchant's return detail `/admin/returns/{id}`: items with their reasons and grades, the
shopper's photos (served with their sandbox CSP), how the items come back (method, store, counter
code, parcel), the refund's parts, the timeline, and every move the queue offers (the forms post to
`OperationsController.return_action` with `back=detail`, which lands here again)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import NotFound
from orderhub.db.orders import queries as order_queries
from orderhub.db.returns import queries, rules
from orderhub.db.worklists import queries as worklists
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.return_words import WORDS, done_text
from orderhub.site.api.returns import image_response
from orderhub.site.deps import provide_now, read_scope
from orderhub.site.rendering import page
from orderhub.site.returns import label_words, pickup_parts, presenter, slip_words

DETAIL = "site/admin/return_detail.html.jinja"
#: the form field that sends a move back to the detail page instead of the queue
BACK_TO_DETAIL = "detail"


def detail_url(return_id: int, **query: Any) -> str:
    return href(f"/admin/returns/{return_id}", **query)


def photo_url(return_id: int, photo_id: int) -> str:
    return href(f"/admin/returns/{return_id}/photos/{photo_id}")


async def detail_page(request: Request, admin: Admin, return_id: int, *, notice: str = "", error: str = "",
                      status_code: int = 200, slip: dict[str, Any] | None = None) -> Template:
    """The detail page (also after a move that did not go through: 409 with its message); `slip` the
    着払い tracking-number form's errors and value (site/returns/slip_words.slip_context)."""
    try:
        view = await queries.return_for_merchant(admin.merchant.id, return_id)
        row = await worklists.queue_row(admin.merchant.id, return_id)
        place = await queries.destination(view)
        words = await order_queries.line_words(admin.merchant.id, view.order_id)
    except NotFound:
        raise NotFoundException() from None
    context = admin_context(
        request, admin, "returns", v=view, row=row, place=place, actions=row.actions, notice=notice, error=error,
        tz=admin.timezone, w=WORDS, photo_url=photo_url, back=BACK_TO_DETAIL, counter_at=view.counter_received_at,
        item_reason=lambda item: view.reason_of.get(item.line_id, view.reason), needs_store=rules.needs_store,
        exchange_payment_label=presenter.exchange_payment_label,
        lw=label_words, order_lines=words,
    )
    context.update(await pickup_parts.admin_context(view, provide_now(request)))
    context.update(slip_words.slip_context(**(slip or {})))
    return page(request, DETAIL, "detail", context, status_code=status_code)


class ReturnDetailController(Controller):
    path = "/admin/returns"
    dependencies = guard.DEPENDENCIES

    @get("/{return_id:int}", name="admin-return", middleware=[read_scope])
    async def detail(self, request: Request, admin_user: Admin, return_id: int) -> Template:
        done, number = request.query_params.get("done", ""), request.query_params.get("n", "")[:64]
        notice = done_text(done, number) if done in worklists.MERCHANT_ACTIONS and number else ""
        if done == "label":
            notice = _("The label will be tried again now.")
        elif done == "slip":
            notice = _("The tracking number is saved: carrier events on it now move this return.")
        return await detail_page(request, admin_user, return_id, notice=notice)

    @get("/{return_id:int}/photos/{photo_id:int}", name="admin-return-photo")
    async def photo(self, admin_user: Admin, return_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await queries.photo_for_merchant(admin_user.merchant.id, return_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)
