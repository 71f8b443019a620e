"""Browser notifications and the shopper's "How should we tell you?" panel.

- `/sw.js`: the service worker (static/js/sw.js), from the root so its scope is the whole site.
- `GET /push/vapid-public-key`: the server's VAPID public key (base64url, text/plain).
- `/o/{token}/notify`: the panel as a page (block `panel`, also shown on the tracking and pickup
  sections); `POST .../push` stores this browser's subscription (JSON, CSRF header), `POST
  .../push/off` withdraws (a form: one tap, works without JavaScript).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.channels import push
from orderhub.db.orders.queries import Hub
from orderhub.db.validation import ValidationFailed
from orderhub.site.hub.context import hub_context
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/hub/notify.html.jinja"
SERVICE_WORKER = Path(__file__).resolve().parent.parent.parent / "static" / "js" / "sw.js"
#: the sections whose page shows the panel (a form's `return_to`)
RETURN_TO = ("tracking", "pickup")


def _secret(request: Request) -> bytes:
    return bytes(request.app.state.settings.key_for("push-vapid"))


async def panel_context(hub: Hub, return_to: str = "") -> dict[str, Any]:
    """What the panel shows (tracking and pickup pages add it to their context)."""
    channels = await push.channel_states(hub.merchant.settings if isinstance(hub.merchant.settings, dict) else {},
                                         hub.order.id, hub.order.masked_email)
    return {"notify": {"channels": channels, "base": f"/o/{hub.token}/notify", "return_to": return_to,
                       "push_on": any(c.channel == "push" and c.on for c in channels)}}


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

    async def _render(self, request: Request, hub: Hub, return_to: str = "", status_code: int = 200) -> Template:
        context = hub_context(request, hub, "notify", visit=False, **await panel_context(hub, return_to))
        return page(request, TEMPLATE, "panel", context, status_code=status_code)

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

    @post("/push/off", name="notify-push-off")
    async def unsubscribe(self, request: Request, hub: Hub) -> Template | Redirect:
        form = await request.form()
        endpoint = str(form.get("endpoint") or "")[: push.MAX_ENDPOINT]
        return_to = str(form.get("return_to") or "")
        return_to = return_to if return_to in RETURN_TO else ""
        await push.unsubscribe(hub.order.id, endpoint or None)
        if wants_partial(request):
            return await self._render(request, hub, return_to)
        target = f"/o/{hub.token}/{return_to}" if return_to else f"/o/{hub.token}/notify"
        return Redirect(path=href(target), status_code=303)
