"""Writes for surveys and reviews: rules + tables inside one transaction, and the outbox.

Events (through orderhub.db.outbox.services.notify, in the same transaction):
- `feedback.detractor` the moment a shopper gives 0–6 (signed webhook to the merchant);
- `feedback.contact_requested` when a detractor asks to be contacted;
- `feedback.review_submitted` when a review is written or edited (the merchant may moderate);
- `feedback.survey_invitation` / `feedback.review_invitation` from the job (db/feedback/jobs.py),
  which the emails area turns into messages to the shopper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from piccolo.columns import Column

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules
from orderhub.db.feedback.tables import Review, ReviewPhoto, Survey
from orderhub.db.keys import scoped
from orderhub.db.orders.rules import first_name
from orderhub.db.orders.tables import Order, OrderLine, Product
from orderhub.db.outbox.services import notify
from orderhub.db.validation import is_digits

ORDER_COLUMNS = (Order.id, Order.merchant, Order.external_id, Order.number, Order.fulfillment_status,
                 Order.fulfillment_type, Order.customer_email, Order.customer, Order.locale)


async def _order(order_id: int) -> dict[str, Any]:
    row = await Order.select(*ORDER_COLUMNS).where(Order.id == order_id).output(load_json=True).first()
    if row is None:
        raise NotFound(rules.ORDER_NOT_FOUND, "order not found")
    return row


def _payload(order: dict[str, Any], survey: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    out = {"order_id": order["external_id"], "number": order["number"]}
    if survey is not None:
        out.update({"survey_id": survey["id"], "nps": survey["nps"], "csat": survey["csat"],
                    "why": (survey["why"] or "")[:1000], "contact_requested": survey["contact_requested"]})
    return {**out, **extra}


async def _claim_survey(order: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """The order's survey row, created when the caps allow; Conflict when the order cannot have one."""
    if not rules.survey_fulfilled(order["fulfillment_status"]):
        raise Conflict(rules.SURVEY_NOT_OPEN, "The survey opens once the order is delivered or picked up.")
    key = rules.survey_key(order["id"])
    row = await Survey.select().where(Survey.key == key).first()
    if row is not None:
        if not rules.survey_open(row["state"]):
            raise Conflict(rules.SURVEY_CAPPED, "the shopper was asked recently (the survey cap)")
        return row
    settings = await queries.merchant_settings(order["merchant"])
    email_key = rules.email_key(order["customer_email"])
    slots = await queries.cap_slots(email_key)
    if not rules.survey_allowed(order_id=order["id"], slots=slots, now=now, cap_days=settings.survey_cap_days):
        raise Conflict(rules.SURVEY_CAPPED, "the shopper was asked recently (the survey cap)")
    await Survey.insert(Survey(merchant=order["merchant"], order=order["id"], key=key, email_key=email_key,
                               state=rules.GIVEN, opened_at=now, updated_at=now))
    created = await Survey.select().where(Survey.key == key).first()
    assert created is not None  # inserted just above, in this transaction
    return created


async def _record_nps(order_id: int, score: int, *, now: dt.datetime) -> queries.SurveyView:
    """One tap: the shopper's NPS answer (a later tap changes it). A detractor score tells the merchant
    at once (once per survey)."""
    if not rules.valid_nps(score):
        raise ValidationFailed([rules.field_error("nps", rules.NPS_RANGE)])
    async with engine.write():
        order = await _order(order_id)
        row = await _claim_survey(order, now=now)
        was_detractor = rules.is_detractor(row["nps"])
        await Survey.update({Survey.nps: score, Survey.answered_at: row["answered_at"] or now,
                             Survey.updated_at: now}).where(Survey.id == row["id"])
        row = await _reread(row["id"])
        if rules.routing(score, review_open=False)["alert_merchant"] and not was_detractor:
            await notify(order["merchant"], "feedback.detractor", _payload(order, row),
                         order_id=order_id, now=now)
    return _view(row)


