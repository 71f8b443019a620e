"""`/o/{token}/updates`: the shopper's LINE and SMS options for this order (the channels the merchant
turned on), and `POST /webhooks/line/{merchant_slug}`: LINE's webhook.

LINE's account link (docs/architecture.md, "LINE account link"): a shopper follows the shop's LINE
account and sends it the order number (or the number and the short code this page shows); the bot
(orderhub/channels/line_bot.py) asks LINE for a link token for that user and replies with this page
carrying it (`?linkToken=...`; with a number only, the shop's lookup page, which leads here once the
shopper proves the order). The page's "Get updates on LINE" button posts the link token, we keep a
fresh nonce for the order and answer 303 to LINE's account-link dialog (`ORDERHUB_LINE_ACCESS_URL`);
LINE then calls the webhook with an `accountLink` event carrying the nonce and the user id, which
binds them (the nonce is used once, within 10 minutes). The webhook is verified with the merchant's
channel secret (`x-line-signature`); an `unfollow` event removes the links."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Template

from orderhub.channels import line_bot
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.channels import line_bot as bot_queries
from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.channels import queries, rules, services
from orderhub.db.orders.queries import Hub
from orderhub.site.hub.context import hub_context
from orderhub.site.hub.notify import panel_context
from orderhub.site.rendering import page

TEMPLATE = "site/channels/updates.html.jinja"
MAX_LINK_TOKEN = bot_rules.MAX_LINK_TOKEN


class ChannelsHubController(Controller):
    path = "/o/{token:str}/updates"

    async def _render(self, request: Request, hub: Hub, *, link_token: str = "", errors: dict | None = None,
                      status_code: int = 200) -> Template:
        state = await queries.order_channels(hub.merchant.id, hub.order.id)
        panel = await panel_context(hub, "updates", swap=False)
        line_code = bot_rules.link_code(request.app.state.settings.key_for("line-code"), hub.token)
        context = hub_context(request, hub, "confirmation", channels=state, link_token=link_token, line_code=line_code,
                              channel_name=lambda c: _(rules.CHANNEL_NAMES[c]), errors=errors or {}, **panel,
                              base=f"/o/{hub.token}/updates")
        return page(request, TEMPLATE, "channels", context, status_code=status_code)

    @get("/", name="hub-updates")
    async def show(self, request: Request, hub: Hub, link_token: str | None = None) -> Template:
        token = (request.query_params.get("linkToken") or link_token or "")[:MAX_LINK_TOKEN]
        return await self._render(request, hub, link_token=token if bot_rules.link_token_ok(token) else "")

    @post("/line", name="hub-updates-line")
    async def line(self, request: Request, hub: Hub, now: dt.datetime) -> Redirect | Template:
        form = await request.form()
        link_token = str(form.get("link_token") or "")
        state = await queries.order_channels(hub.merchant.id, hub.order.id)
        if rules.LINE not in state:
            return await self._render(request, hub, status_code=404)
        if not bot_rules.link_token_ok(link_token):
            return await self._render(request, hub, status_code=422,
                                      errors={"line": _("Open this page from the link our LINE account sent you.")})
        nonce = await services.line_link_started(hub.merchant.id, hub.order.id, now=now)
        url = rules.line_account_link_url(request.app.state.settings.line_access_url, link_token, nonce)
        return Redirect(path=url, status_code=303)

    @post("/sms", name="hub-updates-sms")
    async def sms(self, request: Request, hub: Hub) -> Redirect:
        """The old address of the updates page's SMS form: one SMS opt-in path now
        (orderhub/site/hub/notify.py). 307 keeps the method and the form (with its CSRF token):
        `action=stop` to `/notify/off/sms`, else to `/notify/sms`; back to this page afterwards."""
        form = await request.form()
        step = "off/sms" if form.get("action") == "stop" else "sms"
        return Redirect(path=href(f"/o/{hub.token}/notify/{step}", return_to="updates"), status_code=307)


class LineWebhooks(Controller):
    path = "/webhooks/line"
    tags = ["webhooks"]

    @post("/{merchant_slug:str}", summary="LINE Messaging API webhook (follow, message, accountLink, unfollow)",
          status_code=200)
    async def receive(self, request: Request, merchant_slug: str, now: dt.datetime) -> Response[dict[str, Any]]:
        raw = await request.body()
        shop = await bot_queries.merchant(merchant_slug)
        merchant_id = shop.id if shop else None
        creds = await services.credentials(merchant_id, rules.LINE,
                                           secret_key=request.app.state.settings.secret_key) if merchant_id else None
        if creds is None or not rules.line_signature_ok(creds.get("channel_secret"), raw,
                                                        request.headers.get("x-line-signature")):
            raise NotAuthorizedException("invalid signature")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = {}
        linked = dropped = 0
        answered: dict[str, int] = {}
        for event in (body.get("events") if isinstance(body, dict) else None) or []:
            if not isinstance(event, dict):
                continue
            source: dict[str, Any] = event["source"] if isinstance(event.get("source"), dict) else {}
            user_id = str(source.get("userId") or "")[:200]
            kind = event.get("type")
            link: dict[str, Any] = event["link"] if isinstance(event.get("link"), dict) else {}
            if kind == "accountLink" and link.get("result") == "ok":
                linked += await services.line_link_done(merchant_id or 0, str(link.get("nonce") or "")[:100], user_id,
                                                        now=now)
            elif kind == "unfollow" and user_id:
                dropped += await services.drop_recipient(merchant_id or 0, rules.LINE, user_id, now=now, source="line")
            elif kind in ("follow", "message") and shop is not None:
                async with request.app.state.channel_client() as client:
                    outcome = await line_bot.answer(client, request.app.state.settings, shop, creds, event)
                answered[outcome] = answered.get(outcome, 0) + 1
        return Response({"linked": linked, "removed": dropped, "answered": answered}, status_code=200)

