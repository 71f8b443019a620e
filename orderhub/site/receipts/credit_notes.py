"""A refund's credit note (適格返還請求書): /o/{token}/credit-notes/{number}, a PDF rendered through the
receipts' pool, fetcher and cache. It exists once db/payments recorded a refund on an order whose
receipt had been issued (db/documents/services.issue_credit_note)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from orderhub.components.i18n import gettext as _
from orderhub.db.documents import queries, rules
from orderhub.db.documents.queries import CreditNoteView
from orderhub.db.orders.queries import Hub
from orderhub.pdf.fetcher import asset_url
from orderhub.pdf.pool import RenderFailed
from orderhub.site.receipts import presenter
from orderhub.site.receipts.routes import page_lang, pdf_response, render_pdf, unavailable

TEMPLATE = "site/receipts/credit_note.html.jinja"


def credit_note_context(hub: Hub, note: CreditNoteView, lang: str) -> dict[str, Any]:
    japan = rules.japanese(hub.order.currency)
    registration = hub.merchant.tax_registration_number or ""
    return {
        "lang": lang, "note": note, "order": hub.order, "currency": hub.order.currency,
        "prices_include_tax": hub.order.prices_include_tax, "timezone": hub.order.timezone,
        "title": _("Credit note"),
        "subtitle": _("Qualified return invoice") if rules.qualified(japan, registration) else "",
        "brand": hub.brand.in_language(lang), "any_reduced": any(t.reduced for t in note.by_rate),
        "logo": asset_url(hub.brand.logo_url) if hub.brand.logo_url.startswith("/static/") else "",
        "issuer": {"name": hub.merchant.legal_name or hub.merchant.name, "registration": registration,
                   "address": presenter.address_lines(cast(dict[str, Any], hub.merchant.address or {}), lang)},
    }


class CreditNotesController(Controller):
    path = "/o/{token:str}/credit-notes"

    @get("/{number:int}", name="refund-credit-note")
    async def credit_note(self, request: Request, hub: Hub, number: int, now: dt.datetime) -> Response:
        note = next((n for n in await queries.credit_notes(hub.order.id) if n.number == number), None)
        if note is None:
            raise NotFoundException()
        lang = page_lang(request)
        key = rules.document_key(rules.REFUND_CREDIT, order_id=hub.order.id, order_version=hub.order.version,
                                 merchant_version=hub.merchant.version, locale=lang, reissue=False, number=note.number)
        try:
            pdf = await render_pdf(request, hub, key, TEMPLATE, rules.REFUND_CREDIT, now,
                                   lambda: credit_note_context(hub, note, lang))
        except RenderFailed:
            return unavailable(request)
        return pdf_response(pdf, f"credit-note-{note.number_label}.pdf")
