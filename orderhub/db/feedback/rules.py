"""Pure decisions for surveys and product reviews (no I/O, no clock: `now` is a parameter).

The merchant's feedback settings (Merchant.settings["feedback"]), NPS routing, the survey frequency
caps, when review invitations open, the review moderation transitions, and the stable codes of
every refusal (services raise them; the web layer words them, orderhub.site.messages.feedback).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from orderhub.db import validation as v
from orderhub.db.keys import scoped
from orderhub.db.validation import AreaErrors, is_digits

# --- refusals: stable codes (the API answers the English; pages map the code to a catalog message) -

SURVEY_NOT_OPEN = "survey.not_open"
SURVEY_CAPPED = "survey.capped"
CONTACT_NOT_OFFERED = "survey.contact_not_offered"
DETRACTOR_NOT_FOUND = "survey.detractor_not_found"
ORDER_NOT_FOUND = "feedback.order_not_found"
REVIEW_NOT_OPEN = "review.not_open"
REVIEW_MODERATED = "review.moderated"
REVIEW_BAD_MOVE = "review.bad_move"
REVIEW_NO_REPLY = "review.no_reply"
REVIEW_NOT_FOUND = "review.not_found"
LINE_NOT_FOUND = "review.line_not_found"
PHOTO_NOT_FOUND = "review.photo_not_found"
PRODUCT_NOT_FOUND = "review.product_not_found"

#: what a shopper or merchant typed: code -> the English message the API answers ({...} from params)
NPS_RANGE = "survey.nps_range"
CSAT_RANGE = "survey.csat_range"
STARS_RANGE = "review.stars_range"
TOO_MANY_PHOTOS = "review.too_many_photos"
NOT_TEXT = "feedback.not_text"
TOO_LONG = "feedback.too_long"
CONTROL_CHARS = "feedback.control_chars"

INPUT_MESSAGES: dict[str, str] = {
    NPS_RANGE: "must be a whole number from 0 to 10",
    CSAT_RANGE: "must be a whole number from 1 to 5",
    STARS_RANGE: "choose from 1 to 5 stars",
    TOO_MANY_PHOTOS: "at most {limit} photos",
    NOT_TEXT: "must be text",
    TOO_LONG: "must be at most {limit} characters",
    CONTROL_CHARS: "must not contain control characters",
}


#: one validation error as the API answers it: {"field", "code", "message"} (English)
field_error = AreaErrors(INPUT_MESSAGES)


# --- merchant settings (Merchant.settings["feedback"]) --------------------------------------------

LOCALES = ("ja", "en")
QUESTIONS = ("nps", "csat", "why")
QUESTION_MAX = 200

DEFAULT_QUESTIONS: dict[str, dict[str, str]] = {
    "nps": {
        "en": "How likely are you to recommend us to a friend or colleague?",
        "ja": "このショップを友人や同僚にすすめる可能性はどのくらいありますか？",
    },
    "csat": {
        "en": "How satisfied were you with the delivery or pickup?",
        "ja": "お届け・お受け取りの体験にどのくらい満足しましたか？",
    },
    "why": {
        "en": "What is the main reason for your score?",
        "ja": "そのスコアを付けたいちばんの理由を教えてください。",
    },
}

DEFAULTS: dict[str, Any] = {"review_invite_days": 7, "survey_cap_days": 90, "questions": DEFAULT_QUESTIONS}

#: how long the order page keeps showing the survey card (thanks, invitation, support) after an answer;
#: the feedback section keeps it for good
CARD_AFTER_ANSWER = dt.timedelta(days=1)

LIMITS = {"review_invite_days": (0, 90), "survey_cap_days": (0, 365)}

_MARKUP = re.compile(r"[<>]")


def _copy_questions(questions: dict[str, Any]) -> dict[str, Any]:
    return {q: dict(questions.get(q, {})) for q in QUESTIONS}


def read_feedback_settings(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The merchant's feedback settings with defaults filled in (bad stored values fall back too;
    a question left blank in one language uses the default text)."""
    clean, _errors = validate_feedback_settings(raw if isinstance(raw, dict) else {})
    result = {
        "review_invite_days": clean.get("review_invite_days", DEFAULTS["review_invite_days"]),
        "survey_cap_days": clean.get("survey_cap_days", DEFAULTS["survey_cap_days"]),
        "questions": _copy_questions(DEFAULT_QUESTIONS),
    }
    for q, texts in (clean.get("questions") or {}).items():
        for locale, text in texts.items():
            if text:
                result["questions"][q][locale] = text
    return result


