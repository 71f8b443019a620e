"""Litestar dependencies every controller asks for by name instead of repeating the calls:

- ``hub``: the order hub opened from the ``{token}`` path parameter (the same 404 for every bad
  token), with the page language negotiated; read inside its own read scope. A route that knows
  what its page reads next says so with ``opt={PAGE_READS: fn}`` (fn: the order's row -> its
  `statements.Read`s): those are read with the hub (one round trip on PostgreSQL).
- ``clock`` / ``now``: the injected clock (tests move it by hand) and one reading of it per request
  (the hub is opened at that same reading).

A read-only page declares its read scope on the route: ``@get(..., middleware=[read_scope])`` runs
the handler inside one read transaction (one connection); a write inside it is a programming error
and raises at once (see `orderhub.db.engine`). (A generator dependency cannot carry the scope:
Litestar resolves sibling dependencies in a task group, whose context changes never reach the
handler.) Never put it on an SSE stream: the scope would live as long as the connection.

The signed-in merchant-admin user and the staff-console user are provided by
`orderhub.site.admin.guard` and `orderhub.site.staff.auth` in the same way.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request
from litestar.di import Provide
from litestar.types import ASGIApp, Receive, Scope, Send

from orderhub.db import engine
from orderhub.db.clock import Clock
from orderhub.db.orders.queries import Hub
from orderhub.site.hub.context import open_hub

#: where the page cache leaves the stamp row it read for a page it did not have (scope state)
HUB_ROW = "orderhub.hub_row"
#: the route option naming what a hub page reads after the hub (`orders.queries.PageReads`)
PAGE_READS = "hub_page_reads"


async def provide_hub(request: Request, token: str, now: dt.datetime) -> Hub:
    async with engine.read():
        return await open_hub(request, token, request.scope["state"].pop(HUB_ROW, None), now=now,
                              page_reads=request.route_handler.opt.get(PAGE_READS))


def provide_now(request: Request) -> dt.datetime:
    """The request's reading of the app's clock (`create_app(clock=...)`: tests inject theirs)."""
    clock: Clock = request.app.state.clock
    return clock()


def read_scope(app: ASGIApp) -> ASGIApp:
    """Route middleware: the whole handler (and its dependencies) in one read scope."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async with engine.read():
            await app(scope, receive, send)

    return middleware


#: A chain, not siblings: the hub is opened at the request's `now`. Litestar resolves sibling
#: dependencies in a task group (two tasks and a group per request, about a tenth of a rendered hub
#: page's framework time); one after the other they are plain awaits, and each link costs a
#: signature check, so `now` reads the clock itself.
DEPENDENCIES: dict[str, Provide] = {
    "hub": Provide(provide_hub),
    "now": Provide(provide_now, sync_to_thread=False),
}