async def record_nps(order_id: int, score: int, *, now: dt.datetime) -> queries.SurveyView:
    """One tap: the shopper's NPS answer (a later tap changes it). A detractor score tells the merchant
    at once (once per survey). Two taps racing for the survey's creation: the second joins it."""
    return await engine.retry_on_race(_record_nps, order_id, score, now=now)


async def record_answers(order_id: int, *, why: object = None, csat: object = None,
                         now: dt.datetime) -> queries.SurveyView:
    """The follow-up answers ("why", CSAT 1–5); each is kept on its own (partial answers count)."""
    return await engine.retry_on_race(_record_answers, order_id, why=why, csat=csat, now=now)


async def request_contact(order_id: int, *, now: dt.datetime) -> queries.SurveyView:
    """A detractor asks the merchant to get in touch (once; repeating changes nothing)."""
    return await engine.retry_on_race(_request_contact, order_id, now=now)


async def save_review(order_id: int, line_id: str, data: dict[str, Any], *, photos: Sequence[tuple[bytes, str, int, int]] = (),
                      remove_photos: Sequence[int] = (), now: dt.datetime) -> queries.ReviewView:
    """Write or edit the shopper's review of one line (one per line per order). `photos` are already
    re-encoded by orderhub.images: (bytes, content type, width, height). Conflict once moderated.
    Two submissions racing for the first write: the second edits the review the first created."""
    return await engine.retry_on_race(_save_review, order_id, line_id, data, photos=photos,
                                      remove_photos=remove_photos, now=now)


def _view(row: dict[str, Any]) -> queries.SurveyView:
    return queries.SurveyView.of(row)


async def _reread(survey_id: int) -> dict[str, Any]:
    """A survey the caller's transaction has just written (so it exists), read again."""
    row = await Survey.select().where(Survey.id == survey_id).first()
    assert row is not None
    return row


async def _record_answers(order_id: int, *, why: object = None, csat: object = None,
                         now: dt.datetime) -> queries.SurveyView:
    """The follow-up answers ("why", CSAT 1–5); each is kept on its own (partial answers count)."""
    errors = []
    values: dict[Column | str, Any] = {}
    if why is not None:
        text, error = rules.clean_text(why, rules.WHY_MAX)
        if error:
            errors.append(rules.text_error("why", error))
        else:
            values[Survey.why] = text
    if csat is not None and csat != "":
        if not rules.valid_csat(csat):
            errors.append(rules.field_error("csat", rules.CSAT_RANGE))
        else:
            values[Survey.csat] = csat
    if errors:
        raise ValidationFailed(errors)
    async with engine.write():
        order = await _order(order_id)
        row = await _claim_survey(order, now=now)
        if values:
            values[Survey.updated_at] = now
            if row["answered_at"] is None:
                values[Survey.answered_at] = now
            await Survey.update(values).where(Survey.id == row["id"])
            row = await _reread(row["id"])
    return _view(row)


async def _request_contact(order_id: int, *, now: dt.datetime) -> queries.SurveyView:
    """A detractor asks the merchant to get in touch (once; repeating changes nothing)."""
    async with engine.write():
        order = await _order(order_id)
        row = await _claim_survey(order, now=now)
        if not rules.is_detractor(row["nps"]):
            raise Conflict(rules.CONTACT_NOT_OFFERED, "Only shoppers who were unhappy are offered a call back.")
        if not row["contact_requested"]:
            await Survey.update({Survey.contact_requested: True, Survey.updated_at: now}).where(Survey.id == row["id"])
            row = await _reread(row["id"])
            await notify(order["merchant"], "feedback.contact_requested",
                         _payload(order, row, email=order["customer_email"]), order_id=order_id, now=now)
    return _view(row)


