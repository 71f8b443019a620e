"""Receipts: /o/{token}/receipt (HTML view + 領収書 form), /o/{token}/receipt.pdf (the PDF).

The PDF is rendered from the same template as the HTML view, in a worker process (orderhub.pdf),
and cached by a key of everything it shows. GET never changes what a document says: the 領収書
original leaves the server once, as the answer to the form's POST; every later download of it
is marked 再発行 (reissued)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Template

from orderhub.components import i18n
from orderhub.components.i18n import gettext as _
from orderhub.db.branding.queries import print_logo
from orderhub.db.documents import queries, rules, services
from orderhub.db.documents.queries import ReceiptView
from orderhub.db.errors import Conflict
from orderhub.db.orders.queries import Hub
from orderhub.pdf.pool import RenderFailed, shared_pool
from orderhub.site import messages
from orderhub.site.hub.context import base_context, hub_context
from orderhub.site.receipts import presenter

TEMPLATE = "site/receipts/receipt.html.jinja"


def page_lang(request: Request) -> str:
    """The language the page (and so the document) is in."""
    return getattr(request.state, "lang", None) or i18n.current_language()


def _no_receipt(hub: Hub) -> None:
    """A receipt only for money received (db/documents/rules.receipt_refusal): else 409, worded."""
    refusal = rules.order_receipt_refusal(hub.order)
    if refusal is not None:
        raise Conflict(refusal, "the order has no receipt: " + refusal)


def unavailable(request: Request) -> Response:
    return Template(
        template_name="site/layouts/error.html.jinja",
        context=base_context(
            request, title=_("Your receipt isn't ready"),
            message=_("We couldn't prepare this document just now. Please try again in a minute; your order is not affected."),
            show_lookup=False,
        ),
        status_code=503, headers={"Retry-After": "30"},
    )


async def render_document(request: Request, hub: Hub, receipt: ReceiptView, *, reissue: bool,
                          now: dt.datetime) -> bytes:
    """The receipt PDF, from the cache or rendered in the pool (RenderFailed when it can't be)."""
    lang = page_lang(request)
    key = rules.document_key(
        rules.RECEIPT, order_id=hub.order.id, order_version=hub.order.version,
        merchant_version=hub.merchant.version, locale=lang, reissue=reissue, number=receipt.number,
        extra={"formal": receipt.formal, "addressee": receipt.addressee, "purpose": receipt.purpose},
    )
    return await render_pdf(request, hub, key, TEMPLATE, rules.RECEIPT, now,
                            lambda: presenter.receipt_context(hub, receipt, pdf=True, reissue=reissue, lang=lang))


async def render_pdf(request: Request, hub: Hub, key: str, template: str, kind: str, now: dt.datetime,
                     context: Callable[[], dict[str, Any]]) -> bytes:
    """A document from the cache, or rendered in the pool from `template` (RenderFailed when it can't be)."""
    cached = await queries.cached_pdf(key)
    if cached is not None:
        return cached
    values = context()
    values["logo"] = values.get("logo") or await print_logo(hub.merchant.id, hub.brand.logo_url)
    assert request.app.template_engine is not None  # the app always has one (app.py)
    html = request.app.template_engine.get_template(template).render(**values)
    pdf = await shared_pool().render(html, presenter.pdf_css(hub))
    await services.store_document(key, hub.order.id, kind, pdf, now)
    return pdf


def pdf_response(pdf: bytes, name: str, *, attachment: bool = False) -> Response:
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'{"attachment" if attachment else "inline"}; filename="{name}"',
                 "Cache-Control": "private, no-store"},
    )


def _pdf_response(pdf: bytes, receipt: ReceiptView, *, attachment: bool) -> Response:
    return pdf_response(pdf, f"receipt-{receipt.number_label}.pdf", attachment=attachment)


