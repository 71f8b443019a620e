"""Helpers for the returns tests: CSRF, the wizard walked through the test client, images."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf(client, url: str) -> str:
    r = await client.get(url)
    assert r.status_code == 200, r.text[:500]
    return CSRF.search(r.text).group(1)


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def fulfil(order_id: int | None = None, *, token: str | None = None, lines: dict[str, int] | None = None) -> None:
    """What shipping records when the parcel went out: the lines' fulfilled counters (all units, or
    `lines` {line_id: units}). Only delivered units can be asked back."""
    from orderhub.db import engine
    from orderhub.db.orders.tables import Order, OrderLine
    from orderhub.db.tokens import token_hash

    async with engine.write():
        if order_id is None:
            order_id = (await Order.select(Order.id).where(Order.token_hash == token_hash(token)).first())["id"]
        rows = await OrderLine.select(OrderLine.id, OrderLine.line_id, OrderLine.quantity).where(
            OrderLine.order == order_id)
        for row in rows:
            units = row["quantity"] if lines is None else lines.get(row["line_id"], 0)
            await OrderLine.update({OrderLine.fulfilled_quantity: units}).where(OrderLine.id == row["id"])


async def step(client, base: str, name: str, data: dict, *, htmx: bool = False, files=None):
    token = await csrf(client, f"{base}/new/{name}")
    headers = HTMX if htmx else {}
    return await client.post(f"{base}/new/{name}", data={"_csrf_token": token, **data}, files=files, headers=headers)


def png(size=(40, 30), color=(200, 30, 30), exif_gps: bool = False, fmt: str = "PNG") -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        gps = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 41.0, 59.0)}
        exif[0x8825] = gps
        img.save(buf, fmt, exif=exif.tobytes())
    else:
        img.save(buf, fmt)
    return buf.getvalue()


async def walk(client, base: str, *, items: dict, reason="too_small", resolution="refund", method="drop_off",
               htmx=False, photo: bytes | None = None, store_code="", delivered: bool = True):
    if delivered:  # the shopper's parcel arrived: every unit was fulfilled
        await fulfil(token=base.split("/")[2])
    r = await step(client, base, "items", {f"qty_{k}": str(v) for k, v in items.items()}, htmx=htmx)
    assert r.status_code in (200, 303), r.text[:800]
    files = {"photo": ("photo.png", photo, "image/png")} if photo else None
    r = await step(client, base, "reason", {"reason": reason, "comment": "<b>too tight</b>"}, htmx=htmx, files=files)
    assert r.status_code in (200, 303), r.text[:800]
    r = await step(client, base, "resolution", {"resolution": resolution}, htmx=htmx)
    assert r.status_code in (200, 303), r.text[:800]
    r = await step(client, base, "method", {"method": method, "store_code": store_code}, htmx=htmx)
    assert r.status_code in (200, 303), r.text[:800]
    review = await client.get(f"{base}/new/review")
    assert review.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)
    token = CSRF.search(review.text).group(1)
    r = await client.post(f"{base}/new/submit", data={"_csrf_token": token, "idempotency_key": key},
                          headers=HTMX if htmx else {})
    return r, review, key, token


@pytest.fixture
async def hooks(merchants, clock):
    """A webhook endpoint of yamakaze's, so its webhooks are queued (import it as a fixture)."""
    from orderhub.db.outbox import services as outbox

    await outbox.add_endpoint(merchants["yamakaze"][0].id, "https://hooks.example.com/r", now=clock())


@pytest.fixture
async def delivered(orders):
    """The jp_ship and us_ship fixture orders delivered (import it, then use it autouse in a module:
    `pytestmark = pytest.mark.usefixtures("delivered")`)."""
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)