async def mark_contacted(merchant_id: int, survey_id: int, *, by: str, now: dt.datetime) -> bool:
    """The merchant contacted the shopper. -> False when it was already marked (nothing changes)."""
    async with engine.write():
        row = await Survey.select(Survey.id, Survey.contacted_at, Survey.nps).where(
            (Survey.id == survey_id) & (Survey.merchant == merchant_id)).first()
        if row is None or not rules.is_detractor(row["nps"]):
            raise NotFound(rules.DETRACTOR_NOT_FOUND, "detractor not found")
        if row["contacted_at"] is not None:
            return False
        await Survey.update({Survey.contacted_at: now, Survey.contacted_by: by[:254], Survey.updated_at: now}).where(
            Survey.id == survey_id)
    return True


# --- reviews -------------------------------------------------------------------------------------

def check_review(data: dict[str, Any]) -> dict[str, Any]:
    """-> clean {stars, title, body}; raises ValidationFailed with every problem."""
    errors: list[dict[str, Any]] = []
    stars = data.get("stars")
    if isinstance(stars, str) and is_digits(stars.strip()) and len(stars.strip()) < 3:
        stars = int(stars.strip())
    if not (isinstance(stars, int) and not isinstance(stars, bool) and 1 <= stars <= 5):
        errors.append(rules.field_error("stars", rules.STARS_RANGE))
    title, error = rules.clean_text(data.get("title"), rules.TITLE_MAX)
    if error:
        errors.append(rules.text_error("title", error))
    body, error = rules.clean_text(data.get("body"), rules.BODY_MAX)
    if error:
        errors.append(rules.text_error("body", error))
    if errors:
        raise ValidationFailed(errors)
    return {"stars": stars, "title": title, "body": body}


async def _save_review(order_id: int, line_id: str, data: dict[str, Any], *, photos: Sequence[tuple[bytes, str, int, int]] = (),
                      remove_photos: Sequence[int] = (), now: dt.datetime) -> queries.ReviewView:
    """Write or edit the shopper's review of one line (one per line per order). `photos` are already
    re-encoded by orderhub.images: (bytes, content type, width, height). Conflict once moderated."""
    clean = check_review(data)
    async with engine.write():
        order = await _order(order_id)
        if not rules.survey_fulfilled(order["fulfillment_status"]):
            raise Conflict(rules.REVIEW_NOT_OPEN, "Reviews open once the order is delivered or picked up.")
        line = await OrderLine.select(OrderLine.id, OrderLine.line_id, OrderLine.product_id, OrderLine.title,
                                      OrderLine.fulfilled_quantity).where(
            (OrderLine.order == order_id) & (OrderLine.line_id == line_id)).first()
        if line is None:
            raise NotFound(rules.LINE_NOT_FOUND, "line not found")
        key = rules.review_key(order_id, line_id)
        existing = await Review.select(Review.id, Review.status).where(Review.key == key).first()
        if existing is not None and not rules.shopper_may_edit(existing["status"]):
            raise Conflict(rules.REVIEW_MODERATED, "the review was moderated: it can no longer be edited")
        kept = []
        if existing is not None:
            kept = [r["id"] for r in await ReviewPhoto.select(ReviewPhoto.id).where(
                ReviewPhoto.review == existing["id"])]
        removing = [p for p in remove_photos if p in kept]
        if len(kept) - len(removing) + len(photos) > rules.MAX_PHOTOS:
            raise ValidationFailed([rules.field_error("photos", rules.TOO_MANY_PHOTOS, limit=rules.MAX_PHOTOS)])
        verified = rules.verified_buyer(order["fulfillment_status"],
                                        line["fulfilled_quantity"] or (1 if order["fulfillment_type"] == "pickup" else 0))
        values: dict[Column, Any] = {Review.stars: clean["stars"], Review.title: clean["title"], Review.body: clean["body"],
                  Review.verified: verified, Review.updated_at: now}
        if existing is None:
            product = await Product.select(Product.title).where(
                Product.key == scoped(order["merchant"], line["product_id"])).first()
            review = Review(merchant=order["merchant"], order=order_id, line=line["id"], key=key,
                            product_id=line["product_id"] or "", product_title=(product or line)["title"][:300],
                            author=_author(order), locale=(order["locale"] or "")[:16], status=rules.PENDING,
                            created_at=now, **{c._meta.name: v for c, v in values.items()})
            await Review.insert(review)
            created = await Review.select(Review.id).where(Review.key == key).first()
            assert created is not None  # inserted just above, in this transaction
            review_id = created["id"]
        else:
            review_id = existing["id"]
            await Review.update(cast(dict[Column | str, Any], values)).where(Review.id == review_id)
        if removing:
            await ReviewPhoto.delete().where(ReviewPhoto.id.is_in(removing) & (ReviewPhoto.review == review_id))
        for data_, content_type, width, height in photos:
            await ReviewPhoto.insert(ReviewPhoto(review=review_id, content_type=content_type, data=data_, width=width,
                                                 height=height, created_at=now))
        await notify(order["merchant"], "feedback.review_submitted",
                     _payload(order, review_id=review_id, product_id=line["product_id"], stars=clean["stars"],
                              edited=existing is not None), order_id=order_id, now=now)
        views = await queries._reviews(Review.id == review_id)
    return views[0]


