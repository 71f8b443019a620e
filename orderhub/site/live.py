"""Live updates for hub pages, the staff console and admin: server-sent events over Litestar channels.

Backends
    One process (SQLite, or tests): Litestar's in-memory channels backend. PostgreSQL: LISTEN/NOTIFY
    (Litestar's asyncpg backend; publishing goes through the app's Piccolo pool), so a write handled
    by one worker process reaches the SSE clients of every worker.

API
    ``install(settings, state) -> ChannelsPlugin``
        builds the plugin (app.py passes it in ``plugins=[...]``) and keeps it in ``state["live"]``.

    ``await publish(app_or_request_or_state, topic, event="update")``
        call it from a controller AFTER the write transaction committed. ``topic`` is a short string
        such as ``order.42`` / ``pickup.store.7``; use :func:`topic` to build one. ``event`` is the SSE
        event name the page receives: ``"update"`` (re-fetch the region) or ``"final"`` (re-fetch one
        last time and close the stream). Never raises: a lost live update only delays the page until
        its polling fallback runs. Before the app's lifespan has started (tests on a bare ASGI
        transport) it does nothing.

    ``sse_response(request, topics) -> ServerSentEvent``
        an endless ``text/event-stream`` for a controller to return. It sends ``event: ready``
        (data: the worker's process id) once
        the subscription is live (tests and browsers wait for it before publishing), then one named event
        per publish (``update`` / ``final``; no data needed), a comment heartbeat every 15 s, and ends
        after a ``final`` event or when the client goes away.

Template pattern for a live region (htmx 4 + the ``hx-sse`` extension, which every page loads with
the script bundle, site/assets.py)::

    <div id="x-live" data-live {% if not final %}data-live-connect="{{ events_url }}" data-live-close="final"{% endif %}>
      {% block region %}
      <section id="x-region"
        {% if not final %}hx-get="{{ region_url }}" hx-trigger="update from:#x-live, final from:#x-live, every 30s"
        hx-swap="outerHTML" hx-sync="this:replace"{% endif %}>
        ...
      </section>
      {% endblock %}
    </div>

  (`static/js/live.js` turns data-live-connect into `hx-sse:connect` once the extension is
  registered: written straight into the HTML it races htmx's start-up and sometimes never opens.)
  The SSE element receives named events and dispatches them as DOM events on itself; the region
  re-fetches its own block (a partial request answered by ``rendering.page``) and replaces itself.
  ``hx-sync="this:replace"``: an event that arrives while a re-fetch is still in flight aborts it and
  fetches again, so the region always ends on the latest state (htmx's default queues the second
  request on the element the first swap then replaces, and the newer state would be lost).
  ``every 30s`` is the polling fallback when SSE cannot connect (proxies, old browsers). Once the
  thing is final the server renders the region without ``hx-get``/``hx-trigger`` (polling stops)
  and answers a poll with HTTP 286 (:data:`STOP_POLLING`); the publisher sends ``final``, which
  closes the stream (``hx-sse:close``), and a page loaded when already final has no ``hx-sse``.
  ``static/js/live.js`` marks the connector ``data-live="open|closed"`` for tests and styles.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterable
from typing import Any

from litestar import Request
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.datastructures import State
from litestar.response import ServerSentEvent, ServerSentEventMessage

from orderhub.db.engine import current_engine, engine_for
from orderhub.settings import Settings

try:  # the PostgreSQL driver (optional: SQLite deployments need not install it)
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None

log = logging.getLogger("orderhub.live")

#: the status a poll answers with once the region is final (htmx stops polling; htmx 4 still swaps it)
STOP_POLLING = 286
HEARTBEAT_SECONDS = 15.0
EVENTS = ("update", "final")


def topic(kind: str, ident: object) -> str:
    """`order.42`, `store.7`, ...: short, safe as a PostgreSQL channel name."""
    return f"{kind}.{ident}"[:60]


class _GuardedUnsubscribe:
    """Litestar's plugin decides to drop a channel before awaiting the backend, so a subscriber that
    arrives in between (a page reconnecting as another closes) could be left on a channel the
    backend no longer listens to. Drop only channels that are still without subscribers."""

    plugin: ChannelsPlugin | None = None

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        plugin = self.plugin
        empty = [c for c in channels if plugin is None or not plugin._channels.get(c)]
        if empty:
            await super().unsubscribe(empty)  # type: ignore[misc]


class _MemoryBackend(_GuardedUnsubscribe, MemoryChannelsBackend):
    pass


class _PiccoloPgBackend(_GuardedUnsubscribe, AsyncPgChannelsBackend):
    """LISTEN on one dedicated connection; NOTIFY through the app's pool (no new connection each)."""

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        engine = current_engine()
        pool = getattr(engine, "pool", None)
        if pool is None:
            await super().publish(data, channels)
            return
        text = data.decode("utf-8")
        async with pool.acquire() as conn:
            for channel in channels:
                await conn.execute("SELECT pg_notify($1, $2)", channel, text)


