"""The invitations job: a survey invitation once per order when it arrives (caps permitting), a
review invitation N days after delivery (never before), each once; emails through the outbox."""

from __future__ import annotations

import datetime as dt

from orderhub import jobs
from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.feedback import services
from orderhub.db.feedback.tables import Survey
from tests.feedback_support import deliver, form_post, second_order

DELIVERED = dt.datetime(2026, 11, 19, 4, 5, tzinfo=dt.UTC)


async def _kinds(order_id: int) -> list[str]:
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind).where(EmailMessage.order_id == order_id).order_by(
            EmailMessage.id)
    return [r["kind"] for r in rows if r["kind"] in ("survey_invitation", "review_invitation")]


async def test_the_job_is_registered():
    assert "feedback-invitations" in [j.name for j in jobs.JOBS]


async def test_survey_then_review_invitation_each_once(client, merchants, orders, clock):
    order_id = orders["jp_ship"].id
    assert await services.send_invitations(now=clock()) == {"survey": 0, "capped": 0, "review": 0}
    await deliver(client, merchants["yamakaze"][1])
    counts = await services.send_invitations(now=clock())
    assert counts["survey"] == 1 and counts["review"] == 0
    assert await _kinds(order_id) == ["survey_invitation"]
    # the email's link (emails rules: section "feedback") opens the survey
    page = await client.get(f"/o/{orders['jp_ship'].token}/feedback")
    assert page.status_code == 200 and page.text.count('class="nps__score"') == 11
    assert (await services.send_invitations(now=clock()))["survey"] == 0
    # the review invitation opens 7 days after delivery, not a second earlier
    clock.now = DELIVERED + dt.timedelta(days=7) - dt.timedelta(seconds=1)
    assert (await services.send_invitations(now=clock()))["review"] == 0
    clock.now = DELIVERED + dt.timedelta(days=7)
    assert (await services.send_invitations(now=clock()))["review"] == 1
    assert await _kinds(order_id) == ["survey_invitation", "review_invitation"]
    clock.advance(days=1)
    assert await services.send_invitations(now=clock()) == {"survey": 0, "capped": 0, "review": 0}
    assert await _kinds(order_id) == ["survey_invitation", "review_invitation"]


async def test_the_cap_holds_back_a_second_survey_to_the_same_email(client, merchants, orders, clock, settings):
    yamakaze, key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    await deliver(client, key)
    await services.send_invitations(now=clock())
    second = await second_order(yamakaze, settings, clock)
    await deliver(client, key, "jp_ship_2", base="jp_ship")
    counts = await services.send_invitations(now=clock())
    assert counts["capped"] == 1 and counts["survey"] == 0
    assert await _kinds(second.id) == []
    async with engine.read():
        assert (await Survey.select(Survey.state).where(Survey.order == second.id).first())["state"] == "capped"
    # the shopper is not asked on the page either
    assert "nps__score" not in (await client.get(f"/o/{second.token}")).text


async def test_no_review_invitation_when_everything_is_reviewed(client, merchants, orders, clock):
    await deliver(client, merchants["acme"][1], "us_ship")
    t = orders["us_ship"].token
    for line in ("1", "2"):
        r = await form_post(client, f"/o/{t}/feedback/reviews/{line}", f"/o/{t}/feedback/reviews/{line}",
                            {"stars": "5"})
        assert r.status_code == 303
    clock.now = DELIVERED + dt.timedelta(days=8)
    await services.send_invitations(now=clock())
    assert "review_invitation" not in await _kinds(orders["us_ship"].id)


async def test_the_merchant_setting_moves_the_review_invitation(client, merchants, orders, clock):
    from orderhub.db.merchants.services import update_section_settings

    await update_section_settings(merchants["yamakaze"][0].id, "feedback", {"review_invite_days": 2})
    await deliver(client, merchants["yamakaze"][1])
    clock.now = DELIVERED + dt.timedelta(days=2)
    counts = await services.send_invitations(now=clock())
    assert counts["review"] == 1


async def test_an_order_delivered_long_ago_is_never_asked(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    clock.now = DELIVERED + dt.timedelta(days=60)
    assert await services.send_invitations(now=clock()) == {"survey": 0, "capped": 0, "review": 0}
    assert await _kinds(orders["jp_ship"].id) == []
    async with engine.read():
        row = await Survey.select(Survey.state, Survey.review_invited_at).where(
            Survey.order == orders["jp_ship"].id).first()
    assert row["state"] == "skipped" and row["review_invited_at"] == clock()  # dealt with: not looked at again
