"""Receipts: /o/{token}/receipt (HTML view + 領収書 form), /o/{token}/receipt.pdf (the PDF).

The PDF is rendered from the same template as the HTML view, in a worker process (orderhub.pdf),
and cached by a key of everything it shows. GET never changes what a document says: the 領収書
original leaves the server once, as the answer to the form's POST; every later download of it
is marked 再発行 (reissued)."""

from __future__ import annotations

from types import SimpleNamespace

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from orderhub.components.i18n import gettext as _
from orderhub.db.branding.queries import print_logo
from orderhub.db.documents import queries, rules, services
from orderhub.db.errors import Conflict
from orderhub.db.orders.queries import Hub
from orderhub.pdf.pool import RenderFailed, shared_pool
from orderhub.site.hub.context import base_context, hub_context, open_hub
from orderhub.site.receipts import presenter

TEMPLATE = "site/receipts/receipt.html.jinja"



def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "en")


def _no_receipt(hub: Hub) -> None:
    if hub.order.cancelled:
        raise Conflict("receipt.order_cancelled", "the order was cancelled: it has no receipt")


def _unavailable(request: Request) -> Response:
    return Template(
        template_name="site/layouts/error.html.jinja",
        context=base_context(
            request, title=_("Your receipt isn't ready"),
            message=_("We couldn't prepare this document just now. Please try again in a minute; your order is not affected."),
            show_lookup=False,
        ),
        status_code=503, headers={"Retry-After": "30"},
    )


async def render_document(request: Request, hub: Hub, receipt, *, reissue: bool) -> bytes:
    """The receipt PDF, from the cache or rendered in the pool (RenderFailed when it can't be)."""
    lang = _lang(request)
    key = rules.document_key(
        "receipt", order_id=hub.order.id, order_version=hub.order.version, merchant_version=hub.merchant.version,
        locale=lang, reissue=reissue, number=receipt.number,
        extra={"formal": receipt.formal, "addressee": receipt.addressee, "purpose": receipt.purpose},
    )
    cached = await queries.cached_pdf(key)
    if cached is not None:
        return cached
    context = presenter.receipt_context(hub, receipt, pdf=True, reissue=reissue, lang=lang)
    context["logo"] = context["logo"] or await print_logo(hub.merchant.id, hub.brand.logo_url)
    html = request.app.template_engine.get_template(TEMPLATE).render(**context)
    pdf = await shared_pool().render(html, presenter.pdf_css(hub))
    await services.store_document(key, hub.order.id, "receipt", pdf, request.app.state.clock())
    return pdf


def _pdf_response(pdf: bytes, receipt, *, attachment: bool) -> Response:
    name = f"receipt-{rules.receipt_number_label(receipt.number)}.pdf"
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'{"attachment" if attachment else "inline"}; filename="{name}"',
                 "Cache-Control": "private, no-store"},
    )


class ReceiptController(Controller):
    path = "/o/{token:str}"

    @get("/receipt", name="receipt")
    async def view(self, request: Request, token: str) -> Template:
        hub = await open_hub(request, token)
        _no_receipt(hub)
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, request.app.state.clock())
        return self._page(request, hub, receipt, form={}, errors={})

    def _page(self, request: Request, hub: Hub, receipt, *, form: dict, errors: dict, status: int = 200) -> Template:
        context = presenter.receipt_context(hub, receipt, pdf=False, reissue=receipt.formal, lang=_lang(request))
        context.update(hub_context(request, hub, "receipt"))
        context.update(form=form, errors=errors)
        return Template(template_name=TEMPLATE, context=context, status_code=status,
                        headers={"Cache-Control": "no-store"})

    @get("/receipt.pdf", name="receipt-pdf")
    async def pdf(self, request: Request, token: str) -> Response:
        hub = await open_hub(request, token)
        _no_receipt(hub)
        now = request.app.state.clock()
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, now)
        try:
            pdf = await render_document(request, hub, receipt, reissue=receipt.formal)
        except RenderFailed:
            return _unavailable(request)
        if receipt.formal:
            await services.log_issue(receipt.id, "reissue", "formal", _lang(request), now)
        return _pdf_response(pdf, receipt, attachment=False)

    @post("/receipt", name="receipt-issue", status_code=200)
    async def issue(
        self, request: Request, token: str,
        data: dict = Body(media_type=RequestEncodingType.URL_ENCODED),
    ) -> Response:
        hub = await open_hub(request, token)
        _no_receipt(hub)
        now = request.app.state.clock()
        receipt = await services.ensure_receipt(hub.order.id, hub.merchant.id, now)
        form = {k: v for k, v in (data or {}).items() if k in ("addressee", "purpose") and isinstance(v, str)}
        if receipt.formal:
            raise Conflict("receipt.already_issued", "the receipt was already issued; download it again for a copy marked as reissued")
        values, errors = rules.read_formal(form)
        if errors:
            messages = {e["field"]: _field_message(e) for e in errors}
            return self._page(request, hub, receipt, form={k: v[:200] for k, v in form.items()}, errors=messages,
                              status=422)
        # render first: the original is recorded as issued only once it exists
        original = SimpleNamespace(id=receipt.id, number=receipt.number, formal=True, addressee=values["addressee"],
                                   purpose=values["purpose"])
        try:
            pdf = await render_document(request, hub, original, reissue=False)
        except RenderFailed:
            return _unavailable(request)
        try:
            await services.issue_formal(hub.order.id, hub.merchant.id, values["addressee"], values["purpose"],
                                        _lang(request), now)
        except Conflict as exc:
            raise Conflict("receipt.already_issued", "the receipt was already issued; download it again for a copy marked as reissued") from exc
        return _pdf_response(pdf, receipt, attachment=True)


def _field_message(error: dict) -> str:
    message = error["message"]
    if message == "is required":
        return _("Please enter the addressee.")
    if message.startswith("must be at most"):
        return _("Please keep it to 60 characters or fewer.")
    return _("Please use only printable characters.")
