"""The shopper's pickup page and the staff console give the same answer to "is this pickup final?"
in every state they can reach (both ask orderhub.db.pickup.rules through the pickup view)."""

import datetime as dt
import re

import pytest

from orderhub.db import engine
from orderhub.db.pickup import rules, services
from orderhub.db.pickup.rules import Clerk
from orderhub.db.pickup.tables import Pickup
from tests.conftest import bearer
from tests.pickup_support import make_ready, make_staff, post_form, sign_in

PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def _pickup():
    async with engine.read():
        return await Pickup.select().first()


def _final(html: str, element_id: str = "", css: str = "") -> str:
    element_id, css = element_id or "-", css or "-"
    found = re.search(rf'<[^>]*(?:id="{element_id}"|class="{css}")[^>]*data-final="(true|false)"', html)
    assert found, "no data-final on the page"
    return found.group(1)


async def _move(client, merchants, orders, clock, state):
    key = merchants["yamakaze"][1]
    t = orders["jp_pickup"].token
    if state == "preparing":
        await client.put("/api/v1/orders/jp_pickup/pickup", json={"status": "preparing"}, headers=bearer(key))
        return
    await make_ready(client, key)
    if state == "on_the_way":
        await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/on-my-way", {"eta_minutes": "10"})
    elif state == "arrived":
        await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/here", {"bay": "", "car": ""})
    elif state == "picked_up":
        p = await _pickup()
        await services.hand_over(Clerk(merchant_id=p["merchant"], store_code="shibuya", email="c@example.jp"),
                                 p["id"], now=clock())
    elif state == "cancelled":
        await client.put("/api/v1/orders/jp_pickup/pickup", json={"status": "cancelled"}, headers=bearer(key))
    elif state == "expired":
        await services.run_deadlines(now=dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize("state", ["preparing", "ready", "on_the_way", "arrived", "picked_up", "cancelled",
                                   "expired"])
async def test_shopper_and_staff_pages_agree_on_final(client, merchants, orders, clock, state):
    await _move(client, merchants, orders, clock, state)
    p = await _pickup()
    assert p["state"] == state
    final = "true" if rules.is_final(state) else "false"
    t = orders["jp_pickup"].token

    shopper = (await client.get(f"/o/{t}/pickup?lang=en")).text
    assert _final(shopper, element_id="pickup-state") == final
    assert ("data-live-connect" in shopper) is (final == "false")  # a final page stops listening
    poll = await client.get(f"/o/{t}/pickup", headers=PARTIAL)
    assert poll.status_code == (286 if final == "true" else 200)

    await make_staff(clock)
    await sign_in(client)
    staff = (await client.get(f"/staff/pickups/{p['id']}?lang=en")).text
    assert _final(staff, css="staff-detail__state") == final
    assert ("Confirm hand-over" in staff) is rules.is_collectable(state)
