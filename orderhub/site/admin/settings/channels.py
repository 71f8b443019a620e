"""`/admin/settings/channels`: LINE, SMS and browser notifications beside email. Per channel: on or
off, which events it carries, its credentials (sealed at rest, shown back only as "…abcd"), a test
send; below, the message log with "send again" and the delivery figures of the last 7 days.
Owners only; every POST carries the CSRF token."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from orderhub.channels.jobs import api_urls
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.channels import queries, rules, services
from orderhub.db.channels.rules import ChannelMessage, Credentials
from orderhub.db.emails import rules as email_rules
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.validation import is_digits
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings.forms import many, on, text
from orderhub.site.rendering import page

TEMPLATE = "site/admin/settings/channels.html.jinja"


def state_label(state: str) -> str:
    return {rules.PENDING: _("Waiting"), rules.SENDING: _("Sending"), rules.SENT: _("Message sent"),
            rules.FAILED: _("Refused by the provider"), rules.DEAD: _("Failed"), rules.SUPPRESSED: _("Held back"),
            rules.SKIPPED: _("Not sent")}.get(state, state)


def state_tone(state: str) -> str:
    return {rules.SENT: "good", rules.FAILED: "bad", rules.DEAD: "bad"}.get(state, "info")


def field_error(channel: str, code: str) -> str:
    """A refusal of the settings form, in the visitor's language."""
    return {
        rules.NOT_CONFIGURED: _("Enter this to turn the channel on."),
        rules.BAD_PHONE: _("Enter a phone number in international form, like +81 90 1234 5678."),
        "validation.not_choice": _("Choose among the events listed."),
    }.get(code, _("Enter one line without spaces, at most 500 characters."))


def event_label(event: str) -> str:
    return _(email_rules.EVENT_NAMES.get(event) or event)


def _channel(raw: str) -> str:
    if raw not in rules.CHANNELS or raw == rules.PUSH and raw not in services.SENDERS:
        raise NotFoundException()
    return raw


class ChannelsController(Controller):
    path = "/admin/settings/channels"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    async def _page(self, request: Request, admin: Admin, now: dt.datetime, *, status_code: int = 200,
                    errors: dict | None = None, errors_for: str = "", notice: str = "", notice_tone: str = "good",
                    state: str | None = None, submitted: dict | None = None) -> Template:
        merchant_id = admin.merchant.id
        accounts = await queries.accounts(merchant_id)
        context = admin_context(
            request, admin, "settings", title=_("LINE, SMS and notifications"),
            channels=[c for c in rules.CHANNELS if c in services.SENDERS], accounts=accounts,
            channel_name=lambda c: _(rules.CHANNEL_NAMES[c]),
            credential_fields={c: [(f, _(label)) for f, label in rules.CREDENTIAL_FIELDS[c].items()]
                               for c in rules.CHANNELS},
            event_options=[(e, event_label(e)) for e in rules.EVENTS],
            messages=await queries.messages(merchant_id, state=state, limit=50), state=state, states=rules.STATES,
            state_label=state_label, state_tone=state_tone, figures=await queries.figures(merchant_id, now),
            figure_states=rules.FIGURES, errors=errors or {}, errors_for=errors_for, notice=notice,
            submitted=submitted or {},
            notice_tone=notice_tone, tz=admin.timezone, event_name=event_label,
        )
        return page(request, TEMPLATE, "channels", context, status_code=status_code)

    @get("/", name="admin-channels")
    async def show(self, request: Request, admin_user: Admin, now: dt.datetime,
                   wanted: str | None = Parameter(query="state", default=None),
                   saved: str | None = None) -> Template:
        return await self._page(request, admin_user, now, state=wanted if wanted in rules.STATES else None,
                                notice=_("Saved.") if saved else "")

    @post("/{channel:str}", name="admin-channels-save")
    async def save(self, request: Request, admin_user: Admin, channel: str, now: dt.datetime) -> Template | Redirect:
        channel = _channel(channel)
        form = await request.form()
        # the fields of every channel's form are named after it (ids stay unique on the page)
        body: dict = {"enabled": on(form, f"{channel}_enabled"), "events": many(form, f"{channel}_events")}
        body |= {name: text(form, name).strip() for name in rules.CREDENTIAL_FIELDS[channel]}
        try:
            await services.save_account(admin_user.merchant.id, channel, body,
                                        secret_key=request.app.state.settings.secret_key, now=now)
        except ValidationFailed as refused:
            errors = {(e["field"] if e["field"] in rules.CREDENTIAL_FIELDS[channel] else f"{channel}_{e['field']}"):
                      field_error(channel, e.get("code", "")) for e in refused.errors}
            return await self._page(request, admin_user, now, status_code=422, errors=errors, errors_for=channel,
                                    submitted=body)
        return Redirect(path=href("/admin/settings/channels", saved=1), status_code=303)

    @post("/{channel:str}/test", name="admin-channels-test")
    async def test_send(self, request: Request, admin_user: Admin, channel: str, now: dt.datetime) -> Template:
        """Send one test message now to the address typed (a LINE user id or a phone number)."""
        channel = _channel(channel)
        form = await request.form()
        raw = text(form, f"{channel}_to").strip()
        to = rules.e164(raw, None) if channel == rules.SMS else (raw if 0 < len(raw) <= 200 and raw.isalnum() else None)
        if to is None:
            message = (_("Enter a phone number in international form, like +81 90 1234 5678.") if channel == rules.SMS
                       else _("Enter a LINE user ID (it starts with U)."))
            return await self._page(request, admin_user, now, status_code=422, errors={f"{channel}_to": message},
                                    errors_for=channel + "-test")
        settings = request.app.state.settings
        stored = await services.credentials(admin_user.merchant.id, channel, secret_key=settings.secret_key)
        if not stored.complete:
            return await self._page(request, admin_user, now, status_code=409, errors_for=channel + "-test",
                                    errors={f"{channel}_to": _("Save this channel's credentials first.")})
        words = _("[%(shop)s] This is a test message from orderhub.", shop=admin_user.merchant.name)
        test = ChannelMessage(id=0, merchant_id=admin_user.merchant.id, order_id=None, channel=channel, event="test",
                              kind="test", recipient=to, locale="", text=words, attempts=1)
        async with request.app.state.channel_client() as client:
            result = await services.SENDERS[channel](client, test, Credentials(channel, stored.values,
                                                                               api_urls(settings).get(channel, "")))
        if result.ok:
            return await self._page(request, admin_user, now, notice=_("The test message was sent."))
        return await self._page(request, admin_user, now, status_code=502, notice_tone="bad",
                                notice=_("The provider refused the test message: %(error)s", error=result.error))

    @post("/messages/{message_id:str}/send-again", name="admin-channels-send-again")
    async def send_again(self, admin_user: Admin, message_id: str, now: dt.datetime) -> Redirect:
        if not is_digits(message_id) or len(message_id) > 18:
            raise NotFoundException()
        try:
            await services.send_again(admin_user.merchant.id, int(message_id), now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            pass  # already waiting to go out: nothing to do
        return Redirect(path=href("/admin/settings/channels"), status_code=303)
