"""Writes for the outbox: `notify` (called by every area inside its own write transaction),
endpoints and their secrets, delivering due webhooks with
retries, retrying dead ones by hand.

Dependencies go one way: the outbox writes the shopper's email through db/emails (enqueue); the
emails area never imports the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import deque
from collections.abc import Callable, Collection, Coroutine
from typing import Any, cast

import httpx
from piccolo.columns import Column

from orderhub import outbound
from orderhub.db import engine
from orderhub.db import queue as claim
from orderhub.db.channels import services as channels
from orderhub.db.emails import services as emails
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.outbox import rules
from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint
from orderhub.db.tokens import new_secret


async def notify(merchant_id: int, event: str, payload: dict[str, Any], *, order_id: int | None, now: dt.datetime) -> None:
    """Record that `event` happened, in the caller's transaction: one delivery per active endpoint
    that wants it, and the shopper's email when the event calls for one (db/emails) and its messages on
    the merchant's other channels (db/channels). A rollback of
    the caller's change writes nothing; a commit guarantees delivery."""
    async with engine.write():
        endpoints = await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            (WebhookEndpoint.merchant == merchant_id) & (WebhookEndpoint.active == True)  # noqa: E712
        ).output(load_json=True)
        rows = [
            WebhookDelivery(merchant=merchant_id, endpoint=ep["id"], event_id=f"evt_{uuid.uuid4().hex}", event=event,
                            order_id=order_id, payload=payload, state=rules.PENDING, attempts=0, next_attempt_at=now,
                            created_at=now)
            for ep in endpoints if rules.wants(ep["events"] or ["*"], event)
        ]
        if rows:
            await WebhookDelivery.insert(*rows)
        # the shopper's email (unless the merchant sends its own from these webhooks), same transaction
        await emails.enqueue(merchant_id, event, payload, order_id=order_id, now=now)
        # and the same news on the channels the merchant turned on (LINE, SMS, push), same transaction
        await channels.enqueue_channels(merchant_id, event, payload, order_id=order_id, now=now)


async def add_endpoint(merchant_id: int, url: str, *, events: list[str] | None = None, now: dt.datetime,
                       allow_internal: Collection[str] = ()) -> tuple[int, str]:
    """-> (endpoint id, secret). The secret is shown to the merchant to verify signatures. A URL whose
    host is or resolves to an internal address is refused (unless named in `allow_internal`)."""
    if not rules.endpoint_url_ok(url):
        raise ValidationFailed([{"field": "url", "code": rules.BAD_URL, "message": "must be an http(s) URL"}])
    if await outbound.reaches_internal(url, allow=allow_internal):
        raise ValidationFailed([{"field": "url", "code": rules.INTERNAL_URL,
                                 "message": "must not point at a loopback, private or reserved address"}])
    secret = new_secret()
    async with engine.write():
        row = WebhookEndpoint(merchant=merchant_id, url=url, secret=secret, events=events or ["*"], active=True,
                              created_at=now)
        await row.save()
    return row.id, secret


async def rotate_secret(merchant_id: int, endpoint_id: int) -> str:
    secret = new_secret()
    async with engine.write():
        updated = await WebhookEndpoint.update({WebhookEndpoint.secret: secret}).where(
            (WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.merchant == merchant_id)
        ).returning(WebhookEndpoint.id)
    if not updated:
        raise NotFound(rules.ENDPOINT_NOT_FOUND, "endpoint not found")
    return secret


async def set_active(merchant_id: int, endpoint_id: int, active: bool) -> None:
    async with engine.write():
        updated = await WebhookEndpoint.update({WebhookEndpoint.active: active}).where(
            (WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.merchant == merchant_id)
        ).returning(WebhookEndpoint.id)
    if not updated:
        raise NotFound(rules.ENDPOINT_NOT_FOUND, "endpoint not found")


async def retry(merchant_id: int, delivery_id: int, *, now: dt.datetime) -> None:
    """Send a dead (or failing) delivery again at once."""
    async with engine.write():
        updated = await WebhookDelivery.update({
            WebhookDelivery.state: rules.PENDING, WebhookDelivery.next_attempt_at: now,
        }).where(
            (WebhookDelivery.id == delivery_id) & (WebhookDelivery.merchant == merchant_id)
            & WebhookDelivery.state.is_in(list(rules.RETRYABLE))
        ).returning(WebhookDelivery.id)
    if not updated:
        raise NotFound(rules.DELIVERY_NOT_FOUND, "delivery not found")


Clock = Callable[[], dt.datetime]


async def due_by_endpoint(now: dt.datetime, limit: int) -> dict[int, list[int]]:
    """Due deliveries, oldest first, grouped by endpoint: {endpoint id: [delivery ids]}."""
    async with engine.read():
        due = await WebhookDelivery.select(WebhookDelivery.id, WebhookDelivery.endpoint).where(
            (WebhookDelivery.state == rules.PENDING) & (WebhookDelivery.next_attempt_at <= now)
        ).order_by(WebhookDelivery.next_attempt_at).order_by(WebhookDelivery.id).limit(limit)
    grouped: dict[int, list[int]] = {}
    for item in due:
        grouped.setdefault(item["endpoint"], []).append(item["id"])
    return grouped


