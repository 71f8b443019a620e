"""Home pickup of an approved return (issue 20 item 3): book, reschedule and cancel on the return page,
refused after the cut-off with a clear message, the emails and webhooks, the API and the admin.

The clock: Sunday 22 Nov 2026, 12:00 in Tokyo (conftest.NOW). Yamakaze collects with Yamato's
default slots Monday to Saturday, from tomorrow up to a week ahead, booked by 17:00 the day before."""

from __future__ import annotations

import datetime as dt

from orderhub.db import engine
from orderhub.db.returns.home_pickup_tables import ReturnPickup
from tests.conftest import bearer
from tests.returns_support import (
    CSRF,
    HTMX,
    hooks,  # noqa: F401 (fixtures)
    walk,
)

MON = "2026-11-23"  # tomorrow in Tokyo: its cut-off is today 17:00 JST (08:00 UTC)
TUE = "2026-11-24"


async def _approved(client, orders, merchants, name="jp_ship", slug="yamakaze") -> tuple[str, int]:
    base = f"/o/{orders[name].token}/returns"
    r, *_ = await walk(client, base, items={"L1" if name == "jp_ship" else "1": 1}, method="home_pickup",
                       reason="other")
    assert r.status_code == 303, r.text[:500]
    rid = int(r.headers["location"].rsplit("/", 1)[1].split("?")[0])
    a = await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(merchants[slug][1]))
    assert a.status_code == 200, a.text
    return f"{base}/{rid}", rid


async def _post(client, page: str, tail: str, data: dict, *, htmx: bool = False, token: str | None = None):
    if token is None:
        token = CSRF.search((await client.get(page)).text).group(1)
    return await client.post(f"{page}/pickup{tail}", data={"_csrf_token": token, **data},
                             headers=HTMX if htmx else {})


async def _rows():
    async with engine.read():
        return await ReturnPickup.select().output(load_json=True).order_by(ReturnPickup.id)


async def _events():
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        return await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).output(
            load_json=True).order_by(WebhookDelivery.id)


async def _emails():
    from orderhub.db.emails.tables import EmailMessage

    async with engine.read():
        return await EmailMessage.select(EmailMessage.kind, EmailMessage.event).order_by(EmailMessage.id)


async def test_book_reschedule_and_cancel(client, orders, merchants, hooks):
    page, rid = await _approved(client, orders, merchants)
    shown = await client.get(f"{page}?lang=en")
    assert "Book a pickup" in shown.text and "Yamato Transport" in shown.text
    assert "Mon 23 Nov" in shown.text and "2–4 pm" in shown.text and "神南" not in shown.text  # city level only

    r = await _post(client, page, "", {"date": MON, "slot": "14:00-16:00", "address_choice": "order",
                                       "notes": "Ring twice"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/returns/{rid}?pickup=booked")
    booked = await client.get(f"{page}?lang=en&pickup=booked")
    assert "Your pickup is booked" in booked.text and "Mon 23 Nov, 2–4 pm" in booked.text
    assert "free of charge until" in booked.text
    ja = await client.get(f"{page}?lang=ja")
    assert "11月23日（月）14〜16時" in ja.text

    # reschedule under htmx: the page's block comes back with the new slot, its URL pushed
    r = await _post(client, page, "/reschedule", {"date": TUE, "slot": "19:00-21:00", "address_choice": "order"},
                    htmx=True)
    assert r.status_code == 200 and 'id="returns-detail"' in r.text and "<html" not in r.text
    assert "Tue 24 Nov, 7–9 pm" in r.text or "11月24日（火）19〜21時" in r.text
    rows = await _rows()
    assert [x["status"] for x in rows] == ["replaced", "active"] and rows[1]["active_for"] == rid
    assert rows[0]["active_for"] is None and rows[0]["notes"] == "Ring twice"

    # the fee is charged once: the return's breakdown is unchanged by the moves
    api = await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))
    got = api.json()
    assert got["fee"] == "-880" or got["fee"] == "880"
    assert got["pickup_booking"]["date"] == TUE and got["pickup_booking"]["slot"] == "19:00-21:00"
    assert got["pickup_booking"]["starts_at"] == "2026-11-24T10:00:00+00:00"  # 19:00 JST
    assert got["pickup_booking"]["address"]["line1"] == "神南1-2-3"  # the merchant sees the whole address

    r = await _post(client, page, "/cancel", {})
    assert r.status_code == 303 and r.headers["location"].endswith("?pickup=cancelled")
    assert [x["status"] for x in await _rows()] == ["replaced", "cancelled", ]
    api = await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))
    assert api.json()["pickup_booking"] is None and api.json()["fee"] == got["fee"]
    again = await client.get(f"{page}?lang=en")
    assert "Book a pickup" in again.text  # another may be booked

    events = [e["event"] for e in await _events() if e["event"].startswith("return.pickup")]
    assert events == ["return.pickup_booked", "return.pickup_rescheduled", "return.pickup_cancelled"]
    moved = next(e for e in await _events() if e["event"] == "return.pickup_rescheduled")["payload"]
    assert moved["previous"]["date"] == MON and moved["pickup"]["date"] == TUE and moved["number"].startswith("RMA-")
    kinds = [e["kind"] for e in await _emails() if e["kind"].startswith("pickup_")]
    assert kinds == ["pickup_booked", "pickup_rescheduled", "pickup_cancelled"]


