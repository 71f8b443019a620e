"""The short text of a channel message (LINE, SMS, push) in the shopper's language: the merchant's
name in that language, one sentence per event (the return events' own with their facts,
orderhub/channels/texts.py; else db/channels/rules.SHORT_TEXTS) and the signed hub link to the event's
section. Translated while rendering, inside `i18n.language(locale)`."""

from __future__ import annotations

from typing import Any

from orderhub.channels import texts
from orderhub.components import i18n
from orderhub.db.channels import rules
from orderhub.db.channels.rules import ChannelMessage
from orderhub.db.emails import rules as email_rules
from orderhub.emails import facts as message_facts
from orderhub.emails.render import int_or_none
from orderhub.settings import Settings


async def render(row: dict[str, Any], settings: Settings) -> ChannelMessage | None:
    if row["order_id"] is None:
        return None
    payload = row["payload"] or {}
    facts = await message_facts.facts(row["order_id"], settings.key_for("hub-token"), shipments=False, pickup=False,
                                      return_id=int_or_none(payload.get("return_id")),
                                      claim_id=int_or_none(payload.get("claim_id")))
    if facts is None:
        return None
    spec = email_rules.spec_for(row["event"])
    link = rules.hub_link(settings.base_url, facts.hub_token, spec.section if spec else "")
    with i18n.language(row["locale"] or "en"):
        name = facts.brand.in_language(i18n.current_language()).name
        text = rules.short_text(row["kind"], i18n.gettext, merchant_name=name, number=facts.order.number, link=link,
                                sentence=texts.sentence(row["kind"], payload, facts))
    return ChannelMessage(
        id=row["id"], merchant_id=row["merchant"], order_id=row["order_id"], channel=row["channel"],
        event=row["event"], kind=row["kind"], recipient=row["recipient"], locale=row["locale"], text=text,
        attempts=row["attempts"], payload=row["payload"] or {}, link=link)