async def _claim(delivery_id: int, now: dt.datetime) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """Pending -> sending, atomically (db/queue): of two workers (in any process) one gets it.
    The claim time is kept in next_attempt_at (no lease: `release_stuck` counts from the claim, not
    from when it fell due); attempts are counted when the outcome is recorded."""
    claimed = await claim.claim_due(WebhookDelivery, now, 1, ids=[delivery_id], lease=dt.timedelta(0),
                                    count_attempt=False)
    if not claimed:
        return None
    async with engine.read():
        row = await WebhookDelivery.objects().output(load_json=True).where(WebhookDelivery.id == delivery_id).first()
        assert row is not None  # claimed just above
        endpoint = await WebhookEndpoint.objects().where(WebhookEndpoint.id == row.endpoint).first()
        assert endpoint is not None  # a foreign key; endpoints are never deleted
    return row, endpoint


async def _send(client: httpx.AsyncClient, row: WebhookDelivery, endpoint: WebhookEndpoint, now: dt.datetime,
                timeout: float) -> tuple[bool, int | None, str]:
    """-> (ok, HTTP status, what the log says). Any transport failure (an internal address refused,
    DNS, connect, TLS, timeout) says only rules.GENERIC_ERROR, so the log tells no port states apart."""
    payload = rules.body(row.event_id, row.event, cast(dict[str, Any], row.payload), row.created_at)
    try:
        async with asyncio.timeout(timeout):
            response = await client.post(endpoint.url, content=payload, headers={
                "Content-Type": "application/json",
                "X-Orderhub-Signature": rules.signature_header(endpoint.secret, payload, now),
                "X-Orderhub-Event": row.event,
                "User-Agent": "orderhub-webhooks/1",
            })
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
        return False, None, rules.GENERIC_ERROR
    ok = 200 <= response.status_code < 300
    return ok, response.status_code, "" if ok else f"HTTP {response.status_code}"


async def _record(row: WebhookDelivery, ok: bool, status: int | None, error: str, now: dt.datetime) -> str:
    """Store the attempt: -> "delivered", "retry" or "dead"."""
    attempts = row.attempts + 1
    values: dict[Column | str, Any]
    if ok:
        values, outcome = {WebhookDelivery.state: rules.DELIVERED, WebhookDelivery.delivered_at: now}, "delivered"
    else:
        retry_at = rules.next_attempt(attempts, now)
        values = {WebhookDelivery.state: rules.PENDING if retry_at else rules.DEAD,
                  WebhookDelivery.next_attempt_at: retry_at or now}
        outcome = "retry" if retry_at else "dead"
    async with engine.write():
        await WebhookDelivery.update({**values, WebhookDelivery.attempts: attempts,
                                      WebhookDelivery.last_status: status, WebhookDelivery.last_error: error}).where(
            WebhookDelivery.id == row.id
        )
    return outcome


async def endpoint_worker(client: httpx.AsyncClient, queue: deque[int], clock: Clock, counts: dict[str, int], *,
                          timeout: float = rules.DELIVERY_TIMEOUT_SECONDS) -> None:
    """Send one endpoint's deliveries from `queue` (shared by that endpoint's workers), one at a time."""
    while queue:
        claimed = await _claim(queue.popleft(), clock())
        if claimed is None:
            continue
        row, endpoint = claimed
        ok, status, error = await _send(client, row, endpoint, clock(), timeout)
        counts[await _record(row, ok, status, error, clock())] += 1


def workers_for(client: httpx.AsyncClient, ids: list[int], clock: Clock, counts: dict[str, int], *,
                per_endpoint: int, timeout: float) -> list[Coroutine[Any, Any, None]]:
    queue = deque(ids)
    return [endpoint_worker(client, queue, clock, counts, timeout=timeout) for _ in range(min(per_endpoint, len(ids)))]


async def deliver_due(client: httpx.AsyncClient, *, now: dt.datetime, limit: int = 50,
                      per_endpoint: int = rules.PER_ENDPOINT, timeout: float = rules.DELIVERY_TIMEOUT_SECONDS,
                      ) -> dict[str, int]:
    """Send every due delivery once: 2xx -> delivered; otherwise back off, dead after MAX_ATTEMPTS.
    Endpoints are served concurrently, each by at most `per_endpoint` sends at once and each send
    within `timeout` seconds, so a slow endpoint delays only its own deliveries. Each delivery is
    claimed atomically first, so two workers (or processes) never send the same one."""
    counts = {"delivered": 0, "retry": 0, "dead": 0}
    work = [w for ids in (await due_by_endpoint(now, limit)).values()
            for w in workers_for(client, ids, lambda: now, counts, per_endpoint=per_endpoint, timeout=timeout)]
    await asyncio.gather(*work)
    return counts


async def release_stuck(*, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> None:
    """A worker that died mid-send leaves rows 'sending': make them due again (the receiver drops
    the repeat by the event id in the body)."""
    async with engine.write():
        await WebhookDelivery.update({WebhookDelivery.state: rules.PENDING}).where(
            (WebhookDelivery.state == rules.SENDING) & (WebhookDelivery.next_attempt_at < now - older_than)
        )
