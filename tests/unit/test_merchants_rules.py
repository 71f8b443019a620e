"""Merchant settings: brand values validated (no CSS or URL injection), registration numbers, and the
stable codes every validator error carries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderhub.db import validation
from orderhub.db.branding import rules as brand_rules
from orderhub.db.merchants import rules
from orderhub.db.validation import Reader, ValidationFailed

MERCHANTS = json.loads((Path(__file__).resolve().parents[2] / "orderhub/demo/fixtures/merchants.json").read_text())


@pytest.mark.parametrize("entry", MERCHANTS, ids=lambda e: e["slug"])
def test_fixture_merchants_are_valid(entry):
    settings, errors = brand_rules.read_merchant_settings({k: v for k, v in entry.items() if k != "slug"})
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
    _, errors = brand_rules.read_merchant_settings(body)
    assert field in {e["field"] for e in errors}


@pytest.mark.parametrize(("background", "text"), [("#1F5F3F", "#FFFFFF"), ("#E8B04A", "#111111"), ("#FFFFFF", "#111111")])
def test_text_colour_chosen_for_contrast(background, text):
    assert brand_rules.text_on(background) == text
    assert brand_rules.contrast_ratio(background, text) >= 4.5


def test_malformed_registration_number_is_refused():
    body = {k: v for k, v in MERCHANTS[0].items() if k != "slug"} | {"tax_registration_number": "T12345"}
    _, errors = brand_rules.read_merchant_settings(body)
    assert [(e["field"], e["code"]) for e in errors] == [("tax_registration_number", rules.REGISTRATION_NUMBER_INVALID)]


def test_failing_check_digit_is_accepted_with_a_warning():
    """A sole proprietor's number need not pass the corporate check digit: kept, with a warning."""
    body = {k: v for k, v in MERCHANTS[0].items() if k != "slug"} | {"tax_registration_number": "T1234567890123"}
    settings, errors = brand_rules.read_merchant_settings(body)
    assert errors == [] and settings["tax_registration_number"] == "T1234567890123"
    assert rules.registration_number_warning("T1234567890123") == rules.REGISTRATION_NUMBER_CHECK
    assert rules.registration_number_warning("T9234567890123") is None
    assert rules.registration_number_warning(None) is None


def test_a_free_return_method_keeps_no_fee():
    r = Reader()
    policy = rules.read_policy(
        r, {"free_return_methods": ["in_store", "mail"], "return_fee": {"mail": "550", "home_pickup": "880"}}, "JPY"
    )
    assert not r.errors and policy["return_fee"] == {"home_pickup": "880"}


# --- the validators' codes: the API keeps its English, pages word the code and its params ----------------


@pytest.mark.parametrize(
    ("read", "code", "message", "params"),
    [
        (lambda r: r.text({}, "name", "name"), validation.REQUIRED, "is required", {}),
        (lambda r: r.text({"name": " "}, "name", "name"), validation.EMPTY, "must not be empty", {}),
        (lambda r: r.text({"name": 5}, "name", "name"), validation.NOT_STRING, "must be a string", {}),
        (
            lambda r: r.text({"name": "x" * 41}, "name", "name", max_len=40),
            validation.TOO_LONG,
            "must be at most 40 characters",
            {"n": 40},
        ),
        (
            lambda r: r.text({"name": "a\x07"}, "name", "name"),
            validation.CONTROL_CHARACTERS,
            "must not contain control characters",
            {},
        ),
        (lambda r: r.integer({"name": "7"}, "name", "name"), validation.NOT_WHOLE_NUMBER, "must be a whole number", {}),
        (lambda r: r.integer({"name": 0}, "name", "name", minimum=1), validation.TOO_SMALL, "must be at least 1", {"n": 1}),
        (lambda r: r.integer({"name": 61}, "name", "name", maximum=60), validation.TOO_LARGE, "must be at most 60", {"n": 60}),
        (lambda r: r.choice({"name": "x"}, "name", "name", ("b", "a")), validation.NOT_CHOICE, "must be one of a, b", {}),
        (lambda r: r.boolean({"name": "yes"}, "name", "name"), validation.NOT_BOOLEAN, "must be true or false", {}),
        (lambda r: r.amount({"name": "abc"}, "name", "name", "JPY"), validation.NOT_AMOUNT, None, {}),
        (
            lambda r: r.timezone({"name": "Mars/Olympus"}, "name", "name"),
            validation.NOT_TIMEZONE,
            "must be an IANA time zone such as Asia/Tokyo",
            {},
        ),
        (lambda r: r.web_url({"name": "javascript:x"}, "name", "name"), validation.NOT_WEB_URL, "must be an http(s) URL", {}),
        (lambda r: r.email({"name": "nobody"}, "name", "name"), validation.NOT_EMAIL, "must be an email address", {}),
        (
            lambda r: r.color({"name": "red"}, "name", "name", default="#000000"),
            validation.NOT_HEX_COLOR,
            "must be a hex colour such as #1F5F3F",
            {},
        ),
        (
            lambda r: r.strings({"name": ["a"] * 3}, "name", "name", max_items=2),
            validation.TOO_MANY_ITEMS,
            "must have at most 2 items",
            {"n": 2},
        ),
        (lambda r: r.obj("x", "name"), validation.NOT_OBJECT, "must be an object", {}),
    ],
)
def test_every_reader_error_has_a_code_and_its_params(read, code, message, params):
    r = Reader()
    read(r)
    (error,) = r.errors
    assert error["field"] == "name" and error["code"] == code and error.get("params", {}) == params
    if message is not None:
        assert error["message"] == message  # the API's English is unchanged


