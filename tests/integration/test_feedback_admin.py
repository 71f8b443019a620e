"""Admin lists: /admin/reviews (publish / reject / hide, public reply) and /admin/detractors (answers,
"asked to be contacted", mark as contacted). Owners and staff both; another merchant's -> 404."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.feedback.tables import Review, Survey
from tests.admin_ops_support import csrf, signed_in
from tests.feedback_support import HTMX, csrf_of, deliver, form_post


async def _review(client, token: str, line: str = "L1", **data) -> None:
    r = await form_post(client, f"/o/{token}/feedback/reviews/{line}", f"/o/{token}/feedback/reviews/{line}",
                        {"stars": "2", **data})
    assert r.status_code == 303


async def _status(review_id: int) -> str:
    async with engine.read():
        return (await Review.select(Review.status).where(Review.id == review_id).first())["status"]


async def test_reviews_need_a_sign_in(client, merchants):
    r = await client.get("/admin/reviews")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    r = await client.get("/admin/detractors")
    assert r.status_code == 303


async def test_moderate_and_reply_from_the_list(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    await _review(client, t, title="<b>Too small</b>", body="<script>alert(1)</script>")
    async with engine.read():
        rid = (await Review.select(Review.id).first())["id"]
    client.cookies.clear()
    await signed_in(client, clock, "yamakaze", "owner")
    page = await client.get("/admin/reviews?lang=en")
    assert page.status_code == 200
    assert "&lt;b&gt;Too small&lt;/b&gt;" in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert 'href="/admin/reviews?lang=en"' in page.text and 'href="/admin/detractors?lang=en"' in page.text  # nav
    # missing CSRF: 403, nothing changes
    r = await client.post(f"/admin/reviews/{rid}/publish", data={"status": "pending"})
    assert r.status_code == 403
    assert await _status(rid) == "pending"
    token = await csrf(client, "/admin/reviews")
    r = await client.post(f"/admin/reviews/{rid}/publish?lang=en", data={"_csrf_token": token, "status": "pending"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/reviews?done=publish&lang=en"
    assert await _status(rid) == "published"
    assert "Review published." in (await client.get(r.headers["location"])).text
    # an illegal move under htmx: 409, the row says why
    r = await client.post(f"/admin/reviews/{rid}/reject?lang=en", data={"_csrf_token": token, "status": "all"},
                          headers=HTMX)
    assert r.status_code == 409
    assert r.text.lstrip().startswith(f'<article class="card admin-review" id="reviews-row-{rid}"')
    assert "its status is now" in r.text
    # a public reply with markup, shown escaped; too long -> 422
    r = await client.post(f"/admin/reviews/{rid}/reply?lang=en", data={"_csrf_token": token, "reply": "<i>Thanks</i>"},
                          headers=HTMX)
    assert r.status_code == 200 and "&lt;i&gt;Thanks&lt;/i&gt;" in r.text and "Reply saved." in r.text
    r = await client.post(f"/admin/reviews/{rid}/reply", data={"_csrf_token": token, "reply": "x" * 2001})
    assert r.status_code == 422
    r = await client.post(f"/admin/reviews/{rid}/hide", data={"_csrf_token": token})
    assert r.status_code == 303 and await _status(rid) == "hidden"
    assert (await client.post(f"/admin/reviews/{rid}/delete", data={"_csrf_token": token})).status_code == 404
    # the filters
    assert f'id="reviews-row-{rid}"' in (await client.get("/admin/reviews?status=hidden")).text
    assert f'id="reviews-row-{rid}"' not in (await client.get("/admin/reviews")).text


async def test_another_merchants_review_is_not_found(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    await _review(client, orders["jp_ship"].token)
    async with engine.read():
        rid = (await Review.select(Review.id).first())["id"]
    client.cookies.clear()
    await signed_in(client, clock, "acme", "owner")
    token = await csrf(client, "/admin/reviews")
    assert f"reviews-row-{rid}" not in (await client.get("/admin/reviews?status=all")).text
    r = await client.post(f"/admin/reviews/{rid}/publish", data={"_csrf_token": token})
    assert r.status_code == 404
    r = await client.post(f"/admin/reviews/{rid}/reply", data={"_csrf_token": token, "reply": "hi"})
    assert r.status_code == 404
    assert await _status(rid) == "pending"


async def test_staff_follow_up_detractors(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/nps", {"nps": "2"})
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/answers", {"why": "<u>Late</u>", "csat": "1"})
    await form_post(client, f"/o/{t}/feedback", f"/o/{t}/feedback/contact", {})
    async with engine.read():
        sid = (await Survey.select(Survey.id).first())["id"]
    client.cookies.clear()
    await signed_in(client, clock, "yamakaze", "staff")
    page = await client.get("/admin/detractors?lang=en")
    assert page.status_code == 200
    assert "&lt;u&gt;Late&lt;/u&gt;" in page.text and "Asked to be contacted" in page.text
    assert "yamada@example.jp" in page.text or "@" in page.text
    assert "Score 2 out of 10" in page.text
    r = await client.post(f"/admin/detractors/{sid}/contacted", data={})
    assert r.status_code == 403
    token = csrf_of(page.text)
    r = await client.post(f"/admin/detractors/{sid}/contacted?lang=en", data={"_csrf_token": token, "show": "open"},
                          headers=HTMX)
    assert r.status_code == 200 and "Marked as contacted." in r.text
    assert r.text.lstrip().startswith('<div id="detractors-list"')
    async with engine.read():
        row = await Survey.select(Survey.contacted_at, Survey.contacted_by).where(Survey.id == sid).first()
    assert row["contacted_at"] == clock() and row["contacted_by"].startswith("staff@")
    assert f"detractors-row-{sid}" not in (await client.get("/admin/detractors")).text
    assert f"detractors-row-{sid}" in (await client.get("/admin/detractors?show=contacted")).text
    # again: nothing changes; another merchant: 404
    r = await client.post(f"/admin/detractors/{sid}/contacted", data={"_csrf_token": token})
    assert r.status_code == 303
    client.cookies.clear()
    await signed_in(client, clock, "acme", "owner")
    token = await csrf(client, "/admin/detractors")
    assert (await client.post(f"/admin/detractors/{sid}/contacted", data={"_csrf_token": token})).status_code == 404