async def test_after_the_cut_off_the_page_says_why_and_whom_to_contact(client, orders, merchants, clock):
    page, rid = await _approved(client, orders, merchants)
    r = await _post(client, page, "", {"date": MON, "slot": "08:00-12:00", "address_choice": "order"})
    assert r.status_code == 303
    token = CSRF.search((await client.get(page)).text).group(1)
    clock.now = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)  # 17:00 in Tokyo: the cut-off
    shown = await client.get(f"{page}?lang=en")
    assert "too late to change this pickup" in shown.text and "support@yamakaze.example.jp" in shown.text
    assert "Cancel the pickup" not in shown.text
    r = await _post(client, page, "/cancel", {}, token=token)
    assert r.status_code == 409 and "変更の受付期限を過ぎています" in r.text  # the order's language: Japanese
    r = await _post(client, page, "/reschedule", {"date": TUE, "slot": "14:00-16:00"}, token=token)
    assert r.status_code == 409
    assert [x["status"] for x in await _rows()] == ["active"]
    clock.now = dt.datetime(2026, 11, 22, 7, 59, 59, tzinfo=dt.UTC)  # a second before: still free to move
    r = await _post(client, page, "/cancel", {}, token=token)
    assert r.status_code == 303


async def test_field_errors_next_to_fields_and_nothing_stored(client, orders, merchants, hooks):
    page, rid = await _approved(client, orders, merchants)
    for data, field in (
        ({"date": "2026-11-22", "slot": "14:00-16:00"}, "date"),  # today: past its cut-off
        ({"date": "2026-11-29", "slot": "14:00-16:00"}, "date"),  # a Sunday
        ({"date": "2026-12-31", "slot": "14:00-16:00"}, "date"),  # too far ahead
        ({"date": "not-a-date", "slot": "14:00-16:00"}, "date"),
        ({"date": MON, "slot": "03:00-04:00"}, "slot"),
        ({"date": MON, "slot": "14:00-16:00", "notes": "<script>alert(1)</script>"}, "notes"),
        ({"date": MON, "slot": "14:00-16:00", "notes": "x" * 500}, "notes"),
        ({"date": MON, "slot": "14:00-16:00", "address_choice": "other", "name": "山田", "postal_code": "999",
          "region": "東京都", "city": "渋谷区", "line1": "1-2"}, "postal_code"),
        ({"date": MON, "slot": "14:00-16:00", "address_choice": "other", "country": "US"}, "country"),
        ({"date": MON, "slot": "14:00-16:00", "address_choice": "elsewhere"}, "address_choice"),
    ):
        r = await _post(client, page, "", data)
        assert r.status_code == 422, (data, r.status_code)
        assert f'id="f-{field}-error"' in r.text or (field == "country" and 'role="alert"' in r.text), data
        assert "<script>alert" not in r.text
    assert await _rows() == []
    assert not [e for e in await _events() if e["event"].startswith("return.pickup")]


