"""Litestar dependencies every controller asks for by name instead of repeating the calls:

- ``hub``: the order hub opened from the ``{token}`` path parameter (the same 404 for every bad
  token), with the page language negotiated; read inside its own read scope.
- ``clock`` / ``now``: the injected clock (tests move it by hand) and one reading of it per request.
- ``read_scope``: one read transaction (one connection) around the handler; a write inside it is a
  programming error and raises at once (see `orderhub.db.engine`).

The signed-in merchant-admin user and the staff-console user are provided by
`orderhub.site.admin.guard` and `orderhub.site.staff.auth` in the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

from litestar import Request
from litestar.di import Provide

from orderhub.db import engine
from orderhub.db.clock import Clock
from orderhub.db.orders.queries import Hub
from orderhub.site.hub.context import open_hub


async def provide_hub(request: Request, token: str) -> Hub:
    async with engine.read():
        return await open_hub(request, token)


def provide_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def provide_now(request: Request) -> dt.datetime:
    return provide_clock(request)()


async def provide_read_scope() -> AsyncGenerator[None, None]:
    async with engine.read():
        yield


DEPENDENCIES: dict[str, Provide] = {
    "hub": Provide(provide_hub),
    "clock": Provide(provide_clock, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
    "read_scope": Provide(provide_read_scope),
}