def _author(order: dict[str, Any]) -> str:
    """How a review is signed in public: the first name (or family name in Japanese) only."""
    name = first_name(((order["customer"] or {}).get("name") or ""), order["locale"] or "")
    return name[:40]


async def moderate(merchant_id: int, review_id: int, action: str, *, now: dt.datetime) -> queries.ReviewView:
    """publish | reject | hide. NotFound for another merchant's review; Conflict for an illegal move
    (repeating the same move answers the same review: idempotent)."""
    async with engine.write():
        row = await Review.select(Review.id, Review.status, Review.order, Review.product_id).where(
            (Review.id == review_id) & (Review.merchant == merchant_id)).first()
        if row is None:
            raise NotFound(rules.REVIEW_NOT_FOUND, "review not found")
        target = rules.moderate(row["status"], action)
        if target is None:
            if rules.already_there(row["status"], action):
                return await queries.review_for_merchant(merchant_id, review_id)
            raise Conflict(rules.REVIEW_BAD_MOVE, f"the review is {row['status']}: it cannot be moved with {action}",
                           status=row["status"], action=action)
        await Review.update({Review.status: target, Review.moderated_at: now, Review.updated_at: now}).where(
            Review.id == review_id)
    return await queries.review_for_merchant(merchant_id, review_id)


async def reply(merchant_id: int, review_id: int, text: object, *, now: dt.datetime) -> queries.ReviewView:
    """The merchant's public reply (an empty text removes it)."""
    body, error = rules.clean_text(text, rules.REPLY_MAX)
    if error:
        raise ValidationFailed([rules.text_error("reply", error)])
    async with engine.write():
        row = await Review.select(Review.id, Review.status, Review.reply).where(
            (Review.id == review_id) & (Review.merchant == merchant_id)).first()
        if row is None:
            raise NotFound(rules.REVIEW_NOT_FOUND, "review not found")
        if not rules.reply_allowed(row["status"]):
            raise Conflict(rules.REVIEW_NO_REPLY, f"the review is {row['status']}: it cannot have a public reply",
                           status=row["status"])
        if body != row["reply"]:
            await Review.update({Review.reply: body, Review.replied_at: now if body else None,
                                 Review.updated_at: now}).where(Review.id == review_id)
    return await queries.review_for_merchant(merchant_id, review_id)


# --- invitations (the job) -----------------------------------------------------------------------

#: orders received longer ago than this are not surveyed any more (nobody remembers the parcel)
SURVEY_WINDOW = dt.timedelta(days=30)
#: review invitations go out at most this long after they opened (a job that was down catches up)
REVIEW_WINDOW = dt.timedelta(days=30)


