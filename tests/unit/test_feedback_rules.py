"""Decision tables for surveys and reviews (orderhub.db.feedback.rules)."""

import datetime as dt

import pytest

from orderhub.db.feedback import rules

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
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
    ("a" * 11, 10, "", rules.TOO_LONG),
    ("a\x00b", 10, "", rules.CONTROL_CHARS),
    (5, 10, "", rules.NOT_TEXT),
    (None, 10, "", None),
])
def test_clean_text(value, max_len, text, error):
    assert rules.clean_text(value, max_len) == (text, error)


def test_input_errors_carry_a_code_and_the_apis_english():
    assert rules.text_error("title", rules.TOO_LONG) == {
        "field": "title", "code": "feedback.too_long", "message": f"must be at most {rules.TITLE_MAX} characters"}
    assert rules.text_error("reply", rules.CONTROL_CHARS)["message"] == "must not contain control characters"
    assert rules.field_error("photos", rules.TOO_MANY_PHOTOS, limit=3)["message"] == "at most 3 photos"
    assert rules.field_error("stars", rules.STARS_RANGE) == {
        "field": "stars", "code": "review.stars_range", "message": "choose from 1 to 5 stars"}
    assert set(rules.INPUT_LIMITS) == {"title", "body", "reply", "why", "photos"}


@pytest.mark.parametrize("score, detractor", [(None, False), (0, True), (6, True), (7, False), (10, False),
                                              (11, False), (-1, False)])
def test_is_detractor(score, detractor):
    assert rules.is_detractor(score) is detractor


@pytest.mark.parametrize("csat, why, open_", [(None, "", True), (3, "", False), (None, "late", False),
                                               (5, "fast", False)])
def test_follow_up_questions_until_one_is_answered(csat, why, open_):
    assert rules.follow_up_open(csat, why) is open_


def test_survey_states_and_keys():
    assert rules.survey_open(rules.GIVEN) and not rules.survey_open(rules.CAPPED)
    assert not rules.survey_open(rules.SKIPPED)
    assert rules.survey_key(42) == "42"
    assert rules.review_key(42, "L1") == "42:L1"
    assert rules.line_of_review_key(rules.review_key(42, "L:1")) == "L:1"


@pytest.mark.parametrize("status, moves, public, shopper", [
    ("pending", ["publish", "reject"], False, "waiting"),
    ("published", ["hide"], True, "published"),
    ("rejected", [], False, "not_published"),
    ("hidden", ["publish"], False, "not_published"),
])
def test_what_each_review_status_allows_and_shows(status, moves, public, shopper):
    assert rules.moves_from(status) == moves
    assert rules.is_public(status) is public
    assert rules.shopper_status(status) == shopper


@pytest.mark.parametrize("status, action, same", [
    ("published", "publish", True), ("rejected", "reject", True), ("hidden", "hide", True),
    ("published", "reject", False), ("pending", "publish", False), ("pending", "delete", False),
])
def test_repeating_a_move_is_not_a_refusal(status, action, same):
    assert rules.already_there(status, action) is same


def test_list_filters():
    assert rules.REVIEW_FILTERS == ("pending", "published", "rejected", "hidden", "all")
    assert rules.DEFAULT_REVIEW_FILTER in rules.REVIEW_FILTERS
    assert rules.DEFAULT_DETRACTOR_FILTER in rules.DETRACTOR_FILTERS


def test_email_key_normalises():
    assert rules.email_key(" A@B.example ") == rules.email_key("a@b.example")
    assert rules.email_key("") == ""


def test_every_code_of_the_area_has_words_in_both_languages():
    """Surveys, reviews, emails and webhooks raise codes; the web layer's table words each of them, and
    the Japanese catalog translates every sentence with the same placeholders."""
    import re

    from orderhub.components import i18n
    from orderhub.db.emails import rules as email_rules
    from orderhub.db.outbox import rules as outbox_rules
    from orderhub.site.messages import feedback as words

    code = re.compile(r"^(survey|review|feedback|email|webhook)\.[a-z_]+$")
    codes = {value for module in (rules, email_rules, outbox_rules) for name, value in vars(module).items()
             if name.isupper() and isinstance(value, str) and code.match(value)}
    assert len(codes) > 20
    assert codes <= set(words.MESSAGES), codes - set(words.MESSAGES)
    ja = i18n.translations("ja")
    for msgid in words.MESSAGES.values():
        translated = ja.ugettext(msgid)
        assert translated != msgid, msgid
        assert set(re.findall(r"%\((\w+)\)s", msgid)) == set(re.findall(r"%\((\w+)\)s", translated)), msgid
