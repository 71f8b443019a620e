"""The channel sender: claim each due message exactly once (as the email sender does), render it,
hand it to its channel's sender (`services.SENDERS`) with the merchant's credentials, and record the
outcome (sent; 429/5xx/timeouts back off; dead after MAX_ATTEMPTS; a permanent refusal fails at
once). Rendering is passed in (`Render`): words live above the model layer (orderhub/channels)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from orderhub.db.channels import rules, services
from orderhub.db.channels.rules import ChannelMessage, Credentials, SendResult

#: a claimed row -> the message as sent (text and link), or None when its order is gone
Render = Callable[[dict[str, Any]], Awaitable[ChannelMessage | None]]
CLAIM_BATCH = 20


async def deliver_due(client: httpx.AsyncClient, render: Render, *, secret_key: str, api_urls: dict[str, str],
                      now: dt.datetime, limit: int = 100) -> dict[str, int]:
    """One pass: every due message once. -> counts of sent, retry, failed, dead, skipped."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "dead": 0, "skipped": 0}
    await services.release_stuck(now)
    ids = await services.due(now, limit)
    keys: dict[tuple[int, str], Credentials] = {}
    for start in range(0, len(ids), CLAIM_BATCH):
        for row in await services.claim(ids[start:start + CLAIM_BATCH], now):
            await _deliver_one(client, row, render, keys, secret_key, api_urls, now, counts)
    return counts


async def _deliver_one(client: httpx.AsyncClient, row: dict[str, Any], render: Render,
                       keys: dict[tuple[int, str], Credentials], secret_key: str, api_urls: dict[str, str],
                       now: dt.datetime, counts: dict[str, int]) -> None:
    if rules.stale(row["created_at"], now):
        await services.skip(row["id"], "not sent within 3 days; no longer worth sending")
        counts["skipped"] += 1
        return
    sender = services.SENDERS.get(row["channel"])
    message = await render(row)
    if sender is None or message is None:
        await services.skip(row["id"], "the order is gone" if message is None else "the channel is not available")
        counts["skipped"] += 1
        return
    cache_key = (row["merchant"], row["channel"])
    if cache_key not in keys:
        stored = await services.credentials(row["merchant"], row["channel"], secret_key=secret_key)
        keys[cache_key] = Credentials(row["channel"], stored.values, api_urls.get(row["channel"], ""))
    try:
        result = await sender(client, message, keys[cache_key])
    except Exception as exc:  # a sender's own bug must not stop the others: retried like a 5xx
        result = SendResult(ok=False, error=f"{type(exc).__name__}")
    state = await services.record(row["id"], row["attempts"], result, message.text, now)
    counts[{rules.SENT: "sent", rules.PENDING: "retry", rules.FAILED: "failed"}.get(state, "dead")] += 1
