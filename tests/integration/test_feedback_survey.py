"""The survey card on the hub and in the feedback section: one tap records a score (with and without
htmx), the follow-up answers, routing (promoters invited to review once it opens, detractors see
support and may ask to be contacted, the merchant hears of a detractor at once), caps, bad input."""

from __future__ import annotations

import datetime as dt
import re

from orderhub.db import engine
from orderhub.db.feedback import queries
from orderhub.db.feedback.tables import Survey
from tests.feedback_support import HTMX, csrf_of, deliver, deliveries, form_post, hook, second_order

DELIVERED = dt.datetime(2026, 11, 19, 4, 5, tzinfo=dt.UTC)


async def _survey(order_id: int) -> dict | None:
    async with engine.read():
        return await Survey.select().where(Survey.order == order_id).first()


async def test_before_delivery_the_section_waits_and_takes_no_answer(client, merchants, orders):
    t = orders["jp_ship"].token
    page = await client.get(f"/o/{t}/feedback?lang=en")
    assert page.status_code == 200
    assert "Once your order has arrived" in page.text
    assert 'id="feedback-survey"' in page.text
    hub = await client.get(f"/o/{t}?lang=en")
    assert "/feedback" not in re.search(r'<nav class="hub-nav".*?</nav>', hub.text, re.S).group(0)
    assert "nps__score" not in hub.text
    answer = await client.post(f"/o/{t}/feedback/nps?lang=en", data={"nps": "9", "_csrf_token": csrf_of(page.text)})
    assert answer.status_code == 409
    assert "not open" in answer.text
    assert await _survey(orders["jp_ship"].id) is None


async def test_bad_tokens_get_the_same_404(client, merchants, orders):
    good = orders["jp_ship"].token
    for token in ("nope", good[:-1] + ("A" if good[-1] != "A" else "B"), "x" * 32):
        for path in ("/feedback", "/feedback/reviews/L1"):
            r = await client.get(f"/o/{token}{path}")
            assert r.status_code == 404
    page = await client.get(f"/o/{good}/feedback")
    r = await client.post(f"/o/{'z' * 32}/feedback/nps", data={"nps": "9", "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 404


async def test_one_tap_on_the_confirmation_page_without_javascript(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    hub = await client.get(f"/o/{t}?lang=en")
    assert hub.status_code == 200
    assert hub.text.count('class="nps__score"') == 11
    assert "How likely are you to recommend us" in hub.text
    assert f'href="/o/{t}/feedback?lang=en"' in hub.text  # the section is in the navigation now
    # without CSRF: refused, nothing stored
    r = await client.post(f"/o/{t}/feedback/nps", data={"nps": "9", "origin": "confirmation"})
    assert r.status_code == 403
    assert await _survey(orders["jp_ship"].id) is None
    r = await client.post(f"/o/{t}/feedback/nps?lang=en", data={"nps": "9", "origin": "confirmation",
                                                                 "_csrf_token": csrf_of(hub.text)})
    assert r.status_code == 303
    assert r.headers["location"] == f"/o/{t}?lang=en#feedback-survey"
    row = await _survey(orders["jp_ship"].id)
    assert row["nps"] == 9 and row["answered_at"] == clock() and row["state"] == "given"
    after = await client.get(f"/o/{t}?lang=en")
    assert "Thank you for your answer!" in after.text
    assert "You gave us 9 out of 10." in after.text
    # delivered three days ago: the review invitation is not open yet (7 days)
    assert "Would you review what you bought?" not in after.text
    clock.now = DELIVERED + dt.timedelta(days=7)
    later = await client.get(f"/o/{t}/feedback?lang=en")
    assert "Would you review what you bought?" in later.text
    assert f'/o/{t}/feedback/reviews/L1' in later.text
    # the front page keeps the card for a day after the answer, the section for good
    assert 'id="feedback-survey"' not in (await client.get(f"/o/{t}?lang=en")).text
    clock.now = row["answered_at"] + dt.timedelta(hours=23)
    assert "You gave us 9 out of 10." in (await client.get(f"/o/{t}?lang=en")).text


async def test_htmx_swaps_the_card_and_keeps_partial_answers(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    r = await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "8"}, headers=HTMX)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="card survey" id="feedback-survey"')
    assert "<html" not in r.text
    assert "ご回答ありがとうございます" in r.text  # the order's language
    # only the "why", with markup: kept as typed and shown escaped
    r = await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/answers",
                        {"why": "<img src=x onerror=alert(1)> 箱が<b>大きすぎ</b>", "csat": ""}, headers=HTMX)
    assert r.status_code == 200
    row = await _survey(orders["jp_ship"].id)
    assert row["why"] == "<img src=x onerror=alert(1)> 箱が<b>大きすぎ</b>" and row["csat"] is None and row["nps"] == 8
    # a changed score is kept, the earlier answers too
    r = await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "10"}, headers=HTMX)
    row = await _survey(orders["jp_ship"].id)
    assert row["nps"] == 10 and row["why"].startswith("<img")


