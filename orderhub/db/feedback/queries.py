"""Reads for surveys and reviews, shaped for the hub, the admin lists, the API and the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import And
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from orderhub.db import clock, engine, statements
from orderhub.db.errors import NotFound
from orderhub.db.feedback import rules
from orderhub.db.feedback.tables import Review, ReviewPhoto, Survey
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order, Product
from orderhub.db.pickup.tables import Pickup
from orderhub.db.shipping.tables import Shipment
from orderhub.db.worklists.queries import Page, pages_for

PER_PAGE = 20
MAX_PAGE = 10_000


# --- dashboard -----------------------------------------------------------------------------------

async def nps_scores(merchant_id: int, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """(answered at, NPS score) of the merchant's survey answers in [start, end)."""
    async with engine.read():
        rows = await Survey.select(Survey.answered_at, Survey.nps).where(
            (Survey.merchant == merchant_id) & (Survey.nps.is_not_null()) & (Survey.answered_at >= start)
            & (Survey.answered_at < end)).order_by(Survey.answered_at)
    return [(r["answered_at"], r["nps"]) for r in rows]


# --- facts about an order ------------------------------------------------------------------------

async def received_at(order_id: int, fulfillment_type: str) -> dt.datetime | None:
    """When the shopper had the goods: the last delivered shipment, or the pickup hand-over."""
    async with engine.read():
        if fulfillment_type == "pickup":
            row = await Pickup.select(Pickup.picked_up_at).where(Pickup.order == order_id).first()
            return row["picked_up_at"] if row else None
        rows = await Shipment.select(Shipment.delivered_at).where(
            (Shipment.order == order_id) & (Shipment.status == "delivered"))
    times = [r["delivered_at"] for r in rows if r["delivered_at"] is not None]
    return max(times) if times else None


@dataclass(frozen=True)
class FeedbackSettings:
    """The merchant's feedback settings, defaults filled in (rules.read_feedback_settings)."""

    review_invite_days: int
    survey_cap_days: int
    questions: dict[str, dict[str, str]]

    @classmethod
    def of(cls, merchant_settings: dict[str, Any] | None) -> FeedbackSettings:
        """From a merchant's whole `settings` column (its "feedback" section)."""
        conf = rules.read_feedback_settings((merchant_settings or {}).get("feedback"))
        return cls(conf["review_invite_days"], conf["survey_cap_days"], conf["questions"])

    def question(self, name: str, locale: str) -> str:
        """The text of question `name` in `locale` (falls back to English, then the default)."""
        return rules.question({"questions": self.questions}, name, locale)


async def merchant_settings(merchant_id: int) -> FeedbackSettings:
    async with engine.read():
        row = await Merchant.select(Merchant.settings).where(Merchant.id == merchant_id).output(load_json=True).first()
    return FeedbackSettings.of((row or {}).get("settings"))


async def cap_slots(email_key: str) -> list[tuple[int, dt.datetime]]:
    """(order id, opened at) of the surveys already given to this shopper email."""
    if not email_key:
        return []
    rows = await _given(email_key).all()
    return [(r["order"], r["opened_at"]) for r in rows]


_GIVEN = statements.Statement('SELECT v."order", v.opened_at FROM feedback_surveys v WHERE v.email_key = ? AND v.state = ?')


def _given(email_key: str) -> statements.Read:
    return _GIVEN.read(email_key, rules.GIVEN)
_EMAIL = statements.Statement("SELECT o.customer_email FROM orders o WHERE o.id = ?")


# --- the shopper's view --------------------------------------------------------------------------