async def send_invitations(*, now: dt.datetime, batch: int = 200) -> dict[str, int]:
    """Survey invitations for newly received orders (when the caps allow; capped orders are marked
    so they are never asked again), then review invitations once they open. Each at most once."""
    counts = {"survey": 0, "capped": 0, "review": 0}
    async with engine.read():
        candidates = await Order.select(Order.id, Order.fulfillment_type).where(
            Order.fulfillment_status.is_in(list(rules.RECEIVED))).order_by(Order.id, ascending=False).limit(5000)
        ids = [c["id"] for c in candidates]
        surveys = {r["order"]: r for r in await Survey.select(
            Survey.order, Survey.state, Survey.invited_at, Survey.review_invited_at).where(
            Survey.key.is_in([rules.survey_key(i) for i in ids]))} if ids else {}
    for cand in candidates:
        if counts["survey"] + counts["review"] >= batch:
            break
        row = surveys.get(cand["id"])
        if row is not None and row["review_invited_at"] is not None:
            continue
        when = await queries.received_at(cand["id"], cand["fulfillment_type"])
        if when is None:
            continue
        if row is None and now - when <= SURVEY_WINDOW:
            outcome = await engine.retry_on_race(_invite_survey, cand["id"], now=now)
            counts[outcome] = counts.get(outcome, 0) + 1
        if row is None or row["review_invited_at"] is None:
            if await engine.retry_on_race(_invite_review, cand["id"], when, now=now):
                counts["review"] += 1
    return counts


async def _invite_survey(order_id: int, *, now: dt.datetime) -> str:
    async with engine.write():
        order = await _order(order_id)
        if await Survey.exists().where(Survey.key == rules.survey_key(order_id)):
            return "skipped"
        try:
            row = await _claim_survey(order, now=now)
        except Conflict as exc:
            if exc.code != rules.SURVEY_CAPPED:
                raise
            await Survey.insert(Survey(merchant=order["merchant"], order=order_id, key=rules.survey_key(order_id),
                                       email_key=rules.email_key(order["customer_email"]), state=rules.CAPPED,
                                       opened_at=now, updated_at=now))
            return "capped"
        await Survey.update({Survey.invited_at: now}).where(Survey.id == row["id"])
        await notify(order["merchant"], "feedback.survey_invitation", _payload(order), order_id=order_id, now=now)
    return "survey"


async def _invite_review(order_id: int, received: dt.datetime, *, now: dt.datetime) -> bool:
    """Once per order: `Survey.review_invited_at` records that the invitation was dealt with (sent, or
    not needed because everything is reviewed, or too late to ask), so the job never looks again."""
    async with engine.write():
        order = await _order(order_id)
        settings = await queries.merchant_settings(order["merchant"])
        opens = rules.review_opens_at(received, settings.review_invite_days)
        if opens is None or now < opens:
            return False
        row = await Survey.select(Survey.id, Survey.review_invited_at).where(
            Survey.key == rules.survey_key(order_id)).first()
        if row is not None and row["review_invited_at"] is not None:
            return False
        if row is None:  # no survey was given (received before surveys existed, or too long ago): keep it so
            await Survey.insert(Survey(merchant=order["merchant"], order=order_id, key=rules.survey_key(order_id),
                                       email_key=rules.email_key(order["customer_email"]), state=rules.SKIPPED,
                                       opened_at=now, updated_at=now, review_invited_at=now))
        else:
            await Survey.update({Survey.review_invited_at: now}).where(Survey.id == row["id"])
        if now - opens > REVIEW_WINDOW:
            return False  # the job was down for weeks: too late to ask
        lines = await OrderLine.select(OrderLine.line_id).where(OrderLine.order == order_id)
        reviewed = {rules.line_of_review_key(r["key"])
                    for r in await Review.select(Review.key).where(Review.order == order_id)}
        if all(ln["line_id"] in reviewed for ln in lines):
            return False  # everything already reviewed: no need to ask
        await notify(order["merchant"], "feedback.review_invitation", _payload(order), order_id=order_id, now=now)
    return True
