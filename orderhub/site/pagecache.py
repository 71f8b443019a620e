"""The hub pages' cache: a rendered section page is kept and served again until anything it shows
changes.

Keyed on the order's hub version and the merchant's version (orderhub/db/orders/versions.py, read
from the database in one statement on every request, so a change made by any process or host is
seen at once), the page language, the path and query, and full page or htmx partial. A hit costs
that one statement (a few columns, not the whole order) instead of the hub's queries, presenters
and template; a miss hands the stamp's row to the route, which reads the order by its id (checking
the token against it, a revocation in between included) without working out the link's expiry again.

Each entry carries its own expiry: the earliest moment at which any clock-dependent text on the
page changes, as announced while it rendered (`orderhub.db.clock.changes_at`: the next local
midnight for "today" and day counts, a cancellation deadline, a store opening or closing), and at
most `max_age` seconds (merchant-wide catalog stock and store details, which no version covers, are
never older than that). Entries expire one by one, never all at once.

A link past the expiry its merchant set (`orders.rules.link_expires_at`, carried by the stamp) is
never answered from the cache: the route sends it to the merchant's lookup page.

Per-request parts are not cached: the page is rendered with a placeholder where the CSRF token
goes, and each answer gets its own token; the language links are part of the key (path and query).
Visits are counted by the route's section, on hits and misses alike (`hub.context.record_visit`).
Only 200 answers (and 286, "stop polling") without a Set-Cookie are kept; a miss is answered with
the route's own answer (the page it stores, with the token and cookie the route's CSRF layer settled
for this request), through compression only. Bounded by entries and bytes, least recently used out
first.

Use it on a hub section's GET page route, outside its read scope:
``@get("/", middleware=[page_cache("tracking"), read_scope])``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl

from litestar.datastructures import Headers
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from orderhub.components import i18n
from orderhub.db import clock
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders import versions
from orderhub.site.deps import HUB_ROW
from orderhub.site.hub.context import COUNTED_BY_CACHE, record_visit
from orderhub.site.rendering import is_partial

#: stands in for the CSRF token in stored pages (as long as a real one, so lengths rarely change)
PLACEHOLDER = "csrfslot" + secrets.token_hex(28)
_KEPT_STATUSES = (200, 286)


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    #: when the page was rendered and when it stops being right (POSIX timestamps; see the module's
    #: text): it is served for clock readings in [rendered, expires) only
    rendered: float = float("-inf")
    expires: float = float("inf")


class PageCache:
    """Least-recently-used pages, bounded by count and by bytes, each until its own expiry."""

    def __init__(self, max_entries: int = 20000, max_bytes: int = 256 * 1024 * 1024, max_age: float = 60.0) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._pages: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...], now: float) -> Entry | None:
        entry = self._pages.get(key)
        if entry is not None and not entry.rendered <= now < entry.expires:
            del self._pages[key]
            self._bytes -= len(entry.body)
            entry = None
        if entry is None:
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if self.max_entries <= 0 or len(entry.body) > self.max_bytes // 4:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._pages[key] = entry
        self._bytes += len(entry.body)
        while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._pages)


#: where the answering app finds the page to send (in the request's scope state)
_ENTRY = "orderhub.page_cache.entry"
#: a page just rendered for this request: its answer's start message and body, sent as they are
_RENDERED = "orderhub.page_cache.rendered"


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    """Send the page in the scope, the CSRF token of this request in the placeholder's place."""
    entry: Entry = scope["state"][_ENTRY]
    token = ScopeState.from_scope(scope).csrf_token
    body = entry.body.replace(PLACEHOLDER.encode(), token.encode() if isinstance(token, str) else b"")
    headers = [*entry.headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _answer_rendered(scope: Scope, receive: Receive, send: Send) -> None:
    """Send the page this request rendered as the route answered it (its own CSRF token and cookie)."""
    start, body = scope["state"][_RENDERED]
    headers = [*start["headers"], (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _as_route_answers(litestar_app: Any, app: ASGIApp, csrf: bool = True) -> ASGIApp:
    """`app` behind the same CSRF and compression layers Litestar puts in front of every route
    (they sit inside route middleware): the CSRF cookie is set for a new visitor, and the page is
    compressed for a client that accepts it. Without `csrf` for a page the route has just rendered
    for this request: its CSRF layer has settled the token and the cookie already."""
    if csrf and litestar_app.csrf_config:
        app = CSRFMiddleware(app=app, config=litestar_app.csrf_config)
    if litestar_app.compression_config:
        app = litestar_app.compression_config.middleware_class(app=app, config=litestar_app.compression_config)
    return app


def page_cache(section: str) -> Callable[[ASGIApp], ASGIApp]:
    """Route middleware caching the GET page of hub section `section` (see the module's text)."""

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        answering: ASGIApp | None = None  # `_answer` behind the app's CSRF and compression, built once
        answering_rendered: ASGIApp | None = None  # `_answer_rendered` behind compression, built once

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            nonlocal answering, answering_rendered
            litestar_app = scope["litestar_app"]
            state = litestar_app.state
            cache: PageCache | None = getattr(state, "page_cache", None)
            if scope.get("method") != "GET" or cache is None:
                await app(scope, receive, send)
                return
            stamp = await versions.hub_stamp(scope["path_params"].get("token", ""), state.token_key)
            now = state.clock()
            if stamp is None or order_rules.link_expired(stamp.link_expires_at, now):
                # the same 404 as every bad token, or the expired link's way to the lookup: the route's
                await app(scope, receive, send)
                return
            query: bytes = scope.get("query_string", b"")
            headers = Headers.from_scope(scope)
            url_lang = next((v for k, v in parse_qsl(query.decode("latin-1")) if k == "lang"), None)
            lang = i18n.negotiate(url_lang, stamp.order_locale, headers.get("accept-language"), stamp.merchant_locale)
            partial = is_partial(headers)
            key = (scope["path"], query, lang, partial, *stamp.key)
            entry = cache.get(key, now.timestamp())
            if entry is None:
                scope["state"][COUNTED_BY_CACHE] = True
                scope["state"][HUB_ROW] = stamp.row
                with clock.watching(clock.Validity(now + dt.timedelta(seconds=cache.max_age))) as validity:
                    (status, kept_headers, kept_body), personal, rendered = await _render(app, scope, receive)
                entry = Entry(status, kept_headers, kept_body, rendered=now.timestamp(),
                              expires=validity.until.timestamp())
                if entry.status in _KEPT_STATUSES and not personal:
                    cache.put(key, entry)
                if answering_rendered is None:
                    answering_rendered = _as_route_answers(litestar_app, _answer_rendered, csrf=False)
                scope["state"][_RENDERED] = rendered
                await answering_rendered(scope, receive, send)
            else:
                if answering is None:
                    answering = _as_route_answers(litestar_app, _answer)
                scope["state"][_ENTRY] = entry
                await answering(scope, receive, send)
            if entry.status == 200 and not partial:
                record_visit(state, section, stamp.merchant_id, stamp.order_id, now)

        return middleware

    return middleware_factory


async def _render(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[
        tuple[int, list[tuple[bytes, bytes]], bytes], bool, tuple[dict[str, Any], bytes]]:
    """Run the route uncompressed and collect its whole answer: the page to keep (status, headers,
    body), the CSRF token it rendered (and the cookie it set for it) taken out again; whether the
    answer is personal (sets a cookie of its own), to be sent once and never kept; and the answer as
    the route gave it (start message without its length, body), for this request."""
    headers = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
    scope_state = ScopeState.from_scope(scope)
    scope_state.headers = Empty
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await app(cast(Scope, {**scope, "headers": headers}), receive, collect)
    finally:
        scope_state.headers = Empty
    token = scope_state.csrf_token
    body = b"".join(chunks)
    kept_body = body.replace(token.encode(), PLACEHOLDER.encode()) if isinstance(token, str) and token else body
    csrf_config = scope["litestar_app"].csrf_config
    csrf_cookie = f"{csrf_config.cookie_name}=".encode() if csrf_config else None
    own = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
    kept = [(k, v) for k, v in own if not (k == b"set-cookie" and csrf_cookie and v.startswith(csrf_cookie))]
    personal = any(k == b"set-cookie" for k, _ in kept)
    status = int(start.get("status", 500))
    return (status, kept, kept_body), personal, ({"status": status, "headers": own}, body)
