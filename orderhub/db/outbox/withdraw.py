"""Taking news back: something announced was undone (a counter reception and its refund), so the
messages about it that are still waiting (the shopper's emails, the merchant's webhooks, LINE / SMS /
push messages) are withdrawn and never go out; what already went out is reported so the caller can send
a correction. Joins the caller's write transaction (called by the area that undid the change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.channels import rules as channel_rules
from orderhub.db.channels.tables import ChannelOutboxMessage
from orderhub.db.emails import rules as email_rules
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.outbox import rules
from orderhub.db.outbox.tables import WebhookDelivery


@dataclass(frozen=True)
class Withdrawn:
    """What happened to the news: how many waiting messages were withdrawn, and the events of the
    shopper's messages that had already gone out (or were going out) and need a correction."""

    withdrawn: int
    already_sent: frozenset[str]


async def withdraw(order_id: int, events: Collection[str], about: Callable[[Mapping[str, Any]], bool], *,
                   since: dt.datetime, now: dt.datetime) -> Withdrawn:
    """Withdraw the order's waiting messages of `events` written at or after `since` whose payload
    `about` recognises (e.g. one return's), across emails, webhooks and channel messages."""
    count, sent = 0, set[str]()
    async with engine.write():
        for table, waiting, gone, state in (
            (EmailMessage, email_rules.PENDING, (email_rules.SENDING, email_rules.SENT), email_rules.WITHDRAWN),
            (WebhookDelivery, rules.PENDING, (), rules.WITHDRAWN),
            (ChannelOutboxMessage, channel_rules.PENDING, (channel_rules.SENDING, channel_rules.SENT),
             channel_rules.WITHDRAWN),
        ):
            rows = await table.select(table.id, table.event, table.payload, table.state).output(
                load_json=True).where((table.order_id == order_id) & table.event.is_in(list(events))
                                      & (table.created_at >= since))
            mine = [r for r in rows if isinstance(r["payload"], dict) and about(r["payload"])]
            ids = [r["id"] for r in mine if r["state"] == waiting]
            done: set[int] = set()
            if ids:
                done = {d["id"] for d in await table.update({table.state: state}).where(
                    table.id.is_in(ids) & (table.state == waiting)).returning(table.id)}
                count += len(done)
            # gone out, going out, or picked up by a sender between the read and the update
            sent.update(r["event"] for r in mine if r["state"] in gone or (r["state"] == waiting and r["id"] not in done))
            if table is EmailMessage or table is ChannelOutboxMessage:
                await _free_keys(table, [r["id"] for r in mine])
    return Withdrawn(count, frozenset(sent))


async def _free_keys(table: type[EmailMessage] | type[ChannelOutboxMessage], ids: list[int]) -> None:
    """The messages' "one per change" keys are set aside: the change was undone, so the same change
    made again (received again) is news again."""
    width = table.key.length
    for row in await table.select(table.id, table.key).where(table.id.is_in(ids or [0])):
        if not row["key"].startswith(f"{row['id']}:undone:"):
            await table.update({table.key: f"{row['id']}:undone:{row['key']}"[:width]}).where(table.id == row["id"])
