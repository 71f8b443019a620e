"""Uploads bounded in parallel and per link (issue 18, item 1): the process decodes at most
`uploads.DECODE_SLOTS` pictures at once (the next waits briefly, then answers 503 with Retry-After),
and one hub link may send only so many pictures per hour, whichever worker takes them."""

from __future__ import annotations

import pytest

from orderhub.site import uploads
from tests.returns_support import fulfil, png, step


@pytest.fixture(autouse=True)
async def _delivered(orders):
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)


async def test_when_every_decoding_slot_is_taken_an_upload_answers_503(client, orders, monkeypatch):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    monkeypatch.setattr(uploads, "DECODE_WAIT_SECONDS", 0.2)
    held = 0
    try:
        while uploads._slots.acquire(blocking=False):  # other uploads are decoding
            held += 1
        assert held == uploads.DECODE_SLOTS
        r = await step(client, base, "reason", {"reason": "damaged"},
                       files={"photo": ("p.png", png(), "image/png")})
        assert r.status_code == 503 and r.headers["retry-after"].isdigit()
        assert "ただいま混み合っています" in r.text  # the order's language
    finally:
        for _ in range(held):
            uploads._slots.release()
    r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("p.png", png(), "image/png")})
    assert r.status_code == 303


async def test_one_link_may_send_only_so_many_pictures(client, orders, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOADS_PER_LINK", 2)
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    for _ in range(2):
        r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("p.png", png(), "image/png")})
        assert r.status_code == 303
    r = await step(client, base, "reason", {"reason": "damaged"}, files={"photo": ("p.png", png(), "image/png")})
    assert r.status_code == 422 and "このリンクから短時間に多くの写真が送られました" in r.text
    # another order's link has its own budget
    other = f"/o/{orders['us_ship'].token}/returns"
    await step(client, other, "items", {"qty_1": "1"})
    r = await step(client, other, "reason", {"reason": "damaged"}, files={"photo": ("p.png", png(), "image/png")})
    assert r.status_code == 303
