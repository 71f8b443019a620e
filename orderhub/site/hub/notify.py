"""Browser notifications and the shopper's "How should we tell you?" panel.

- `/sw.js`: the service worker (static/js/sw.js), from the root so its scope is the whole site.
- `GET /push/vapid-public-key`: the server's VAPID public key (base64url, text/plain).
- `/o/{token}/notify`: the panel as a page (block `panel`; the tracking and pickup sections show it
  too). `POST .../push` stores this browser's subscription (JSON, CSRF header); `POST .../sms` opts
  in to text messages (the one SMS opt-in: the panel and the updates page share its form,
  site/hub/_sms.html.jinja; the updates page's old `POST /o/{token}/updates/sms` redirects here with
  307); `POST .../off/{channel}` withdraws (a form: one tap, works without
  JavaScript). Consent and withdrawal go to the channel layer's consent log with time and source.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.channels import push, rules
from orderhub.db.channels import services as channels
from orderhub.db.orders.queries import Hub
from orderhub.db.validation import ValidationFailed
from orderhub.site import messages
from orderhub.site.hub.context import hub_context
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/hub/notify.html.jinja"
SERVICE_WORKER = Path(__file__).resolve().parent.parent.parent / "static" / "js" / "sw.js"
#: the pages whose forms post here (a form's `return_to`): the sections showing the panel, and the
#: updates page's SMS form (site/hub/_sms.html.jinja)
RETURN_TO = ("tracking", "pickup", "updates")
#: what a shopper may turn off from the panel
OFF = (rules.PUSH, rules.SMS, rules.LINE)


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key)


#: what the panel reads, from the order's row (a page's `PAGE_READS`, orderhub.site.deps)
panel_reads = push.panel_reads


async def panel_context(hub: Hub, return_to: str = "", error: str = "", *, swap: bool = True) -> dict[str, Any]:
    """What the panel shows (the tracking and pickup pages add it to their context; the updates page
    too, for its SMS form, with `swap` off: its forms post and come back by 303)."""
    settings: dict[str, Any] = hub.merchant.settings if isinstance(hub.merchant.settings, dict) else {}
    states = await push.channel_states(hub.merchant.id, settings, hub.order.id, hub.order.masked_email)
    return {"notify": {"channels": states, "base": f"/o/{hub.token}/notify", "updates": f"/o/{hub.token}/updates",
                       "return_to": return_to, "swap": swap, "error": error,
                       "sms": next((s for s in states if s.channel == rules.SMS), None)}}


class PushKeyController(Controller):
    path = "/"

    @get("/sw.js", name="service-worker", include_in_schema=False)
    async def service_worker(self) -> Response[bytes]:
        return Response(SERVICE_WORKER.read_bytes(), media_type="application/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})

    @get("/push/vapid-public-key", name="vapid-public-key")
    async def public_key(self, request: Request, now: dt.datetime) -> Response[str]:
        key = await push.vapid_key(_secret(request), now)
        return Response(key.public_key, media_type="text/plain", headers={"Cache-Control": "no-cache"})


class NotifyController(Controller):
    path = "/o/{token:str}/notify"

    async def _render(self, request: Request, hub: Hub, return_to: str = "", *, error: str = "",
                      status_code: int = 200) -> Template:
        context = hub_context(request, hub, "notify", visit=False, **await panel_context(hub, return_to, error))
        return page(request, TEMPLATE, "panel", context, status_code=status_code)

    async def _done(self, request: Request, hub: Hub, return_to: str) -> Template | Redirect:
        """After a change: the panel (htmx), or back to the page the form was on (303)."""
        if wants_partial(request):
            return await self._render(request, hub, return_to)
        target = f"/o/{hub.token}/{return_to}" if return_to else f"/o/{hub.token}/notify"
        return Redirect(path=href(target), status_code=303)

    @staticmethod
    def _return_to(form: Any, request: Request | None = None) -> str:
        """The form's `return_to`, else the query's (the updates page's old SMS URL redirects with it)."""
        value = str(form.get("return_to") or (request.query_params.get("return_to") if request else "") or "")
        return value if value in RETURN_TO else ""

    @get("/", name="notify")
    async def show(self, request: Request, hub: Hub) -> Template:
        return await self._render(request, hub)

    @post("/push", name="notify-push", status_code=201)
    async def subscribe(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Response[dict]:
        allow = request.app.state.settings.allow_internal_hosts
        try:
            sub = push.read_subscription(await request.body(), allow)
        except ValidationFailed as exc:
            return Response({"errors": exc.as_json()}, status_code=422)
        lang = getattr(request.state, "lang", hub.order.locale or "en")
        await push.subscribe(hub.merchant.id, hub.order.id, sub, locale=lang, now=now)
        if wants_partial(request):
            return await self._render(request, hub, status_code=201)
        return Response({"subscribed": True}, status_code=201)

    @post("/sms", name="notify-sms")
    async def sms(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        if rules.SMS not in {s.channel for s in (await panel_context(hub))["notify"]["channels"]}:
            raise NotFoundException()
        try:
            await channels.sms_consent(hub.merchant.id, hub.order.id, source="hub", now=now)
        except ValidationFailed as exc:
            return await self._render(request, hub, self._return_to(form, request),
                                      error=messages.text(exc.details[0]["code"]), status_code=422)
        return await self._done(request, hub, self._return_to(form, request))

    @post("/off/{channel:str}", name="notify-off")
    async def off(self, request: Request, hub: Hub, channel: str, now: dt.datetime) -> Template | Redirect:
        if channel not in OFF:
            raise NotFoundException()
        form = await request.form()
        if channel == rules.PUSH:
            endpoint = str(form.get("endpoint") or "")[: push.MAX_ENDPOINT]
            await push.unsubscribe(hub.merchant.id, hub.order.id, endpoint or None, now=now)
        else:
            await channels.withdraw(hub.merchant.id, hub.order.id, channel, source="hub", now=now)
        return await self._done(request, hub, self._return_to(form, request))
