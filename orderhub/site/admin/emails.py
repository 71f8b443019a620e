"""`/admin/emails`: the merchant's email outbox (dead letters with retry), each message as it was
sent (`/admin/emails/<id>`: the copy kept when it was rendered for sending; a row without one is
rendered now from its own event and payload, and says so), and a preview of any message for any of
its orders. The HTML of an email (with its inline styles) is served by `.../frame` under its own
sandboxed CSP and shown in an iframe (site/security.py).
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from orderhub.components.i18n import LANGUAGES
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.emails import queries, rules, services
from orderhub.db.emails.queries import OrderRef
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.validation import is_digits
from orderhub.emails.preview import html_for_browser, preview
from orderhub.emails.render import Rendered, render
from orderhub.site.admin.guard import Admin, admin_context, require_admin
from orderhub.site.rendering import page

TEMPLATE = "site/emails/admin.html.jinja"
MESSAGE = "site/emails/message.html.jinja"
PREVIEW = "site/emails/preview.html.jinja"
ROLES = merchant_rules.ROLES
MAX_REF = 200



def kind_label(kind: str) -> str:
    """What a kind of message is called (rules.KIND_NAMES), in the page's language."""
    name = rules.KIND_NAMES.get(kind)
    return _(name) if name else kind


def event_label(event: str, kind: str = "") -> str:
    """What the message of an event is called (rules.EVENT_NAMES, one per event), in the page's language."""
    return _(rules.event_name(event, kind))


def state_label(state: str) -> str:
    return {rules.PENDING: _("Waiting"), rules.SENDING: _("Sending"), rules.SENT: _("Sent"), rules.DEAD: _("Failed"),
            rules.SUPPRESSED: _("Held back"), rules.SKIPPED: _("Not sent"),
            rules.WITHDRAWN: _("Withdrawn")}.get(state, state)


def state_badge(state: str) -> str:
    return {rules.SENT: "good", rules.DEAD: "bad", rules.SUPPRESSED: "muted", rules.SKIPPED: "muted",
            rules.WITHDRAWN: "muted"}.get(state, "info")


def _event_choices() -> list[tuple[str, str]]:
    return [(event, event_label(event, spec.kind)) for event, spec in rules.EVENTS.items()]


