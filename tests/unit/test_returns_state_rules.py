"""What a return's (and a claim's, and a replacement's) state allows and shows: the decisions pages
used to restate, now asked from `orderhub.db.returns.rules` through the view objects. Also the
refusal codes: every code has its English API message and a page message with a Japanese
translation, and picture limits are stated from the real figures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from orderhub import images
from orderhub.components import i18n
from orderhub.db.documents import rules as doc_rules
from orderhub.db.returns import rules
from orderhub.db.returns.queries import ReturnEventView, ReturnView
from orderhub.db.returns.replacements import ReplacementView, SoldOut
from orderhub.db.returns.rules import LineFacts
from orderhub.site import uploads
from orderhub.site.messages import documents as document_messages
from orderhub.site.messages import returns as return_messages

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)

# status: (can cancel, instructions shown, tone)
STATES = {
    "requested": (True, True, "warn"),
    "approved": (True, True, "info"),
    "in_transit": (False, True, "info"),
    "received": (False, False, "info"),
    "refunded": (False, False, "good"),
    "exchanged": (False, False, "good"),
    "closed": (False, False, "muted"),
    "rejected": (False, False, "bad"),
    "cancelled": (False, False, "muted"),
    "expired": (False, False, "muted"),
}


def test_every_state_is_decided():
    assert set(STATES) == set(rules.STATUSES) == set(rules.TONES)


@pytest.mark.parametrize("status", sorted(STATES))
def test_state_decisions(status):
    cancel, instructions, tone = STATES[status]
    assert rules.can_cancel(status) is cancel
    assert rules.shows_instructions(status) is instructions
    assert rules.status_tone(status) == tone
    assert rules.credit_note_available(status) is (status == "refunded")
    assert rules.shows_rejection(status) is (status == "rejected")
    assert rules.withdrawn(status) is (status in ("rejected", "cancelled", "expired"))


@pytest.mark.parametrize("status, method, slip", [
    ("approved", "mail", True), ("in_transit", "mail", True), ("requested", "mail", False),
    ("received", "mail", False), ("refunded", "mail", False), ("approved", "drop_off", False),
    ("approved", "in_store", False), ("approved", "keep", False),
])
def test_slip(status, method, slip):
    assert rules.slip_available(status, method) is slip


@pytest.mark.parametrize("method, counter, mail, pickup", [
    ("drop_off", True, False, False), ("in_store", True, False, False), ("mail", False, True, False),
    ("home_pickup", False, False, True), ("keep", False, False, False),
])
def test_how_the_item_goes_back(method, counter, mail, pickup):
    assert (rules.at_counter(method), rules.by_mail(method), rules.by_home_pickup(method)) == (counter, mail, pickup)


def test_unknown_state_is_muted_and_allows_nothing():
    assert rules.status_tone("weird") == "muted" and not rules.can_cancel("weird")
    assert not rules.shows_instructions("weird") and not rules.slip_available("weird", "mail")


@pytest.mark.parametrize("action", sorted(rules.ACTION_RESULT))
def test_action_results_agree_with_the_state_machine(action):
    targets = {t for moves in rules.TRANSITIONS.values() for a, t in moves.items() if a == action}
    assert targets == {rules.result_of(action)}
    assert rules.already_done(rules.result_of(action), action)
    assert not rules.already_done("requested", action)  # nothing leads back to requested


@pytest.mark.parametrize("status, resolution, key", [
    ("refunded", "store_credit", "refunded_store_credit"), ("refunded", "refund", "refunded"),
    ("approved", "store_credit", "approved"), ("exchanged", "exchange", "exchanged"),
])
def test_status_message(status, resolution, key):
    assert rules.status_message(status, resolution) == key


@pytest.mark.parametrize("status, resolution, keep, reached, path, done", [
    ("approved", "refund", False, ["requested", "approved"],
     ["requested", "approved", "in_transit", "received", "refunded"], [True, True, False, False, False]),
    ("received", "refund", False, ["requested", "approved", "received"],  # received at the counter, never scanned
     ["requested", "approved", "in_transit", "received", "refunded"], [True, True, True, True, False]),
    ("approved", "exchange", False, ["requested", "approved"],
     ["requested", "approved", "in_transit", "received", "exchanged"], [True, True, False, False, False]),
    ("approved", "store_credit", True, ["requested", "approved"],
     ["requested", "approved", "refunded"], [True, True, False]),
    ("cancelled", "refund", False, ["requested", "cancelled"], ["requested", "cancelled"], [True, True]),
    ("rejected", "exchange", False, ["requested", "rejected"], ["requested", "rejected"], [True, True]),
])
def test_timeline(status, resolution, keep, reached, path, done):
    assert rules.timeline_path(status, resolution, keep, reached) == path
    assert [rules.step_done(s, reached) for s in path] == done


def _view(**kw) -> ReturnView:
    base = dict(id=7, number="RMA-000007", order_id=1, order_number="1042", status="approved", reason="too_small",
                comment="", resolution="refund", method="mail", store_code="", exchange={}, keep_item=False,
                currency="JPY", total_minor=1000, bonus_minor=0, fee_minor=0, shipping_minor=0,
                drop_off_code="ABCDEFGHJK", note="", created_at=T0, updated_at=T0,
                events=[ReturnEventView("requested", "", T0), ReturnEventView("approved", "ok", T0)])
    return ReturnView(**{**base, **kw})


def test_the_view_asks_the_rules():
    v = _view()
    assert v.can_cancel and v.shows_instructions and v.by_mail and v.slip_available and not v.at_counter
    assert v.tone == "info" and not v.credit_note_available and not v.is_store_credit
    assert [(s.status, s.done, s.note) for s in v.timeline][:3] == [
        ("requested", True, ""), ("approved", True, "ok"), ("in_transit", False, "")]
    assert v.qr_payload == "RMA:RMA-000007:ABCDEFGHJK"
    refunded = _view(status="refunded", resolution="store_credit", method="drop_off")
    assert refunded.credit_note_available and refunded.is_store_credit and refunded.at_counter
    assert refunded.status_message == "refunded_store_credit" and not refunded.can_cancel


@pytest.mark.parametrize("scanned, code", [
    ("RMA:RMA-000007:ABCDEFGHJK", "ABCDEFGHJK"), ("  abcdefghjk ", "ABCDEFGHJK"), ("", ""), (None, ""),
])
def test_counter_code_reads_the_qr_payload(scanned, code):
    assert rules.counter_code(scanned) == code


# -- the wizard ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, missing", [
    ({}, "items"), ({"items": {"L1": 0}}, "items"), ({"items": {"L1": 1}}, "reason"),
    ({"items": {"L1": 1}, "reason": "other"}, "resolution"),
    ({"items": {"L1": 1}, "reason": "other", "resolution": "refund"}, "method"),
    ({"items": {"L1": 1}, "reason": "other", "resolution": "refund", "method": "mail"}, None),
])
def test_first_missing_step(data, missing):
    assert rules.first_missing_step(data) == missing


def test_a_later_step_sends_back_to_the_first_missing_one():
    data = {"items": {"L1": 1}}
    assert rules.step_reachable("review", data) == "reason"
    assert rules.step_reachable("reason", data) is None
    assert rules.step_reachable("items", {}) is None


def test_resolution_choices():
    choices = {c.value: c for c in rules.resolution_choices(can_exchange=False, bonus_percent=10)}
    assert choices["exchange"].unavailable and not choices["refund"].unavailable
    assert choices["store_credit"].bonus_percent == 10 and choices["refund"].bonus_percent == 0
    none = {c.value: c for c in rules.resolution_choices(can_exchange=True, bonus_percent=0)}
    assert not any(c.unavailable or c.bonus_percent for c in none.values())


def test_exchange_possible_needs_an_option_for_every_line():
    opt = rules.ExchangeOption("SKU-2", "blue")
    assert rules.exchange_possible({"L1": [opt], "L2": [opt]})
    assert not rules.exchange_possible({"L1": [opt], "L2": []})
    assert not rules.exchange_possible({})


def test_photo_choices_follow_the_policy_and_the_claim_kinds():
    reasons = {c.value: c.photo_needed for c in rules.reason_choices({"photo_required_reasons": ["damaged"]})}
    assert reasons["damaged"] and not reasons["too_small"]
    kinds = {c.value: c.photo_needed for c in rules.claim_kind_choices()}
    assert kinds == {"damaged": True, "missing": False, "wrong_item": True}


def test_line_choices():
    lines = [LineFacts("A", "x", 2, 100, 0, Decimal("0.10"), fulfilled_quantity=2),
             LineFacts("B", "y", 1, 100, 0, Decimal("0.10"), fulfilled_quantity=0),
             LineFacts("C", "z", 1, 100, 0, Decimal("0.10"), fulfilled_quantity=1, requested_quantity=1)]
    assert [(c.available, c.reason) for c in rules.claimable_lines(lines)] == [
        (2, ""), (0, "not_delivered"), (0, "all_returned")]
    now = dt.datetime(2026, 11, 5, tzinfo=UTC)
    out = rules.returnable_lines(lines, policy={"return_window_days": 30}, tags=[], promised_date=dt.date(2026, 11, 1),
                                 now=now, timezone="UTC")
    assert [(c.available, c.reason) for c in out] == [(2, ""), (0, "not_delivered"), (0, "all_returned")]
    assert out[0].deadline == dt.date(2026, 12, 1)


def test_whole_line_handed_over_only_at_a_pickup():
    line = LineFacts("A", "x", 2, 100, 0, Decimal("0.10"), fulfilled_quantity=2)
    assert rules.whole_line_handed_over(line, "pickup") and not rules.whole_line_handed_over(line, "ship")


# -- claims and replacements -------------------------------------------------------------------------

@pytest.mark.parametrize("resolution, refunds, replaces", [
    ("refund", True, False), ("replacement", False, True), ("both", True, True),
])
def test_claim_resolutions(resolution, refunds, replaces):
    assert (rules.claim_refunds(resolution), rules.claim_replaces(resolution)) == (refunds, replaces)


def test_claim_state():
    assert rules.claim_tone("open") == "warn" and rules.claim_tone("resolved") == "good"
    assert rules.claim_message("open", "") == "open" and rules.claim_message("resolved", "both") == "both"
    assert rules.claim_resolved("resolved") and not rules.claim_resolved("open")


def test_replacement_tone_and_source():
    assert [ReplacementView("RPL-1", s).tone for s in ("held", "issued", "released", "?")] == [
        "info", "good", "muted", "muted"]
    assert rules.replacement_source("return", 7) == "return:7"


# -- refusal codes ---------------------------------------------------------------------------------

def _codes(module, prefixes):
    return {v for k, v in vars(module).items()
            if k.isupper() and isinstance(v, str) and v.split(".")[0] in prefixes and "." in v}


def test_every_returns_code_is_worded():
    codes = _codes(rules, ("return", "exchange", "claim")) | _codes(images, ("image", "upload"))
    assert codes and codes <= set(return_messages.MESSAGES)
    assert set(rules.INPUT_MESSAGES) <= codes


def test_every_documents_code_is_worded():
    codes = _codes(doc_rules, ("receipt",))
    assert codes and codes <= set(document_messages.MESSAGES)


PAGE_MESSAGES = sorted(set(return_messages.MESSAGES.values()) | set(document_messages.MESSAGES.values()))


@pytest.mark.parametrize("msgid", PAGE_MESSAGES)
def test_page_messages_have_japanese(msgid):
    ja = i18n.translations("ja").ugettext(msgid)
    assert ja != msgid
    assert set(re.findall(r"%\((\w+)\)s", ja)) == set(re.findall(r"%\((\w+)\)s", msgid))


def test_field_errors_carry_the_code_and_the_api_english():
    assert rules.field_error("items.L1", rules.TOO_MANY_UNITS) == {
        "field": "items.L1", "code": "return.too_many_units", "message": "is more than can be returned"}
    assert rules.field_error("photos", rules.TOO_MANY_PHOTOS, limit=3)["message"] == "at most 3 photos"
    assert rules.field_error("body", rules.NOT_AN_OBJECT)["message"] == 'must be an object such as {"note": "..."}'


def test_sold_out_is_a_coded_conflict():
    e = SoldOut("TR-260-BLU")
    assert e.code == "exchange.out_of_stock" and e.params == {"sku": "TR-260-BLU"} and e.sku == "TR-260-BLU"


@pytest.mark.parametrize("form, codes", [
    ({"addressee": "株式会社サンプル", "purpose": ""}, []),
    ({"addressee": "", "purpose": ""}, ["receipt.addressee_required"]),
    ({"addressee": "x" * 61, "purpose": ""}, ["receipt.too_long"]),
    ({"addressee": "x" * 300, "purpose": ""}, ["receipt.too_long"]),
    ({"addressee": "a\u200bb", "purpose": 5}, ["receipt.not_printable", "receipt.not_printable"]),
])
def test_formal_receipt_errors_are_coded(form, codes):
    _values, errors = doc_rules.read_formal(form)
    assert [e["code"] for e in errors] == codes
    assert set(doc_rules.FORMAL_LIMITS) == {"addressee", "purpose"}


# -- picture limits: one source, stated from the figures --------------------------------------------

def test_picture_refusals_carry_codes_and_the_limit():
    with pytest.raises(images.ImageRejected) as e:
        images.intake(b"\xff\xd8\xff" + b"0" * (2 * images.MIB), max_bytes=2 * images.MIB)
    assert e.value.code == images.TOO_LARGE and e.value.params == {"mb": 2}
    with pytest.raises(images.ImageRejected) as e:
        images.intake(b"")
    assert e.value.code == images.EMPTY
    with pytest.raises(images.ImageRejected) as e:
        images.intake(b"GIF89a" + b"0" * 20)
    assert e.value.code == images.NOT_A_PICTURE
    too_many = images.too_many(3)
    assert too_many.code == images.TOO_MANY and too_many.params == {"num": 3} and str(too_many) == "at most 3 photos"


def test_upload_limits_follow_the_real_limit():
    assert images.MAX_MB == images.MAX_BYTES // images.MIB == 8
    assert uploads.limits(3) == uploads.UploadLimits(count=3, mb=images.MAX_MB,
                                                     accept="image/png,image/jpeg,image/webp")
    assert uploads.limits(1, max_bytes=2 * images.MIB).mb == 2
    assert uploads.request_limit(3) == 3 * images.MAX_BYTES + 64 * 1024


def test_field_errors_are_worded_by_code_with_the_real_limit():
    from orderhub.site.returns import presenter

    errors = [rules.field_error("photos", rules.TOO_MANY_PHOTOS, limit=rules.MAX_CLAIM_PHOTOS),
              rules.field_error("photos", rules.PHOTO_REQUIRED), rules.field_error("items.L1", rules.TOO_MANY_UNITS)]
    with i18n.language("en"):
        assert presenter.field_errors(errors) == {
            "photos": f"Choose at most {rules.MAX_CLAIM_PHOTOS} photos.", "items.L1": "That is more than can be returned."}
    with i18n.language("ja"):
        assert presenter.field_errors(errors)["photos"] == f"写真は{rules.MAX_CLAIM_PHOTOS}枚までお選びください。"
        assert presenter.image_error(images.too_many(2)) == "写真は2枚までお選びください。"
