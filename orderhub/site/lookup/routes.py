"""/lookup: order number + email (or postal code) -> the hub. Rate-limited per client and per
order number; the same answer whatever was wrong. `?merchant=<slug>` (a merchant's own link, kept
in the form) shows the page in that merchant's brand and looks among its orders only; an unknown
or malformed slug shows the neutral page. An expired hub link leads here with `expired=1` (the page
says so); finding an order whose link has expired issues it a new link (services.renew_expired_link).
`?linkToken=` (from the shop's LINE bot) leads the order found to its updates page to finish a LINE link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.orders import queries, rules, services
from orderhub.site.hub.context import base_context, page_language
from orderhub.site.lookup import forms
from orderhub.site.rendering import page
from orderhub.site.security import client_address

TEMPLATE = "site/lookup/lookup.html.jinja"


def expired_notice() -> str:
    """What the page says when an expired hub link led here (translated for this request)."""
    return _("This link has expired. Find your order with its number and your email or postal code.")


async def _shop(request: Request, slug: object) -> queries.LookupBrand | None:
    """The merchant named by `merchant=` (None for none, unknown or malformed), with the page language
    negotiated (the merchant's language last)."""
    shop = await queries.lookup_brand(slug) if isinstance(slug, str) else None
    page_language(request, merchant_locale=shop.brand.locale if shop else None)
    return shop


def _link_token(request: Request) -> str | None:
    """A LINE link token the shop's LINE bot sent with this page (orderhub/channels/line_bot.py): kept
    in the form's action, and the order found opens on its updates page to finish the link."""
    token = request.query_params.get("linkToken")
    return token if bot_rules.link_token_ok(token) else None


def _context(request: Request, shop: queries.LookupBrand | None, **extra: Any) -> dict[str, Any]:
    action = href("/lookup", merchant=shop.slug if shop else None, linkToken=_link_token(request))
    extra.setdefault("notice", "")
    return base_context(request, shop=shop, brand=shop.brand if shop else None, action=action, **extra)


class LookupController(Controller):
    path = "/lookup"

    @get("/", name="lookup")
    async def show(self, request: Request) -> Template:
        """`expired=1`: an expired hub link led here (orderhub.site.hub.context.LinkExpired); the page says so."""
        shop = await _shop(request, request.query_params.get("merchant"))
        notice = expired_notice() if request.query_params.get("expired") == "1" else ""
        return page(request, TEMPLATE, "form", _context(request, shop, values={}, errors={}, message="",
                                                          notice=notice))

    @post("/", name="lookup-submit", status_code=200)
    async def submit(
        self, request: Request, now: dt.datetime,
        data: dict[str, Any] = Body(media_type=RequestEncodingType.URL_ENCODED),
    ) -> Template | Redirect:
        shop = await _shop(request, request.query_params.get("merchant") or data.get("merchant"))
        values, errors = forms.read(data)
        if errors:
            return page(request, TEMPLATE, "form", _context(request, shop, values=values, errors=errors, message=""),
                        status_code=422)
        limits = request.app.state.lookup_limits
        client_ok = await limits["client"].hit(client_address(request, request.app.state.settings.trusted_proxy))
        order_ok = await limits["order"].hit(values["number"].upper())
        if not (client_ok and order_ok):
            message = _("Too many attempts. Please wait a few minutes and try again, or contact the shop.")
            return page(request, TEMPLATE, "form", _context(request, shop, values=values, errors={}, message=message),
                        status_code=429, headers={"Retry-After": str(request.app.state.settings.lookup_window_seconds)})
        token_key = request.app.state.token_key
        found = await queries.lookup(values["number"], values["proof"], token_key,
                                     merchant_id=shop.merchant_id if shop else None)
        if found is None:
            message = _("We couldn't find an order with those details. Check them and try again.")
            return page(request, TEMPLATE, "form", _context(request, shop, values=values, errors={}, message=message),
                        status_code=422)
        token = found.token
        if rules.link_expired(found.link_expires_at, now):  # a new link, with the whole period ahead of it
            token = await services.renew_expired_link(found.order_id, found.generation, token_key=token_key, now=now)
        link_token = _link_token(request)
        target = href(f"/o/{token}/updates", linkToken=link_token) if link_token else href(f"/o/{token}")
        if request.headers.get("hx-request") == "true":
            # fetch would follow a 303 and swap the whole hub into the form: navigate instead
            return Response(content="", status_code=200, headers={"HX-Redirect": target})  # type: ignore[return-value]
        return Redirect(path=target, status_code=303)
