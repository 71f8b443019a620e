"""Credit notes (per refunded return) and mail return slips, from the returns area's
`return_document(return_id)`, rendered through the same pool, fetcher and cache as receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import segno
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from orderhub.components.i18n import gettext as _
from orderhub.components.return_reasons import reason_label
from orderhub.components.shop_texts import item_words
from orderhub.db.branding.queries import print_logo
from orderhub.db.documents import queries, rules, services
from orderhub.db.errors import NotFound
from orderhub.db.orders.queries import Hub
from orderhub.db.returns.queries import ReturnDocument, return_document
from orderhub.pdf.fetcher import asset_url
from orderhub.pdf.pool import RenderFailed, shared_pool
from orderhub.site.receipts import presenter
from orderhub.site.receipts.routes import page_lang, unavailable

TEMPLATE = "site/receipts/return_document.html.jinja"
#: the file name of each return document
FILE_NAMES = {rules.CREDIT_NOTE: "credit-note", rules.RETURN_SLIP: "return-slip"}


def qr_png(text: str) -> str:
    """The return number as a full QR code (segno.make_qr: `segno.make` picks a Micro QR for short
    text, which many phone and warehouse scanners do not read), as a small PNG data URI."""
    return segno.make_qr(text, error="m").png_data_uri(scale=6, border=4)


def available(doc: ReturnDocument, kind: str) -> bool:
    """A credit note once refunded; a slip for a mail return on its way (returns rules decide)."""
    return doc.credit_note_available if kind == rules.CREDIT_NOTE else doc.slip_available


def document_context(hub: Hub, doc: ReturnDocument, kind: str, lang: str) -> dict:
    japan = rules.japanese(doc.currency)
    lines = [
        {"title": title, "variant": variant, "quantity": ln.quantity, "amount_minor": ln.amount_minor,
         "rate": Decimal(ln.tax_rate), "reduced": rules.is_reduced(Decimal(ln.tax_rate), japan),
         "reason": reason_label(ln.reason) if ln.reason else ""}
        for ln in doc.lines for title, variant in (item_words(ln, hub.order.lines),)  # in the document's language
    ]
    totals = [
        {"rate": Decimal(b.rate), "amount_minor": b.amount_minor, "tax_minor": b.tax_minor,
         "reduced": rules.is_reduced(Decimal(b.rate), japan)}
        for b in doc.by_rate
    ]
    registration = hub.merchant.tax_registration_number or ""
    if kind == rules.CREDIT_NOTE:
        title = _("Credit note")
        subtitle = _("Qualified return invoice") if rules.qualified(japan, registration) else ""
    else:
        title, subtitle = _("Return slip"), ""
    return {
        "lang": lang, "kind": kind, "is_credit": kind == rules.CREDIT_NOTE, "is_slip": kind == rules.RETURN_SLIP,
        "doc": doc, "title": title, "subtitle": subtitle, "brand": hub.brand.in_language(lang),
        "timezone": hub.order.timezone, "lines": lines, "totals": totals, "any_reduced": any(t["reduced"] for t in totals),
        "logo": asset_url(hub.brand.logo_url) if hub.brand.logo_url.startswith("/static/") else "",
        "qr": qr_png(doc.number) if kind == rules.RETURN_SLIP else "",
        "return_address": presenter.address_lines(doc.return_address, lang),
        "issuer": {"name": hub.merchant.legal_name or hub.merchant.name,
                   "address": presenter.address_lines(cast(dict[str, Any], hub.merchant.address or {}), lang),
                   "registration": registration},
    }


class ReturnDocumentsController(Controller):
    path = "/o/{token:str}/returns/{return_id:int}"

    async def _render(self, request: Request, hub: Hub, return_id: int, kind: str, now: dt.datetime) -> Response:
        try:
            doc = await return_document(return_id)
        except NotFound:
            raise NotFoundException() from None
        if doc.order_id != hub.order.id or not available(doc, kind):
            raise NotFoundException()
        lang = page_lang(request)
        key = rules.document_key(
            f"return-{kind}", order_id=hub.order.id, order_version=hub.order.version,
            merchant_version=hub.merchant.version, locale=lang, reissue=False,
            extra={"return": doc.return_id, "status": doc.status, "total": doc.total_minor,
                   "lines": [[ln.title, ln.quantity, ln.amount_minor, ln.reason] for ln in doc.lines]},
        )
        pdf = await queries.cached_pdf(key)
        if pdf is None:
            context = document_context(hub, doc, kind, lang)
            context["logo"] = context["logo"] or await print_logo(hub.merchant.id, hub.brand.logo_url)
            assert request.app.template_engine is not None  # the app always has one (app.py)
            html = request.app.template_engine.get_template(TEMPLATE).render(**context)
            try:
                pdf = await shared_pool().render(html, presenter.pdf_css(hub))
            except RenderFailed:
                return unavailable(request)
            await services.store_document(key, hub.order.id, f"return-{kind}", pdf, now)
        name = f"{FILE_NAMES[kind]}-{doc.number}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})

    @get("/credit-note.pdf", name="return-credit-note")
    async def credit_note(self, request: Request, hub: Hub, return_id: int, now: dt.datetime) -> Response:
        return await self._render(request, hub, return_id, rules.CREDIT_NOTE, now)

    @get("/slip.pdf", name="return-slip")
    async def slip(self, request: Request, hub: Hub, return_id: int, now: dt.datetime) -> Response:
        return await self._render(request, hub, return_id, rules.RETURN_SLIP, now)
