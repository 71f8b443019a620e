"""Delivery changes before shipment (orderhub.db.orders.change_rules) and the carriers' redelivery links
(orderhub.db.shipping.rules.redelivery_url): pure decisions, fixed dates."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.orders import change_rules as rules
from orderhub.db.shipping.rules import redelivery_url
from orderhub.db.validation import ValidationFailed

TOKYO = {"name": "山田 花子", "postal_code": "150-0041", "region": "東京都", "city": "渋谷区", "line1": "神南1-2-3",
         "line2": "", "country": "JP"}


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e["field"]: e["code"] for e in exc.value.errors}


@pytest.mark.parametrize(("ships", "cancelled", "status", "shipments", "picking", "expected"), [
    (True, False, "unfulfilled", 0, False, True),
    (True, False, "unfulfilled", 0, True, False),  # the storefront reported picking (cancellation's cut-off)
    (True, False, "unfulfilled", 1, False, False),  # a parcel is registered: picked and labelled
    (True, False, "partially_shipped", 1, False, False),
    (True, True, "unfulfilled", 0, False, False),
    (False, False, "unfulfilled", 0, False, False),  # a pickup has no delivery to change
])
def test_changes_only_before_anything_ships(ships, cancelled, status, shipments, picking, expected):
    assert rules.before_shipment(ships=ships, cancelled=cancelled, fulfillment_status=status,
                                 shipments=shipments, picking=picking) is expected


@pytest.mark.parametrize(("old", "new", "at_once"), [
    ({"country": "JP", "region": "東京都"}, {"country": "JP", "region": "神奈川県"}, True),  # both Kanto
    ({"country": "JP", "region": "Tokyo"}, {"country": "JP", "region": "東京都"}, True),  # romaji = kanji
    ({"country": "JP", "region": "東京都"}, {"country": "JP", "region": "大阪府"}, False),  # Kansai
    ({"country": "JP", "region": "福岡県"}, {"country": "JP", "region": "沖縄県"}, False),  # Okinawa alone
    ({"country": "US", "region": "NY"}, {"country": "US", "region": "NY"}, True),
    ({"country": "US", "region": "NY"}, {"country": "US", "region": "NJ"}, False),  # another state's tax
])
def test_an_address_applies_at_once_only_in_the_same_zone_and_tax_area(old, new, at_once):
    assert rules.applies_at_once(old, new) is at_once


def test_a_japanese_address_is_checked_against_its_prefecture():
    new = rules.read_address({**TOKYO, "postal_code": "２２０－００１２", "region": "Kanagawa", "city": "横浜市西区"},
                             TOKYO)
    assert new["postal_code"] == "220-0012" and new["region"] == "神奈川県"  # NFKC digits, kanji prefecture
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address({**TOKYO, "postal_code": "060-0001"}, TOKYO)  # Hokkaido's code in Tokyo
    assert codes(exc) == {"postal_code": rules.POSTAL_CODE}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address({**TOKYO, "postal_code": "12"}, TOKYO)
    assert codes(exc) == {"postal_code": rules.POSTAL_CODE}


def test_an_address_form_refuses_markup_a_new_country_and_no_change():
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address({**TOKYO, "line1": "<img src=x onerror=alert(1)>", "name": ""}, TOKYO)
    assert codes(exc) == {"line1": rules.PLAIN_TEXT, "name": "validation.empty"}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address({**TOKYO, "country": "US"}, TOKYO)
    assert codes(exc) == {"country": rules.COUNTRY}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address(dict(TOKYO), TOKYO)
    assert codes(exc) == {"line1": rules.NO_CHANGE}


def test_a_us_address_keeps_its_state_code_and_zip():
    ny = {"name": "Jordan Lee", "postal_code": "10013", "region": "NY", "city": "New York", "line1": "200 Hudson St",
          "country": "US"}
    assert rules.read_address({**ny, "line1": "1 Main St"}, ny)["region"] == "NY"
    with pytest.raises(ValidationFailed) as exc:
        rules.read_address({**ny, "region": "CA", "line1": "1 Main St"}, ny)  # a New York ZIP in California
    assert codes(exc) == {"postal_code": rules.POSTAL_CODE}


def test_time_slots_and_dates_where_the_merchant_allows_them():
    now = rules.delivery(None)
    assert rules.read_window({"window": "morning"}, now, None) == {"window": "morning", "date": None}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_window({"window": "12-14"}, now, None)  # not one of the slots offered
    assert codes(exc) == {"window": "validation.not_choice"}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_window({"window": "morning", "date": "2026-12-01"}, now, None)
    assert codes(exc) == {"date": rules.DATE_NOT_ALLOWED}
    today = dt.date(2026, 11, 30)
    dates = rules.date_range(today, processing_days=2, choice_days=7)
    assert dates == (dt.date(2026, 12, 3), dt.date(2026, 12, 9))
    assert rules.date_range(today, 0, 0) is None
    assert rules.read_window({"window": "19-21", "date": "2026-12-03"}, now, dates)["date"] == "2026-12-03"
    with pytest.raises(ValidationFailed) as exc:
        rules.read_window({"window": "19-21", "date": "2026-12-10"}, now, dates)
    assert codes(exc) == {"date": rules.DATE_OUT_OF_RANGE}
    with pytest.raises(ValidationFailed) as exc:
        rules.read_window({"window": "any"}, now, dates)
    assert codes(exc) == {"window": rules.NO_CHANGE}


def test_safe_place_and_instructions():
    now = rules.delivery(None)
    assert rules.read_safe_place({"safe_place": "meter_box", "instructions": " 左側の扉 "}, now) == {
        "safe_place": "meter_box", "instructions": "左側の扉"}
    assert rules.read_safe_place({"safe_place": "none", "instructions": "ignored"}, {**now, "safe_place": "garage"}) == {
        "safe_place": "none", "instructions": ""}
    for bad, field, code in (({"safe_place": "roof"}, "safe_place", "validation.not_choice"),
                             ({"safe_place": "shed", "instructions": "x" * 201}, "instructions", "validation.too_long"),
                             ({"safe_place": "shed", "instructions": "<b>"}, "instructions", rules.PLAIN_TEXT),
                             ({"safe_place": "shed", "instructions": "a\x00b"}, "instructions",
                              "validation.control_characters")):
        with pytest.raises(ValidationFailed) as exc:
            rules.read_safe_place(bad, now)
        assert codes(exc) == {field: code}


def test_the_merchants_decision():
    assert rules.read_decision({"decision": "refuse", "note": "packed"}) == ("refuse", "packed")
    for body in ({"decision": "yes"}, {}, [], {"decision": "accept", "note": "x" * 501}):
        with pytest.raises(ValidationFailed):
            rules.read_decision(body)


def test_redelivery_links_follow_a_failed_attempt_with_the_carriers_own_pages():
    assert redelivery_url("yamato", "4012-3456-7890", "failed_attempt") == (
        "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=401234567890")
    assert redelivery_url("sagawa-express", "3545 1133 1234", "failed_attempt") == (
        "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=354511331234")
    assert redelivery_url("japanpost", "1234-5678-9012", "failed_attempt") == (
        "https://trackings.post.japanpost.jp/delivery/deli/")
    assert redelivery_url("yamato", "4012-3456-7890", "in_transit") is None
    assert redelivery_url("ups", "1Z999AA10123456784", "failed_attempt") is None
