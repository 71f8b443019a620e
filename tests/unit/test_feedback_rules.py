"""Decision tables for surveys and reviews (orderhub.db.feedback.rules)."""

import datetime as dt

import pytest

from orderhub.db.feedback import rules

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("score, group", [
    (0, "detractor"), (3, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
    (9, "promoter"), (10, "promoter"),
])
def test_nps_group(score, group):
    assert rules.nps_group(score) == group


@pytest.mark.parametrize("score", [-1, 11, 5.5, "7", True, None])
def test_nps_group_refuses_non_scores(score):
    with pytest.raises(ValueError):
        rules.nps_group(score)


@pytest.mark.parametrize("score, review_open, invite, support, alert", [
    (10, True, True, False, False),
    (9, False, False, False, False),
    (8, True, False, False, False),
    (7, True, False, False, False),
    (6, True, False, True, True),
    (0, False, False, True, True),
])
def test_routing(score, review_open, invite, support, alert):
    r = rules.routing(score, review_open=review_open)
    assert (r["invite_review"], r["show_support"], r["alert_merchant"]) == (invite, support, alert)


@pytest.mark.parametrize("scores, expected", [
    ([], None), ([10, 9, 0], 33), ([10, 10], 100), ([0, 6], -100), ([7, 8], 0), ([9, 7, 6, 10], 25),
])
def test_nps_score(scores, expected):
    assert rules.nps(scores) == expected


@pytest.mark.parametrize("slots, cap_days, allowed", [
    ([], 90, True),                                     # first survey for this email
    ([(1, NOW - 2 * DAY)], 90, True),                   # this order already has its survey
    ([(2, NOW - 2 * DAY)], 90, False),                  # another order surveyed two days ago
    ([(2, NOW - 89 * DAY)], 90, False),                 # still within the cap
    ([(2, NOW - 91 * DAY)], 90, True),                  # cap elapsed
    ([(2, NOW - 91 * DAY), (3, NOW - DAY)], 90, False),
    ([(2, NOW - DAY)], 0, True),                        # cap turned off
])
def test_survey_cap(slots, cap_days, allowed):
    assert rules.survey_allowed(order_id=1, slots=slots, now=NOW, cap_days=cap_days) is allowed


@pytest.mark.parametrize("status, fulfilled", [
    ("delivered", True), ("picked_up", True), ("shipped", False), ("placed", False),
    ("ready_for_pickup", False), ("cancelled", False),
])
def test_survey_only_after_delivery_or_pickup(status, fulfilled):
    assert rules.survey_fulfilled(status) is fulfilled


@pytest.mark.parametrize("received_ago, days, open_", [
    (None, 7, False),          # never before delivery
    (DAY, 7, False),
    (7 * DAY - dt.timedelta(seconds=1), 7, False),
    (7 * DAY, 7, True),
    (30 * DAY, 7, True),
    (dt.timedelta(0), 0, True),
])
def test_review_invitation_timing(received_ago, days, open_):
    received = None if received_ago is None else NOW - received_ago
    assert rules.review_open(received, NOW, days) is open_


@pytest.mark.parametrize("status, action, result", [
    ("pending", "publish", "published"),
    ("pending", "reject", "rejected"),
    ("published", "hide", "hidden"),
    ("hidden", "publish", "published"),
    ("published", "publish", None),
    ("published", "reject", None),
    ("rejected", "publish", None),
    ("rejected", "reject", None),
    ("pending", "hide", None),
    ("pending", "delete", None),
])
def test_moderation(status, action, result):
    assert rules.moderate(status, action) == result


@pytest.mark.parametrize("status, editable, reply", [
    ("pending", True, True), ("published", False, True), ("rejected", False, False), ("hidden", False, True),
])
def test_editable_until_moderated(status, editable, reply):
    assert rules.shopper_may_edit(status) is editable
    assert rules.reply_allowed(status) is reply


def test_aggregate_counts_given_stars():
    assert rules.aggregate([]) == (0, None)
    assert rules.aggregate([5, 4, 4]) == (3, 4.3)


def test_read_settings_defaults():
    s = rules.read_feedback_settings(None)
    assert s["review_invite_days"] == 7 and s["survey_cap_days"] == 90
    for q in ("nps", "csat", "why"):
        assert s["questions"][q]["ja"] and s["questions"][q]["en"]


def test_read_settings_keeps_good_values_and_drops_bad_ones():
    s = rules.read_feedback_settings({"review_invite_days": 3, "survey_cap_days": -4,
                                      "questions": {"nps": {"en": "Recommend us?", "ja": "<b>x</b>"}}})
    assert s["review_invite_days"] == 3 and s["survey_cap_days"] == 90
    assert s["questions"]["nps"]["en"] == "Recommend us?"
    assert s["questions"]["nps"]["ja"] == rules.DEFAULT_QUESTIONS["nps"]["ja"]
    assert rules.question(s, "nps", "en") == "Recommend us?"
    assert rules.question(s, "csat", "ja") == rules.DEFAULT_QUESTIONS["csat"]["ja"]


@pytest.mark.parametrize("body, field", [
    ({"review_invite_days": 91}, "feedback.review_invite_days"),
    ({"review_invite_days": "x"}, "feedback.review_invite_days"),
    ({"survey_cap_days": True}, "feedback.survey_cap_days"),
    ({"survey_cap_days": 366}, "feedback.survey_cap_days"),
    ({"colour": 1}, "feedback.colour"),
    ({"questions": []}, "feedback.questions"),
    ({"questions": {"ces": {"en": "x"}}}, "feedback.questions.ces"),
    ({"questions": {"nps": "x"}}, "feedback.questions.nps"),
    ({"questions": {"nps": {"fr": "x"}}}, "feedback.questions.nps.fr"),
    ({"questions": {"nps": {"en": 3}}}, "feedback.questions.nps.en"),
    ({"questions": {"nps": {"en": "a" * 201}}}, "feedback.questions.nps.en"),
    ({"questions": {"why": {"ja": "<script>alert(1)</script>"}}}, "feedback.questions.why.ja"),
    ({"questions": {"why": {"en": "bell\x07"}}}, "feedback.questions.why.en"),
])
def test_validate_settings_errors(body, field):
    _clean, errors = rules.validate_feedback_settings(body)
    assert field in [e["field"] for e in errors]
    assert all({"field", "code", "message"} <= set(e) <= {"field", "code", "message", "params"} for e in errors)


def test_validate_settings_clean():
    clean, errors = rules.validate_feedback_settings({
        "review_invite_days": "14", "survey_cap_days": 0,
        "questions": {"nps": {"en": "  Would you   recommend us? ", "ja": ""}}})
    assert errors == []
    assert clean == {"review_invite_days": 14, "survey_cap_days": 0,
                     "questions": {"nps": {"en": "Would you recommend us?", "ja": ""}}}
    assert rules.validate_feedback_settings("x")[1][0]["field"] == "feedback"


@pytest.mark.parametrize("value, max_len, text, error", [
    ("  hi  ", 10, "hi", None),
    ("<b>x</b>", 10, "<b>x</b>", None),
    ("a" * 11, 10, "", "must be at most 10 characters"),
    ("a\x00b", 10, "", "must not contain control characters"),
    (5, 10, "", "must be text"),
    (None, 10, "", None),
])
def test_clean_text(value, max_len, text, error):
    assert rules.clean_text(value, max_len) == (text, error)


def test_email_key_normalises():
    assert rules.email_key(" A@B.example ") == rules.email_key("a@b.example")
    assert rules.email_key("") == ""
