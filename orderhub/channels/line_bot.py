"""The LINE bot's half of the account link: what the shop's official account answers to a `follow`
or a `message` event (LINE's webhook, orderhub/site/channels/routes.py), in the order's language (or
the shop's).

- follow: how to connect an order (send its number, or the number and the code the hub shows);
- a message naming an order with its current short code: a link token for this LINE user
  (`POST /v2/bot/user/{userId}/linkToken`) and a reply with the hub's updates page carrying it
  (`/o/{token}/updates?linkToken=…`); the shopper presses "Get updates on LINE" there;
- a message naming an order number only (or a wrong code): a link token and a reply with the shop's
  lookup page carrying it (`/lookup?merchant=…&linkToken=…`): the shopper proves the order with its
  email or postal code, and the lookup leads to the same updates page. The answer is the same
  whether or not the number exists, so the bot tells nobody which order numbers are real;
- anything else: how to connect an order. LINE refusing a link token: "try again later".
Nothing is bound here: only LINE's `accountLink` event with our nonce binds (services.line_link_done)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx

from orderhub.components import i18n
from orderhub.db.channels import clients
from orderhub.db.channels import line_bot as bot
from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.channels.rules import Credentials
from orderhub.settings import Settings

#: outcomes (the webhook's answer counts them)
HELPED, LINK_SENT, LOOKUP_SENT, LINE_BUSY, IGNORED = "helped", "link_sent", "lookup_sent", "line_busy", "ignored"


def _lang(tag: str) -> str:
    lang = (tag or "en").split("-")[0].lower()
    return lang if lang in ("ja", "en") else "en"


def how_to_connect() -> str:
    return i18n.gettext("Thank you for adding us. To get updates about an order here, send us its order number "
                        "(or the number and the code shown under \"Updates about your order\" on your order page).")


async def answer(client: httpx.AsyncClient, settings: Settings, shop: bot.BotMerchant, credentials: Credentials,
                 event: dict[str, Any]) -> str:
    """Answer one `follow` or `message` event. -> the outcome."""
    kind = event.get("type")
    source: dict[str, Any] = event["source"] if isinstance(event.get("source"), dict) else {}
    user_id = source.get("userId")
    reply_token = event.get("replyToken") if isinstance(event.get("replyToken"), str) else ""
    if kind not in ("follow", "message") or not bot_rules.user_id_ok(user_id) or not reply_token:
        return IGNORED
    api, access = settings.line_api_url, credentials.get("access_token")
    message: dict[str, Any] = event["message"] if isinstance(event.get("message"), dict) else {}
    asked = bot_rules.read_message(message.get("text")) if kind == "message" and message.get("type") == "text" else None
    if asked is None:
        with i18n.language(_lang(shop.locale)):
            text = how_to_connect()
        await clients.line_reply(client, api, access, reply_token, text)
        return HELPED
    found = await bot.named_order(shop.id, asked, token_key=settings.key_for("hub-token"),
                                  code_key=settings.key_for("line-code"))
    link_token = await clients.line_link_token(client, api, access, str(user_id))
    lang = _lang(found.locale if found and found.locale else shop.locale)
    with i18n.language(lang):
        if link_token is None:
            outcome, text = LINE_BUSY, i18n.gettext("We can't connect orders right now. Please send the order "
                                                    "number again in a few minutes.")
        elif found is not None and found.proven:
            link = f"{settings.base_url}/o/{found.hub_token}/updates?" + urlencode({"linkToken": link_token, "lang": lang})
            outcome, text = LINK_SENT, i18n.gettext(
                "Tap to get updates about order %(number)s on LINE (the link works for 10 minutes): %(link)s",
                number=found.number, link=link)
        else:
            link = f"{settings.base_url}/lookup?" + urlencode({"merchant": shop.slug, "linkToken": link_token,
                                                                "lang": lang})
            outcome, text = LOOKUP_SENT, i18n.gettext(
                "To get updates about order %(number)s here, confirm it with the email address or postal code "
                "you used at checkout (the link works for 10 minutes): %(link)s", number=asked.number, link=link)
    await clients.line_reply(client, api, access, reply_token, text)
    return outcome