@dataclass(frozen=True)
class SurveyView:
    id: int
    nps: int | None
    csat: int | None
    why: str
    contact_requested: bool
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> SurveyView:
        return cls(row["id"], row["nps"], row["csat"], row["why"], row["contact_requested"], row["answered_at"])

    @property
    def group(self) -> str | None:
        return rules.nps_group(self.nps) if self.nps is not None else None

    @property
    def answered(self) -> bool:
        return self.nps is not None

    @property
    def complete(self) -> bool:
        return self.nps is not None and self.csat is not None

    @property
    def show_support(self) -> bool:
        """A detractor sees the support contact and may ask to be contacted."""
        return self.nps is not None and rules.routing(self.nps, review_open=False)["show_support"]

    @property
    def asks_more(self) -> bool:
        """The optional follow-up questions ("why", CSAT) are still open."""
        return rules.follow_up_open(self.csat, self.why)


@dataclass(frozen=True)
class ReviewView:
    id: int
    order_id: int
    line_id: str
    product_id: str
    product_title: str
    author: str
    stars: int
    title: str
    body: str
    status: str
    verified: bool
    reply: str
    replied_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    photo_ids: list[int] = field(default_factory=list)
    order_number: str = ""

    @property
    def editable(self) -> bool:
        return rules.shopper_may_edit(self.status)

    @property
    def published(self) -> bool:
        return rules.is_public(self.status)

    @property
    def shopper_status(self) -> str:
        """waiting | published | not_published (rules.shopper_status)."""
        return rules.shopper_status(self.status)

    @property
    def actions(self) -> list[str]:
        """The moderation moves its status allows (publish, reject, hide)."""
        return rules.moves_from(self.status)

    @property
    def reply_allowed(self) -> bool:
        return rules.reply_allowed(self.status)

    def public(self) -> dict[str, Any]:
        """What anyone may see of a published review (API, snippet)."""
        return {"id": self.id, "product_id": self.product_id, "stars": self.stars, "title": self.title,
                "body": self.body, "author": self.author, "verified_buyer": self.verified,
                "created_at": self.created_at.isoformat(),
                "reply": {"body": self.reply, "at": self.replied_at.isoformat() if self.replied_at else None}
                if self.reply else None,
                "photos": len(self.photo_ids)}

    def api(self) -> dict[str, Any]:
        """The merchant's view (moderation API)."""
        return {**self.public(), "status": self.status, "order_number": self.order_number, "line_id": self.line_id,
                "product_title": self.product_title, "updated_at": self.updated_at.isoformat(),
                "photos": [f"/api/v1/reviews/{self.id}/photos/{p}" for p in self.photo_ids]}


def _review(row: dict[str, Any], photos: dict[int, list[int]]) -> ReviewView:
    return ReviewView(
        id=row["id"], order_id=row["order"], line_id=rules.line_of_review_key(row["key"]), product_id=row["product_id"],
        product_title=row["product_title"], author=row["author"], stars=row["stars"], title=row["title"],
        body=row["body"], status=row["status"], verified=row["verified"], reply=row["reply"],
        replied_at=row["replied_at"], created_at=row["created_at"], updated_at=row["updated_at"],
        photo_ids=photos.get(row["id"], []), order_number=row.get("order.number", "") or "",
    )


REVIEW_COLUMNS = (Review.id, Review.order, Review.key, Review.product_id, Review.product_title, Review.author,
                  Review.stars, Review.title, Review.body, Review.status, Review.verified, Review.reply,
                  Review.replied_at, Review.created_at, Review.updated_at)


async def _photos(review_ids: list[int]) -> dict[int, list[int]]:
    if not review_ids:
        return {}
    rows = await ReviewPhoto.select(ReviewPhoto.id, ReviewPhoto.review).where(
        ReviewPhoto.review.is_in(review_ids)).order_by(ReviewPhoto.id)
    out: dict[int, list[int]] = {}
    for r in rows:
        out.setdefault(r["review"], []).append(r["id"])
    return out


async def _reviews(where: Combinable, *, order_by: Column | None = None, limit: int | None = None,
                   offset: int = 0) -> list[ReviewView]:
    async with engine.read():
        query = Review.select(*REVIEW_COLUMNS, Review.order.number).where(where)
        query = query.order_by(order_by or Review.id, ascending=order_by is None)
        if order_by is not None:
            query = query.order_by(Review.id, ascending=False)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        rows = await query
        photos = await _photos([r["id"] for r in rows])
    return [_review(r, photos) for r in rows]


