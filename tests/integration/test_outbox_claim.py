"""One claim for every outbox (db/queue.claim_due): under concurrent claimers each due row goes
to exactly one of them, whichever outbox (webhook deliveries, emails, channel messages) and whichever
engine; rows not yet due, or claimed and still leased, are not claimed; a lease that ran out makes
the row due again (or dead when out of attempts). The areas' own claims go through it too."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from orderhub.db import engine
from orderhub.db import queue as claim
from orderhub.db.channels import services as channels
from orderhub.db.channels.tables import ChannelOutboxMessage
from orderhub.db.emails import services as emails
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.outbox import services as webhooks
from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint

ROWS = 30
LEASE = dt.timedelta(minutes=5)


async def _rows(table, merchant_id: int, now: dt.datetime, count: int = ROWS, *, due_in: dt.timedelta = dt.timedelta(0)):
    """`count` pending rows of `table`, due at now + due_in. -> their ids."""
    async with engine.write():
        endpoint = None
        if table is WebhookDelivery:
            endpoint = (await WebhookEndpoint.insert(WebhookEndpoint(
                merchant=merchant_id, url="https://hooks.example.com/x", secret="s" * 32, events=["*"], active=True,
                created_at=now)).returning(WebhookEndpoint.id))[0]["id"]
        ids = []
        for i in range(count):
            common = {"merchant": merchant_id, "event": "shipment.delivered", "payload": {"i": i}, "state": "pending",
                      "attempts": 0, "next_attempt_at": now + due_in, "created_at": now}
            marker = f"{due_in.total_seconds():.0f}-{i}"
            if table is WebhookDelivery:
                row = WebhookDelivery(endpoint=endpoint, event_id=f"evt_{marker}", **common)
            elif table is EmailMessage:
                row = EmailMessage(kind="delivered", recipient="a@example.com", message_id=f"m-{marker}",
                                   key=f"k-{marker}", **common)
            else:
                row = ChannelOutboxMessage(channel="sms", kind="delivered", recipient="+819012345678",
                                           key=f"k-{marker}", **common)
            ids += [r["id"] for r in await table.insert(row).returning(table.id)]
    return ids


@pytest.mark.parametrize("table", [WebhookDelivery, EmailMessage, ChannelOutboxMessage],
                         ids=["webhooks", "emails", "channels"])
async def test_concurrent_claimers_each_row_exactly_once(table, merchants, clock):
    merchant = merchants["yamakaze"][0]
    now = clock()
    ids = await _rows(table, merchant.id, now)
    later = await _rows(table, merchant.id, now, 3, due_in=dt.timedelta(hours=1))
    batches = await asyncio.gather(*(claim.claim_due(table, now, 4, lease=LEASE) for _ in range(12)))
    claimed = [r["id"] for batch in batches for r in batch]
    assert sorted(claimed) == sorted(ids)  # every due row once, none twice, nothing not yet due
    assert {r["state"] for batch in batches for r in batch} == {"sending"}
    assert {r["attempts"] for batch in batches for r in batch} == {1}
    assert await claim.claim_due(table, now, 100, lease=LEASE) == []  # leased
    async with engine.read():
        states = {r["id"]: r["state"] for r in await table.select(table.id, table.state)}
    assert {states[i] for i in later} == {"pending"}
    # the lease runs out: due again, and claimed once more (then dead when out of attempts)
    after = now + LEASE + dt.timedelta(seconds=1)
    assert await claim.release_stuck(table, after, max_attempts=8) == ROWS
    again = await asyncio.gather(*(claim.claim_due(table, after, ROWS, lease=LEASE) for _ in range(3)))
    assert sorted(r["id"] for batch in again for r in batch) == sorted(ids)
    assert await claim.release_stuck(table, after + LEASE * 2, max_attempts=2) == ROWS
    async with engine.read():
        assert {r["state"] for r in await table.select(table.state).where(table.id.is_in(ids))} == {"dead"}


async def test_the_areas_own_claims_under_concurrent_workers(merchants, clock):
    """emails.claim, channels.claim and the webhook worker's claim: overlapping id lists, each row once."""
    merchant = merchants["yamakaze"][0]
    now = clock()
    email_ids = await _rows(EmailMessage, merchant.id, now)
    channel_ids = await _rows(ChannelOutboxMessage, merchant.id, now)
    webhook_ids = await _rows(WebhookDelivery, merchant.id, now)
    halves = [email_ids[: ROWS // 2 + 5], email_ids[ROWS // 2 - 5:], email_ids]
    got = await asyncio.gather(*(emails.claim(h, now) for h in halves))
    assert sorted(m.id for batch in got for m in batch) == sorted(email_ids)
    halves = [channel_ids[: ROWS // 2 + 5], channel_ids[ROWS // 2 - 5:], channel_ids]
    got_rows = await asyncio.gather(*(channels.claim(h, now) for h in halves))
    assert sorted(r["id"] for batch in got_rows for r in batch) == sorted(channel_ids)
    one = await asyncio.gather(*(webhooks._claim(i, now) for i in webhook_ids for _ in range(2)))
    won = [c[0].id for c in one if c is not None]
    assert sorted(won) == sorted(webhook_ids)
    async with engine.read():
        attempts = {r["attempts"] for r in await WebhookDelivery.select(WebhookDelivery.attempts)}
    assert attempts == {0}  # the webhook outbox counts an attempt when it records the outcome
