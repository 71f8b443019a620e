"""The merchant's settings forms: for each page, the values it shows and how a posted form becomes
the validated value it saves. Validation is the API's own (db/merchants/rules, db/emails/rules,
db/orders/rules, db/feedback/rules), so a form and the API can never disagree; nothing is stored
while any field has an error."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from orderhub import money
from orderhub.components.i18n import gettext as _
from orderhub.db import texts as lang_texts
from orderhub.db.emails import rules as email_rules
from orderhub.db.feedback import rules as feedback_rules
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.merchants import services as merchant_services
from orderhub.db.merchants.queries import MerchantView
from orderhub.db.orders import queries as order_queries
from orderhub.db.orders import rules as order_rules
from orderhub.db.returns import label_rules
from orderhub.db.returns.rules import ship_within_days
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.validation import Reader, field_error
from orderhub.site import form_errors, messages
from orderhub.site.admin.settings import home_pickup_form
from orderhub.site.returns import presenter as return_words

Form = Any  # litestar's FormMultiDict: .get(name) and .getall(name)
MAX_FIELD = 4000


@dataclass(frozen=True)
class Saved:
    values: dict[str, Any]           # what the form shows again (the posted values)
    errors: dict[str, str]           # field name -> translated message; empty when saved
    changed: bool = False


@dataclass(frozen=True)
class SettingsPage:
    key: str                         # the URL part: /admin/settings/<key>
    title: str                       # English msgid
    summary: str                     # English msgid, on the settings index
    template: str                    # the form's fields
    values: Callable[[MerchantView], Awaitable[dict[str, Any]]]
    save: Callable[[MerchantView, Form], Awaitable[Saved]]


def text(form: Form, name: str) -> str:
    value = form.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def whole(value: str) -> int | str:
    """A form's number as an int when it is one (the validator then checks its range), else the text
    (the validator then says it must be a whole number)."""
    value = value.strip()
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else value


def many(form: Form, name: str) -> list[str]:
    """Every value of a repeated field (ticked checkboxes); none when it is absent."""
    return [v for v in form.getall(name, [])[:50] if isinstance(v, str)]


def on(form: Form, name: str) -> bool:
    return form.get(name) == "on"


async def _save(merchant: MerchantView, errors: list[dict], *, strip: str = "",
                rename: Callable[[str], str] | None = None, values: dict, columns: dict | None = None,
                sections: dict | None = None) -> Saved:
    if errors:
        fields = form_errors.by_field(errors, strip=strip)
        if rename:
            fields = {rename(k): v for k, v in reversed(list(fields.items()))}
        return Saved(values, fields)
    changed = await merchant_services.update_merchant(merchant.id, columns=columns, sections=sections)
    return Saved(values, {}, changed)


# -- support contacts ---------------------------------------------------------------------------------

SUPPORT_FIELDS = ("email", "phone", "hours", "url")


def other_language(merchant: MerchantView) -> str:
    """The language the merchant's plain texts are not in: its words in it have a field of their own."""
    return lang_texts.other(lang_texts.language_of_locale(merchant.locale))


async def support_values(merchant: MerchantView) -> dict:
    other = other_language(merchant)
    hours = lang_texts.pick(merchant.texts, "support_hours", other)
    return {**{name: merchant.support.get(name) or "" for name in SUPPORT_FIELDS},
            f"hours_{other}": "" if hours.fallback else str(hours), "other_lang": other}


async def support_save(merchant: MerchantView, form: Form) -> Saved:
    other = other_language(merchant)
    values = {name: text(form, name).strip() for name in (*SUPPORT_FIELDS, f"hours_{other}")}
    r = Reader()
    support = merchant_rules.read_support(r, values)
    hours = lang_texts.read_text(r, values, "hours", "support.hours", lang_texts.other(other), base=support["hours"], max_len=100)
    words = {k: v for k, v in {**merchant.texts, "support_hours": hours}.items() if v}
    return await _save(merchant, r.errors, strip="support.", values={**values, "other_lang": other},
                       columns={"support": support, "texts": words})


# -- return policy ---------------------------------------------------------------------------------------

METHODS = merchant_rules.RETURN_METHODS
REASONS = merchant_rules.REASONS


def method_options() -> list[tuple[str, str]]:
    return [(m, return_words.method_label(m)) for m in METHODS]


def reason_options() -> list[tuple[str, str]]:
    return [(r, return_words.reason_label(r)) for r in REASONS]


def counter_refund_options() -> list[tuple[str, str]]:
    return [(c, return_words.counter_refund_label(c)) for c in merchant_rules.COUNTER_REFUNDS]