class AdminEmailsController(Controller):
    path = "/admin/emails"

    @get("/", name="admin-emails")
    async def outbox(self, request: Request, wanted: str | None = Parameter(query="state", default=None),
                     done: str | None = None) -> Template:
        admin = await require_admin(request, roles=ROLES)
        state = wanted if wanted in rules.STATES else None
        merchant_id = admin.merchant.id
        rows = await queries.messages(merchant_id, state=state, limit=200)
        counts = await queries.counts(merchant_id)
        conf = rules.read_emails_settings(admin.merchant.section("emails"))
        context = admin_context(
            request, admin, "emails", rows=rows, counts=counts, state=state, states=rules.STATES,
            event_label=event_label, state_label=state_label, badge=state_badge,
            sending_on=conf["send"], smtp_on=bool(request.app.state.settings.smtp_url),
            tz=admin.merchant.timezone, notice=_("The email is queued to go out again.") if done else "",
            orders=await queries.recent_orders(merchant_id), events=_event_choices(),
        )
        return page(request, TEMPLATE, "outbox", context)

    @post("/{message_id:str}/retry", name="admin-email-retry")
    async def retry(self, request: Request, now: dt.datetime, message_id: str) -> Redirect:
        admin = await require_admin(request, roles=ROLES)
        if not is_digits(message_id) or len(message_id) > 18:
            raise NotFoundException()
        form = await request.form()
        back = form.get("state") if form.get("state") in rules.STATES else None
        try:
            await services.retry(admin.merchant.id, int(message_id), now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            pass  # already going out again: the list shows its state
        return Redirect(path=href("/admin/emails", state=back, done="1"), status_code=303)

    async def _kept(self, request: Request, now: dt.datetime, admin: Admin,
                    message_id: str) -> tuple[queries.KeptMessage, Rendered | None]:
        """The merchant's message and, when no copy was kept, its rendering now (from its own payload)."""
        if not is_digits(message_id) or len(message_id) > 18:
            raise NotFoundException()
        kept = await queries.kept_message(admin.merchant.id, int(message_id))
        if kept is None:
            raise NotFoundException()
        if kept.kept or kept.email.order_id is None:
            return kept, None
        lang = kept.email.locale if kept.email.locale in LANGUAGES else "en"
        now_rendered = await render(kept.email.kind, kept.email.event, kept.payload, kept.email.order_id, lang,
                                    request.app.state.settings, now=now)
        return kept, now_rendered

    @get("/{message_id:str}", name="admin-email-message")
    async def sent_message(self, request: Request, now: dt.datetime, message_id: str) -> Template:
        admin = await require_admin(request, roles=ROLES)
        kept, now_rendered = await self._kept(request, now, admin, message_id)
        context = admin_context(
            request, admin, "emails", kept=kept, m=kept.email, now_rendered=now_rendered,
            subject=kept.subject if kept.kept else (now_rendered.subject if now_rendered else ""),
            text=kept.text if kept.kept else (now_rendered.text if now_rendered else ""),
            lang=kept.locale if kept.kept else (now_rendered.locale if now_rendered else kept.email.locale),
            frame_url=href(f"/admin/emails/{kept.email.id}/frame") if kept.kept or now_rendered else "",
            event_label=event_label, state_label=state_label, badge=state_badge, tz=admin.merchant.timezone,
        )
        return page(request, MESSAGE, "message", context)

    @get("/{message_id:str}/frame", name="admin-email-message-frame")
    async def sent_message_frame(self, request: Request, now: dt.datetime, message_id: str) -> Response:
        admin = await require_admin(request, roles=ROLES)
        kept, now_rendered = await self._kept(request, now, admin, message_id)
        if kept.kept:
            return Response(kept.html, media_type="text/html; charset=utf-8")
        if now_rendered is None:
            raise NotFoundException()
        return Response(html_for_browser(now_rendered), media_type="text/html; charset=utf-8")

    async def _preview(self, request: Request, now: dt.datetime, admin: Admin, order_ref: str, event: str,
                       locale: str) -> tuple[tuple[Rendered | None, OrderRef, str] | None, str]:
        if len(order_ref) > MAX_REF:
            return None, _("Use an order number or id of up to 200 characters.")
        if event not in rules.EVENTS:
            return None, _("Choose a message.")
        if not order_ref.strip():
            return None, ""
        order = await queries.order_for_preview(admin.merchant.id, order_ref)
        if order is None:
            return None, _("No order %(ref)s.", ref=order_ref.strip())
        lang = locale if locale in LANGUAGES else (order.locale or "en").split("-")[0]
        rendered = await preview(order.id, event, lang if lang in LANGUAGES else "en",
                                 request.app.state.settings, now=now)
        return (rendered, order, lang), ""

    @get("/preview", name="admin-email-preview")
    async def preview_page(self, request: Request, now: dt.datetime, order: str = "", event: str = "order.confirmed",
                           locale: str = "") -> Template:
        admin = await require_admin(request, roles=ROLES)
        result, error = await self._preview(request, now, admin, order, event, locale)
        frame_url = ""
        if result:
            frame_url = href("/admin/emails/preview/frame", order=result[1].external_id, event=event, locale=result[2])
        context = admin_context(
            request, admin, "emails", order_ref=order[:MAX_REF], event=event, locale=locale, error=error,
            rendered=result[0] if result else None, lang=result[2] if result else "", frame_url=frame_url,
            events=_event_choices(), orders=await queries.recent_orders(admin.merchant.id),
        )
        return page(request, PREVIEW, "preview", context, status_code=422 if error else 200)

    @get("/preview/frame", name="admin-email-preview-frame")
    async def preview_frame(self, request: Request, now: dt.datetime, order: str = "", event: str = "order.confirmed",
                            locale: str = "") -> Response:
        admin = await require_admin(request, roles=ROLES)
        result, error = await self._preview(request, now, admin, order, event, locale)
        if not result or result[0] is None:
            raise NotFoundException()
        return Response(html_for_browser(result[0]), media_type="text/html; charset=utf-8")
