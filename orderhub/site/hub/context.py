"""Opening a hub from its token, negotiating the page language, and the context every hub page
shares (brand, navigation, language links, CSRF token)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.exceptions import HTTPException, NotFoundException

from orderhub.components import i18n
from orderhub.components.urls import href
from orderhub.db import clock
from orderhub.db.analytics import rules as analytics_rules
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.queries import Hub, PageReads, load_hub
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


class LinkExpired(HTTPException):
    """The hub link is genuine but past the expiry its merchant set: the shopper is sent to the
    merchant's lookup page, which says so (answered by orderhub.site.errors.link_expired)."""

    status_code = 303
    detail = "this link has expired"

    def __init__(self, lookup_url: str) -> None:
        super().__init__(detail=self.detail)
        self.lookup_url = lookup_url


def expired_lookup_url(slug: str, lang: str) -> str:
    """The merchant's lookup page with the "this link has expired" message, in the hub's language."""
    return "/lookup?" + urlencode({"merchant": slug, "expired": 1, "lang": lang})


async def open_hub(request: Request, token: str, order_row: dict[str, Any] | None = None, *,
                   now: dt.datetime | None = None, page_reads: PageReads | None = None) -> Hub:
    """The hub for `token`, with the page language set; the same 404 for every bad token, and
    LinkExpired for a link past its merchant's expiry (rules.link_expires_at).
    `order_row`: the token's stamp row as the page cache just read it (`orders.queries.hub_row`: the
    order is then read by its id, its link's expiry not worked out again); `now`: the
    request's reading of the clock (read here when not given); `page_reads`: what the page reads
    next (`load_hub`)."""
    hub = await load_hub(token, request.app.state.token_key, order_row, page_reads)
    if hub is None:
        page_language(request)
        raise NotFoundException()
    lang = page_language(request, hub.order.locale, hub.merchant.locale)
    now = now or request.app.state.clock()
    if order_rules.link_expired(hub.link_expires_at, now):
        raise LinkExpired(expired_lookup_url(hub.merchant.slug, lang))
    clock.changes_at(hub.link_expires_at, now)  # a kept page ends when its link does
    hub.extras.setdefault("now", now)  # for summary providers (no request there)
    return hub


def lang_links(request: Request) -> list[dict[str, Any]]:
    """Links to this same page in each language (?lang=), current one marked."""
    current = getattr(request.state, "lang", i18n.current_language())
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    before = f"{request.url.path}?{urlencode(params)}&" if params else f"{request.url.path}?"  # the page's own, then lang
    return [{"lang": lang, "label": label, "href": f"{before}lang={lang}", "current": lang == current}
            for lang, label in (("ja", "日本語"), ("en", "English"))]


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


#: set on a request by the page cache (site/pagecache.py), which counts the visits of the pages it
#: serves itself, on hits and misses alike
COUNTED_BY_CACHE = "visit_counted_by_page_cache"


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
    """A visit of a hub section page, unless the page cache counts it."""
    if getattr(request.state, COUNTED_BY_CACHE, False) or not is_visit(request):
        return
    record_visit(request.app.state, current, hub.merchant.id, hub.order.id,
                 hub.extras.get("now") or request.app.state.clock())


def hub_context(request: Request, hub: Hub, current: str, *, visit: bool = True, **extra: Any) -> dict[str, Any]:
    """What every hub page shares; `visit=False` for a route that is part of a page, not a page
    of its own (the confirmation page's lazy cross-sells)."""
    base = f"/o/{hub.token}"
    now = hub.extras.get("now")
    if now is not None:  # day-level words and counts ("today", late, windows) change at midnight
        clock.changes_at(clock.next_local_midnight(now, hub.order.timezone), now)
    nav = [
        {"key": s.key, "label": s.label, "href": href(f"{base}{s.path}"), "current": s.key == current}
        for s in sections.visible(hub.order)
    ]
    if visit:
        _count_visit(request, hub, current)
    brand = hub.brand.in_language(i18n.current_language())  # the merchant's name and words in the page's language
    return base_context(request, hub=hub, brand=brand, order=hub.order, hub_base=base, nav=nav,
                        section=current, **extra)
