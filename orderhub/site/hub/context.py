"""Opening a hub from its token, negotiating the page language, and the context every hub page
shares (brand, navigation, language links, CSRF token)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.exceptions import NotFoundException

from orderhub.components import i18n
from orderhub.components.urls import href
from orderhub.db.analytics import rules as analytics_rules
from orderhub.db.orders.queries import Hub, load_hub
from orderhub.db.shipping.tables import TrackingView
from orderhub.site import sections
from orderhub.site.rendering import wants_partial


def page_language(request: Request, order_locale: str | None = None, merchant_locale: str | None = None) -> str:
    lang = i18n.negotiate(
        request.query_params.get("lang"), order_locale, request.headers.get("accept-language"), merchant_locale
    )
    i18n.set_language(lang)
    i18n.choose_language(request.query_params.get("lang"))
    request.state.lang = lang
    return lang


async def open_hub(request: Request, token: str) -> Hub:
    """The hub for `token`, with the page language set; the same 404 for every bad token."""
    hub = await load_hub(token, request.app.state.token_key)
    if hub is None:
        page_language(request)
        raise NotFoundException()
    page_language(request, hub.order.locale, hub.merchant.locale)
    hub.extras.setdefault("now", request.app.state.clock())  # for summary providers (no request there)
    return hub


def lang_links(request: Request) -> list[dict[str, Any]]:
    """Links to this same page in each language (?lang=), current one marked."""
    current = getattr(request.state, "lang", i18n.current_language())
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    links = []
    for lang, label in (("ja", "日本語"), ("en", "English")):
        query = urlencode({**params, "lang": lang})
        links.append({"lang": lang, "label": label, "href": f"{request.url.path}?{query}", "current": lang == current})
    return links


def base_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {
        "lang": getattr(request.state, "lang", i18n.current_language()),
        "lang_links": lang_links(request),
        "request_path": request.url.path,
        **extra,
    }


def is_visit(request: Request) -> bool:
    """A full-page view counts as a visit for the merchant dashboard (polls, partial swaps and form
    re-renders do not)."""
    return request.method == "GET" and not wants_partial(request)


#: sections whose GET page the page cache serves; it counts their visits itself, hits and misses alike
CACHED_SECTIONS = frozenset({"confirmation", "tracking", "pickup", "returns", "feedback"})


def record_visit(state: Any, section: str, merchant_id: int, order_id: int, now: dt.datetime) -> None:
    """A full-page view of a hub section: a visit on the merchant dashboard, and for tracking the
    anxious-shopper signal (a tracking view); both kept in the analytics buffer (no write here)."""
    analytics = getattr(state, "analytics", None)
    if analytics is None:
        return
    analytics.add(merchant_id, analytics_rules.VISIT, order_id=order_id, section=section, now=now)
    if section == "tracking":
        analytics.keep(TrackingView, merchant=merchant_id, order=order_id, viewed_at=now)


def _count_visit(request: Request, hub: Hub, current: str) -> None:
    """A visit of a hub section page the page cache does not serve (it counts its own)."""
    if current in CACHED_SECTIONS or not is_visit(request):
        return
    analytics = getattr(request.app.state, "analytics", None)
    if analytics is not None:
        analytics.add(hub.merchant.id, analytics_rules.VISIT, order_id=hub.order.id, section=current,
                      now=hub.extras.get("now") or request.app.state.clock())


def hub_context(request: Request, hub: Hub, current: str, **extra: Any) -> dict[str, Any]:
    base = f"/o/{hub.token}"
    nav = [
        {"key": s.key, "label": s.label, "href": href(f"{base}{s.path}"), "current": s.key == current}
        for s in sections.visible(hub.order)
    ]
    _count_visit(request, hub, current)
    return base_context(request, hub=hub, brand=hub.brand, order=hub.order, hub_base=base, nav=nav,
                        section=current, **extra)
