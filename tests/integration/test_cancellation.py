"""Self-service cancellation before shipment (issue 19 item 3): the hub's cancel page behind the
step-up, the merchant's answer through the API, the storefront's own cancellation, and what every
page, email and API answer then says."""

from __future__ import annotations

import pytest

from orderhub.db.outbox import services as outbox
from tests.cancel_support import emails, events, fresh_order, order_id_of, put_order, set_policy
from tests.conftest import bearer
from tests.stepup_support import HTMX, csrf, step_up


async def _token(client, base: str) -> str:
    """A CSRF token from a page that has a form whatever the order's state (the change step-up card)."""
    return await csrf(client, f"{base}/verify/change")


async def _review(client, base: str, data: dict, *, htmx: bool = False):
    token = await _token(client, base)
    return await client.post(f"{base}/cancel/review", data={"_csrf_token": token, **data},
                             headers=HTMX if htmx else {})


async def _confirm(client, base: str, data: dict, *, htmx: bool = False):
    token = await _token(client, base)
    return await client.post(f"{base}/cancel", data={"_csrf_token": token, **data}, headers=HTMX if htmx else {})


ONE_SHOE = {"qty_L1": "1", "qty_L2": "0", "qty_L3": "0", "reason": "changed_mind", "comment": ""}
EVERYTHING = {"qty_L1": "1", "qty_L2": "2", "qty_L3": "1", "reason": "ordered_by_mistake", "comment": ""}


async def test_order_page_offers_cancel_and_the_page_asks_for_step_up_first(client, merchants, clock):
    base, _ = await fresh_order(client, merchants, clock)
    hub = await client.get(base + "?lang=en")
    assert "Cancel order" in hub.text and f'href="{base}/cancel?lang=en"' in hub.text
    page = await client.get(f"{base}/cancel?lang=en")
    assert page.status_code == 200 and 'id="stepup-card"' in page.text
    assert 'id="cancel-form"' not in page.text
    # posting the form without the step-up changes nothing
    r = await _confirm(client, base, ONE_SHOE)
    assert r.status_code == 403 and 'id="stepup-card"' in r.text
    assert await emails(await order_id_of("fresh-1")) == ["order.confirmed"]


