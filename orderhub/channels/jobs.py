"""The channel sender's job (LINE, SMS, push): every few seconds, send what is due through the
outbound guard (orderhub/outbound.py). Wiring only: claims and outcomes live in db/channels, the
words in orderhub/channels/render.py."""

from __future__ import annotations

from typing import Any

import httpx

from orderhub import outbound
from orderhub.channels.render import render
from orderhub.db.channels import jobs, rules, services
from orderhub.db.channels.rules import ChannelMessage
from orderhub.db.clock import Clock
from orderhub.db.schedule import Job
from orderhub.settings import Settings


def api_urls(settings: Settings) -> dict[str, str]:
    return {rules.LINE: settings.line_api_url, rules.SMS: settings.sms_api_url}


async def send_due(settings: Settings, clock: Clock, *, client: httpx.AsyncClient | None = None) -> dict[str, int]:
    """One pass of the sender; `client`: another HTTP client (tests hand a MockTransport)."""
    now = clock()
    if not await services.due(now, 1):
        await services.release_stuck(now)
        return {"sent": 0, "retry": 0, "failed": 0, "dead": 0, "skipped": 0}

    async def rendered(row: dict[str, Any]) -> ChannelMessage | None:
        return await render(row, settings)

    if client is not None:
        return await jobs.deliver_due(client, rendered, secret_key=settings.secret_key, api_urls=api_urls(settings),
                                      now=now)
    async with outbound.client(allow=settings.allow_internal_hosts, timeout=10.0) as own:
        return await jobs.deliver_due(own, rendered, secret_key=settings.secret_key, api_urls=api_urls(settings),
                                      now=now)


async def _send(settings: Settings, clock: Clock) -> None:
    await send_due(settings, clock)


JOBS: tuple[Job, ...] = (
    Job("channel messages", 5.0, _send),
)