@dataclass(frozen=True)
class FeedbackView:
    """Everything the hub's survey card and feedback section need for one order."""

    order_id: int
    received: bool
    received_at: dt.datetime | None
    settings: FeedbackSettings
    survey: SurveyView | None
    #: the survey may be shown (received, and the caps allow it or it is this order's)
    survey_open: bool
    review_open: bool
    review_opens_at: dt.datetime | None
    reviews: dict[str, ReviewView]

    @property
    def asks_score(self) -> bool:
        """The card asks the NPS question (no score yet)."""
        return self.survey is None or not self.survey.answered

    @property
    def why_max(self) -> int:
        """The longest "why" answer the card's text box takes."""
        return rules.WHY_MAX

    @property
    def invite_review(self) -> bool:
        """A promoter is invited to review once reviews open."""
        return (self.survey is not None and self.survey.nps is not None
                and rules.routing(self.survey.nps, review_open=self.review_open)["invite_review"])


async def for_order(order_id: int, *, now: dt.datetime) -> FeedbackView:
    async with engine.read():
        order = await Order.select(Order.id, Order.merchant, Order.fulfillment_status, Order.fulfillment_type,
                                   Order.customer_email).where(Order.id == order_id).first()
        if order is None:
            raise NotFound(rules.ORDER_NOT_FOUND, "order not found")
        settings = await merchant_settings(order["merchant"])
        when = await received_at(order_id, order["fulfillment_type"])
        received = rules.survey_fulfilled(order["fulfillment_status"])
        row = await Survey.select().where(Survey.key == rules.survey_key(order_id)).first()
        survey = SurveyView.of(row) if row is not None and rules.survey_open(row["state"]) else None
        if not received:
            survey_open = False
        elif row is not None:
            survey_open = rules.survey_open(row["state"])
        else:
            slots = await cap_slots(rules.email_key(order["customer_email"]))
            survey_open = rules.survey_allowed(order_id=order_id, slots=slots, now=now,
                                               cap_days=settings.survey_cap_days)
        reviews = await _reviews(Review.order == order_id)
    opens = rules.review_opens_at(when, settings.review_invite_days) if received else None
    return FeedbackView(
        order_id=order_id, received=received, received_at=when, settings=settings, survey=survey,
        survey_open=survey_open, review_open=received and opens is not None and now >= opens,
        review_opens_at=opens, reviews={r.line_id: r for r in reviews},
    )


async def photo_for_order(order_id: int, review_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ReviewPhoto.review == review_id) & (ReviewPhoto.review.order == order_id), photo_id)


async def photo_for_merchant(merchant_id: int, review_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ReviewPhoto.review == review_id) & (ReviewPhoto.review.merchant == merchant_id), photo_id)


async def published_photo(merchant_id: int, review_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ReviewPhoto.review == review_id) & (ReviewPhoto.review.merchant == merchant_id)
                        & (ReviewPhoto.review.status == rules.PUBLISHED), photo_id)


async def _photo(where: Combinable, photo_id: int) -> tuple[bytes, str]:
    async with engine.read():
        row = await ReviewPhoto.select(ReviewPhoto.data, ReviewPhoto.content_type).where(
            (ReviewPhoto.id == photo_id) & where).first()
    if row is None:
        raise NotFound(rules.PHOTO_NOT_FOUND, "photo not found")
    return bytes(row["data"]), row["content_type"]


# --- the merchant's lists ------------------------------------------------------------------------

def _page(raw: int | None) -> int:
    return min(max(raw or 1, 1), MAX_PAGE)


async def reviews_for_merchant(merchant_id: int, status: str | None, page: int = 1,
                               per_page: int = PER_PAGE) -> Page[Any]:
    where: Combinable = Review.merchant == merchant_id
    if status:
        where = where & (Review.status == status)
    page = _page(page)
    async with engine.read():
        total = await Review.count().where(where)
        items = await _reviews(where, order_by=Review.updated_at, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, page, pages_for(total, per_page), total, per_page)