async def test_request_then_merchant_accepts_part_of_the_order(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    await outbox.add_endpoint(merchants["yamakaze"][0].id, "https://hooks.yamakaze.example/in", now=clock())
    base, _ = await fresh_order(client, merchants, clock)
    order_id = await order_id_of("fresh-1")
    await step_up(client, base, order_id)
    form = await client.get(f"{base}/cancel?lang=en")
    assert 'id="cancel-form"' in form.text
    review = await _review(client, base, ONE_SHOE)
    assert review.status_code == 200 and "¥13,200" in review.text  # the shoe, tax included
    done = await _confirm(client, base, ONE_SHOE)
    assert done.status_code == 303 and done.headers["location"] == f"{base}/cancel"
    page = await client.get(f"{base}/cancel?lang=en")
    assert "Cancellation requested" in page.text and "¥13,200" in page.text
    assert "order.cancel_requested" in await events(order_id)
    # the step-up ended with the action: a second request would ask again
    assert 'id="cancel-form"' not in page.text
    # nothing is cancelled until the shop answers
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] != "cancelled" and api["cancellation"]["status"] == "requested"

    accepted = await client.post("/api/v1/orders/fresh-1/cancellation", headers=bearer(api_key),
                                 json={"decision": "accept", "note": "Done, sorry to see it go"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["cancellation"]["status"] == "accepted"
    assert accepted.json()["cancellation"]["refund"] == "13200"
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] != "cancelled"  # part of it goes ahead
    assert {ln["id"]: ln["cancelled_quantity"] for ln in api["lines"]} == {"L1": 1, "L2": 0, "L3": 0}
    assert await events(order_id) == ["order.confirmed", "order.cancel_requested", "order.cancelled",
                                      "payment.partially_refunded"]
    assert "order.cancelled" in await emails(order_id)
    page = await client.get(f"{base}/cancel?lang=en")
    assert "Items cancelled" in page.text and "Done, sorry to see it go" in page.text
    hub = await client.get(base + "?lang=en")
    assert "Cancelled" in hub.text  # the line's badge
    # replaying the answer: nothing waits any more
    again = await client.post("/api/v1/orders/fresh-1/cancellation", headers=bearer(api_key),
                              json={"decision": "accept", "note": "Done, sorry to see it go"})
    assert again.status_code == 409


async def test_instant_whole_cancellation_is_cancelled_everywhere(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    await set_policy(merchants["yamakaze"][0].id, cancellation="instant")
    base, _ = await fresh_order(client, merchants, clock)
    order_id = await order_id_of("fresh-1")
    await step_up(client, base, order_id)
    review = await _review(client, base, EVERYTHING, htmx=True)
    assert review.status_code == 200 and review.text.lstrip().startswith('<div id="cancel-flow"')
    assert "¥17,560" in review.text
    done = await _confirm(client, base, EVERYTHING, htmx=True)
    assert done.status_code == 200 and done.headers["hx-push-url"] == f"{base}/cancel"
    assert "Order cancelled" in (await client.get(f"{base}/cancel?lang=en")).text
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] == "cancelled" and api["cancelled"] is True
    assert api["cancellation"]["refund"] == "17560" and api["cancellation"]["whole"] is True
    hub = await client.get(base + "?lang=en")
    assert "This order was cancelled." in hub.text and "¥17,560" in hub.text
    assert "We pack orders" not in hub.text  # no next steps promised for a cancelled order
    assert await emails(order_id) == ["order.confirmed", "stepup.code", "order.cancelled"]
    # nothing left to cancel or to ask
    page = await client.get(f"{base}/cancel?lang=en")
    assert 'id="cancel-form"' not in page.text and 'id="stepup-card"' not in page.text


async def test_merchant_refuses_with_a_note(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    base, _ = await fresh_order(client, merchants, clock)
    order_id = await order_id_of("fresh-1")
    await step_up(client, base, order_id)
    await _confirm(client, base, EVERYTHING)
    r = await client.post("/api/v1/orders/fresh-1/cancellation", headers=bearer(api_key),
                          json={"decision": "refuse", "note": "<b>Already packed</b>"})
    assert r.status_code == 200 and r.json()["cancellation"]["status"] == "refused"
    page = await client.get(f"{base}/cancel?lang=en")
    assert "Cancellation refused" in page.text and "&lt;b&gt;Already packed&lt;/b&gt;" in page.text
    assert "order.cancel_refused" in await emails(order_id)
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] != "cancelled"


async def test_decision_api_refuses_wrong_key_other_merchant_and_bad_input(client, merchants, clock):
    api_key, acme_key = merchants["yamakaze"][1], merchants["acme"][1]
    base, _ = await fresh_order(client, merchants, clock)
    url = "/api/v1/orders/fresh-1/cancellation"
    assert (await client.post(url, json={"decision": "accept"})).status_code == 401
    assert (await client.post(url, json={"decision": "accept"}, headers=bearer("nope"))).status_code == 401
    assert (await client.post(url, json={"decision": "accept"}, headers=bearer(acme_key))).status_code == 404
    assert (await client.post(url, json={"decision": "accept"}, headers=bearer(api_key))).status_code == 409
    await step_up(client, base, await order_id_of("fresh-1"))
    await _confirm(client, base, ONE_SHOE)
    for body in ({"decision": "maybe"}, {"decision": "accept", "refund": 100}, {"decision": "accept", "refund": "-5"},
                 {"decision": "accept", "refund": "999999"}, {"decision": "accept", "extra": 1}, ["accept"]):
        r = await client.post(url, json=body, headers=bearer(api_key))
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"]
    bad_json = await client.post(url, content=b"{", headers={**bearer(api_key), "content-type": "application/json"})
    assert bad_json.status_code == 422
    # the merchant's own refund (a restocking fee kept)
    r = await client.post(url, json={"decision": "accept", "refund": "12000"}, headers=bearer(api_key))
    assert r.status_code == 200 and r.json()["cancellation"]["refund"] == "12000"


async def test_storefront_cancels_whole_order_idempotently(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    await outbox.add_endpoint(merchants["yamakaze"][0].id, "https://hooks.yamakaze.example/in", now=clock())
    base, body = await fresh_order(client, merchants, clock)
    order_id = await order_id_of("fresh-1")
    cancelled = body | {"status": "cancelled"}
    for _ in range(2):
        r = await put_order(client, api_key, "fresh-1", cancelled)
        assert r.status_code == 200, r.text
    assert await events(order_id) == ["order.confirmed", "order.cancelled", "payment.refunded"]
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] == "cancelled" and api["cancellation"]["source"] == "storefront"
    hub = await client.get(base + "?lang=en")
    assert "This order was cancelled." in hub.text
    # sending the order again without the status does not bring it back
    r = await put_order(client, api_key, "fresh-1", body | {"shipping_tax_rate": "0.1"})
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] == "cancelled"


