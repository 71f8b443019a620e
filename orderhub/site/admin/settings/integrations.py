"""`/admin/settings/webhooks` and `/admin/settings/api-keys`: how the merchant's own systems talk to
orderhub. Outbound webhook endpoints (which events, on or off, secret rotation) with their delivery
log and retry; API keys created and shown once (only a hash is kept), and revoked.

A new secret or key is shown once, in the answer to the POST that made it, never in a URL."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.merchants import queries as merchant_queries
from orderhub.db.merchants import services as merchant_services
from orderhub.db.outbox import queries as outbox_queries
from orderhub.db.outbox import rules as outbox_rules
from orderhub.db.outbox import services as outbox_services
from orderhub.db.validation import is_digits
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings.forms import many, text
from orderhub.site.rendering import page

WEBHOOKS = "site/admin/settings/webhooks.html.jinja"
API_KEYS = "site/admin/settings/api_keys.html.jinja"
MAX_ENDPOINTS = 10
MAX_URL = 1000
MAX_LABEL = 100
EVENT_GROUPS = ("order.*", "shipment.*", "pickup.*", "return.*", "claim.*", "feedback.*")
DELIVERY_STATES = outbox_rules.STATES


def group_label(group: str) -> str:
    return {"*": _("Everything"), "order.*": _("Orders"), "shipment.*": _("Shipments"), "pickup.*": _("Pickups"),
            "return.*": _("Returns"), "claim.*": _("Problems with an order"),
            "feedback.*": _("Surveys and reviews")}.get(group, group)


def delivery_label(state: str) -> str:
    return {outbox_rules.PENDING: _("Waiting"), outbox_rules.SENDING: _("Sending"),
            outbox_rules.DELIVERED: _("Delivered"), outbox_rules.DEAD: _("Failed")}.get(state, state)


def delivery_tone(state: str) -> str:
    """The badge of a delivery: good once delivered, bad once given up, otherwise under way."""
    return {outbox_rules.DELIVERED: "good", outbox_rules.DEAD: "bad"}.get(state, "info")


def _id(raw: str) -> int:
    if not is_digits(raw) or len(raw) > 18:
        raise NotFoundException()
    return int(raw)


def _back(path: str) -> Redirect:
    return Redirect(path=href(path), status_code=303)


class IntegrationsController(Controller):
    path = "/admin/settings"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    # -- webhooks ----------------------------------------------------------------------------------------

    async def _webhooks(self, request: Request, admin: Admin, *, status_code: int = 200, errors: dict | None = None,
                        form: dict | None = None, secret: str = "", secret_for: str = "",
                        state: str | None = None) -> Template:
        merchant_id = admin.merchant.id
        context = admin_context(
            request, admin, "settings", title=_("Webhooks"), endpoints=await outbox_queries.endpoints(merchant_id),
            deliveries=await outbox_queries.deliveries(merchant_id, state=state, limit=50), state=state,
            states=DELIVERY_STATES, delivery_label=delivery_label, delivery_tone=delivery_tone,
            group_label=group_label, groups=EVENT_GROUPS,
            errors=errors or {}, form=form or {"url": "", "events": []}, secret=secret, secret_for=secret_for,
            tz=admin.timezone, saved=False,
        )
        return page(request, WEBHOOKS, "webhooks", context, status_code=status_code)

    @get("/webhooks", name="admin-webhooks")
    async def webhooks(self, request: Request, admin_user: Admin,
                       wanted: str | None = Parameter(query="state", default=None)) -> Template:
        return await self._webhooks(request, admin_user, state=wanted if wanted in DELIVERY_STATES else None)

    @post("/webhooks", name="admin-webhook-add")
    async def add_webhook(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template:
        form = await request.form()
        url = text(form, "url").strip()
        events = [e for e in many(form, "events") if e in EVENT_GROUPS]
        values = {"url": url, "events": events}
        error = ""
        if not url:
            error = _("Enter the address that should receive the events.")
        elif len(url) > MAX_URL or not outbox_rules.endpoint_url_ok(url):
            error = _("Enter a web address starting with https://.")
        elif len(await outbox_queries.endpoints(admin_user.merchant.id)) >= MAX_ENDPOINTS:
            error = _("You have %(n)s endpoints, the most there can be. Turn one off or use it for more events.",
                      n=MAX_ENDPOINTS)
        if error:
            return await self._webhooks(request, admin_user, status_code=422, errors={"url": error}, form=values)
        try:
            _endpoint_id, secret = await outbox_services.add_endpoint(
                admin_user.merchant.id, url, events=events or ["*"], now=now,
                allow_internal=request.app.state.settings.allow_internal_hosts)
        except ValidationFailed as refused:
            internal = any(e.get("code") == outbox_rules.INTERNAL_URL for e in refused.errors)
            message = (_("This address points inside a private network. Webhooks can only go to public addresses.")
                       if internal else _("Enter a web address starting with https://."))
            return await self._webhooks(request, admin_user, status_code=422, form=values, errors={"url": message})
        return await self._webhooks(request, admin_user, status_code=201, secret=secret, secret_for=url)

    @post("/webhooks/{endpoint_id:str}/rotate", name="admin-webhook-rotate")
    async def rotate(self, request: Request, admin_user: Admin, endpoint_id: str) -> Template:
        try:
            secret = await outbox_services.rotate_secret(admin_user.merchant.id, _id(endpoint_id))
        except NotFound:
            raise NotFoundException() from None
        url = next((e.url for e in await outbox_queries.endpoints(admin_user.merchant.id)
                    if e.id == int(endpoint_id)), "")
        return await self._webhooks(request, admin_user, secret=secret, secret_for=url)

    @post("/webhooks/{endpoint_id:str}/{move:str}", name="admin-webhook-switch")
    async def switch(self, admin_user: Admin, endpoint_id: str, move: str) -> Redirect:
        if move not in ("enable", "disable"):
            raise NotFoundException()
        try:
            await outbox_services.set_active(admin_user.merchant.id, _id(endpoint_id), move == "enable")
        except NotFound:
            raise NotFoundException() from None
        return _back("/admin/settings/webhooks")

    @post("/webhooks/deliveries/{delivery_id:str}/retry", name="admin-webhook-retry")
    async def retry(self, admin_user: Admin, delivery_id: str, now: dt.datetime) -> Redirect:
        try:
            await outbox_services.retry(admin_user.merchant.id, _id(delivery_id), now=now)
        except NotFound:
            raise NotFoundException() from None
        return _back("/admin/settings/webhooks")

    # -- API keys ------------------------------------------------------------------------------------------

    async def _keys(self, request: Request, admin: Admin, *, status_code: int = 200, errors: dict | None = None,
                    label: str = "", new_key: str = "") -> Template:
        context = admin_context(
            request, admin, "settings", title=_("API keys"), keys=await merchant_queries.api_keys(admin.merchant.id),
            errors=errors or {}, label=label, new_key=new_key, tz=admin.timezone, saved=False,
        )
        return page(request, API_KEYS, "api_keys", context, status_code=status_code)

    @get("/api-keys", name="admin-api-keys")
    async def api_keys(self, request: Request, admin_user: Admin) -> Template:
        return await self._keys(request, admin_user)

    @post("/api-keys", name="admin-api-key-create")
    async def create_key(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template:
        label = text(await request.form(), "label").strip()
        error = ""
        if not label:
            error = _("Name the key after what uses it, such as “online shop”.")
        elif len(label) > MAX_LABEL or any(ord(c) < 32 for c in label):
            error = _("Use at most %(n)s characters.", n=MAX_LABEL)
        if error:
            return await self._keys(request, admin_user, status_code=422, errors={"label": error},
                                    label=label[:MAX_LABEL])
        key = await merchant_services.issue_api_key(admin_user.merchant.id, label, now=now)
        return await self._keys(request, admin_user, status_code=201, new_key=key, label=label)

    @post("/api-keys/{key_id:str}/revoke", name="admin-api-key-revoke")
    async def revoke_key(self, admin_user: Admin, key_id: str, now: dt.datetime) -> Redirect:
        try:
            await merchant_services.revoke_api_key(admin_user.merchant.id, _id(key_id), now=now)
        except NotFound:
            raise NotFoundException() from None
        return _back("/admin/settings/api-keys")
