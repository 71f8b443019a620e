"""Demo step: partner drop-off points beside the demo merchants' stores (a convenience store and a
post office near the Tokyo store; a parcel locker and a post office in New York), added through
the same service as the admin's form."""

from __future__ import annotations

from orderhub.db import demo_context as demo
from orderhub.db.returns import dropoff

POINTS = {
    "yamakaze": [
        {"kind": "convenience_store", "name": "ファミリーマート 宇田川町店", "name_en": "FamilyMart Udagawacho",
         "timezone": "Asia/Tokyo", "note": "レジで返品コードをお見せください。",
         "note_en": "Show the return code at the till.",
         "address": {"postal_code": "150-0042", "region": "東京都", "city": "渋谷区", "line1": "宇田川町 33-1",
                     "country": "JP"},
         "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}]},
        {"kind": "post_office", "name": "渋谷郵便局", "name_en": "Shibuya Post Office", "timezone": "Asia/Tokyo",
         "address": {"postal_code": "150-8799", "region": "東京都", "city": "渋谷区", "line1": "渋谷 1-12-13",
                     "country": "JP"},
         "hours": [{"days": "mon-fri", "open": "09:00", "close": "19:00"},
                   {"days": "sat", "open": "09:00", "close": "15:00"}]},
    ],
    "acme": [
        {"kind": "locker", "name": "Hudson St parcel locker", "timezone": "America/New_York",
         "note": "Scan the QR code on the locker screen.",
         "address": {"postal_code": "10014", "region": "NY", "city": "New York", "line1": "350 Hudson St",
                     "country": "US"},
         "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}]},
        {"kind": "post_office", "name": "Brooklyn Main Post Office", "timezone": "America/New_York",
         "address": {"postal_code": "11201", "region": "NY", "city": "Brooklyn", "line1": "271 Cadman Plaza E",
                     "country": "US"},
         "hours": [{"days": "mon-fri", "open": "09:00", "close": "19:00"}, {"days": "sat", "open": "09:00", "close": "16:00"}]},
    ],
}


async def partner_points(ctx: demo.DemoContext) -> None:
    for slug, points in POINTS.items():
        merchant = ctx.merchants.get(slug)
        if merchant is None or await dropoff.points(merchant.id):
            continue
        for body in points:
            await dropoff.add_point(merchant.id, body, now=ctx.now)
