"""Per-rate totals rounded once per rate, the reduced-rate mark, the 領収書 fields, cache keys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from orderhub.db.documents import rules


@dataclass
class L:
    quantity: int
    unit_price_minor: int
    discount_minor: int
    tax_rate: str
    title: str = "x"
    variant: str = ""


@pytest.mark.parametrize("lines,discount,shipping,ship_rate,inclusive,expected", [
    # three ¥101 items at 8%: per line would give 7+7+7=21, once per rate gives round(303*8/108)=22
    ([L(1, 101, 0, "0.08")] * 3, 0, 0, "0", True, {Decimal("0.08"): (303, 281, 22)}),
    # Japanese fixture: ¥13,200 + ¥2,200 at 10%, ¥2,160 at 8%
    ([L(1, 13200, 0, "0.10"), L(2, 1080, 0, "0.08"), L(1, 2200, 0, "0.10")], 0, 0, "0.10", True,
     {Decimal("0.10"): (15400, 14000, 1400), Decimal("0.08"): (2160, 2000, 160)}),
    # shipping joins its own rate; order discount is prorated by value
    ([L(1, 1000, 0, "0.10"), L(1, 1000, 0, "0.08")], 200, 500, "0.10", True,
     {Decimal("0.10"): (1400, 1273, 127), Decimal("0.08"): (900, 833, 67)}),
    # tax added (US): base per rate, tax half-up once
    ([L(1, 12000, 1200, "0.08875"), L(2, 1500, 300, "0.08875")], 0, 795, "0.08875", False,
     {Decimal("0.08875"): (15564, 14295, 1269)}),
])
def test_rate_totals(lines, discount, shipping, ship_rate, inclusive, expected):
    totals = rules.rate_totals(lines, discount, shipping, Decimal(ship_rate), inclusive, japan=True)
    assert {t.rate: (t.gross_minor, t.base_minor, t.tax_minor) for t in totals} == expected
    assert [t.rate for t in totals] == sorted(expected, reverse=True)


@pytest.mark.parametrize("rate,japan,reduced", [
    ("0.08", True, True), ("0.10", True, False), ("0.08", False, False), ("0", True, False),
])
def test_reduced_rate_mark(rate, japan, reduced):
    (line,) = rules.doc_lines([L(1, 100, 0, rate)], japan)
    assert line.reduced is reduced


def test_credit_amounts_are_negative():
    totals = rules.rate_totals([L(1, 1080, 0, "0.08")], 0, 0, Decimal("0"), True, japan=True)
    (credit,) = rules.negative(totals)
    assert (credit.gross_minor, credit.base_minor, credit.tax_minor, credit.reduced) == (-1080, -1000, -80, True)


@pytest.mark.parametrize("form,values,fields", [
    ({"addressee": "株式会社テスト", "purpose": "お品代として"}, {"addressee": "株式会社テスト", "purpose": "お品代として"}, []),
    ({"addressee": "  山田　太郎  "}, {"addressee": "山田 太郎", "purpose": ""}, []),
    ({"addressee": "ＡＢＣ"}, {"addressee": "ABC", "purpose": ""}, []),
    ({"addressee": ""}, None, ["addressee"]),
    ({}, None, ["addressee"]),
    ({"addressee": "a" * 61}, None, ["addressee"]),
    ({"addressee": "a" * 5000}, None, ["addressee"]),
    ({"addressee": "ok", "purpose": "p" * 61}, None, ["purpose"]),
    ({"addressee": "a\u202eb"}, None, ["addressee"]),
    ({"addressee": "a\x00b"}, None, ["addressee"]),
    ({"addressee": ["x"]}, None, ["addressee"]),
])
def test_read_formal(form, values, fields):
    out, errors = rules.read_formal(form)
    assert [e["field"] for e in errors] == fields
    if values is not None:
        assert out == values


def test_document_key_covers_everything_shown():
    base = dict(order_id=1, order_version=1, merchant_version=1, locale="ja", reissue=False, number=1,
                extra={"formal": False})
    key = rules.document_key("receipt", **base)
    assert key == rules.document_key("receipt", **base)
    changes = [("order_version", 2), ("merchant_version", 2), ("locale", "en"), ("reissue", True), ("number", 2),
               ("extra", {"formal": True}), ("order_id", 2)]
    keys = {rules.document_key("receipt", **{**base, k: v}) for k, v in changes}
    assert key not in keys and len(keys) == len(changes)
    assert rules.document_key("credit_note", **base) != key


def test_receipt_number_label():
    assert rules.receipt_number_label(7) == "R-000007"