async def review_counts(merchant_id: int) -> dict[str, int]:
    """How many reviews each filter of the admin's list shows (rules.REVIEW_FILTERS)."""
    async with engine.read():
        rows = await Review.select(Review.status, Count(alias="count")).where(
            Review.merchant == merchant_id).group_by(Review.status)
    by_status = {r["status"]: r["count"] for r in rows}
    return {status: by_status.get(status, 0) for status in rules.STATUSES} | {"all": sum(by_status.values())}


async def review_for_merchant(merchant_id: int, review_id: int) -> ReviewView:
    found = await _reviews((Review.merchant == merchant_id) & (Review.id == review_id))
    if not found:
        raise NotFound(rules.REVIEW_NOT_FOUND, "review not found")
    return found[0]


@dataclass(frozen=True)
class ProductReviews:
    product_id: str
    title: str
    url: str
    image_url: str
    count: int
    average: float | None
    reviews: list[ReviewView]
    page: int
    pages: int


async def product_reviews(merchant_id: int, product_id: str, page: int = 1, per_page: int = 10) -> ProductReviews:
    """Published reviews of a product, newest first, with the aggregate over all published ones."""

    page = _page(page)
    where = (Review.merchant == merchant_id) & (Review.product_id == product_id) & (Review.status == rules.PUBLISHED)
    async with engine.read():
        product = await Product.select(Product.title, Product.url, Product.image_url).where(
            Product.key == scoped(merchant_id, product_id)).first()
        stars = await Review.select(Review.stars).where(where)
        if product is None and not stars:
            raise NotFound(rules.PRODUCT_NOT_FOUND, "product not found")
        items = await _reviews(where, order_by=Review.created_at, limit=per_page, offset=(page - 1) * per_page)
    count, average = rules.aggregate([s["stars"] for s in stars])
    title = (product or {}).get("title") or (items[0].product_title if items else product_id)
    return ProductReviews(product_id, title, (product or {}).get("url", ""), (product or {}).get("image_url", ""),
                          count, average, items, page, max(1, -(-count // per_page)))


@dataclass(frozen=True)
class DetractorView:
    id: int
    order_id: int
    order_number: str
    external_id: str
    email: str
    name: str
    nps: int
    csat: int | None
    why: str
    contact_requested: bool
    contacted_at: dt.datetime | None
    contacted_by: str
    answered_at: dt.datetime | None


def _detractor_answers(merchant_id: int) -> And:
    return (Survey.merchant == merchant_id) & (Survey.nps.is_not_null()) & (Survey.nps <= rules.DETRACTOR_MAX)


async def detractors(merchant_id: int, show: str = rules.DEFAULT_DETRACTOR_FILTER, page: int = 1,
                     per_page: int = PER_PAGE) -> Page[Any]:
    """Detractor answers, newest first. show (rules.DETRACTOR_FILTERS): "open" (not contacted yet),
    "requested" (asked to be contacted, not contacted yet), "contacted" or "all"."""
    where = _detractor_answers(merchant_id)
    if show == "open":
        where = where & Survey.contacted_at.is_null()
    elif show == "requested":
        where = where & Survey.contacted_at.is_null() & (Survey.contact_requested == True)  # noqa: E712
    elif show == "contacted":
        where = where & Survey.contacted_at.is_not_null()
    page = _page(page)
    async with engine.read():
        total = await Survey.count().where(where)
        rows = await Survey.select(
            Survey.id, Survey.order, Survey.nps, Survey.csat, Survey.why, Survey.contact_requested,
            Survey.contacted_at, Survey.contacted_by, Survey.answered_at, Survey.order.number,
            Survey.order.external_id, Survey.order.customer_email, Survey.order.customer,
        ).where(where).order_by(Survey.contact_requested, ascending=False).order_by(
            Survey.answered_at, ascending=False).limit(per_page).offset((page - 1) * per_page).output(load_json=True)
    items = [DetractorView(
        id=r["id"], order_id=r["order"], order_number=r["order.number"], external_id=r["order.external_id"],
        email=r["order.customer_email"] or "", name=((r["order.customer"] or {}).get("name") or "")[:100],
        nps=r["nps"], csat=r["csat"], why=r["why"], contact_requested=r["contact_requested"],
        contacted_at=r["contacted_at"], contacted_by=r["contacted_by"], answered_at=r["answered_at"],
    ) for r in rows]
    return Page(items, page, pages_for(total, per_page), total, per_page)


async def detractor_counts(merchant_id: int) -> dict[str, int]:
    """How many answers each filter of the admin's list shows (rules.DETRACTOR_FILTERS)."""
    base = _detractor_answers(merchant_id)
    async with engine.read():
        return {
            "open": await Survey.count().where(base & Survey.contacted_at.is_null()),
            "requested": await Survey.count().where(base & Survey.contacted_at.is_null()
                                                    & (Survey.contact_requested == True)),  # noqa: E712
            "contacted": await Survey.count().where(base & Survey.contacted_at.is_not_null()),
            "all": await Survey.count().where(base),
        }


SURVEY_COLUMNS = statements.columns(Survey, "v")
_SURVEY = statements.Statement(f"SELECT {SURVEY_COLUMNS.select} FROM feedback_surveys v WHERE v.key = ?")


def _survey_of(order_id: int) -> statements.Read:
    return _SURVEY.read(rules.survey_key(order_id))


def hub_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The reads `card_for_order` makes for the hub's order page (the survey row; the shopper's given
    surveys, read when there is none), from the order's row (prefetched with the hub's own reads: one
    round trip on PostgreSQL, `statements.prefetch`)."""
    email_key = rules.email_key(order["customer_email"])
    return [_survey_of(order["id"]), *([_given(email_key)] if email_key else [])]


async def card_for_order(order_id: int, *, now: dt.datetime, raw_settings: dict[str, Any] | None,
                         customer_email: str | None = None) -> FeedbackView | None:
    """The confirmation page's survey card for a received order, with as few queries as the card
    needs (it is on the hot path of every hub visit): None when there is nothing to show (the survey
    is capped, or was answered longer than rules.CARD_AFTER_ANSWER ago). Before an answer the card needs only the
    survey row (or the shopper's caps); after one, the full view with reviews and their timing.
    `customer_email`: the order's, when the caller has its row (the hub), spares reading it again."""
    settings = FeedbackSettings.of(raw_settings)
    answered_since = now - rules.CARD_AFTER_ANSWER
    async with engine.read():
        row = SURVEY_COLUMNS.row(await _survey_of(order_id).first())
        if row is not None:
            if row["answered_at"] is not None:  # a page showing the card is right until it goes
                clock.changes_at(row["answered_at"] + rules.CARD_AFTER_ANSWER, now)
            if not rules.survey_open(row["state"]) or (row["answered_at"] is not None
                                                      and row["answered_at"] < answered_since):
                return None
            if row["nps"] is not None:
                return await for_order(order_id, now=now)  # the thanks card: review invitation and reviews
            survey, survey_open = SurveyView.of(row), True
        else:
            if customer_email is None:  # the caller has not read the order already
                order = await _EMAIL.first(order_id)
                if order is None:
                    raise NotFound(rules.ORDER_NOT_FOUND, "order not found")
                customer_email = order["customer_email"]
            slots = await cap_slots(rules.email_key(customer_email))
            survey, survey_open = None, rules.survey_allowed(order_id=order_id, slots=slots, now=now,
                                                             cap_days=settings.survey_cap_days)
    if not survey_open:
        return None
    return FeedbackView(order_id=order_id, received=True, received_at=None, settings=settings, survey=survey,
                        survey_open=True, review_open=False, review_opens_at=None, reviews={})
