"""What a receipt shows, shaped for the template (one template for the HTML view and the PDF)."""

from __future__ import annotations

from typing import Any, cast

from orderhub.components.addresses import address_lines
from orderhub.components.i18n import gettext as _
from orderhub.db.branding import rules as brand_rules
from orderhub.db.documents import rules
from orderhub.db.documents.queries import ReceiptView
from orderhub.db.orders.queries import Hub
from orderhub.pdf.fetcher import asset_url
from orderhub.site.confirmation.presenter import payment_label
from orderhub.site.hub.routes import brand_css

#: one font for the whole PDF: Noto Sans CJK JP carries Latin, kana and kanji, in one weight, so the
#: PDF embeds one subset instead of two to four (fontconfig has no fallback chain to walk, and
#: subsetting — a third of the render — runs once). Emphasis comes from size, colour and rules.
PDF_FONT_CSS = 'body.doc--pdf{font-family:"Noto Sans CJK JP"}.doc--pdf *{font-weight:400!important}'


def is_japan(hub: Hub) -> bool:
    return rules.japanese(hub.order.currency)


def receipt_context(hub: Hub, receipt: ReceiptView, *, pdf: bool, reissue: bool, lang: str) -> dict[str, Any]:
    order = hub.order
    merchant = hub.merchant
    japan = is_japan(hub)
    lines = rules.doc_lines(order.lines, japan)
    totals = rules.from_per_rate(order.tax_by_rate, order.prices_include_tax, japan)
    registration = merchant.tax_registration_number or ""
    discounts = [{"label": d.get("code", ""), "amount_minor": d.get("amount_minor", 0)} for d in order.discounts]
    if not discounts and order.discount_minor:
        discounts = [{"label": "", "amount_minor": order.discount_minor}]
    formal = receipt.formal
    title = _("Receipt")
    subtitle = _("Qualified simplified invoice") if rules.qualified(japan, registration) else ""
    logo = asset_url(hub.brand.logo_url) if pdf and hub.brand.logo_url.startswith("/static/") else ""
    return {
        "pdf": pdf,
        "lang": lang,
        "hub": hub,
        "brand": hub.brand,
        "order": order,
        "japan": japan,
        "title": title,
        "subtitle": subtitle,
        "number": receipt.number_label,
        "issuer": {
            "name": merchant.legal_name or merchant.name,
            "trade_name": merchant.name if merchant.legal_name and merchant.legal_name != merchant.name else "",
            "address": address_lines(cast(dict[str, Any], merchant.address or {})),
            "registration": registration,
            "phone": cast(dict[str, Any], merchant.support or {}).get("phone", ""),
            "email": cast(dict[str, Any], merchant.support or {}).get("email", ""),
        },
        "lines": lines,
        "any_reduced": any(ln.reduced for ln in lines),
        "totals": totals,
        "discounts": discounts,
        "payment": payment_label(order.payment),
        "last4": (order.payment or {}).get("last4") or "",
        "formal": formal,
        "addressee": receipt.addressee if formal else "",
        "purpose": (receipt.purpose or _("For merchandise")) if formal else "",
        "reissue": reissue,
        "logo": logo,
        "print_css": "asset:css/print.css" if pdf else None,
    }


def pdf_css(hub: Hub) -> str:
    # this stylesheet has user origin in WeasyPrint: print.css (author) wins unless !important;
    # the brand's font in PDFs is its installed family (orderhub.db.branding.rules.FONT_LIST)
    family = brand_rules.font(cast(dict[str, Any], hub.merchant.brand or {}).get("font")).pdf_family
    extra = f"body.doc--pdf{{font-family:{family}!important}}" if family else ""
    return brand_css(hub.brand) + PDF_FONT_CSS + extra
