"""Provider adapters key each scan by what it is, not where it sits in the list (issue 18, item 9):
a resend with one earlier scan added stores exactly 1 new event; the same scans reordered store none."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from base64 import b64encode

from orderhub.db.shipping.tables import TrackingEvent
from tests.integration.test_tracking_api import count
from tests.tracking_support import put_shipment

AFTERSHIP_EARLIER = {"checkpoint_time": "2026-11-17T20:00:00+09:00", "tag": "InTransit", "subtag": "InTransit_002",
                     "message": "荷物を受け付けました", "location": "世田谷営業所"}
EASYPOST_EARLIER = {"status": "in_transit", "message": "Departed", "datetime": "2026-11-15T08:00:00Z",
                    "tracking_location": {"city": "Newark", "state": "NJ", "country": "US"}}


def aftership(checkpoints: list[dict]) -> dict:
    return {"event": "tracking_update", "msg": {
        "id": "as-1", "slug": "yamato-transport", "tracking_number": "401234567890", "tag": "InTransit",
        "checkpoints": checkpoints}}


def easypost(details: list[dict]) -> dict:
    return {"object": "Event", "result": {"object": "Tracker", "id": "trk_1", "tracking_code": "1Z999AA10123456784",
                                          "carrier": "UPS", "status": "in_transit", "tracking_details": details}}


async def _aftership(client, secret, payload):
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    r = await client.post("/webhooks/aftership/yamakaze", content=raw, headers={"aftership-hmac-sha256": sig})
    assert r.status_code == 200, r.text
    return r.json()


async def _easypost(client, secret, payload):
    raw = json.dumps(payload).encode()
    sig = "hmac-sha256-hex=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    r = await client.post("/webhooks/easypost/acme", content=raw, headers={"X-Hmac-Signature": sig})
    assert r.status_code == 200, r.text
    return r.json()


async def test_aftership_resends_and_reordering_store_each_scan_once(client, merchants, orders):
    _, key, secret = merchants["yamakaze"]
    await put_shipment(client, key)
    scans = [
        {"checkpoint_time": "2026-11-18T07:00:00+09:00", "tag": "InTransit", "subtag": "InTransit_001",
         "message": "輸送中", "location": "厚木ゲートウェイ"},
        {"checkpoint_time": "2026-11-19T09:00:00+09:00", "tag": "OutForDelivery", "subtag": "OutForDelivery_001",
         "message": "配達中", "location": "渋谷センター"},
    ]
    assert await _aftership(client, secret, aftership(scans)) == {"accepted": 2, "duplicates": 0}
    assert await _aftership(client, secret, aftership([AFTERSHIP_EARLIER, *scans])) == {"accepted": 1, "duplicates": 2}
    assert await _aftership(client, secret, aftership([scans[1], AFTERSHIP_EARLIER, scans[0]])) == \
        {"accepted": 0, "duplicates": 3}
    assert await count(TrackingEvent) == 3
    # the same scan seen at another place is another scan
    moved = copy.deepcopy(scans[0]) | {"location": "羽田クロノゲート"}
    assert (await _aftership(client, secret, aftership([moved])))["accepted"] == 1


async def test_easypost_resends_and_reordering_store_each_scan_once(client, merchants, orders):
    _, key, secret = merchants["acme"]
    await put_shipment(client, key, order="us_ship", name="tracking/ups_delayed.json")
    scans = [
        {"status": "pre_transit", "message": "Label created", "datetime": "2026-11-13T16:00:00Z",
         "tracking_location": {"city": "Secaucus", "state": "NJ", "country": "US"}},
        {"status": "in_transit", "message": "Arrived", "datetime": "2026-11-16T13:02:00Z",
         "tracking_location": {"city": "New York", "state": "NY", "country": "US"}},
    ]
    assert await _easypost(client, secret, easypost(scans)) == {"accepted": 2, "duplicates": 0}
    assert await _easypost(client, secret, easypost([scans[0], EASYPOST_EARLIER, scans[1]])) == \
        {"accepted": 1, "duplicates": 2}
    assert await _easypost(client, secret, easypost(list(reversed([scans[0], EASYPOST_EARLIER, scans[1]])))) == \
        {"accepted": 0, "duplicates": 3}
    assert await count(TrackingEvent) == 3