def _field_messages(errors: list[dict]) -> dict[str, str]:
    """The 領収書 form's coded errors -> {field: sentence}, with the field's own length limit."""
    return {e["field"]: messages.text(e["code"], num=rules.FORMAL_LIMITS.get(e["field"], ""))
            for e in errors}


class ReceiptController(Controller):
    path = "/o/{token:str}"

    @get("/receipt", name="receipt")
    async def view(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        _no_receipt(hub)
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, now)
        return self._page(request, hub, receipt, form={}, errors={})

    def _page(self, request: Request, hub: Hub, receipt: ReceiptView, *, form: dict, errors: dict,
              status: int = 200) -> Template:
        context = presenter.receipt_context(hub, receipt, pdf=False, reissue=receipt.formal, lang=page_lang(request))
        context.update(hub_context(request, hub, "receipt"))
        context.update(form=form, errors=errors, limits=rules.FORMAL_LIMITS)
        return Template(template_name=TEMPLATE, context=context, status_code=status,
                        headers={"Cache-Control": "no-store"})

    @get("/receipt.pdf", name="receipt-pdf")
    async def pdf(self, request: Request, hub: Hub, now: dt.datetime) -> Response:
        _no_receipt(hub)
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, now)
        try:
            pdf = await render_document(request, hub, receipt, reissue=receipt.formal, now=now)
        except RenderFailed:
            return unavailable(request)
        if receipt.formal:
            await services.log_issue(receipt.id, rules.REISSUE, rules.FORMAL, page_lang(request), now)
        return _pdf_response(pdf, receipt, attachment=False)

    @get("/confirmation.pdf", name="order-confirmation-pdf")
    async def confirmation_pdf(self, request: Request, hub: Hub, now: dt.datetime) -> Response:
        """The order confirmation (注文確認書) while the money is on its way: it says it is not a receipt."""
        if rules.order_receipt_refusal(hub.order) not in (rules.NOT_PAID, rules.NOT_DELIVERED):
            raise NotFoundException()
        lang = page_lang(request)
        key = rules.document_key(
            rules.CONFIRMATION, order_id=hub.order.id, order_version=hub.order.version,
            merchant_version=hub.merchant.version, locale=lang, reissue=False,
            extra={"status": hub.order.payment_status, "deadline": str(hub.order.payment_deadline),
                   "reference": hub.order.payment.get("reference") or ""},
        )
        try:
            pdf = await render_pdf(request, hub, key, TEMPLATE, rules.CONFIRMATION, now,
                                   lambda: presenter.receipt_context(hub, None, pdf=True, reissue=False, lang=lang,
                                                                     kind=rules.CONFIRMATION))
        except RenderFailed:
            return unavailable(request)
        return pdf_response(pdf, f"order-confirmation-{hub.order.number}.pdf")

    @post("/receipt", name="receipt-issue", status_code=200)
    async def issue(
        self, request: Request, hub: Hub, now: dt.datetime,
        data: dict = Body(media_type=RequestEncodingType.URL_ENCODED),
    ) -> Response:
        _no_receipt(hub)
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, now)
        form = {k: v for k, v in (data or {}).items() if k in rules.FORMAL_LIMITS and isinstance(v, str)}
        if receipt.formal:
            raise Conflict(rules.ALREADY_ISSUED,
                           "the receipt was already issued; download it again for a copy marked as reissued")
        values, errors = rules.read_formal(form)
        if errors:
            return self._page(request, hub, receipt, form={k: v[:200] for k, v in form.items()},
                              errors=_field_messages(errors), status=422)
        # render first: the original is recorded as issued only once it exists
        original = replace(receipt, formal=True, addressee=values["addressee"], purpose=values["purpose"])
        try:
            pdf = await render_document(request, hub, original, reissue=False, now=now)
        except RenderFailed:
            return unavailable(request)
        await services.issue_formal(hub.order.id, hub.merchant.id, values["addressee"], values["purpose"],
                                    page_lang(request), now)
        return _pdf_response(pdf, receipt, attachment=True)