def validate_feedback_settings(body: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """-> (clean settings, errors as {"field", "message"}) for the admin's form or API.

    Only the keys present are validated and returned (like the emails settings). Questions are plain
    text (no markup, no control characters), at most 200 characters; an empty text means "use the
    default wording" and is kept as ""."""
    if not isinstance(body, dict):
        return {}, [v.field_error("feedback", v.NOT_OBJECT)]
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in body:
        if name not in DEFAULTS:
            errors.append(v.field_error(f"feedback.{name}"[:100], v.UNKNOWN_KEY))
    for name, (low, high) in LIMITS.items():
        if name in body:
            value = body[name]
            if isinstance(value, str) and is_digits(value.strip()):
                value = int(value.strip())
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                clean[name] = value
            else:
                errors.append(v.field_error(f"feedback.{name}", v.OUT_OF_RANGE, low=low, high=high))
    if "questions" in body:
        questions = body["questions"]
        if not isinstance(questions, dict):
            errors.append(v.field_error("feedback.questions", v.NOT_OBJECT))
        else:
            out: dict[str, dict[str, str]] = {}
            for q in questions:
                if q not in QUESTIONS:
                    errors.append(v.field_error(f"feedback.questions.{q}"[:100], v.UNKNOWN_KEY, "is not a question"))
            for q in QUESTIONS:
                if q not in questions:
                    continue
                texts = questions[q]
                if not isinstance(texts, dict):
                    errors.append(v.field_error(f"feedback.questions.{q}", v.NOT_OBJECT))
                    continue
                for locale in texts:
                    if locale not in LOCALES:
                        errors.append(v.field_error(f"feedback.questions.{q}.{locale}"[:100], v.NOT_CHOICE,
                                                    "is not a supported language"))
                for locale in LOCALES:
                    if locale not in texts:
                        continue
                    field = f"feedback.questions.{q}.{locale}"
                    text = texts[locale]
                    if text is None:
                        text = ""
                    if not isinstance(text, str):
                        errors.append(v.field_error(field, v.NOT_TEXT))
                        continue
                    text = " ".join(text.split())
                    if len(text) > QUESTION_MAX:
                        errors.append(v.field_error(field, v.TOO_LONG, n=QUESTION_MAX))
                    elif any(ord(c) < 32 or ord(c) == 127 for c in texts[locale] if c not in "\n\t\r"):
                        errors.append(v.field_error(field, v.CONTROL_CHARACTERS))
                    elif _MARKUP.search(text):
                        errors.append(v.field_error(field, v.NOT_PLAIN_TEXT))
                    else:
                        out.setdefault(q, {})[locale] = text
            clean["questions"] = out
    return clean, errors


def question(settings: dict[str, Any], name: str, locale: str) -> str:
    """The text of question `name` in `locale` (falls back to English, then the default)."""
    texts = (settings.get("questions") or {}).get(name) or {}
    lang = (locale or "en").split("-")[0].split("_")[0]
    return texts.get(lang) or texts.get("en") or DEFAULT_QUESTIONS[name].get(lang) or DEFAULT_QUESTIONS[name]["en"]


# --- NPS routing ---------------------------------------------------------------------------------

PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"
#: 9–10 promoters, 7–8 passives, 0–6 detractors
PROMOTER_MIN, PASSIVE_MIN = 9, 7
DETRACTOR_MAX = PASSIVE_MIN - 1


def valid_nps(score: object) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 10


def valid_csat(score: object) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5


def nps_group(score: int) -> str:
    """9–10 promoter, 7–8 passive, 0–6 detractor."""
    if not valid_nps(score):
        raise ValueError("an NPS score is a whole number from 0 to 10")
    if score >= PROMOTER_MIN:
        return PROMOTER
    if score >= PASSIVE_MIN:
        return PASSIVE
    return DETRACTOR


def is_detractor(score: int | None) -> bool:
    return score is not None and valid_nps(score) and score <= DETRACTOR_MAX


def nps(scores: Iterable[int]) -> int | None:
    """(promoters − detractors) / answers × 100, rounded; None without answers."""
    values = [s for s in scores if valid_nps(s)]
    if not values:
        return None
    promoters = sum(1 for s in values if s >= PROMOTER_MIN)
    detractors = sum(1 for s in values if s <= DETRACTOR_MAX)
    return round((promoters - detractors) * 100 / len(values))


def routing(score: int, *, review_open: bool) -> dict[str, Any]:
    """What the shopper sees after an NPS answer: promoters get the review invitation (when it is
    open), detractors the support contact and "please contact me", and the merchant hears of a
    detractor at once."""
    group = nps_group(score)
    return {
        "group": group,
        "invite_review": group == PROMOTER and review_open,
        "show_support": group == DETRACTOR,
        "alert_merchant": group == DETRACTOR,
    }


def follow_up_open(csat: int | None, why: str) -> bool:
    """The two optional follow-up questions are asked until either of them is answered."""
    return csat is None and not why


#: the merchant's detractor list: who is shown under each filter
DETRACTOR_FILTERS = ("open", "requested", "contacted", "all")
DEFAULT_DETRACTOR_FILTER = "open"


# --- surveys and caps ----------------------------------------------------------------------------

#: Survey.state: given (invited or answered), capped (the shopper's email had another survey within
#: the cap: never asked), skipped (never asked: received too long ago; remembers the review invitation)
GIVEN, CAPPED, SKIPPED = "given", "capped", "skipped"

#: the order fulfilment statuses at which the shopper has the goods
RECEIVED = ("delivered", "picked_up")


def survey_key(order_id: int) -> str:
    """Survey.key: one survey per order."""
    return str(order_id)


def survey_open(state: str) -> bool:
    """A survey row the shopper may answer (a capped or skipped one never is)."""
    return state == GIVEN

def email_key(email: str | None) -> str:
    """What the cap remembers of a shopper's email: a hash of the normalised address."""
    normal = (email or "").strip().lower()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest() if normal else ""


def survey_allowed(*, order_id: int, slots: Iterable[tuple[int, dt.datetime]], now: dt.datetime,
                   cap_days: int) -> bool:
    """May order `order_id` get a survey? `slots` are the (order_id, opened_at) surveys already
    given to the same shopper email. One survey per order (an order that already has one keeps it),
    and at most one per email in `cap_days` days across orders."""
    slots = list(slots)
    if any(oid == order_id for oid, _at in slots):
        return True
    if cap_days <= 0:
        return True
    since = now - dt.timedelta(days=cap_days)
    return not any(at > since for _oid, at in slots)


def survey_fulfilled(fulfillment_status: str) -> bool:
    """A survey (and reviews) only once the shopper has the goods: delivered or picked up."""
    return fulfillment_status in RECEIVED


# --- review invitations --------------------------------------------------------------------------

def review_opens_at(received_at: dt.datetime | None, days: int) -> dt.datetime | None:
    """When the review invitation opens: `days` after delivery or pickup; never without one."""
    if received_at is None:
        return None
    return received_at + dt.timedelta(days=max(days, 0))


def review_open(received_at: dt.datetime | None, now: dt.datetime, days: int) -> bool:
    opens = review_opens_at(received_at, days)
    return opens is not None and now >= opens


# --- reviews and moderation ----------------------------------------------------------------------

PENDING, PUBLISHED, REJECTED, HIDDEN = "pending", "published", "rejected", "hidden"
STATUSES = (PENDING, PUBLISHED, REJECTED, HIDDEN)
#: the admin's review list: every status, or all of them; the moderation queue first
REVIEW_FILTERS = (*STATUSES, "all")
DEFAULT_REVIEW_FILTER = PENDING

#: action -> (states it may start from, resulting state)
MODERATION: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({PENDING, HIDDEN}), PUBLISHED),
    "reject": (frozenset({PENDING}), REJECTED),
    "hide": (frozenset({PUBLISHED}), HIDDEN),
}