async def test_csat_and_why_are_validated(client, merchants, orders):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "7"})
    for data in ({"csat": "6"}, {"csat": "abc"}, {"csat": "0"}, {"why": "x" * 1001}, {"why": "bell\x07"}):
        r = await form_post(client, f"/o/{t}/feedback?lang=en", f"/o/{t}/feedback/answers?lang=en", data,
                            headers=HTMX)
        assert r.status_code == 422, data
        assert 'class="field__error"' in r.text
    for raw in ("11", "-1", "abc", "", "999999999999"):
        r = await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": raw})
        assert r.status_code == 422, raw
    r = await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/answers", {"csat": "4", "why": "早い"})
    assert r.status_code == 303
    row = await _survey(orders["jp_ship"].id)
    assert (row["nps"], row["csat"], row["why"]) == (7, 4, "早い")
    # an oversized form body is refused with a clear 4xx
    page = await client.get(f"/o/{t}/feedback")
    r = await client.post(f"/o/{t}/feedback/answers", data={"why": "x" * 200_000, "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 413


async def test_a_detractor_sees_support_asks_for_contact_and_the_merchant_hears_at_once(client, merchants, orders,
                                                                                       clock):
    yamakaze = merchants["yamakaze"][0]
    await hook(yamakaze.id, clock)
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    r = await form_post(client, f"/o/{t}/feedback?lang=en", f"/o/{t}/feedback/nps?lang=en", {"nps": "3"},
                        headers=HTMX)
    assert "We are sorry we let you down" in r.text
    assert "support@yamakaze.example.jp" in r.text
    assert "Please contact me" in r.text
    sent = await deliveries("feedback.detractor")
    assert len(sent) == 1
    assert sent[0]["payload"]["nps"] == 3 and sent[0]["payload"]["order_id"] == "jp_ship"
    assert sent[0]["next_attempt_at"] == clock()  # goes out on the sender's next pass
    # another low score does not alert twice
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "2"})
    assert len(await deliveries("feedback.detractor")) == 1
    r = await form_post(client, f"/o/{t}/feedback?lang=en", f"/o/{t}/feedback/contact?lang=en", {}, headers=HTMX)
    assert "We will contact you" in r.text
    assert (await _survey(orders["jp_ship"].id))["contact_requested"] is True
    assert len(await deliveries("feedback.contact_requested")) == 1
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/contact", {})
    assert len(await deliveries("feedback.contact_requested")) == 1
    # a promoter is not offered a call back
    other = orders["us_ship"].token
    await deliver(client, merchants["acme"][1], "us_ship")
    await form_post(client, f"/o/{other}/feedback", f"/o/{other}/feedback/nps", {"nps": "10"})
    r = await form_post(client, f"/o/{other}/feedback", f"/o/{other}/feedback/contact", {})
    assert r.status_code == 409
    assert len(await deliveries("feedback.detractor")) == 1


