"""The wizard's catalog step for "exchange for something else": browse the merchant's in-stock
products (search by name, paged), choose variants, see the budget and the difference. Thin: the
figures come from db/returns (exchange_rules via services.exchange_quote)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.errors import ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import exchange_rules, exchanges, queries, rules, services
from orderhub.db.validation import is_digits
from orderhub.site.hub.context import hub_context
from orderhub.site.rendering import page, wants_partial
from orderhub.site.returns import presenter

BROWSE = "site/returns/exchange_browse.html.jinja"


def _url(hub: Hub, tail: str = "") -> str:
    return href(f"/o/{hub.token}/returns{tail}")


def _browse_url(hub: Hub, query: str = "", page_no: int = 1) -> str:
    params = {k: v for k, v in (("q", query), ("page", str(page_no) if page_no > 1 else "")) if v}
    return _url(hub, "/new/exchange") + (f"?{urlencode(params)}" if params else "")


def _page_no(raw: object) -> int:
    return int(raw) if isinstance(raw, str) and is_digits(raw) and len(raw) < 6 else 1


async def browse_page(request: Request, hub: Hub, now: dt.datetime, *, query: str = "", page_no: int = 1,
                      errors: dict[str, str] | None = None, status_code: int = 200, push: bool = False) -> Template:
    facts = await queries.order_facts(hub.order.id)
    draft = await services.draft(hub.order.id, now=now)
    picks = await exchanges.resolve_picks_or_none(facts.merchant_id, facts.currency, draft.data)
    swap = await services.exchange_quote(facts, draft.data, picks or [])
    listing = await exchanges.catalog_page(facts.merchant_id, facts.currency, query, page_no)
    context: dict[str, Any] = {
        "step": "resolution", "steps": rules.STEPS, "p": presenter, "errors": errors or {},
        "step_url": lambda s: _url(hub, f"/new/{s}"), "browse_url": _url(hub, "/new/exchange"),
        "page_url": lambda n: _browse_url(hub, query, n), "query": query, "listing": listing,
        # priced: each line's amount as the settlement counts it
        "picks": list(swap.picks), "picks_gone": picks is None, "currency": facts.currency, "swap": swap,
        "max_units": exchange_rules.MAX_UNITS,
    }
    return page(request, BROWSE, "wizard", hub_context(request, hub, "returns", **context), status_code=status_code,
                push_url=_browse_url(hub, query, page_no) if push else None)


class ExchangeController(Controller):
    path = "/o/{token:str}/returns/new/exchange"

    @get("/", name="returns-exchange")
    async def browse(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        draft = await services.draft(hub.order.id, now=now)
        back = rules.step_reachable("method", draft.data)
        if back and back != "method":
            return Redirect(path=_url(hub, f"/new/{back}"), status_code=303)
        if not draft.data.get(exchange_rules.CHOICE):
            return Redirect(path=_url(hub, "/new/resolution"), status_code=303)
        query = exchange_rules.clean_query(request.query_params.get("q"))
        return await browse_page(request, hub, now, query=query, page_no=_page_no(request.query_params.get("page")))

    @post("/", name="returns-exchange-choose")
    async def choose(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        """Choose units of a variant (quantity 0 removes it); back to the same page of the catalog."""
        form = await request.form()
        query = exchange_rules.clean_query(form.get("q"))
        page_no = _page_no(form.get("page"))
        product_id, sku, qty = form.get("product_id"), form.get("sku"), form.get("quantity") or "1"
        draft = await services.draft(hub.order.id, now=now)
        if not draft.data.get(exchange_rules.CHOICE):
            return Redirect(path=_url(hub, "/new/resolution"), status_code=303)
        errors: dict[str, str] = {}
        if not (isinstance(product_id, str) and isinstance(sku, str) and isinstance(qty, str) and is_digits(qty)
                and len(qty) < 4 and len(product_id) <= 200 and len(sku) <= 100):
            errors = {"pick": presenter.field_errors([exchange_rules.field_error("pick", exchange_rules.NOT_IN_CATALOG)
                                                      ])["pick"]}
        else:
            picks = exchanges.with_pick(draft.data, product_id, sku, int(qty))
            try:
                if picks:
                    facts = await queries.order_facts(hub.order.id)
                    await exchanges.resolve_picks(facts.merchant_id, facts.currency, picks)
                await services.save_draft(hub.order.id, {exchange_rules.DRAFT_KEY: picks}, now=now)
            except ValidationFailed as e:
                errors = {"pick": next(iter(presenter.field_errors(e.errors).values()))}
        if errors:
            return await browse_page(request, hub, now, query=query, page_no=page_no, errors=errors, status_code=422)
        if wants_partial(request):
            return await browse_page(request, hub, now, query=query, page_no=page_no)
        return Redirect(path=_browse_url(hub, query, page_no), status_code=303)