TITLE_MAX = 120
BODY_MAX = 4000
REPLY_MAX = 2000
WHY_MAX = 1000
MAX_PHOTOS = 3
#: each input's limit, by the field name its errors carry (pages word "at most N")
INPUT_LIMITS: dict[str, int] = {"title": TITLE_MAX, "body": BODY_MAX, "reply": REPLY_MAX, "why": WHY_MAX,
                                "photos": MAX_PHOTOS}


def review_key(order_id: int, line_id: str) -> str:
    """Review.key: one review per order line."""
    return scoped(order_id, line_id)


def line_of_review_key(key: str) -> str:
    return key.split(":", 1)[1]


def moderate(status: str, action: str) -> str | None:
    """The state after `action`, or None when the move is not allowed (-> 409)."""
    rule = MODERATION.get(action)
    if rule is None or status not in rule[0]:
        return None
    return rule[1]


def already_there(status: str, action: str) -> bool:
    """Repeating a move that was made answers the same review (idempotent), not a refusal."""
    return action in MODERATION and MODERATION[action][1] == status


def moves_from(status: str) -> list[str]:
    """The moderation actions a review in `status` allows, in the admin's button order."""
    return [action for action in MODERATION if moderate(status, action) is not None]


def shopper_may_edit(status: str) -> bool:
    """A shopper edits their review until the merchant moderates it."""
    return status == PENDING


