"""The confirmation page (the hub's front page), its lazy cross-sells and their click-through."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.db import engine
from orderhub.db.orders import queries
from orderhub.site.confirmation import presenter
from orderhub.site.confirmation.summary import hub_summary
from orderhub.site.hub.context import hub_context, open_hub
from orderhub.site.rendering import page

TEMPLATE = "site/confirmation/confirmation.html.jinja"


def campaign_url(url: str, merchant_slug: str, order_number: str) -> str:
    """The storefront URL with campaign parameters (kept if the merchant already set them)."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.setdefault("utm_source", "orderhub")
    params.setdefault("utm_medium", "order_hub")
    params.setdefault("utm_campaign", "cross_sell")
    params.setdefault("utm_content", order_number)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), parts.fragment))


class ConfirmationController(Controller):
    path = "/o/{token:str}"

    @get("/", name="hub")
    async def hub(self, request: Request, token: str) -> Template:
        async with engine.read():  # one connection for the whole page
            hub = await open_hub(request, token)
            summary = await hub_summary(hub)
        now = request.app.state.clock()
        status = presenter.status_of(hub.order, summary.get("shipment_statuses"), summary.get("pickup_state"))
        context = hub_context(
            request, hub, "confirmation",
            status=status,
            status_text=presenter.status_text(status, hub.order),
            next_steps=presenter.next_steps(hub.order, status),
            cancel_text=presenter.cancel_text(hub.order, now),
            return_text=presenter.return_text(hub.order),
            payment_label=presenter.payment_label(hub.order.payment),
            item_count=sum(ln.quantity for ln in hub.order.lines),
            summary=summary,
        )
        request.app.state.analytics.add(hub.merchant.id, "hub_view", order_id=hub.order.id, section="confirmation",
                                        now=now)
        return page(request, TEMPLATE, "summary", context)

    @get("/cross-sells", name="cross-sells")
    async def cross_sells(self, request: Request, token: str) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
            products = await queries.cross_sells(hub.merchant, hub.order)
        context = hub_context(request, hub, "confirmation", products=products)
        if products:
            request.app.state.analytics.add(hub.merchant.id, "crosssell_impression", order_id=hub.order.id,
                                            section="confirmation", product_ids=[p.product_id for p in products],
                                            now=request.app.state.clock())
        return page(request, "site/confirmation/crosssells.html.jinja", "crosssells", context)

    @get("/go/{product_id:str}", name="cross-sell-click")
    async def click(self, request: Request, token: str, product_id: str) -> Redirect:
        hub = await open_hub(request, token)
        url = await queries.product_url(hub.merchant.id, product_id)
        if not url:
            raise NotFoundException()
        request.app.state.analytics.add(hub.merchant.id, "crosssell_click", order_id=hub.order.id,
                                        section="confirmation", product_ids=[product_id], now=request.app.state.clock())
        return Redirect(path=campaign_url(url, hub.merchant.slug, hub.order.number), status_code=303)
