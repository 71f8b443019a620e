"""The shopper's pickup section: what it shows, "on my way" / "I'm here", alternate person, safety."""

import datetime as dt
import re

from orderhub.db import engine
from orderhub.db.orders.queries import load_hub
from orderhub.db.pickup.tables import Pickup
from orderhub.site.confirmation.summary import hub_summary
from tests.conftest import bearer
from tests.pickup_support import csrf_of, make_ready, make_staff, post_form, sign_in


async def _pickup():
    async with engine.read():
        return await Pickup.select().first()


async def test_ready_page_shows_store_hours_code_and_qr(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    r = await client.get(f"/o/{t}/pickup?lang=en")
    assert r.status_code == 200
    html = r.text
    p = await _pickup()
    code = p["code_key"].split(":")[1]
    assert f"{code[:4]}-{code[4:]}" in html
    assert "<svg" in html and 'class="qr"' in html
    assert "Your order is ready for pickup" in html
    assert "We hold it for you until Nov 29, 2026, 11:59 PM" in html  # store time (Tokyo)
    assert "Today 10:00–20:00" in html  # Sunday 12:00 in Tokyo
    assert "宇田川町 10-1" in html and "https://www.openstreetmap.org/search?query=" in html
    assert "P1" in html and "Photo ID" in html and "ご本人確認書類" not in html  # the store's English words
    assert "I&#39;m here" in html or "I'm here" in html
    assert t not in re.findall(r'value="([^"]*)"', html)  # the hub token is not the pickup code
    assert code not in t


async def test_japanese_page(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    r = await client.get(f"/o/{orders['jp_pickup'].token}/pickup")
    assert r.status_code == 200 and 'lang="ja"' in r.text
    assert "受け取りの準備ができました" in r.text


async def test_before_ready_there_is_no_code(client, merchants, orders):
    r = await client.get(f"/o/{orders['jp_pickup'].token}/pickup?lang=en")
    assert r.status_code == 200
    assert "We've received your order" in r.text or "We&#39;ve received your order" in r.text
    assert "<svg" not in r.text and "on-my-way" not in r.text
    assert await _pickup() is None  # GET created nothing


async def test_get_never_changes_state(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    for path in ("", "/here", "/on-my-way", "/alternate"):
        await client.get(f"/o/{t}/pickup{path}")
    assert (await _pickup())["state"] == "ready"


async def test_on_my_way_then_here_with_bay_and_car(client, merchants, orders, clock):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    page = f"/o/{t}/pickup?lang=en"
    r = await post_form(client, page, f"/o/{t}/pickup/on-my-way", {"eta_minutes": "15"})
    assert r.status_code == 303 and r.headers["location"] == f"/o/{t}/pickup"
    p = await _pickup()
    assert p["state"] == "on_the_way" and p["eta"] == clock() + dt.timedelta(minutes=15)
    clock.advance(minutes=14)
    r = await post_form(client, page, f"/o/{t}/pickup/here", {"bay": "P2", "car": "White Prius 品川 300 あ 12-34"})
    assert r.status_code == 303
    p = await _pickup()
    assert (p["state"], p["bay"], p["car"], p["arrived_at"]) == ("arrived", "P2", "White Prius 品川 300 あ 12-34",
                                                                  clock())
    html = (await client.get(page)).text
    assert "Bay P2 · White Prius" in html and "someone is coming" in html


async def test_htmx_post_answers_the_block(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    page = await client.get(f"/o/{t}/pickup?lang=en")
    r = await client.post(f"/o/{t}/pickup/here?lang=en", data={"bay": "", "car": ""},
                          headers={"x-csrftoken": csrf_of(page.text), "HX-Request": "true",
                                   "HX-Request-Type": "partial"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="pickup-state"') and "<html" not in r.text
    assert (await _pickup())["state"] == "arrived"


async def test_validation_errors_are_shown_next_to_fields(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    page = f"/o/{t}/pickup?lang=en"
    r = await post_form(client, page, f"/o/{t}/pickup/here?lang=en", {"bay": "P9", "car": "x"})
    assert r.status_code == 422 and "Choose one of the bays." in r.text
    r = await post_form(client, page, f"/o/{t}/pickup/here?lang=en", {"bay": "P1", "car": ""})
    assert r.status_code == 422 and "Describe your car" in r.text
    r = await post_form(client, page, f"/o/{t}/pickup/here?lang=en", {"bay": "P1", "car": "x" * 5000})
    assert r.status_code == 422 and "That is too long" in r.text
    r = await post_form(client, page, f"/o/{t}/pickup/on-my-way?lang=en", {"eta_minutes": "-5"})
    assert r.status_code == 422 and "Choose when you will arrive." in r.text
    assert (await _pickup())["state"] == "ready"


async def test_hostile_input_is_escaped(client, merchants, orders, clock):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    evil = '<img src=x onerror=alert(1)>"'
    r = await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/here", {"bay": "P1", "car": evil})
    assert r.status_code == 303
    r = await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/alternate", {"alternate_name": evil})
    assert r.status_code == 303
    html = (await client.get(f"/o/{t}/pickup")).text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    await make_staff(clock)
    await sign_in(client)
    staff = (await client.get("/staff")).text
    assert "<img src=x" not in staff and "&lt;img src=x" in staff


async def test_alternate_person(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    r = await post_form(client, f"/o/{t}/pickup?lang=en", f"/o/{t}/pickup/alternate", {"alternate_name": "佐藤 花子"})
    assert r.status_code == 303
    assert (await _pickup())["alternate_name"] == "佐藤 花子"
    assert "佐藤 花子 may pick up this order for you." in (await client.get(f"/o/{t}/pickup?lang=en")).text


async def test_missing_csrf_is_refused(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    for path in ("/here", "/on-my-way", "/alternate"):
        r = await client.post(f"/o/{t}/pickup{path}", data={"eta_minutes": "5", "alternate_name": "x"})
        assert r.status_code == 403
    assert (await _pickup())["state"] == "ready"


async def test_bad_tokens_and_shipped_orders_are_404(client, merchants, orders):
    bad = orders["jp_pickup"].token[:-1] + ("A" if orders["jp_pickup"].token[-1] != "A" else "B")
    assert (await client.get(f"/o/{bad}/pickup")).status_code == 404
    assert (await client.get("/o/nope/pickup")).status_code == 404
    assert (await client.get(f"/o/{orders['jp_ship'].token}/pickup")).status_code == 404
    assert (await client.get(f"/o/{orders['jp_ship'].token}/pickup/events")).status_code == 404


async def test_the_shopper_cannot_hand_over(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    t = orders["jp_pickup"].token
    page = await client.get(f"/o/{t}/pickup")
    token = csrf_of(page.text)
    for path in (f"/o/{t}/pickup/hand-over", f"/o/{t}/pickup/picked-up", "/staff/pickups/1/hand-over"):
        r = await client.post(path, data={"_csrf_token": token})
        assert r.status_code in (404, 405), path
    assert (await _pickup())["state"] == "ready"


async def test_closed_pickup_refuses_shopper_moves(client, merchants, orders):
    await make_ready(client, merchants["yamakaze"][1])
    await client.put("/api/v1/orders/jp_pickup/pickup", json={"status": "cancelled"},
                     headers=bearer(merchants["yamakaze"][1]))
    t = orders["jp_pickup"].token
    page = await client.get(f"/o/{t}/pickup?lang=en")
    assert "This pickup was cancelled" in page.text and "<svg" not in page.text
    r = await client.post(f"/o/{t}/pickup/here?lang=en", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 409 and "not ready for pickup" in r.text
    assert (await _pickup())["state"] == "cancelled"


async def test_partial_poll_of_a_final_page_stops_polling(client, merchants, orders):
    await client.put("/api/v1/orders/jp_pickup/pickup", json={"status": "cancelled"},
                     headers=bearer(merchants["yamakaze"][1]))
    r = await client.get(f"/o/{orders['jp_pickup'].token}/pickup",
                         headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert r.status_code == 286 and "hx-get" not in r.text


async def test_confirmation_page_hears_the_pickup_state(client, merchants, orders):
    import orderhub.site.pickup.routes  # noqa: F401  (registers the provider)

    await make_ready(client, merchants["yamakaze"][1])
    hub = await load_hub(orders["jp_pickup"].token, client._transport.app.state.token_key)
    async with engine.read():
        summary = await hub_summary(hub)
    assert summary["pickup_state"] == "ready"
    assert (await client.get(f"/o/{orders['jp_pickup'].token}")).status_code == 200