def reply_allowed(status: str) -> bool:
    """A public reply goes on a review that is or may become public (not a rejected one)."""
    return status in (PENDING, PUBLISHED, HIDDEN)


def is_public(status: str) -> bool:
    """Shown to everyone (storefront, snippet, aggregate rating)."""
    return status == PUBLISHED


#: how a review's state reads to the shopper who wrote it: waiting, published, or not published
#: (rejected and hidden alike: the shopper is not told which)
SHOPPER_WAITING, SHOPPER_PUBLISHED, SHOPPER_NOT_PUBLISHED = "waiting", "published", "not_published"


def shopper_status(status: str) -> str:
    if status == PENDING:
        return SHOPPER_WAITING
    return SHOPPER_PUBLISHED if is_public(status) else SHOPPER_NOT_PUBLISHED


def verified_buyer(fulfillment_status: str, fulfilled_quantity: int) -> bool:
    """"Verified" means a delivered (or picked-up) order of that product."""
    return survey_fulfilled(fulfillment_status) and fulfilled_quantity > 0


def aggregate(stars: Iterable[int]) -> tuple[int, float | None]:
    """(count, average rounded to one decimal) of published reviews' stars."""
    values = [s for s in stars if 1 <= s <= 5]
    if not values:
        return 0, None
    return len(values), round(sum(values) / len(values), 1)


def clean_text(value: object, max_len: int) -> tuple[str, str | None]:
    """Shopper text: strip, collapse trailing space per line, refuse control characters and
    oversize. -> (text, error code or None). Markup is kept as typed and always shown escaped."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", NOT_TEXT
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_len:
        return "", TOO_LONG
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text):
        return "", CONTROL_CHARS
    return text, None


def text_error(field: str, code: str) -> dict[str, str]:
    """The validation error of a clean_text refusal for `field` (its limit from INPUT_LIMITS)."""
    return field_error(field, code, limit=INPUT_LIMITS.get(field, ""))
