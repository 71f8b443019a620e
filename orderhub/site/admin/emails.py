"""`/admin/emails`: the merchant's email outbox (dead letters with retry) and a preview of any
message for any of its orders. The preview's HTML (an email, with its inline styles) is served by
`/admin/emails/preview/frame` under its own sandboxed CSP and shown in an iframe (site/security.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.db.emails import queries, rules, services
from orderhub.db.errors import Conflict, NotFound
from orderhub.emails.preview import html_for_browser, preview
from orderhub.site.admin import nav
from orderhub.site.admin.guard import admin_context, require_admin
from orderhub.site.rendering import page

TEMPLATE = "site/emails/admin.html.jinja"
PREVIEW = "site/emails/preview.html.jinja"
ROLES = ("owner", "staff")
MAX_REF = 200

nav.register(nav.AdminLink("emails", "Emails", "/admin/emails", roles=ROLES, order=60))


def kind_label(kind: str) -> str:
    return {
        "order_confirmed": _("Order confirmed"), "shipped": _("Shipped"), "arriving_today": _("Arriving today"),
        "arriving_tomorrow": _("Arriving tomorrow"), "delayed": _("Delayed"), "exception": _("Delivery problem"),
        "delivered": _("Delivered"), "pickup_ready": _("Ready for pickup"), "pickup_reminder": _("Pickup reminder"),
        "pickup_expired": _("Pickup expired"), "return_approved": _("Return approved"),
        "return_received": _("Return received"), "return_refunded": _("Refunded"),
        "review_invitation": _("Review invitation"), "survey_invitation": _("Survey"),
    }.get(kind, kind)


def state_label(state: str) -> str:
    return {"pending": _("Waiting"), "sending": _("Sending"), "sent": _("Sent"), "dead": _("Failed"),
            "suppressed": _("Held back"), "skipped": _("Not sent")}.get(state, state)


STATE_BADGE = {"pending": "info", "sending": "info", "sent": "good", "dead": "bad", "suppressed": "muted",
               "skipped": "muted"}
RETRYABLE = ("dead", "suppressed", "skipped")


def _event_choices() -> list[tuple[str, str]]:
    return [(event, kind_label(spec.kind)) for event, spec in rules.EVENTS.items()]


class AdminEmailsController(Controller):
    path = "/admin/emails"

    @get("/", name="admin-emails")
    async def outbox(self, request: Request, wanted: str | None = Parameter(query="state", default=None),
                     done: str | None = None) -> Template:
        admin = await require_admin(request, roles=ROLES)
        state = wanted if wanted in queries.STATES else None
        merchant_id = admin.merchant["id"]
        rows = await queries.messages(merchant_id, state=state, limit=200)
        counts = await queries.counts(merchant_id)
        conf = rules.read_emails_settings((admin.merchant.get("settings") or {}).get("emails"))
        context = admin_context(
            request, admin, "emails", rows=rows, counts=counts, state=state, states=queries.STATES,
            kind_label=kind_label, state_label=state_label, badge=STATE_BADGE, retryable=RETRYABLE,
            sending_on=conf["send"], smtp_on=bool(request.app.state.settings.smtp_url),
            tz=admin.merchant.get("timezone") or "UTC", notice=_("The email is queued to go out again.") if done else "",
            orders=await queries.recent_orders(merchant_id), events=_event_choices(),
        )
        return page(request, TEMPLATE, "outbox", context)

    @post("/{message_id:str}/retry", name="admin-email-retry")
    async def retry(self, request: Request, message_id: str) -> Redirect:
        admin = await require_admin(request, roles=ROLES)
        if not message_id.isdigit() or len(message_id) > 18:
            raise NotFoundException()
        form = await request.form()
        back = form.get("state") if form.get("state") in queries.STATES else ""
        try:
            await services.retry(admin.merchant["id"], int(message_id), now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            pass  # already going out again: the list shows its state
        query = urlencode({k: v for k, v in (("state", back), ("done", "1")) if v})
        return Redirect(path=f"/admin/emails?{query}", status_code=303)

    async def _preview(self, request: Request, admin, order_ref: str, event: str, locale: str):
        if len(order_ref) > MAX_REF:
            return None, _("Use an order number or id of up to 200 characters.")
        if event not in rules.EVENTS:
            return None, _("Choose a message.")
        if not order_ref.strip():
            return None, ""
        order = await queries.order_for_preview(admin.merchant["id"], order_ref)
        if order is None:
            return None, _("No order %(ref)s.", ref=order_ref.strip())
        lang = locale if locale in ("ja", "en") else (order["locale"] or "en").split("-")[0]
        rendered = await preview(order["id"], event, lang if lang in ("ja", "en") else "en",
                                 request.app.state.settings, now=request.app.state.clock())
        return (rendered, order, lang), ""

    @get("/preview", name="admin-email-preview")
    async def preview_page(self, request: Request, order: str = "", event: str = "order.confirmed",
                           locale: str = "") -> Template:
        admin = await require_admin(request, roles=ROLES)
        result, error = await self._preview(request, admin, order, event, locale)
        frame_url = ""
        if result:
            frame_url = "/admin/emails/preview/frame?" + urlencode(
                {"order": result[1]["external_id"], "event": event, "locale": result[2]})
        context = admin_context(
            request, admin, "emails", order_ref=order[:MAX_REF], event=event, locale=locale, error=error,
            rendered=result[0] if result else None, lang=result[2] if result else "", frame_url=frame_url,
            events=_event_choices(), orders=await queries.recent_orders(admin.merchant["id"]),
        )
        return page(request, PREVIEW, "preview", context, status_code=422 if error else 200)

    @get("/preview/frame", name="admin-email-preview-frame")
    async def preview_frame(self, request: Request, order: str = "", event: str = "order.confirmed",
                            locale: str = "") -> Response:
        admin = await require_admin(request, roles=ROLES)
        result, error = await self._preview(request, admin, order, event, locale)
        if not result:
            raise NotFoundException()
        return Response(html_for_browser(result[0]), media_type="text/html; charset=utf-8")
