"""The lookup form: order number + email or postal code."""

from __future__ import annotations

from orderhub.components.i18n import gettext as _


def read(form: dict) -> tuple[dict, dict]:
    number = str(form.get("number", "")).strip()[:64]
    proof = str(form.get("proof", "")).strip()[:254]
    errors = {}
    if not number:
        errors["number"] = _("Enter your order number.")
    if not proof:
        errors["proof"] = _("Enter the email address or postal code you ordered with.")
    return {"number": number, "proof": proof}, errors
