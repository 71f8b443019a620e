"""The merchant dashboard and operations lists through the HTTP client: figures, the date range,
the returns queue's actions (plain forms and htmx rows), 409 messages, CSRF, another merchant's
objects, roles, sign-in redirects and hostile text."""

from __future__ import annotations

import datetime as dt
import html
import re

from tests.admin_ops_support import HTMX, csrf_of, make_return, record, signed_in
from tests.tracking_support import events_body, post_events, put_shipment

UTC = dt.UTC


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def test_not_signed_in_goes_to_sign_in(client, merchants):
    for path in ("/admin", "/admin/returns?status=all", "/admin/shipments"):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in?next="), path


async def test_dashboard_figures_and_charts(client, merchants, orders, clock):
    yk = merchants["yamakaze"][0].id
    await record(yk, "hub_view", dt.datetime(2026, 11, 20, 15, 30, tzinfo=UTC), times=3)  # 21st in Tokyo
    await record(yk, "hub_view", dt.datetime(2026, 11, 21, 2, 0, tzinfo=UTC), times=2, section="tracking")
    await record(yk, "crosssell_impression", dt.datetime(2026, 11, 21, 3, 0, tzinfo=UTC), times=4,
                 product_ids=["trail-runner", "gaiter"])
    await record(yk, "crosssell_click", dt.datetime(2026, 11, 21, 4, 0, tzinfo=UTC), product_ids=["gaiter"], times=3)
    await record(merchants["acme"][0].id, "hub_view", dt.datetime(2026, 11, 21, 3, 0, tzinfo=UTC), times=50)
    await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other")
    await signed_in(client, clock)
    r = await client.get("/admin?start=2026-11-21&end=2026-11-22&lang=en")
    assert r.status_code == 200
    page = text(r)
    assert "Hub visits 5 " in page and "Cross-sell impressions 8 " in page and "Cross-sell clicks 3 " in page
    assert "Click-through rate 37.5%" in page
    assert "Return requests 1 1 waiting for approval" in page
    assert "Nov 21, 2026 to Nov 22, 2026, in Asia/Tokyo time" in page
    assert "トレイルゲイター 3" in page  # the product's title, not its id
    # charts: SVG with an accessible name and a data table; no inline styles anywhere
    assert r.text.count('role="img"') == 4 and 'aria-labelledby="chart-sections-title chart-sections-desc"' in r.text
    assert "<th scope=\"row\">Order</th><td class=\"num\">3</td>" in r.text
    assert "<th scope=\"row\">Tracking</th><td class=\"num\">2</td>" in r.text
    assert "style=" not in r.text and "<style" not in r.text
    ja = await client.get("/admin?start=2026-11-21&end=2026-11-22&lang=ja")
    assert "クリック率 37.5%" in text(ja) and "ハブの閲覧数 5 " in text(ja)
    # the default range: the last 30 days up to today in Tokyo
    default = await client.get("/admin?lang=en")
    assert "Oct 24, 2026 to Nov 22, 2026" in text(default) and 'value="2026-10-24"' in default.text


async def test_dashboard_date_range_is_validated(client, merchants, clock):
    await signed_in(client, clock)
    cases = {
        "start=2026-13-01": "Enter a date like 2026-11-01.",
        "start=2026-11-10&end=2026-11-01": "The end date must be on or after the start date.",
        "start=2027-01-01&end=2027-01-02": "The start date can't be in the future.",
        "start=2020-01-01&end=2026-11-01": "Choose at most 366 days.",
    }
    for query, message in cases.items():
        r = await client.get(f"/admin?{query}&lang=en")
        assert r.status_code == 422, query
        assert message in text(r) and 'aria-invalid="true"' in r.text
        assert "Showing the last 30 days instead" in text(r)
    hostile = await client.get('/admin?start="><script>alert(1)</script>&lang=en')
    assert hostile.status_code == 422 and "<script>alert(1)" not in hostile.text
    assert "&#34;&gt;&lt;script&gt;" in hostile.text or "&quot;&gt;&lt;script&gt;" in hostile.text
    huge = await client.get("/admin?start=" + "9" * 5000)
    assert huge.status_code in (414, 422, 431)
    partial = await client.get("/admin?start=2026-11-01&end=2026-11-07&lang=en", headers=HTMX)
    assert partial.status_code == 200 and "<html" not in partial.text and 'id="dashboard-figures"' in partial.text