async def test_another_address_is_checked_and_stored(client, orders, merchants):
    page, rid = await _approved(client, orders, merchants)
    r = await _post(client, page, "", {"date": MON, "slot": "16:00-18:00", "address_choice": "other",
                                       "name": "山田 太郎", "postal_code": "530-0001", "region": "大阪府",
                                       "city": "大阪市北区", "line1": "梅田1-1", "country": "JP"})
    assert r.status_code == 303, r.text[:2000]
    row = (await _rows())[0]
    assert row["address_source"] == "other" and row["address"]["city"] == "大阪市北区"
    shown = await client.get(f"{page}?lang=ja")
    assert "大阪市北区" in shown.text and "梅田1-1" not in shown.text  # city level on the hub


async def test_refusals_wrong_token_other_merchant_csrf_and_state(client, orders, merchants):
    page, rid = await _approved(client, orders, merchants)
    data = {"date": MON, "slot": "14:00-16:00"}
    token = CSRF.search((await client.get(page)).text).group(1)
    # a bad token: the same 404 as any
    bad = page.replace(orders["jp_ship"].token, "x" * 43)
    assert (await client.post(f"{bad}/pickup", data={"_csrf_token": token, **data})).status_code == 404
    # another order's page cannot reach this return (the acme order, another merchant)
    other = f"/o/{orders['us_ship'].token}/returns/{rid}"
    assert (await client.post(f"{other}/pickup", data={"_csrf_token": token, **data})).status_code == 404
    # no CSRF token
    assert (await client.post(f"{page}/pickup", data=data)).status_code == 403
    # nothing to move or cancel yet
    assert (await _post(client, page, "/cancel", {}, token=token)).status_code == 409
    assert (await _post(client, page, "/reschedule", data, token=token)).status_code == 409
    assert await _rows() == []
    # booked once; a second booking is refused (change it instead)
    assert (await _post(client, page, "", data, token=token)).status_code == 303
    r = await _post(client, page, "", data, token=token)
    assert r.status_code == 409 and "すでに予約済み" in r.text
    assert len(await _rows()) == 1


async def test_not_bookable_before_approval_or_for_another_method(client, orders, merchants):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r, *_ = await walk(client, base, items={"L1": 1}, method="home_pickup", reason="other")
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    page = f"{base}/{rid}"
    shown = await client.get(f"{page}?lang=en")
    assert "Once your return is approved" in shown.text
    r = await _post(client, page, "", {"date": MON, "slot": "14:00-16:00"})
    assert r.status_code == 409 and "返品が承認された後" in r.text
    assert await _rows() == []


async def test_us_merchant_slots_in_new_york_time(client, orders, merchants):
    from orderhub.db.merchants.tables import Merchant

    async with engine.write():
        m = await Merchant.select(Merchant.policy).output(load_json=True).where(
            Merchant.id == merchants["acme"][0].id).first()
        policy = {**m["policy"], "home_pickup": {"carrier": "ups", "slots": ["09:00-12:00", "13:00-17:00"],
                                                 "weekdays": [0, 1, 2, 3, 4], "min_days": 1, "max_days": 5,
                                                 "cutoff": "18:00", "cutoff_days_before": 1}}
        await Merchant.update({Merchant.policy: policy, Merchant.version: Merchant.version + 1}).where(
            Merchant.id == merchants["acme"][0].id)
    page, rid = await _approved(client, orders, merchants, name="us_ship", slug="acme")
    shown = await client.get(f"{page}?lang=en")
    # 22:00 on Sat 21 Nov in New York: Monday is tomorrow+1 (Sunday is not collected)
    assert "Mon 23 Nov" in shown.text and "UPS" in shown.text and "9 am–12 pm" in shown.text
    r = await _post(client, page, "", {"date": "2026-11-23", "slot": "13:00-17:00", "address_choice": "order"})
    assert r.status_code == 303, r.text[:1500]
    row = (await _rows())[0]
    assert row["starts_at"] == dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # 13:00 EST
    assert row["timezone"] == "America/New_York"