def test_area_errors_carry_their_own_codes():
    _store, errors = rules.read_store(
        {
            "name": "S",
            "timezone": "Asia/Tokyo",
            "address": {"postal_code": "1", "city": "c", "line1": "l", "country": "JP"},
            "hours": [{"days": "mon", "open": "10:00", "close": "09:00"}, {"days": "tue", "open": "9", "close": "x"}],
        },
        "bad code!",
    )
    assert [(e["field"], e["code"]) for e in errors] == [
        ("code", rules.STORE_CODE_INVALID),
        ("hours[0].close", rules.STORE_CLOSES_BEFORE_OPENING),
        ("hours[1].open", validation.NOT_TIME),
        ("hours[1].close", validation.NOT_TIME),
    ]
    assert errors[2]["message"] == "must be a time such as 10:00" and errors[2]["params"] == {"example": "10:00"}
    _settings, errors = brand_rules.read_merchant_settings(
        {"name": "Shop", "currency": "XXX1", "locale": "en-US", "timezone": "UTC", "prices_include_tax": False}
    )
    assert [(e["field"], e["code"]) for e in errors] == [("currency", rules.CURRENCY)]


def test_old_shaped_errors_still_work_with_a_default_code():
    """Validators of other areas that record error(field, "an English message") or build
    {"field", "message"} dicts keep working; the API answers the code validation.invalid."""
    r = Reader()
    r.error("car", "too long")
    assert r.errors == [{"field": "car", "code": validation.INVALID, "message": "too long"}]
    failed = ValidationFailed([{"field": "x", "message": "is wrong"}, *r.errors])
    assert failed.as_json() == [
        {"field": "x", "code": validation.INVALID, "message": "is wrong"},
        {"field": "car", "code": validation.INVALID, "message": "too long"},
    ]
    assert failed.errors[0] == {"field": "x", "message": "is wrong"}  # as recorded, for pages not yet coded


def test_the_api_answers_field_code_and_message_only():
    r = Reader()
    r.text({"name": "x" * 3}, "name", "name", max_len=2)
    failed = ValidationFailed(r.errors)
    assert failed.as_json() == [{"field": "name", "code": validation.TOO_LONG, "message": "must be at most 2 characters"}]
    assert failed.details[0]["params"] == {"n": 2}  # kept for pages, not sent to API clients


def test_pages_word_errors_by_code_in_the_page_language():
    """The sentence comes from the code and its params, whatever the English message says."""
    from orderhub.components import i18n
    from orderhub.site import form_errors

    r = Reader()
    r.text({"phone": "x" * 41}, "phone", "support.phone", max_len=40)
    r.error("support.url", validation.NOT_WEB_URL, "some other English entirely")
    with i18n.language("en"):
        assert form_errors.by_field(r.errors, strip="support.") == {
            "phone": "Use at most 40 characters.",
            "url": "Enter a web address starting with https://.",
        }
    with i18n.language("ja"):
        assert form_errors.by_field(r.errors, strip="support.")["phone"] == "40文字以内で入力してください。"


def test_every_admin_and_validation_code_reads_in_japanese_with_its_placeholders():
    import re

    from orderhub.components import i18n
    from orderhub.site.messages import admin
    from orderhub.site.messages import validation as validation_messages

    ja = i18n.translations("ja")
    for table in (admin.MESSAGES, validation_messages.MESSAGES):
        for code, msgid in table.items():
            translated = ja.ugettext(msgid)
            assert translated != msgid, code
            assert set(re.findall(r"%\((\w+)\)s", msgid)) == set(re.findall(r"%\((\w+)\)s", translated)), code
    # every shared validator code is worded
    codes = {
        value
        for name, value in vars(validation).items()
        if name.isupper() and isinstance(value, str) and value.startswith("validation.")
    }
    assert codes - {validation.INVALID} <= set(validation_messages.MESSAGES)


@pytest.mark.parametrize("days", [[], ["mon"], {"from": "mon"}])
def test_opening_days_that_are_not_a_name_are_refused_not_raised(days):
    reader = Reader()
    hours = rules.read_hours(reader, {"hours": [{"days": days, "open": "10:00", "close": "20:00"}]})
    assert hours[0]["days"] == "daily"
    assert [e["field"] for e in reader.errors] == ["hours[0].days"]
