"""AfterShip and EasyPost tracking webhooks -> our `{"carrier", "tracking_number", "events"}` body.
Event ids: rules.provider_event_id (the provider's own identity, else a hash of the scan itself)."""

from __future__ import annotations

from typing import Any

from orderhub.db.shipping import rules


def _location(parts: list[Any]) -> str:
    return ", ".join(str(p) for p in parts if p)[:200]


def from_aftership(payload: Any) -> dict | None:
    """AfterShip Tracking webhook (`msg` is the tracking with its `checkpoints`)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("msg"), dict):
        return None
    msg = payload["msg"]
    events = []
    carrier = rules.provider_carrier(msg.get("slug"))
    for cp in msg.get("checkpoints") or []:
        if not isinstance(cp, dict):
            continue
        status, sub = rules.aftership_status(cp.get("tag") or "", cp.get("subtag"))
        occurred = cp.get("checkpoint_time") or cp.get("created_at")
        if isinstance(occurred, str) and len(occurred) == 19:  # AfterShip's local time without offset
            occurred += "+00:00"
        location = _location([cp.get("location") or cp.get("city"), cp.get("state"), cp.get("country_iso3")])
        ev_id = rules.provider_event_id(cp.get("id"), carrier=carrier, number=msg.get("tracking_number"),
                                        occurred=occurred, status=f"{cp.get('tag')}/{cp.get('subtag')}",
                                        location=location)
        events.append({
            "id": ev_id, "status": status, "substatus": sub or None, "occurred_at": occurred, "location": location,
            "message": str(cp.get("message") or "")[:500], "carrier_code": str(cp.get("subtag") or cp.get("tag") or "")[:64],
        })
    estimate = msg.get("expected_delivery")
    courier_estimate = msg.get("courier_estimated_delivery_date")
    if not estimate and isinstance(courier_estimate, dict):
        estimate = courier_estimate.get("estimated_delivery_date")
    if events and isinstance(estimate, str):
        events[-1]["estimated_delivery"] = estimate[:10]
    return {"carrier": carrier, "tracking_number": msg.get("tracking_number"), "events": events}


def from_easypost(payload: Any) -> dict | None:
    """EasyPost Event whose `result` is a Tracker with `tracking_details`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("result"), dict):
        return None
    tracker = payload["result"]
    if tracker.get("object") not in (None, "Tracker"):
        return None
    events = []
    carrier = rules.provider_carrier(tracker.get("carrier"))
    for d in tracker.get("tracking_details") or []:
        if not isinstance(d, dict):
            continue
        status, sub = rules.easypost_status(d.get("status") or "", d.get("status_detail"))
        loc = d.get("tracking_location") or {}
        occurred = d.get("datetime")
        location = _location([loc.get("city"), loc.get("state"), loc.get("country")]) if isinstance(loc, dict) else ""
        events.append(
            {
                "id": rules.provider_event_id(d.get("id"), carrier=carrier, number=tracker.get("tracking_code"),
                                              occurred=occurred, status=f"{d.get('status')}/{d.get('status_detail')}",
                                              location=location),
                "status": status,
                "substatus": sub or None,
                "occurred_at": occurred,
                "location": location,
                "message": str(d.get("message") or "")[:500],
                "carrier_code": str(d.get("status_detail") or d.get("status") or "")[:64],
            }
        )
    if events and isinstance(tracker.get("est_delivery_date"), str):
        events[-1]["estimated_delivery"] = tracker["est_delivery_date"][:10]
    return {
        "carrier": carrier,
        "tracking_number": tracker.get("tracking_code"),
        "events": events,
    }