async def test_storefront_cancels_some_units_per_line(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    base, body = await fresh_order(client, merchants, clock)
    body["lines"][1]["cancelled_quantity"] = 1
    assert (await put_order(client, api_key, "fresh-1", body)).status_code == 200
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert {ln["id"]: ln["cancelled_quantity"] for ln in api["lines"]}["L2"] == 1
    assert api["status"] != "cancelled"
    assert api["cancellation"]["refund"] == "1080"
    body["lines"][1]["cancelled_quantity"] = 3
    r = await put_order(client, api_key, "fresh-1", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lines[1].cancelled_quantity"
    body["lines"][1]["cancelled_quantity"] = "one"
    assert (await put_order(client, api_key, "fresh-1", body)).status_code == 422


async def test_window_and_picking_close_cancellation(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    base, body = await fresh_order(client, merchants, clock)
    await step_up(client, base, await order_id_of("fresh-1"))
    await put_order(client, api_key, "fresh-1", body | {"status": "picking"})
    page = await client.get(f"{base}/cancel?lang=en")
    assert "can no longer be cancelled online" in page.text
    r = await _confirm(client, base, ONE_SHOE)
    assert r.status_code == 409
    base2, _ = await fresh_order(client, merchants, clock, external_id="fresh-2")
    clock.advance(hours=1)
    hub = await client.get(base2 + "?lang=en")
    assert "The cancellation period ended" in hub.text and "Cancel order" not in hub.text
    assert (await _review(client, base2, ONE_SHOE)).status_code == 409


async def test_form_errors_come_back_next_to_fields(client, merchants, clock):
    base, _ = await fresh_order(client, merchants, clock)
    await step_up(client, base, await order_id_of("fresh-1"))
    r = await _review(client, base, {"qty_L1": "0", "qty_L2": "0", "qty_L3": "0", "reason": "changed_mind"})
    assert r.status_code == 422 and 'id="f-items-error"' in r.text
    r = await _review(client, base, {"qty_L1": "5", "qty_L2": "x", "reason": "nope", "comment": "a" * 600})
    assert r.status_code == 422
    for field in ("qty_L1", "qty_L2", "reason", "comment"):
        assert f'id="f-{field}-error"' in r.text, field
    r = await _review(client, base, {**ONE_SHOE, "comment": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text


@pytest.mark.parametrize("path", ["/cancel", "/cancel/review"])
async def test_cancel_posts_need_csrf_and_a_good_token(client, merchants, clock, path):
    base, _ = await fresh_order(client, merchants, clock)
    assert (await client.post(base + path, data=ONE_SHOE)).status_code == 403
    token = await _token(client, base)
    assert (await client.post("/o/not-a-real-token" + path, data={"_csrf_token": token, **ONE_SHOE})).status_code == 404
    assert (await client.get("/o/not-a-real-token/cancel")).status_code == 404


async def test_cancelled_line_leaves_returns_and_reviews(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    base, body = await fresh_order(client, merchants, clock)
    body["lines"][0]["cancelled_quantity"] = 1  # the shoe
    assert (await put_order(client, api_key, "fresh-1", body)).status_code == 200
    from orderhub.db.returns import queries as return_queries

    facts = await return_queries.order_facts(await order_id_of("fresh-1"))
    assert "L1" not in {c.line.line_id for c in facts.returnable_lines(clock())}
    from orderhub.db.orders import queries as order_queries

    view = await order_queries.order_view(merchants["yamakaze"][0], "fresh-1")
    assert [ln.line_id for ln in view.kept_lines] == ["L2", "L3"]


async def test_both_languages(client, merchants, clock):
    base, _ = await fresh_order(client, merchants, clock)
    ja = await client.get(f"{base}/cancel?lang=ja")
    assert "ご本人確認" in ja.text
    hub = await client.get(f"{base}?lang=ja")
    assert "注文をキャンセル" in hub.text


async def test_unpaid_konbini_order_has_nothing_to_refund_and_a_paid_card_one_is_refunded(client, merchants, clock):
    api_key = merchants["yamakaze"][1]
    await set_policy(merchants["yamakaze"][0].id, cancellation="instant")
    konbini = {"method": "konbini", "status": "pending", "deadline": "2026-11-25T14:59:00Z", "reference": "123-456"}
    base, _ = await fresh_order(client, merchants, clock, payment=konbini)
    order_id = await order_id_of("fresh-1")
    await step_up(client, base, order_id)
    review = await _review(client, base, EVERYTHING)
    assert review.status_code == 200 and "¥0" in review.text
    await _confirm(client, base, EVERYTHING)
    api = (await client.get("/api/v1/orders/fresh-1", headers=bearer(api_key))).json()
    assert api["status"] == "cancelled" and api["cancellation"]["refund"] == "0"
    assert api["payment"]["status"] == "voided"  # the konbini payment will never be taken
    page = await client.get(f"{base}/cancel?lang=en")
    assert "Nothing was charged for this order, so there is nothing to refund." in page.text
    # a card order: the payment shows the refund
    base2, _ = await fresh_order(client, merchants, clock, external_id="fresh-2")
    await step_up(client, base2, await order_id_of("fresh-2"))
    await _confirm(client, base2, ONE_SHOE)
    api = (await client.get("/api/v1/orders/fresh-2", headers=bearer(api_key))).json()
    assert api["payment"]["status"] == "partially_refunded", api["payment"]
    page = await client.get(f"{base2}/cancel?lang=en")
    assert "¥13,200" in page.text and "5–10 business days" in page.text


async def test_cancellation_mode_in_admin_settings_and_merchant_api(client, merchants, clock):
    from tests.integration.test_admin_settings import error_of, merchant_row, post, signed_in

    merchant, api_key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    await signed_in(client, clock)
    base = [("return_window_days", "30"), ("cancel_window_hours", "2"), ("return_ship_within_days", "14"),
            ("store_credit_bonus_percent", "10"), ("keep_item_under", "0")]
    r = await post(client, "/admin/settings/policy?lang=en", [*base, ("cancellation", "instant")])
    assert r.status_code == 303
    assert (await merchant_row(merchant.id)).policy["cancellation"] == "instant"
    shown = await client.get("/admin/settings/policy?lang=en")
    assert '<option value="instant" selected' in shown.text
    bad = await post(client, "/admin/settings/policy?lang=en", [*base, ("cancellation", "whenever")])
    assert bad.status_code == 422 and error_of(bad, "cancellation")
    assert (await merchant_row(merchant.id)).policy["cancellation"] == "instant"
    # the merchant API keeps it too
    settings = (await client.put("/api/v1/merchant", headers=bearer(api_key), json={
        "name": "Yamakaze", "currency": "JPY", "timezone": "Asia/Tokyo", "prices_include_tax": True,
        "policy": {"cancellation": "request"}})).json()
    assert settings["policy"]["cancellation"] == "request"


async def test_form_actions_keep_the_chosen_language(client, merchants, clock):
    base, _ = await fresh_order(client, merchants, clock)
    await step_up(client, base, await order_id_of("fresh-1"))
    page = await client.get(f"{base}/cancel?lang=en")
    assert f'action="{base}/cancel/review?lang=en"' in page.text