async def test_returns_queue_actions_plain_forms(client, merchants, orders, clock):
    rid = await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other",
                            comment='<img src=x onerror="alert(1)">')
    await signed_in(client, clock)
    page = await client.get("/admin/returns?lang=en")
    assert page.status_code == 200
    assert "RMA-" in page.text and "YK-100234" in page.text and "Other reason" in text(page)
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    token = csrf_of(page.text)
    # refund is not possible yet: a clear 409 message on the list, nothing changed
    r = await client.post(f"/admin/returns/{rid}/refund?lang=en", data={"_csrf_token": token})
    assert r.status_code == 409
    assert "can't be changed with “Refund”: its status is now “Requested”" in text(r)
    # approve: 303 back to the list with a notice
    r = await client.post(f"/admin/returns/{rid}/approve", data={"_csrf_token": token, "status": "open", "page": "1"})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/returns?done=approve&n=RMA-")
    after = await client.get(r.headers["location"] + "&lang=en")
    assert "RMA-000001 approved." in text(after) or "approved." in text(after)
    assert "Approved" in text(after) and "Mark received" in text(after)
    api = await client.get("/api/v1/returns", headers={"Authorization": f"Bearer {merchants['yamakaze'][1]}"})
    assert api.json()["returns"][0]["status"] == "approved"
    # without the CSRF token: refused
    assert (await client.post(f"/admin/returns/{rid}/receive", data={})).status_code == 403
    # receive, then refund
    for action in ("receive", "refund"):
        r = await client.post(f"/admin/returns/{rid}/{action}", data={"_csrf_token": token})
        assert r.status_code == 303, r.text[:300]
    done = await client.get("/admin/returns?status=refunded&lang=en")
    assert "Refunded" in text(done) and "Nothing to do" in text(done)
    empty = await client.get("/admin/returns?lang=en")
    assert "No open returns" in text(empty)


async def test_returns_queue_htmx_rows_reject_and_limits(client, merchants, orders, clock):
    rid = await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other")
    await signed_in(client, clock)
    page = await client.get("/admin/returns?lang=en")
    token = csrf_of(page.text)
    headers = {**HTMX, "x-csrftoken": token}
    r = await client.post(f"/admin/returns/{rid}/reject?lang=en", data={"note": "x" * 1001}, headers=headers)
    assert r.status_code == 422 and "The note is too long" in text(r)
    r = await client.post(f"/admin/returns/{rid}/reject?lang=en", data={"note": "<b>No tags</b> please"},
                          headers=headers)
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<tr id="return-{rid}"') and "<html" not in r.text
    assert "Rejected" in text(r) and "&lt;b&gt;No tags&lt;/b&gt;" in r.text
    again = await client.post(f"/admin/returns/{rid}/approve?lang=en", data={}, headers=headers)
    assert again.status_code == 409 and 'role="alert"' in again.text and "“Rejected”" in text(again)
    unknown = await client.post(f"/admin/returns/{rid}/teleport", data={}, headers=headers)
    assert unknown.status_code == 404


async def test_another_merchants_return_is_not_found(client, merchants, orders, clock):
    theirs = await make_return(orders["us_ship"].id, {"1": 1}, now=clock(), reason="other")
    await signed_in(client, clock)  # yamakaze's owner
    page = await client.get("/admin/returns?status=all&lang=en")
    assert "RMA-" not in page.text
    token = csrf_of(page.text)
    for action in ("approve", "reject"):
        r = await client.post(f"/admin/returns/{theirs}/{action}", data={"_csrf_token": token})
        assert r.status_code == 404
    r = await client.post("/admin/returns/99999999/approve", data={"_csrf_token": token})
    assert r.status_code == 404
    api = await client.get("/api/v1/returns", headers={"Authorization": f"Bearer {merchants['acme'][1]}"})
    assert api.json()["returns"][0]["status"] == "requested"


async def test_staff_see_the_lists_not_the_dashboard(client, merchants, orders, clock):
    await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other")
    await signed_in(client, clock, role="staff")
    r = await client.get("/admin")
    assert r.status_code == 303 and r.headers["location"] == "/admin/returns"
    assert (await client.get("/admin/returns")).status_code == 200
    assert (await client.get("/admin/shipments")).status_code == 200


async def test_filters_and_pages(client, merchants, orders, clock):
    from orderhub.db.worklists import queries

    yk = merchants["yamakaze"][0].id
    first = await make_return(orders["jp_ship"].id, {"L1": 1}, now=clock(), reason="other")
    clock.advance(hours=1)
    second = await make_return(orders["jp_ship"].id, {"L2": 1}, now=clock(), reason="too_small")  # auto-approved
    one = await queries.returns_queue(yk, queries.OPEN, page=2, per_page=1)
    assert [r.id for r in one.items] == [second] and (one.page, one.pages, one.total) == (2, 2, 2)
    assert (await queries.returns_queue(yk, queries.OPEN, page=99, per_page=1)).page == 2
    await signed_in(client, clock)
    requested = await client.get("/admin/returns?status=requested&lang=en")
    assert f'id="return-{first}"' in requested.text and f'id="return-{second}"' not in requested.text
    assert 'aria-current="page">Requested' in requested.text
    odd = await client.get("/admin/returns?status=<x>&page=-3&lang=en")
    assert odd.status_code == 200 and f'id="return-{first}"' in odd.text


