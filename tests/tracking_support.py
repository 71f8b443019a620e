"""Helpers for the tracking tests: fixture shipments and events, signed webhook calls."""

from __future__ import annotations

import copy
import json
import time

from orderhub.site.webhooks import signatures
from tests.conftest import bearer, fixture


def shipment_body(name: str = "tracking/yamato_delivered.json") -> dict:
    body = copy.deepcopy(fixture(name)["shipment"])
    body.pop("id")
    return body


def events_body(name: str = "tracking/yamato_delivered.json", ids: list[str] | None = None) -> dict:
    data = fixture(name)
    events = [e for e in data["events"] if ids is None or e["id"] in ids]
    return {"carrier": data["shipment"]["carrier"], "tracking_number": data["shipment"]["tracking_number"],
            "events": events}


async def put_shipment(client, api_key, order="jp_ship", shipment="S1", name="tracking/yamato_delivered.json",
                       body=None):
    return await client.put(f"/api/v1/orders/{order}/shipments/{shipment}", json=body or shipment_body(name),
                            headers=bearer(api_key))


async def post_events(client, api_key, body):
    return await client.post("/api/v1/tracking-events", json=body, headers=bearer(api_key))


def signed(secret: str, body: dict | bytes, now: float | None = None) -> tuple[bytes, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = int(now if now is not None else time.time())
    return raw, {"X-Orderhub-Signature": signatures.sign(secret, raw, ts), "Content-Type": "application/json"}
