"""Reads of the LINE bot's half of the account link: the order a LINE user's message names
(`named_order`), and whether the short code that came with it proves the order. Pure decisions in
`line_bot_rules`; the provider calls in `clients` (link token, reply); the words and the flow in
orderhub/channels/line_bot.py."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.db import engine
from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order
from orderhub.db.tokens import hub_token


@dataclass(frozen=True)
class NamedOrder:
    """The order a message named. `hub_token` only when the short code proved it (else "")."""

    order_id: int
    number: str
    locale: str
    hub_token: str = ""

    @property
    def proven(self) -> bool:
        return bool(self.hub_token)


@dataclass(frozen=True)
class BotMerchant:
    id: int
    slug: str
    locale: str


async def merchant(slug: str) -> BotMerchant | None:
    if not (0 < len(slug) <= 64):
        return None
    async with engine.read():
        row = await Merchant.select(Merchant.id, Merchant.slug, Merchant.locale).where(Merchant.slug == slug).first()
    return BotMerchant(row["id"], row["slug"], row["locale"] or "en") if row else None


async def named_order(merchant_id: int, asked: bot_rules.Asked, *, token_key: bytes,
                      code_key: bytes) -> NamedOrder | None:
    """The merchant's order with the number asked (already NFKC-normalised and trimmed, as the lookup
    normalises a number: line_bot_rules.read_message), None if it has none; proven when the short code
    sent with it is the order's current one (db/channels/line_bot_rules.link_code)."""
    async with engine.read():
        row = await Order.select(Order.id, Order.number, Order.locale, Order.key, Order.token_generation).where(
            (Order.merchant == merchant_id) & (Order.number == asked.number)).first()
    if row is None:
        return None
    locale = (row["locale"] or "").split("-")[0].lower()
    token = hub_token(token_key, row["key"], row["token_generation"]) if row["key"] else ""
    proven = bool(token) and bot_rules.code_matches(code_key, token, asked.code)
    return NamedOrder(row["id"], row["number"], locale, token if proven else "")
