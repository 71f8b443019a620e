"""The staff console: sign-in (wrong password, too many tries, other store, other merchant), the
queue, finding a code, the atomic hand-over, "already picked up", undo, and who/when recorded."""

import asyncio
import datetime as dt

from orderhub.db import engine
from orderhub.db.merchants import services as merchant_services
from orderhub.db.orders.tables import Order
from orderhub.db.pickup import services
from orderhub.db.pickup.queries import PickupView
from orderhub.db.pickup.rules import Clerk
from orderhub.db.pickup.services import DeadlineRun
from orderhub.db.pickup.tables import Pickup, PickupEvent
from tests.conftest import bearer
from tests.pickup_support import PASSWORD, csrf_of, make_ready, make_staff, post_form, sign_in


async def _pickup():
    async with engine.read():
        return await Pickup.select().first()


def _code(p) -> str:
    return p["code_key"].split(":")[1]


async def _ready(client, merchants):
    await make_ready(client, merchants["yamakaze"][1])
    return await _pickup()


async def test_sign_in_and_queue(client, merchants, orders, clock):
    await _ready(client, merchants)
    await make_staff(clock)
    r = await sign_in(client)
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    html = (await client.get("/staff?lang=en")).text
    assert "Pickup queue" in html and "YK-100235" in html and "佐藤 健" in html
    assert "Ready for pickup" in html


async def test_wrong_password_and_unknown_user(client, merchants, orders, clock):
    await make_staff(clock)
    r = await sign_in(client, password="wrong password!")
    assert r.status_code == 422
    assert "orderhub-staff" not in r.headers.get("set-cookie", "")
    r = await sign_in(client, email="nobody@example.jp")
    assert r.status_code == 422
    html = (await client.get("/staff?lang=en")).text
    assert "Store staff sign-in" in html  # still signed out


