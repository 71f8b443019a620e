"""What a receipt shows, shaped for the template (one template for the HTML view and the PDF)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from orderhub.components.i18n import gettext as _
from orderhub.components.shop_texts import line_words, plain
from orderhub.db import texts
from orderhub.db.addresses import format_address
from orderhub.db.branding import rules as brand_rules
from orderhub.db.documents import rules
from orderhub.db.documents.queries import ReceiptView
from orderhub.db.orders.queries import Hub
from orderhub.db.payments.queries import PaymentView
from orderhub.pdf.fetcher import asset_url
from orderhub.site.confirmation.presenter import payment_label
from orderhub.site.hub.routes import brand_css
from orderhub.site.payments import words as payment_words

#: one font for the whole PDF: Noto Sans CJK JP carries Latin, kana and kanji, in one weight, so the
#: PDF embeds one subset instead of two to four (fontconfig has no fallback chain to walk, and
#: subsetting — a third of the render — runs once). Emphasis comes from size, colour and rules.
PDF_FONT_CSS = 'body.doc--pdf{font-family:"Noto Sans CJK JP"}.doc--pdf *{font-weight:400!important}'


def address_lines(address: dict | None, lang: str) -> list[str]:
    """The address in the reading order of the document's language (orderhub.db.addresses)."""
    return list(format_address(address, lang, honorific=False).lines) if address else []


def is_japan(hub: Hub) -> bool:
    return rules.japanese(hub.order.currency)


def receipt_context(hub: Hub, receipt: ReceiptView | None, *, pdf: bool, reissue: bool, lang: str,
                    kind: str = rules.RECEIPT) -> dict[str, Any]:
    """The receipt (kind RECEIPT), or the order confirmation (CONFIRMATION: no number, no 領収書, and
    it says plainly that it is not a receipt)."""
    order = hub.order
    merchant = hub.merchant
    japan = is_japan(hub)
    with_words = [replace(ln, title=title, variant=variant) for ln in order.lines
                  for title, variant in (line_words(ln),)]  # titles in the document's language
    lines = rules.doc_lines(with_words, japan)
    totals = rules.from_per_rate(order.tax_by_rate, order.prices_include_tax, japan)
    registration = merchant.tax_registration_number or ""
    discounts = [{"label": d.get("code", ""), "amount_minor": d.get("amount_minor", 0)} for d in order.discounts]
    if not discounts and order.discount_minor:
        discounts = [{"label": "", "amount_minor": order.discount_minor}]
    confirmation = kind == rules.CONFIRMATION
    formal = bool(receipt and receipt.formal) and not confirmation
    # the shop's name in the document's language (the registered name, when it has one, stays as registered)
    trade_name = plain(texts.pick(cast(dict[str, Any], merchant.texts), "name", lang, merchant.name))
    title = _("Confirmation of order") if confirmation else _("Receipt")
    subtitle = _("Qualified simplified invoice") if rules.qualified(japan, registration) and not confirmation else ""
    logo = asset_url(hub.brand.logo_url) if pdf and hub.brand.logo_url.startswith("/static/") else ""
    return {
        "pdf": pdf,
        "lang": lang,
        "hub": hub,
        "brand": hub.brand.in_language(lang),
        "order": order,
        "japan": japan,
        "title": title,
        "subtitle": subtitle,
        "number": receipt.number_label if receipt and not confirmation else "",
        "confirmation": confirmation,
        "payment_status": payment_words.status_label(PaymentView.of_row(order)),
        "rate_lines": payment_words.rate_lines(totals, order.prices_include_tax, order.currency),
        "issuer": {
            "name": merchant.legal_name or trade_name,
            "trade_name": trade_name if merchant.legal_name and merchant.legal_name != trade_name else "",
            "address": address_lines(cast(dict[str, Any], merchant.address or {}), lang),
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
        "addressee": receipt.addressee if receipt and formal else "",
        "purpose": ((receipt.purpose if receipt else "") or _("For merchandise")) if formal else "",
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
