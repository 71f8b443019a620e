"""Merchant settings: brand values validated (no CSS or URL injection), registration numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderhub.db.merchants import rules

MERCHANTS = json.loads((Path(__file__).resolve().parents[2] / "orderhub/demo/fixtures/merchants.json").read_text())


@pytest.mark.parametrize("entry", MERCHANTS, ids=lambda e: e["slug"])
def test_fixture_merchants_are_valid(entry):
    settings, errors = rules.read_merchant_settings({k: v for k, v in entry.items() if k != "slug"})
    assert errors == []
    assert settings["brand"]["primary_color"] == entry["brand"]["primary_color"].upper()


@pytest.mark.parametrize(
    ("number", "ok"),
    [("T9234567890123", True), ("T8234567890123", False), ("9234567890123", False), ("T923456789012", False),
     ("T0234567890123", False), ("T923456789012X", False), ("t9234567890123", False)],
)
def test_registration_number_check_digit(number, ok):
    assert rules.registration_number_ok(number) is ok


@pytest.mark.parametrize(
    ("brand", "field"),
    [
        ({"primary_color": "red;}body{background:url(http://x)}"}, "brand.primary_color"),
        ({"primary_color": "#12345"}, "brand.primary_color"),
        ({"accent_color": "expression(alert(1))"}, "brand.accent_color"),
        ({"font": "Comic Sans'; } * { color: red"}, "brand.font"),
        ({"corner": "url(x)"}, "brand.corner"),
        ({"logo_url": "javascript:alert(1)"}, "brand.logo_url"),
        ({"logo_url": "file:///etc/passwd"}, "brand.logo_url"),
        ({"custom_css": "body{}"}, "brand.custom_css"),
    ],
)
def test_brand_injection_is_refused(brand, field):
    body = {k: v for k, v in MERCHANTS[1].items() if k != "slug"}
    body["brand"] = {**body["brand"], **brand}
    _, errors = rules.read_merchant_settings(body)
    assert field in {e["field"] for e in errors}


@pytest.mark.parametrize(("background", "text"), [("#1F5F3F", "#FFFFFF"), ("#E8B04A", "#111111"), ("#FFFFFF", "#111111")])
def test_text_colour_chosen_for_contrast(background, text):
    assert rules.text_on(background) == text
    assert rules.contrast_ratio(background, text) >= 4.5


def test_bad_registration_number_is_refused():
    body = {k: v for k, v in MERCHANTS[0].items() if k != "slug"} | {"tax_registration_number": "T1234567890123"}
    _, errors = rules.read_merchant_settings(body)
    assert "tax_registration_number" in {e["field"] for e in errors}


def test_a_free_return_method_keeps_no_fee():
    from orderhub.db.merchants.rules import read_policy
    from orderhub.db.validation import Reader

    r = Reader()
    policy = read_policy(r, {"free_return_methods": ["in_store", "mail"], "return_fee": {"mail": "550", "home_pickup": "880"}},
                         "JPY")
    assert not r.errors and policy["return_fee"] == {"home_pickup": "880"}
