"""Reads for the channels beside email: each merchant's accounts as the settings page shows them
(credentials only as hints), the message log, the delivery figures of the last 7 days, and an
order's state on each channel (for the shopper's panel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.channels import rules
from orderhub.db.channels.tables import ChannelAccount, ChannelOutboxMessage, ChannelRecipient


@dataclass(frozen=True)
class AccountView:
    channel: str
    enabled: bool
    events: list[str]
    #: {field: "…abcd"} for each stored credential (never the value)
    hints: dict[str, str]

    @property
    def configured(self) -> bool:
        return all(self.hints.get(f) for f in rules.CREDENTIAL_FIELDS.get(self.channel, {}))


@dataclass(frozen=True)
class MessageView:
    id: int
    channel: str
    event: str
    kind: str
    recipient: str
    state: str
    attempts: int
    last_error: str
    text: str
    created_at: dt.datetime
    sent_at: dt.datetime | None

    @property
    def retryable(self) -> bool:
        return rules.retryable(self.state)

    @property
    def shown_recipient(self) -> str:
        """What the log shows of the recipient: a phone masked, a LINE id shortened."""
        if self.channel == rules.SMS:
            return rules.masked_phone(self.recipient)
        return self.recipient[:6] + "…" if len(self.recipient) > 8 else self.recipient


async def accounts(merchant_id: int) -> dict[str, AccountView]:
    """Every channel's account (a default, off, for channels never saved)."""
    async with engine.read():
        rows = await ChannelAccount.select(ChannelAccount.channel, ChannelAccount.enabled, ChannelAccount.events,
                                           ChannelAccount.hints).where(
            ChannelAccount.merchant == merchant_id).output(load_json=True)
    found = {r["channel"]: r for r in rows}
    return {c: AccountView(c, bool(found[c]["enabled"]), list(found[c]["events"] or []), dict(found[c]["hints"] or {}))
            if c in found else AccountView(c, False, list(rules.DEFAULT_EVENTS), {}) for c in rules.CHANNELS}


async def messages(merchant_id: int, *, state: str | None = None, limit: int = 50) -> list[MessageView]:
    async with engine.read():
        query = ChannelOutboxMessage.select().where(ChannelOutboxMessage.merchant == merchant_id)
        if state:
            query = query.where(ChannelOutboxMessage.state == state)
        rows = await query.order_by(ChannelOutboxMessage.id, ascending=False).limit(limit)
    return [_view(r) for r in rows]


def _view(r: dict[str, Any]) -> MessageView:
    return MessageView(r["id"], r["channel"], r["event"], r["kind"], r["recipient"], r["state"], r["attempts"],
                       r["last_error"], r["rendered_text"], r["created_at"], r["sent_at"])


async def figures(merchant_id: int, now: dt.datetime) -> dict[str, dict[str, int]]:
    """{channel: {"sent", "failed", "dead"}} of messages written in the last 7 days."""
    async with engine.read():
        rows = await ChannelOutboxMessage.select(ChannelOutboxMessage.channel, ChannelOutboxMessage.state).where(
            (ChannelOutboxMessage.merchant == merchant_id)
            & (ChannelOutboxMessage.created_at >= rules.figures_since(now))
            & ChannelOutboxMessage.state.is_in(list(rules.FIGURES)))
    out = {c: dict.fromkeys(rules.FIGURES, 0) for c in rules.CHANNELS}
    for r in rows:
        out.setdefault(r["channel"], dict.fromkeys(rules.FIGURES, 0))[r["state"]] += 1
    return out


async def order_channels(merchant_id: int, order_id: int) -> dict[str, bool]:
    """{channel: linked} for the channels the merchant turned on (the shopper's panel lists these)."""
    on = [c for c, a in (await accounts(merchant_id)).items() if a.enabled]
    async with engine.read():
        rows = await ChannelRecipient.select(ChannelRecipient.channel).where(
            (ChannelRecipient.merchant == merchant_id) & (ChannelRecipient.order_id == order_id)
            & (ChannelRecipient.active == True))  # noqa: E712
    linked = {r["channel"] for r in rows}
    return {c: c in linked for c in on}