async def policy_values(merchant: MerchantView) -> dict:
    policy = {**merchant_rules.DEFAULT_POLICY, **merchant.policy}
    fees = policy.get("return_fee") or {}
    return {
        "return_window_days": str(policy["return_window_days"]),
        "extended": "\n".join(f"{tag}: {days}" for tag, days in (policy.get("extended_window_days_by_tag") or {}).items()),
        "cancel_window_hours": str(policy["cancel_window_hours"]),
        "cancellation": str(policy.get("cancellation") or "request"),
        "return_ship_within_days": str(ship_within_days(policy)),
        "free_return_methods": list(policy.get("free_return_methods") or []),
        **{f"fee_{m}": fees.get(m, "") for m in METHODS},
        **{f"label_cost_{m}": (policy.get("label_cost") or {}).get(m, "") for m in label_rules.LABEL_METHODS},
        "store_credit_bonus_percent": str(policy["store_credit_bonus_percent"]),
        "keep_item_under": str(policy.get("keep_item_under") or "0"),
        "photo_required_reasons": list(policy.get("photo_required_reasons") or []),
        "waive_fee_for_merchant_fault": ["on"] if policy.get("waive_fee_for_merchant_fault", True) else [],
        "counter_refund": str(policy.get("counter_refund") or "after_inspection"),
        **home_pickup_form.values(policy),
    }


def _extended(raw: str, errors: list[dict]) -> dict[str, int | str]:
    """"member-gold: 60" per line -> {"member-gold": 60}."""
    out: dict[str, int | str] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        found = re.fullmatch(r"\s*([^:=\s][^:=]{0,63}?)\s*[:=]\s*(\S+)\s*", line)
        if not found:
            errors.append(field_error("extended", merchant_rules.POLICY_TAG_LINES,
                                      "Write one customer tag per line, like “member-gold: 60”."))
            break
        out[found[1]] = whole(found[2])
    return out


def _policy_field(path: str) -> str:
    name = path.removeprefix("policy.")
    if pickup_field := home_pickup_form.field_of(name):
        return pickup_field
    if name.startswith("return_fee."):
        return "fee_" + name.removeprefix("return_fee.")
    if name.startswith("label_cost."):
        return "label_cost_" + name.removeprefix("label_cost.")
    if name.startswith("extended_window_days_by_tag"):
        return "extended"
    return name.split("[")[0]


async def policy_save(merchant: MerchantView, form: Form) -> Saved:
    values: dict[str, Any] = {
        **{name: text(form, name).strip() for name in (
            "return_window_days", "cancel_window_hours", "return_ship_within_days", "store_credit_bonus_percent",
            "keep_item_under", *(f"fee_{m}" for m in METHODS),
            *(f"label_cost_{m}" for m in label_rules.LABEL_METHODS))},
        "extended": text(form, "extended"),
        "cancellation": text(form, "cancellation").strip(),
        "free_return_methods": [m for m in many(form, "free_return_methods") if m in METHODS],
        "photo_required_reasons": [r for r in many(form, "photo_required_reasons") if r in REASONS],
        "waive_fee_for_merchant_fault": ["on"] if on(form, "waive_fee_for_merchant_fault") else [],
        "counter_refund": text(form, "counter_refund").strip() or "after_inspection",
    }
    pickup_values, pickup_body = home_pickup_form.read(form, dict(merchant.policy or {}), text, many, whole)
    values.update(pickup_values)
    errors: list[dict] = []
    body = {
        "home_pickup": pickup_body,
        "return_window_days": whole(values["return_window_days"]),
        "cancel_window_hours": whole(values["cancel_window_hours"]),
        "cancellation": values["cancellation"] or "request",
        "return_ship_within_days": whole(values["return_ship_within_days"]),
        "store_credit_bonus_percent": whole(values["store_credit_bonus_percent"]),
        "keep_item_under": values["keep_item_under"] or "0",
        "extended_window_days_by_tag": _extended(values["extended"], errors),
        "free_return_methods": values["free_return_methods"],
        "photo_required_reasons": values["photo_required_reasons"],
        "waive_fee_for_merchant_fault": bool(values["waive_fee_for_merchant_fault"]),
        "counter_refund": values["counter_refund"],
        "return_fee": {m: values[f"fee_{m}"] for m in METHODS if values[f"fee_{m}"] not in ("", "0")},
        "label_cost": {m: values[f"label_cost_{m}"] for m in label_rules.LABEL_METHODS
                       if values[f"label_cost_{m}"] not in ("", "0")},
    }
    r = Reader()
    policy = merchant_rules.read_policy(r, body, merchant.currency)
    errors += [{**e, "field": _policy_field(e["field"])} for e in r.errors]
    return await _save(merchant, errors, values=values, columns={"policy": policy})


