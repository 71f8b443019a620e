"""The demo (what `make run` shows) gives two delivered orders of other shoppers survey answers and
reviews: one published with the shop's reply, one waiting for moderation, and a detractor who asked
to be contacted; the first delivered order of each shop stays unanswered. Running it again changes
nothing."""

from __future__ import annotations

from orderhub import demo
from orderhub.db import engine
from orderhub.db.feedback.tables import Review, Survey
from orderhub.db.orders.tables import Order


async def _state() -> tuple[list, list]:
    async with engine.read():
        reviews = await Review.select(Review.status, Review.reply, Review.order.number).order_by(Review.id)
        surveys = await Survey.select(Survey.nps, Survey.contact_requested, Survey.order.number).where(
            Survey.nps.is_not_null()).order_by(Survey.id)
    return reviews, surveys


async def test_the_demo_shows_answers_and_reviews(db, settings, clock):
    ctx = await demo.create(settings, clock())
    reviews, surveys = await _state()
    assert sorted((r["order.number"], r["status"], bool(r["reply"])) for r in reviews) == [
        ("1040", "pending", False), ("YK-100219", "published", True)]
    assert sorted((s["order.number"], s["nps"], s["contact_requested"]) for s in surveys) == [
        ("1040", 4, True), ("YK-100219", 10, False)]
    first_delivered = {o.merchant: o.order_id for o in reversed(ctx.orders) if o.state == "delivered"}
    async with engine.read():
        numbers = {r["id"]: r["number"] for r in await Order.select(Order.id, Order.number)}
    assert {numbers[i] for i in first_delivered.values()}.isdisjoint({"1040", "YK-100219"})
    await demo.create(settings, clock())
    assert await _state() == (reviews, surveys)