async def test_the_returns_list_and_the_merchants_return_page_show_the_booking(client, orders, merchants, clock):
    from tests import admin_ops_support as admin

    page, rid = await _approved(client, orders, merchants)
    await _post(client, page, "", {"date": MON, "slot": "14:00-16:00", "address_choice": "order"})
    await _post(client, page, "/reschedule", {"date": TUE, "slot": "16:00-18:00", "address_choice": "order"})
    listing = await client.get(f"/o/{orders['jp_ship'].token}/returns?lang=en")
    assert "Pickup: Tue 24 Nov, 4–6 pm" in listing.text
    await admin.signed_in(client, clock)
    shown = await client.get(f"/admin/returns/{rid}?lang=en")
    assert shown.status_code == 200
    assert "Home pickup" in shown.text and "Tue 24 Nov, 4–6 pm" in shown.text and "神南1-2-3" in shown.text
    assert "Earlier bookings" in shown.text and "Mon 23 Nov, 2–4 pm" in shown.text


async def test_the_emails_say_the_slot_in_words_in_both_languages(client, orders, merchants, settings, clock):
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.emails.render import render

    page, rid = await _approved(client, orders, merchants)
    await _post(client, page, "", {"date": MON, "slot": "14:00-16:00", "address_choice": "order"})
    await _post(client, page, "/reschedule", {"date": TUE, "slot": "18:00-20:00", "address_choice": "order"})
    await _post(client, page, "/cancel", {})
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                         EmailMessage.order_id).where(EmailMessage.kind.like("pickup_%")).output(
            load_json=True).order_by(EmailMessage.id)
    said = {}
    for row in rows:
        for lang in ("ja", "en"):
            got = await render(row["kind"], row["event"], row["payload"], row["order_id"], lang, settings, now=clock())
            assert got is not None
            said[(row["kind"], lang)] = got.subject + "\n" + got.text
    assert "11月23日（月）14〜16時" in said[("pickup_booked", "ja")] and "ヤマト運輸" in said[("pickup_booked", "ja")]
    assert "Mon 23 Nov, 2–4 pm" in said[("pickup_booked", "en")]
    assert "free of charge until" in said[("pickup_booked", "en")] and "神南" not in said[("pickup_booked", "en")]
    moved = said[("pickup_rescheduled", "en")]
    assert "from Mon 23 Nov, 2–4 pm to Tue 24 Nov, 6–8 pm" in moved
    assert "11月24日（火）18〜20時" in said[("pickup_rescheduled", "ja")]
    assert "We cancelled the pickup on Tue 24 Nov, 6–8 pm" in said[("pickup_cancelled", "en")]
    assert "キャンセル" in said[("pickup_cancelled", "ja")]


async def test_cancelling_the_return_cancels_its_pickup(client, orders, merchants, hooks):
    """A return withdrawn after its pickup was booked: the booking is cancelled (the courier is not sent),
    announced like a cancellation, and the API shows no booking."""
    page, rid = await _approved(client, orders, merchants)
    r = await _post(client, page, "", {"date": MON, "slot": "14:00-16:00", "address_choice": "order"})
    assert r.status_code == 303
    token = CSRF.search((await client.get(page)).text).group(1)
    assert (await client.post(f"{page}/cancel", data={"_csrf_token": token})).status_code == 303
    rows = await _rows()
    assert [x["status"] for x in rows] == ["cancelled"] and rows[0]["active_for"] is None
    assert [e["event"] for e in await _events() if e["event"].startswith("return.pickup_")] == [
        "return.pickup_booked", "return.pickup_cancelled"]
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert api["status"] == "cancelled" and api["pickup_booking"] is None