# -- cross-sells --------------------------------------------------------------------------------------

async def _catalog(merchant_id: int) -> list[order_queries.CatalogProduct]:
    return await order_queries.catalog(merchant_id)


async def cross_sells_values(merchant: MerchantView) -> dict:
    conf = order_rules.read_cross_sells_settings(merchant.section("cross_sells"))
    products = await _catalog(merchant.id)
    return {
        "enabled": conf["enabled"], "in_emails": conf["in_emails"], "products": products,
        **{f"related-{i}": ", ".join(conf["related"].get(p.id, p.related)) for i, p in enumerate(products)},
    }


async def cross_sells_save(merchant: MerchantView, form: Form) -> Saved:
    products = await _catalog(merchant.id)
    values: dict[str, Any] = {"enabled": on(form, "enabled"), "in_emails": on(form, "in_emails"), "products": products}
    related: dict[str, list[str]] = {}
    for i, product in enumerate(products):
        raw = text(form, f"related-{i}")
        values[f"related-{i}"] = raw
        ids = [part for part in re.split(r"[\s,、，]+", raw) if part]
        if ids != product.related:
            related[product.id] = ids  # the merchant's choice; the catalog's list otherwise
    known = {p.id for p in products}
    clean, errors = order_rules.validate_cross_sells_settings(
        {"enabled": values["enabled"], "in_emails": values["in_emails"], "related": related}, known)
    index = {p.id: i for i, p in enumerate(products)}

    def rename(field: str) -> str:
        product_id = field.removeprefix("cross_sells.related.")
        return f"related-{index[product_id]}" if product_id in index else field

    return await _save(merchant, errors, rename=rename, values=values, sections={"cross_sells": clean})


# -- emails ----------------------------------------------------------------------------------------------

async def emails_values(merchant: MerchantView) -> dict:
    conf = email_rules.read_emails_settings(merchant.section("emails"))
    return {**conf, "transit_every_hours": str(conf["transit_every_hours"])}


async def emails_save(merchant: MerchantView, form: Form) -> Saved:
    values: dict[str, Any] = {"send": on(form, "send"), "marketing_eu": on(form, "marketing_eu"),
                              "quiet_start": text(form, "quiet_start").strip(), "quiet_end": text(form, "quiet_end").strip(),
                              "transit_every_hours": text(form, "transit_every_hours").strip()}
    clean, errors = email_rules.validate_emails_settings({**values, "transit_every_hours": whole(values["transit_every_hours"])})
    return await _save(merchant, errors, strip="emails.", values=values, sections={"emails": clean})


# -- the delivery promise (the shipping area's rules) ------------------------------------------------------

DELIVERY_NUMBERS = ("processing_days", "transit_days", "transit_days_max")


def calendar_options() -> list[tuple[str, str]]:
    return [("", _("From my address or time zone")), ("JP", _("Japan")), ("US", _("United States"))]


async def delivery_values(merchant: MerchantView) -> dict:
    raw = merchant.section("delivery") if isinstance(merchant.section("delivery"), dict) else {}
    conf = shipping_rules.read_delivery_settings(raw)
    return {"cutoff": conf["cutoff"], "calendar": raw.get("calendar", ""),
            **{name: str(conf[name]) for name in DELIVERY_NUMBERS}}


async def delivery_save(merchant: MerchantView, form: Form) -> Saved:
    values: dict[str, Any] = {"cutoff": text(form, "cutoff").strip(), "calendar": text(form, "calendar").strip(),
                              **{name: text(form, name).strip() for name in DELIVERY_NUMBERS}}
    clean, errors = shipping_rules.validate_delivery_settings(
        {**values, **{name: whole(values[name]) for name in DELIVERY_NUMBERS}})
    return await _save(merchant, errors, strip="delivery.", values=values, sections={"delivery": clean})


# -- survey questions and review timing (the feedback area's rules) ---------------------------------------

LANGS = feedback_rules.LOCALES


async def feedback_values(merchant: MerchantView) -> dict:
    conf = feedback_rules.read_feedback_settings(merchant.section("feedback"))
    values: dict[str, Any] = {"review_invite_days": str(conf["review_invite_days"]),
                              "survey_cap_days": str(conf["survey_cap_days"])}
    for question, texts in conf["questions"].items():
        for lang in LANGS:
            values[f"{question}_{lang}"] = texts.get(lang, "")
    values["questions"] = list(conf["questions"])
    return values