async def test_one_survey_per_shopper_email_within_the_cap(client, merchants, orders, clock, settings):
    yamakaze, key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    await deliver(client, key)
    second = await second_order(yamakaze, settings, clock)
    await deliver(client, key, "jp_ship_2", base="jp_ship")
    t1, t2 = orders["jp_ship"].token, second.token
    await form_post(client, f"/o/{t1}/feedback", f"/o/{t1}/feedback/nps", {"nps": "9"})
    # the same shopper's other order: no card on the hub, a plain thank-you in the section
    hub = await client.get(f"/o/{t2}?lang=en")
    assert "nps__score" not in hub.text
    section = await client.get(f"/o/{t2}/feedback?lang=en")
    assert "you answered one of our surveys recently" in section.text
    r = await client.post(f"/o/{t2}/feedback/nps", data={"nps": "1", "_csrf_token": csrf_of(section.text)})
    assert r.status_code == 409
    assert await _survey(second.id) is None
    # the first order keeps its own survey
    assert "You gave us 9" in (await client.get(f"/o/{t1}?lang=en")).text
    # 91 days later the cap is over
    clock.advance(days=91)
    hub = await client.get(f"/o/{t2}?lang=en")
    assert hub.text.count('class="nps__score"') == 11


async def test_question_texts_come_from_the_merchant_settings(client, merchants, orders):
    from orderhub.db.merchants.services import update_section_settings

    yamakaze = merchants["yamakaze"][0]
    await update_section_settings(yamakaze.id, "feedback", {"questions": {"nps": {"ja": "当店をおすすめしますか？",
                                                                                 "en": "Recommend <us>?"}}})
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    assert "当店をおすすめしますか？" in (await client.get(f"/o/{t}")).text
    # a stored value with markup is never shown: the default question instead
    assert "How likely are you to recommend us" in (await client.get(f"/o/{t}?lang=en")).text


async def test_nps_scores_for_the_dashboard(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    await deliver(client, merchants["acme"][1], "us_ship")
    t = orders["jp_ship"].token
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "6"})
    u = orders["us_ship"].token
    await form_post(client, f"/o/{u}/feedback", f"/o/{u}/feedback/nps", {"nps": "10"})
    start, end = clock() - dt.timedelta(days=1), clock() + dt.timedelta(days=1)
    assert await queries.nps_scores(merchants["yamakaze"][0].id, start, end) == [(clock(), 6)]
    assert await queries.nps_scores(merchants["acme"][0].id, start, end) == [(clock(), 10)]
    assert await queries.nps_scores(merchants["acme"][0].id, end, end + dt.timedelta(days=1)) == []


async def test_concurrent_taps_make_one_survey(client, merchants, orders):
    import asyncio

    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    page = await client.get(f"/o/{t}/feedback")
    token = csrf_of(page.text)
    answers = await asyncio.gather(*[client.post(f"/o/{t}/feedback/nps", data={"nps": str(n), "_csrf_token": token})
                                     for n in (9, 10, 8, 9, 10)])
    assert [a.status_code for a in answers] == [303] * 5
    async with engine.read():
        rows = await Survey.select().where(Survey.order == orders["jp_ship"].id)
    assert len(rows) == 1 and rows[0]["nps"] in (8, 9, 10)


async def test_a_picked_up_order_gets_the_survey_and_its_review_timing(client, merchants, orders, clock):
    from orderhub.db.feedback import services
    from orderhub.db.pickup import services as pickup_services
    from orderhub.db.pickup.rules import Clerk
    from orderhub.db.pickup.tables import Pickup
    from tests.pickup_support import make_ready

    yamakaze = merchants["yamakaze"][0]
    assert (await make_ready(client, merchants["yamakaze"][1])).status_code == 200
    t = orders["jp_pickup"].token
    assert "nps__score" not in (await client.get(f"/o/{t}")).text  # ready is not picked up
    async with engine.read():
        pickup = await Pickup.select(Pickup.id, Pickup.store_code).where(Pickup.order == orders["jp_pickup"].id).first()
    staff = Clerk(merchant_id=yamakaze.id, store_code=pickup["store_code"], email="clerk@example.jp")
    await pickup_services.hand_over(staff, pickup["id"], now=clock())
    hub = await client.get(f"/o/{t}?lang=en")
    assert hub.text.count('class="nps__score"') == 11
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "10"})
    assert "Would you review" not in (await client.get(f"/o/{t}/feedback?lang=en")).text
    clock.advance(days=7)
    assert "Would you review" in (await client.get(f"/o/{t}/feedback?lang=en")).text
    assert (await services.send_invitations(now=clock()))["review"] == 1