async def test_stalled_shipments_and_anxious_shoppers(app, client, merchants, orders, clock):
    merchant, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    await put_shipment(client, key)
    await post_events(client, key, events_body(ids=["ev-1", "ev-2"]))  # last scan Tue 17 Nov
    clock.now = dt.datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Fri: 3 business days quiet, estimate passed
    for _ in range(3):
        await client.get(f"/o/{token}/tracking")
    await app.state.analytics.flush()  # tracking views are written with the analytics, once a second
    await signed_in(client, clock)
    page = await client.get("/admin/shipments?lang=en")
    assert page.status_code == 200
    body = text(page)
    assert "Stalled or late shipments 1" in body and "Anxious shoppers 1" in body
    assert re.search(r"YK-100234 .* Stalled Late", body)
    assert re.search(r"YK-100234 3 Stalled Late", body)
    ja = await client.get("/admin/shipments?lang=ja")
    assert "不安を感じているお客様" in ja.text
    client.cookies.clear()
    await signed_in(client, clock, slug="acme")
    other = text(await client.get("/admin/shipments?lang=en"))
    assert "YK-100234" not in other and "No stalled or late shipments" in other


async def test_dashboard_nps_and_its_weekly_trend(client, merchants, orders, settings, clock):
    """Survey answers (db/feedback) make the NPS figure and its weekly line: 2 promoters, 1 passive and
    1 detractor of 4 answers -> (2 - 1) / 4 = 25."""
    import datetime as dt

    from orderhub.db.feedback import services as feedback
    from orderhub.db.merchants.services import update_section_settings
    from tests.feedback_support import deliver, second_order

    merchant, api_key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    await update_section_settings(merchant.id, "feedback", {"survey_cap_days": 0})  # one shopper, many orders
    scores = {"jp_ship": 10, "jp_ship_2": 9, "jp_ship_3": 8, "jp_ship_4": 3}
    answered = [dt.datetime(2026, 11, 3, 3, tzinfo=UTC), dt.datetime(2026, 11, 10, 3, tzinfo=UTC),
                dt.datetime(2026, 11, 17, 3, tzinfo=UTC), dt.datetime(2026, 11, 18, 3, tzinfo=UTC)]
    for (external_id, score), at in zip(scores.items(), answered, strict=False):
        ref = orders["jp_ship"] if external_id == "jp_ship" else await second_order(merchant, settings, clock, external_id)
        await deliver(client, api_key, external_id, base="jp_ship")
        await feedback.record_nps(ref.id, score, now=at)
    await signed_in(client, clock)
    r = await client.get("/admin?start=2026-11-01&end=2026-11-22&lang=en")
    page = text(r)
    assert "NPS 25 4 answers" in page
    chart = r.text[r.text.index('id="chart-nps'):]
    assert 'role="img"' in chart and "NPS by week" in page
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td></tr>', chart)
    assert [value for _label, value in rows[:3]] == ["100", "100", "-50"]  # weeks from Nov 1, 8 and 15
    only_detractor = text(await client.get("/admin?start=2026-11-18&end=2026-11-18&lang=en"))
    assert "NPS -100 1 answer" in only_detractor
    await update_section_settings(merchants["acme"][0].id, "feedback", {"survey_cap_days": 0})
    client.cookies.clear()
    await signed_in(client, clock, "acme")
    acme = text(await client.get("/admin?start=2026-11-01&end=2026-11-22&lang=en"))
    assert "NPS – No survey answers yet" in acme  # another merchant's answers never count


async def test_dashboard_charts_returned_items_by_their_own_reason(client, merchants, orders, clock):
    from orderhub.db.returns.services import submit
    from tests.returns_support import fulfil

    await fulfil(orders["jp_ship"].id)
    await submit(orders["jp_ship"].id, {"items": {"L1": 1, "L2": 2}, "reason": "too_small",
                                        "reasons": {"L2": "changed_mind"}, "resolution": "refund",
                                        "method": "drop_off"}, idempotency_key="chart-reasons", now=clock())
    await signed_in(client, clock)
    r = await client.get("/admin?start=2026-11-21&end=2026-11-22&lang=en")
    assert "Returned items by reason" in text(r) and "Return requests 1 " in text(r)
    assert "<th scope=\"row\">Changed my mind</th><td class=\"num\">2</td>" in r.text
    assert "<th scope=\"row\">Too small</th><td class=\"num\">1</td>" in r.text
    ja = await client.get("/admin?start=2026-11-21&end=2026-11-22&lang=ja")
    assert "理由別の返品商品数" in text(ja)
