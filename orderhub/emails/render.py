"""Rendering transactional emails: Jinja2 templates (HTML autoescaped, plain text not) in the
merchant's brand and the shopper's language, put together as multipart/alternative with the
stdlib `email.message.EmailMessage` (the pickup QR code travels as an inline CID image).

Emails are presentation, like the pages in `site/`: this package reads through `db` queries and
`components` (nothing in `db` imports it), and `orderhub/emails/jobs.py` wires it into the sending job.
Nothing here is translated at import time: every word is made inside `with i18n.language(locale):`.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.message
import email.utils
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from orderhub.components import i18n, shop_texts
from orderhub.components.filters import FILTERS
from orderhub.components.urls import lookup_url
from orderhub.db.emails import rules
from orderhub.db.emails import services as email_services
from orderhub.db.emails.queries import OutgoingEmail
from orderhub.db.orders.queries import cross_sells
from orderhub.db.orders.rules import read_cross_sells_settings
from orderhub.emails import facts as message_facts
from orderhub.emails.content import build
from orderhub.settings import Settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
QR_CID = "pickup-qr"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html.jinja",), default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    # added by the jinja2.ext.i18n extension at run time (Environment.extend), unknown to the type checker
    env.install_gettext_callables(i18n.plain_gettext, i18n.plain_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(FILTERS)
    env.globals.update(shop_texts.GLOBALS)
    return env


def _text_environment() -> Environment:
    env = _environment()
    env.autoescape = False
    return env


HTML_ENV = _environment()
TEXT_ENV = _text_environment()


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    locale: str
    link: str
    #: (content id, PNG bytes)
    images: list[tuple[str, bytes]] = field(default_factory=list)
    merchant_name: str = ""
    support_email: str = ""


def _absolute(base_url: str, url: str) -> str:
    """Only http(s) URLs or our own paths reach an email; anything else is dropped."""
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("/") and not url.startswith("//"):
        return base_url + url
    return ""


def hub_link(base_url: str, token: str, section: str) -> str:
    return f"{base_url}/o/{token}" + (f"/{section}" if section else "")


def qr_png(data: str) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m", boost_error=False).save(out, kind="png", scale=6, border=4)
    return out.getvalue()


async def render(kind: str, event: str, payload: dict, order_id: int, locale: str, settings: Settings, *,
                 now: dt.datetime) -> Rendered | None:
    """One message for one order, in `locale` ("ja" or "en"); None when the order is gone."""
    facts = await message_facts.facts(order_id, settings.key_for("hub-token"),
                                shipment_id=str(payload.get("shipment_id") or ""),
                                return_id=int_or_none(payload.get("return_id")),
                                claim_id=int_or_none(payload.get("claim_id")),
                                shipments=event.startswith("shipment."), pickup=event.startswith("pickup."), now=now)
    if facts is None:
        return None
    spec = rules.spec_for(event) or rules.spec_for(rules.KINDS[kind])
    assert spec is not None  # KINDS maps every kind to one of its events
    conf = rules.read_emails_settings(cast(dict[str, Any], facts.merchant.settings or {}).get("emails"))
    cross = read_cross_sells_settings(cast(dict[str, Any], facts.merchant.settings or {}).get("cross_sells"))
    cross_on = cross["enabled"] and cross["in_emails"]
    marketing = rules.marketing_allowed(kind, cross_on, facts.country, conf["marketing_eu"])
    products = []
    if marketing:
        products = [p for p in await cross_sells(facts.merchant, facts.order, limit=3) if _absolute("", p.url)]
    with i18n.language(locale):
        brand = facts.brand.in_language(i18n.current_language())
        content = build(kind, event, payload, facts, now=now)
        link = hub_link(settings.base_url, facts.hub_token, spec.section)
        images = []
        if content.pickup_code and kind in ("pickup_ready", "pickup_reminder") and facts.pickup is not None:
            images.append((QR_CID, qr_png(facts.pickup.qr_payload)))
        context = {
            "c": content, "brand": brand, "link": link, "locale": i18n.current_language(),
            "logo_url": _absolute(settings.base_url, facts.brand.logo_url),
            "qr_cid": QR_CID if images else "", "cross_sells": products, "currency": facts.order.currency,
            "support": brand.support, "storefront_url": _absolute("", facts.brand.storefront_url),
            "hub_url": hub_link(settings.base_url, facts.hub_token, ""),
            "lookup_url": lookup_url(settings.base_url, facts.merchant.slug, lang=i18n.current_language()),
        }
        html = HTML_ENV.get_template("message.html.jinja").render(context)
        text = TEXT_ENV.get_template("message.txt.jinja").render(context)
        lang = i18n.current_language()
    return Rendered(subject=content.subject, text=text, html=html, locale=lang, link=link, images=images,
                    merchant_name=brand.name, support_email=str(facts.brand.support.get("email") or ""))


def html_for_browser(rendered: Rendered) -> str:
    """The HTML part with its inline images as data: URIs, so that a browser shows it as a mail client would."""
    html = rendered.html
    for cid, png in rendered.images:
        html = html.replace(f'src="cid:{cid}"', f'src="data:image/png;base64,{base64.b64encode(png).decode()}"')
    return html


def int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def from_address(settings: Settings) -> str:
    return settings.smtp_from or f"orderhub@{settings.base_host}"


def as_message(rendered: Rendered, *, to: str, sender_name: str, from_addr: str, message_id: str,
               reply_to: str = "", now: dt.datetime | None = None) -> email.message.EmailMessage:
    msg = email.message.EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = email.utils.formataddr((sender_name, from_addr))
    msg["To"] = to
    if reply_to and "@" in reply_to and not any(c in reply_to for c in "\r\n,<>"):
        msg["Reply-To"] = reply_to
    msg["Message-ID"] = message_id
    msg["Date"] = email.utils.format_datetime(now or dt.datetime.now(dt.UTC))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = cast(list[email.message.EmailMessage], msg.get_payload())[1]  # multipart/alternative: [text, html]
    for cid, png in rendered.images:
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png",
                              disposition="inline")
    msg["Content-Language"] = rendered.locale  # after the parts: set_content drops Content-* headers
    return msg


async def build_message(message: OutgoingEmail, settings: Settings, *,
                        now: dt.datetime) -> email.message.EmailMessage | None:
    """The message of one claimed outbox row, as it goes out (the sending job's `build`); what was
    rendered is kept on the row for the admin's email log."""
    if message.order_id is None:
        return None
    rendered = await render(message.kind, message.event, message.payload, message.order_id, message.locale, settings,
                            now=now)
    if rendered is None:
        return None
    await email_services.keep_rendered(message.id, subject=rendered.subject, html=html_for_browser(rendered),
                                       text=rendered.text, locale=rendered.locale, now=now)
    sender = from_address(settings)
    return as_message(rendered, to=message.recipient, sender_name=rendered.merchant_name, from_addr=sender,
                      message_id=rules.message_id_header(message.message_id, sender),
                      reply_to=rendered.support_email, now=now)