def _pg_connect(settings: Settings):
    async def connect():
        if asyncpg is None:  # pragma: no cover
            raise RuntimeError("PostgreSQL live updates need the asyncpg driver")
        config = dict(engine_for(settings).config)
        config.pop("log_queries", None)
        return await asyncpg.connect(**config)

    return connect


def install(settings: Settings, state: State | dict) -> ChannelsPlugin:
    backend: _PiccoloPgBackend | _MemoryBackend
    if settings.is_postgres:
        backend = _PiccoloPgBackend(make_connection=_pg_connect(settings))
    else:
        backend = _MemoryBackend()
    plugin = ChannelsPlugin(
        backend=backend, arbitrary_channels_allowed=True, subscriber_max_backlog=64, subscriber_backlog_strategy="dropleft"
    )
    backend.plugin = plugin
    state["live"] = plugin
    return plugin


def _plugin(where: Any) -> ChannelsPlugin | None:
    state = where
    if isinstance(where, Request):
        state = where.app.state
    elif hasattr(where, "state") and not isinstance(where, (State, dict)):
        state = where.state
    try:
        return state["live"]
    except (KeyError, TypeError):
        return getattr(state, "live", None)


async def publish(where: Any, topic: str, event: str = "update") -> None:
    """Tell every open page listening on `topic` (see the module docstring)."""
    plugin = _plugin(where)
    if plugin is None or getattr(plugin, "_pub_queue", None) is None:
        return  # the app's lifespan has not started: nobody can be listening
    if event not in EVENTS:
        raise ValueError(f"unknown live event {event!r}")
    try:
        await plugin.wait_published(event, [topic])
    except Exception:  # a live update is best-effort; polling catches up
        log.exception("could not publish %s on %s", event, topic)


async def _events(plugin: ChannelsPlugin, topics: list[str]) -> AsyncIterator[ServerSentEventMessage]:
    subscriber = await plugin.subscribe(topics)
    try:
        yield ServerSentEventMessage(event="ready", data=str(os.getpid()), retry=2000)
        queue = subscriber._queue
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            if item is None:
                return
            event = item.decode("utf-8", "replace")
            if event not in EVENTS:
                continue
            yield ServerSentEventMessage(event=event, data="")
            if event == "final":
                return
    finally:
        # the client went away and this generator is being cancelled: an await here would be cut
        # short halfway through UNLISTEN and leave the backend thinking it still listens. Run the
        # unsubscription as its own task instead.
        task = asyncio.get_running_loop().create_task(_unsubscribe(plugin, subscriber, topics))
        _PENDING.add(task)
        task.add_done_callback(_PENDING.discard)


_PENDING: set[asyncio.Task] = set()


async def _unsubscribe(plugin: ChannelsPlugin, subscriber, topics: list[str]) -> None:
    try:
        await plugin.unsubscribe(subscriber, topics)
    except Exception:  # pragma: no cover - shutdown races
        log.debug("unsubscribe failed", exc_info=True)


def sse_response(request: Request, topics: list[str]) -> ServerSentEvent:
    plugin = _plugin(request)
    if plugin is None:
        raise RuntimeError("live updates are not installed")
    response = ServerSentEvent(_events(plugin, list(topics)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response