async def test_too_many_tries(client, merchants, orders, clock):
    await make_staff(clock)
    codes = [(await sign_in(client, password=f"wrong-{i}-password")).status_code for i in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429
    r = await sign_in(client)  # even the right password waits now
    assert r.status_code == 429 and "Too many attempts" in r.text
    assert "orderhub-staff" not in r.headers.get("set-cookie", "")


async def test_owner_cannot_use_the_staff_console(client, merchants, orders, clock):
    await merchant_services.create_user("yamakaze", "owner@example.jp", "owner", PASSWORD, store_code=None,
                                        now=clock())
    r = await sign_in(client, email="owner@example.jp")
    assert r.status_code == 422


async def test_sign_in_needs_csrf(client, merchants, orders, clock):
    await make_staff(clock)
    r = await client.post("/staff/sign-in", data={"email": "clerk@example.jp", "password": PASSWORD})
    assert r.status_code == 403


async def test_signed_out_and_forged_sessions_see_nothing(client, merchants, orders, clock):
    p = await _ready(client, merchants)
    assert (await client.get(f"/staff/pickups/{p['id']}")).status_code == 404
    assert (await client.get("/staff/events")).status_code == 404
    client.cookies.set("orderhub-staff", "1.1795316400.abcdef0123456789.forged")
    assert "YK-100235" not in (await client.get("/staff")).text
    assert (await client.get(f"/staff/pickups/{p['id']}")).status_code == 404


async def test_find_hand_over_and_second_scan(client, merchants, orders, clock):
    p = await _ready(client, merchants)
    await make_staff(clock)
    await sign_in(client)
    r = await post_form(client, "/staff", "/staff/find", {"code": "ohp:" + _code(p).lower()})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/pickups/{p['id']}"
    detail = (await client.get(f"/staff/pickups/{p['id']}?lang=en")).text
    # the items in the clerk's language, as the shopper's hub names them
    assert "Trail Runner GTX" in detail and "トレイルランナー" not in detail and "Confirm hand-over" in detail
    japanese = (await client.get(f"/staff/pickups/{p['id']}?lang=ja")).text
    assert "トレイルランナー GTX" in japanese and "Trail Runner" not in japanese
    clock.advance(minutes=3)
    r = await post_form(client, f"/staff/pickups/{p['id']}", f"/staff/pickups/{p['id']}/hand-over", {})
    assert r.status_code == 303
    done = await _pickup()
    assert done["state"] == "picked_up" and done["picked_up_by"] == "clerk@example.jp"
    assert done["picked_up_at"] == clock()
    async with engine.read():
        order = await Order.select(Order.fulfillment_status).where(Order.id == orders["jp_pickup"].id).first()
        event = await PickupEvent.select().where(PickupEvent.kind == "picked_up").first()
    assert order["fulfillment_status"] == "picked_up"
    assert event["actor"] == "staff:clerk@example.jp" and event["at"] == clock()
    # the second scan: the code names the pickup, which says already picked up
    r = await post_form(client, "/staff", "/staff/find", {"code": _code(p)})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/pickups/{p['id']}?scan=again"
    page = await client.get(f"/staff/pickups/{p['id']}?scan=again&lang=en")
    assert "Picked up" in page.text and "Confirm hand-over" not in page.text
    assert "Already picked up." in page.text and "clerk@example.jp" in page.text
    r = await client.post(f"/staff/pickups/{p['id']}/hand-over?lang=en", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 409 and "Already picked up." in r.text
    # the shopper's page shows it
    shopper = await client.get(f"/o/{orders['jp_pickup'].token}/pickup?lang=en")
    assert "Picked up — enjoy!" in shopper.text and "<svg" not in shopper.text


async def test_hand_over_in_place_names_the_items_in_the_clerks_language(client, merchants, orders, clock):
    """The console's htmx hand-over answers the detail block alone, the items named as on the full page."""
    p = await _ready(client, merchants)
    await make_staff(clock)
    await sign_in(client)
    clock.advance(minutes=3)
    r = await post_form(client, f"/staff/pickups/{p['id']}", f"/staff/pickups/{p['id']}/hand-over?lang=en", {},
                        headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.status_code == 200 and "<html" not in r.text and "Handed over." in r.text
    assert "Trail Runner GTX" in r.text and "トレイルランナー" not in r.text


async def test_hand_over_needs_csrf(client, merchants, orders, clock):
    p = await _ready(client, merchants)
    await make_staff(clock)
    await sign_in(client)
    r = await client.post(f"/staff/pickups/{p['id']}/hand-over")
    assert r.status_code == 403
    assert (await _pickup())["state"] == "ready"


async def test_undo_within_the_window_only(client, merchants, orders, clock):
    p = await _ready(client, merchants)
    await make_staff(clock)
    await sign_in(client)
    url = f"/staff/pickups/{p['id']}"
    await post_form(client, url, f"{url}/hand-over", {})
    clock.advance(minutes=4)
    r = await post_form(client, url, f"{url}/undo", {})
    assert r.status_code == 303
    back = await _pickup()
    assert back["state"] == "ready" and back["picked_up_at"] is None
    await post_form(client, url, f"{url}/hand-over", {})
    clock.advance(minutes=6)
    r = await post_form(client, url + "?lang=en", f"{url}/undo?lang=en", {})
    assert r.status_code == 409 and "can no longer be undone" in r.text
    assert (await _pickup())["state"] == "picked_up"


async def test_other_store_and_other_merchant_are_refused(client, merchants, orders, clock):
    p = await _ready(client, merchants)
    yamakaze = merchants["yamakaze"][0]
    await merchant_services.upsert_store(
        yamakaze.id,
        "umeda",
        {
            "name": "山風アウトドア 梅田店",
            "timezone": "Asia/Tokyo",
            "address": {"postal_code": "530-0001", "region": "大阪府", "city": "大阪市", "line1": "梅田 1-1", "country": "JP"},
            "hours": [],
            "pickup_instructions": "",
            "what_to_bring": [],
            "curbside": {},
            "hold_days": 7,
        },
        now=clock(),
    )
    await make_staff(clock, store="umeda", email="umeda@example.jp")
    await make_staff(clock, slug="acme", store="soho", email="soho@example.com")
    for email in ("umeda@example.jp", "soho@example.com"):
        client.cookies.clear()
        assert (await sign_in(client, email=email)).status_code == 303
        r = await post_form(client, "/staff?lang=en", "/staff/find?lang=en", {"code": _code(p)})
        assert r.status_code == 422 and "No pickup with this code at this store." in r.text
        assert (await client.get(f"/staff/pickups/{p['id']}")).status_code == 404
        r = await post_form(client, "/staff", f"/staff/pickups/{p['id']}/hand-over", {})
        assert r.status_code == 404
        assert "YK-100235" not in (await client.get("/staff")).text
    assert (await _pickup())["state"] == "ready"


async def test_code_guessing_is_rate_limited(client, merchants, orders, clock):
    await _ready(client, merchants)
    await make_staff(clock)
    await sign_in(client)
    page = await client.get("/staff")
    token = csrf_of(page.text)
    statuses = [
        (
            await client.post(
                "/staff/find", data={"code": f"AAAA{n:04d}".replace("0", "2").replace("1", "3"), "_csrf_token": token}
            )
        ).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429


async def test_hostile_code_input(client, merchants, orders, clock):
    await make_staff(clock)
    await sign_in(client)
    for code in ("<script>alert(1)</script>", "x" * 100000, "' OR 1=1 --"):
        r = await post_form(client, "/staff?lang=en", "/staff/find?lang=en", {"code": code})
        assert r.status_code in (413, 422)
        assert "<script>alert(1)</script>" not in r.text


async def test_concurrent_hand_overs_one_wins(merchants, orders, clock, client):
    p = await _ready(client, merchants)
    staff = Clerk(merchant_id=p["merchant"], store_code="shibuya", email="a@example.jp")
    results = await asyncio.gather(*(services.hand_over(staff, p["id"], now=clock()) for _ in range(5)), return_exceptions=True)
    wins = [r for r in results if isinstance(r, PickupView)]
    assert len(wins) == 1
    assert all(
        r.code == "pickup.already_picked_up" and str(r) == "already picked up" for r in results if not isinstance(r, PickupView)
    )
    async with engine.read():
        assert await PickupEvent.count().where(PickupEvent.kind == "picked_up") == 1


async def test_arrival_appears_in_the_queue_with_bay_car_and_wait(client, merchants, orders, clock):
    await _ready(client, merchants)
    t = orders["jp_pickup"].token
    await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/here", {"bay": "P3", "car": "赤いフィット"})
    await make_staff(clock)
    await sign_in(client)
    clock.advance(minutes=7)
    r = await client.get("/staff?lang=en", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="staff-queue"')
    assert "Bay P3 · 赤いフィット" in r.text and "waiting 7 min" in r.text and "1 customer waiting" in r.text


async def test_deadline_job_reminds_then_expires(client, merchants, orders, clock):
    await _ready(client, merchants)  # deadline 2026-11-29T14:59Z
    clock.now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert await services.run_deadlines(now=clock()) == DeadlineRun()
    clock.now = dt.datetime(2026, 11, 29, 0, 0, tzinfo=dt.UTC)
    assert await services.run_deadlines(now=clock()) == DeadlineRun(reminded=[orders["jp_pickup"].id])
    assert await services.run_deadlines(now=clock()) == DeadlineRun()  # once
    clock.now = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)
    assert await services.run_deadlines(now=clock()) == DeadlineRun(expired=[orders["jp_pickup"].id])
    assert (await _pickup())["state"] == "expired"
    async with engine.read():
        kinds = [e["kind"] for e in await PickupEvent.select(PickupEvent.kind).order_by(PickupEvent.id)]
        order = await Order.select(Order.fulfillment_status).where(Order.id == orders["jp_pickup"].id).first()
    assert kinds == ["ready", "reminder", "expired"]
    assert order["fulfillment_status"] == "unfulfilled"
    r = await client.put(
        "/api/v1/orders/jp_pickup/pickup", json={"status": "cancelled"}, headers=bearer(merchants["yamakaze"][1])
    )
    assert r.status_code == 200
