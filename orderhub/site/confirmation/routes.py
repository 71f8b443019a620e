"""The confirmation page (the hub's front page), its lazy cross-sells and their click-through."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components import promise as promise_words
from orderhub.db.analytics import rules as analytics_rules
from orderhub.db.documents import queries as doc_queries
from orderhub.db.orders import queries
from orderhub.db.orders.queries import Hub
from orderhub.site.confirmation import presenter
from orderhub.site.confirmation.summary import hub_summary, summary_reads
from orderhub.site.deps import PAGE_READS, read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.pagecache import page_cache
from orderhub.site.payments import words as payment_words
from orderhub.site.rendering import page

TEMPLATE = "site/confirmation/confirmation.html.jinja"
SECTION = "confirmation"


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
    """The hub's front page. Analytics go to the in-memory buffer (no write in the request)."""

    path = "/o/{token:str}"

    @get("/", name="hub", middleware=[page_cache(SECTION), read_scope], opt={PAGE_READS: summary_reads})
    async def hub(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        summary = await hub_summary(hub)
        status = presenter.status_of(hub.order, summary.get("shipment_statuses"), summary.get("pickup_state"))
        context = hub_context(
            request, hub, SECTION,
            status=status,
            status_text=presenter.status_text(status, hub.order),
            next_steps=presenter.next_steps(hub.order, status, summary.get("promise")),
            promise=summary.get("promise"), w=promise_words,
            return_text=presenter.return_text(hub.order),
            payment_label=presenter.payment_label(hub.order.payment),
            payment=payment_words.payment_card(
                hub.order, now, await doc_queries.credit_notes(hub.order.id) if hub.order.refunded_minor else []),
            rate_lines=payment_words.order_rate_lines(hub.order),
            summary=summary,
        )
        return page(request, TEMPLATE, "summary", context)

    @get("/cross-sells", name="cross-sells", middleware=[read_scope])
    async def cross_sells(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        products = await queries.cross_sells(hub.merchant, hub.order)
        context = hub_context(request, hub, SECTION, visit=False, products=products)
        if products:
            request.app.state.analytics.add(hub.merchant.id, analytics_rules.IMPRESSION, order_id=hub.order.id,
                                            section=SECTION, product_ids=[p.product_id for p in products], now=now)
        return page(request, "site/confirmation/crosssells.html.jinja", "crosssells", context)

    @get("/go/{product_id:str}", name="cross-sell-click", middleware=[read_scope])
    async def click(self, request: Request, hub: Hub, product_id: str, now: dt.datetime) -> Redirect:
        url = await queries.product_url(hub.merchant.id, product_id)
        if not url:
            raise NotFoundException()
        request.app.state.analytics.add(hub.merchant.id, analytics_rules.CLICK, order_id=hub.order.id,
                                        section=SECTION, product_ids=[product_id], now=now)
        return Redirect(path=campaign_url(url, hub.merchant.slug, hub.order.number), status_code=303)