async def feedback_save(merchant: MerchantView, form: Form) -> Saved:
    questions = list(feedback_rules.read_feedback_settings(None)["questions"])
    values: dict[str, Any] = {"review_invite_days": text(form, "review_invite_days").strip(),
                              "survey_cap_days": text(form, "survey_cap_days").strip(), "questions": questions}
    body: dict[str, Any] = {"review_invite_days": whole(values["review_invite_days"]),
                            "survey_cap_days": whole(values["survey_cap_days"]), "questions": {}}
    for question in questions:
        body["questions"][question] = {}
        for lang in LANGS:
            values[f"{question}_{lang}"] = text(form, f"{question}_{lang}").strip()
            body["questions"][question][lang] = values[f"{question}_{lang}"]
    clean, errors = feedback_rules.validate_feedback_settings(body)

    def rename(field: str) -> str:
        parts = field.removeprefix("feedback.").replace("[", ".").replace("]", "").split(".")
        return f"{parts[1]}_{parts[2]}" if parts[0] == "questions" and len(parts) == 3 else parts[0]

    return await _save(merchant, errors, rename=rename, values=values, sections={"feedback": clean})


# -- how long shoppers' links open the order page (the orders area's rules) -------------------------------

def link_after_options() -> list[tuple[str, str]]:
    return [(order_rules.AFTER_FULFILMENT, _("Delivery or pickup (or cancellation)")),
            (order_rules.AFTER_ORDER, _("The order date"))]


async def links_values(merchant: MerchantView) -> dict:
    conf = order_rules.read_link_settings(merchant.section("links"))
    days = conf["expire_days"]
    return {"expire_days": str(days) if days else "", "after": conf["after"], "after_options": link_after_options()}


async def links_save(merchant: MerchantView, form: Form) -> Saved:
    values: dict[str, Any] = {"expire_days": text(form, "expire_days").strip(), "after": text(form, "after").strip(),
                              "after_options": link_after_options()}
    days = whole(values["expire_days"]) if values["expire_days"] else None
    clean, errors = order_rules.validate_link_settings({"expire_days": days, "after": values["after"]})
    return await _save(merchant, errors, strip="links.", values=values, sections={"links": clean})


# -- invoices (qualified-invoice registration number) --------------------------------------------------


async def invoices_values(merchant: MerchantView) -> dict:
    number = merchant.tax_registration_number or ""
    return {"tax_registration_number": number, "warning": invoice_warning(number)}


def invoice_warning(number: str) -> str:
    """The warning for a saved number whose check digit fails (accepted, not refused)."""
    code = merchant_rules.registration_number_warning(number)
    return messages.text(code) if code else ""


async def invoices_save(merchant: MerchantView, form: Form) -> Saved:
    number = text(form, "tax_registration_number").strip().upper()
    r = Reader()
    clean = merchant_rules.read_registration_number(r, number)
    values = {"tax_registration_number": number, "warning": "" if r.errors else invoice_warning(number)}
    return await _save(merchant, r.errors, values=values, columns={"tax_registration_number": clean})


PAGES: dict[str, SettingsPage] = {page.key: page for page in (
    SettingsPage("support", "Support contacts", "How shoppers reach you: shown on every order page and in emails.",
                 "site/admin/settings/support.html.jinja", support_values, support_save),
    SettingsPage("policy", "Return policy", "Return windows, free methods and fees, store credit bonus, keep-the-item.",
                 "site/admin/settings/policy.html.jinja", policy_values, policy_save),
    SettingsPage("cross-sells", "Cross-sells", "Related products on the order page and in emails.",
                 "site/admin/settings/cross_sells.html.jinja", cross_sells_values, cross_sells_save),
    SettingsPage("feedback", "Surveys and reviews", "Survey questions, how often a shopper is asked, when reviews open.",
                 "site/admin/settings/feedback.html.jinja", feedback_values, feedback_save),
    SettingsPage("delivery", "Delivery promise", "Cut-off time, packing days, usual transit days and the holiday calendar.",
                 "site/admin/settings/delivery.html.jinja", delivery_values, delivery_save),
    SettingsPage("emails", "Emails", "Sending, quiet hours, how often shipping updates go out.",
                 "site/admin/settings/emails.html.jinja", emails_values, emails_save),
    SettingsPage("invoices", "Receipts and invoices", "Your qualified-invoice registration number, printed on receipts.",
                 "site/admin/settings/invoices.html.jinja", invoices_values, invoices_save),
    SettingsPage("links", "Order page links", "How long the links in your emails and QR codes open the order page.",
                 "site/admin/settings/links.html.jinja", links_values, links_save),
)}


def money_hint(currency: str) -> str:
    return _("Amounts in %(currency)s, such as %(example)s.", currency=currency,
             example=money.to_string(550 * 10 ** money.exponent(currency), currency))
