"""Credit notes (per refunded return) and mail return slips, from the returns area's
`return_document(return_id)`, rendered through the same pool, fetcher and cache as receipts."""

from __future__ import annotations

from decimal import Decimal

import segno
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from orderhub.components.i18n import gettext as _
from orderhub.db.branding.queries import print_logo
from orderhub.db.documents import queries, rules, services
from orderhub.db.errors import NotFound
from orderhub.db.returns.queries import return_document
from orderhub.pdf.fetcher import asset_url
from orderhub.pdf.pool import RenderFailed, shared_pool
from orderhub.site.hub.context import open_hub
from orderhub.site.receipts import presenter
from orderhub.site.receipts.routes import _lang, _unavailable

TEMPLATE = "site/receipts/return_document.html.jinja"
SLIP_STATUSES = ("approved", "in_transit")


def qr_png(text: str) -> str:
    """The return number as a full QR code (segno.make_qr: `segno.make` picks a Micro QR for short
    text, which many phone and warehouse scanners do not read), as a small PNG data URI."""
    return segno.make_qr(text, error="m").png_data_uri(scale=6, border=4)


def document_context(hub, doc, kind: str, lang: str) -> dict:
    japan = doc.currency == "JPY"
    lines = [
        {"title": ln.title, "variant": ln.variant, "quantity": ln.quantity, "amount_minor": ln.amount_minor,
         "rate": Decimal(ln.tax_rate), "reduced": rules.is_reduced(Decimal(ln.tax_rate), japan)}
        for ln in doc.lines
    ]
    totals = [
        {"rate": Decimal(str(b["rate"])), "amount_minor": b["amount_minor"], "tax_minor": b["tax_minor"],
         "reduced": rules.is_reduced(Decimal(str(b["rate"])), japan)}
        for b in doc.by_rate
    ]
    registration = hub.merchant.tax_registration_number or ""
    if kind == "credit":
        title = _("Credit note")
        subtitle = _("Qualified return invoice") if japan and registration else ""
    else:
        title, subtitle = _("Return slip"), ""
    return {
        "lang": lang, "kind": kind, "doc": doc, "title": title, "subtitle": subtitle, "brand": hub.brand,
        "timezone": hub.order.timezone, "lines": lines, "totals": totals, "any_reduced": any(t["reduced"] for t in totals),
        "logo": asset_url(hub.brand.logo_url) if hub.brand.logo_url.startswith("/static/") else "",
        "qr": qr_png(doc.number) if kind == "slip" else "",
        "return_address": presenter.address_lines(doc.return_address),
        "issuer": {"name": hub.merchant.legal_name or hub.merchant.name,
                   "address": presenter.address_lines(hub.merchant.address or {}), "registration": registration},
    }


class ReturnDocumentsController(Controller):
    path = "/o/{token:str}/returns/{return_id:int}"

    async def _render(self, request: Request, token: str, return_id: int, kind: str) -> Response:
        hub = await open_hub(request, token)
        try:
            doc = await return_document(return_id)
        except NotFound:
            raise NotFoundException() from None
        if doc.order_id != hub.order.id:
            raise NotFoundException()
        if kind == "credit" and doc.status != "refunded":
            raise NotFoundException()
        if kind == "slip" and (doc.method != "mail" or doc.status not in SLIP_STATUSES):
            raise NotFoundException()
        lang = _lang(request)
        key = rules.document_key(
            f"return-{kind}", order_id=hub.order.id, order_version=hub.order.version,
            merchant_version=hub.merchant.version, locale=lang, reissue=False,
            extra={"return": doc.return_id, "status": doc.status, "total": doc.total_minor,
                   "lines": [[ln.title, ln.quantity, ln.amount_minor] for ln in doc.lines]},
        )
        pdf = await queries.cached_pdf(key)
        if pdf is None:
            context = document_context(hub, doc, kind, lang)
            context["logo"] = context["logo"] or await print_logo(hub.merchant.id, hub.brand.logo_url)
            html = request.app.template_engine.get_template(TEMPLATE).render(**context)
            try:
                pdf = await shared_pool().render(html, presenter.pdf_css(hub))
            except RenderFailed:
                return _unavailable(request)
            await services.store_document(key, hub.order.id, f"return-{kind}", pdf, request.app.state.clock())
        name = f"{'credit-note' if kind == 'credit' else 'return-slip'}-{doc.number}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})

    @get("/credit-note.pdf", name="return-credit-note")
    async def credit_note(self, request: Request, token: str, return_id: int) -> Response:
        return await self._render(request, token, return_id, "credit")

    @get("/slip.pdf", name="return-slip")
    async def slip(self, request: Request, token: str, return_id: int) -> Response:
        return await self._render(request, token, return_id, "slip")
