"""Decision tables for db/shipping/rules.py (pure: no database, no wall clock)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from orderhub.db.shipping import rules

UTC = dt.UTC


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def ev(eid: str, status: str, day: int, hour: int = 12, sub: str = "", eta: dt.date | None = None) -> dict:
    return {"event_id": eid, "status": status, "substatus": sub, "occurred_at": at(day, hour), "estimated_delivery": eta}


@pytest.mark.parametrize("events, status, substatus", [
    ([], "pending", ""),
    ([ev("a", "info_received", 10)], "info_received", ""),
    ([ev("a", "info_received", 10), ev("b", "in_transit", 11)], "in_transit", ""),
    # a late arrival keeps its place: the latest by occurred_at decides, not the latest received
    ([ev("b", "out_for_delivery", 12), ev("a", "in_transit", 11)], "out_for_delivery", ""),
    ([ev("a", "in_transit", 11), ev("b", "exception", 12, sub="weather")], "exception", "weather"),
    ([ev("a", "exception", 11, sub="weather"), ev("b", "in_transit", 12)], "in_transit", ""),
    # the same instant: the further status wins
    ([ev("a", "delivered", 12), ev("b", "out_for_delivery", 12)], "delivered", ""),
    # a stray scan after delivery never moves the shipment backwards
    ([ev("a", "delivered", 12), ev("b", "in_transit", 13)], "delivered", ""),
    ([ev("a", "delivered", 12), ev("b", "out_for_delivery", 14)], "delivered", ""),
    # ... but a return after delivery is believed
    ([ev("a", "delivered", 12), ev("b", "returned_to_sender", 15)], "returned_to_sender", ""),
    ([ev("a", "out_for_delivery", 12), ev("b", "failed_attempt", 13, sub="recipient_unavailable")],
     "failed_attempt", "recipient_unavailable"),
])
def test_current_status(events, status, substatus):
    state = rules.current_state(events, None)
    assert (state.status, state.substatus) == (status, substatus)


def test_any_order_of_events_ends_in_the_same_state():
    events = [ev("1", "info_received", 10), ev("2", "in_transit", 11), ev("3", "exception", 12, sub="weather",
              eta=dt.date(2026, 11, 16)), ev("4", "out_for_delivery", 14), ev("5", "delivered", 14, 15)]
    expected = rules.current_state(events, dt.date(2026, 11, 13))
    for perm in itertools.permutations(events):
        assert rules.current_state(list(perm), dt.date(2026, 11, 13)) == expected
    assert expected.status == "delivered" and expected.estimate == dt.date(2026, 11, 16)
    assert expected.delivered_at == at(14, 15)


def test_timeline_is_newest_first_with_late_arrivals_in_place():
    events = [ev("b", "in_transit", 12), ev("c", "out_for_delivery", 13), ev("a", "info_received", 10)]
    assert [e["event_id"] for e in rules.timeline(events)] == ["c", "b", "a"]


@pytest.mark.parametrize("first, current, change", [
    (None, None, None), (dt.date(2026, 11, 17), None, None), (dt.date(2026, 11, 17), dt.date(2026, 11, 17), None),
    (dt.date(2026, 11, 17), dt.date(2026, 11, 19), "later"), (dt.date(2026, 11, 17), dt.date(2026, 11, 16), "earlier"),
])
def test_estimate_change(first, current, change):
    assert rules.estimate_change(first, current) == change


@pytest.mark.parametrize("status, estimate, now, tz, late", [
    ("in_transit", None, at(20), "UTC", False),
    ("in_transit", dt.date(2026, 11, 19), at(19, 23), "UTC", False),          # the estimate day itself: not late
    ("in_transit", dt.date(2026, 11, 19), at(20, 1), "UTC", True),
    ("in_transit", dt.date(2026, 11, 19), at(19, 16), "Asia/Tokyo", True),    # already the 20th in Tokyo
    ("in_transit", dt.date(2026, 11, 19), at(20, 3), "America/New_York", False),  # still the 19th in New York
    ("delivered", dt.date(2026, 11, 19), at(25), "UTC", False),
    ("exception", dt.date(2026, 11, 19), at(25), "UTC", True),
    ("returned_to_sender", dt.date(2026, 11, 19), at(25), "UTC", False),
])
def test_late(status, estimate, now, tz, late):
    assert rules.is_late(status, estimate, now, tz) is late


@pytest.mark.parametrize("start, end, days", [
    (dt.date(2026, 11, 20), dt.date(2026, 11, 20), 0),   # same day
    (dt.date(2026, 11, 20), dt.date(2026, 11, 23), 1),   # Fri -> Mon: only Monday counts
    (dt.date(2026, 11, 16), dt.date(2026, 11, 20), 4),   # Mon -> Fri
    (dt.date(2026, 11, 20), dt.date(2026, 11, 27), 5),
    (dt.date(2026, 11, 21), dt.date(2026, 11, 22), 0),   # Sat -> Sun
    (dt.date(2026, 11, 23), dt.date(2026, 11, 20), 0),   # backwards
])
def test_business_days(start, end, days):
    assert rules.business_days_between(start, end) == days


def test_business_days_skip_holidays():
    assert rules.business_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 24),
                                       frozenset({dt.date(2026, 11, 23)})) == 1


@pytest.mark.parametrize("status, last, now, stalled", [
    ("info_received", at(20, 3), at(24, 3), False),   # label Fri; Mon, Tue = 2 business days
    ("info_received", at(20, 3), at(25, 3), True),    # Mon, Tue, Wed = 3
    ("in_transit", at(16, 3), at(19, 3), True),       # Tue, Wed, Thu
    ("in_transit", at(16, 3), at(18, 3), False),
    ("delivered", at(1), at(25), False),
    ("available_for_pickup", at(1), at(25), False),   # waiting for the shopper, not stalled
    ("pending", None, at(25), False),
])
def test_stalled(status, last, now, stalled):
    assert rules.is_stalled(status, last, now, "UTC") is stalled


@pytest.mark.parametrize("views, stalled, late, anxious", [
    (2, True, False, False), (3, True, False, True), (3, False, True, True), (10, False, False, False),
])
def test_anxious(views, stalled, late, anxious):
    assert rules.is_anxious(views, stalled, late) is anxious


ORDERED = {"L1": 1, "L2": 2}


@pytest.mark.parametrize("current, shipped, delivered, result", [
    ("unfulfilled", {}, {}, "unfulfilled"),
    ("unfulfilled", {"L1": 1}, {}, "partially_shipped"),
    ("unfulfilled", {"L1": 1, "L2": 2}, {}, "shipped"),
    ("unfulfilled", {"L1": 1, "L2": 2}, {"L1": 1}, "shipped"),
    ("shipped", {"L1": 1, "L2": 2}, {"L1": 1, "L2": 2}, "delivered"),
    ("delivered", {"L1": 1}, {}, "delivered"),              # never backwards
    ("shipped", {"L1": 1}, {}, "shipped"),
    ("cancelled", {"L1": 1, "L2": 2}, {"L1": 1, "L2": 2}, "cancelled"),  # not ours to move
    ("returned", {"L1": 1, "L2": 2}, {"L1": 1, "L2": 2}, "returned"),
])
def test_fulfillment_status(current, shipped, delivered, result):
    assert rules.fulfillment_status(current, ORDERED, shipped, delivered) == result


@pytest.mark.parametrize("carrier, number, url", [
    ("yamato", "4012-3456-7890", "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=401234567890"),
    ("sagawa", "1234 5678 9012", "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=123456789012"),
    ("japan_post", "EJ123456789JP", "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=EJ123456789JP"),
    ("ups", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
    ("fedex", "123456789012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"),
    ("usps", "9400111899223197428490", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"),
    ("dhl", "1234567890", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=1234567890"),
    ("Kuroneko", "4012-3456-7890", "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=401234567890"),
    ("local-courier", "ABC12345", None),
])
def test_carrier_urls(carrier, number, url):
    assert rules.carrier_url(carrier, number) == url


@pytest.mark.parametrize(
    "tag, subtag, mapped",
    [
        ("InfoReceived", None, ("info_received", "")),
        ("InTransit", "InTransit_001", ("in_transit", "")),
        ("OutForDelivery", None, ("out_for_delivery", "")),
        ("AttemptFail", "AttemptFail_002", ("failed_attempt", "recipient_unavailable")),
        ("Delivered", "Delivered_002", ("delivered", "delivered_to_locker")),
        ("Exception", "Exception_009", ("exception", "weather")),
        ("Exception", "Exception_006", ("exception", "customs_hold")),
        ("Exception", "Exception_011", ("returned_to_sender", "")),
        ("AvailableForPickup", None, ("available_for_pickup", "")),
        ("Expired", None, ("expired", "")),
        ("Pending", None, ("pending", "")),
        ("SomethingNew", None, ("in_transit", "")),
    ],
)
def test_aftership_tags(tag, subtag, mapped):
    assert rules.aftership_status(tag, subtag) == mapped


@pytest.mark.parametrize(
    "status, detail, mapped",
    [
        ("pre_transit", None, ("info_received", "")),
        ("in_transit", "weather_delay", ("in_transit", "weather")),
        ("out_for_delivery", None, ("out_for_delivery", "")),
        ("delivered", None, ("delivered", "")),
        ("return_to_sender", None, ("returned_to_sender", "")),
        ("failure", "address_not_found", ("exception", "address_issue")),
        ("available_for_pickup", None, ("available_for_pickup", "")),
        ("unknown", None, ("pending", "")),
        ("cancelled", None, ("expired", "")),
        ("error", None, ("exception", "")),
    ],
)
def test_easypost_statuses(status, detail, mapped):
    assert rules.easypost_status(status, detail) == mapped


@pytest.mark.parametrize(
    "body, field",
    [
        ("x", "body"),
        ({"carrier": "", "tracking_number": "12345", "events": []}, "carrier"),
        ({"carrier": "ups", "tracking_number": "<b>", "events": []}, "tracking_number"),
        ({"carrier": "ups", "tracking_number": "12345", "events": {}}, "events"),
        (
            {
                "carrier": "ups",
                "tracking_number": "12345",
                "events": [{"id": "a", "status": "teleported", "occurred_at": "2026-11-01T00:00:00Z"}],
            },
            "events[0].status",
        ),
        (
            {
                "carrier": "ups",
                "tracking_number": "12345",
                "events": [{"id": "a", "status": "in_transit", "occurred_at": "2026-11-01T00:00:00"}],
            },
            "events[0].occurred_at",
        ),
        (
            {
                "carrier": "ups",
                "tracking_number": "12345",
                "events": [{"id": "", "status": "in_transit", "occurred_at": "2026-11-01T00:00:00Z"}],
            },
            "events[0].id",
        ),
        (
            {
                "carrier": "ups",
                "tracking_number": "12345",
                "events": [{"id": "a", "status": "in_transit", "occurred_at": "2026-11-01T00:00:00Z", "message": "x" * 501}],
            },
            "events[0].message",
        ),
    ],
)
def test_read_events_refuses(body, field):
    data, errors = rules.read_events(body)
    assert data == {} and field in [e["field"] for e in errors]


@pytest.mark.parametrize(
    "lines, others, field",
    [
        ([{"line_id": "L9", "quantity": 1}], {}, "lines[0].line_id"),
        ([{"line_id": "L1", "quantity": 0}], {}, "lines[0].quantity"),
        ([{"line_id": "L1", "quantity": 2}], {}, "lines[0].quantity"),
        ([{"line_id": "L2", "quantity": 2}], {"L2": 1}, "lines[0].quantity"),
        ([{"line_id": "L1", "quantity": 1}, {"line_id": "L1", "quantity": 1}], {}, "lines[1].line_id"),
        ([], {}, "lines"),
    ],
)
def test_read_shipment_refuses(lines, others, field):
    body = {"carrier": "yamato", "tracking_number": "4012-3456-7890", "lines": lines}
    data, errors = rules.read_shipment(body, ORDERED, others)
    assert field in [e["field"] for e in errors]


def test_items_summary():
    summary = rules.items_summary([("delivered", 2), ("in_transit", 1), ("pending", 4)], 7)
    assert (summary.delivered, summary.shipped, summary.total, summary.all_delivered) == (2, 3, 7, False)
    assert rules.items_summary([("delivered", 2)], 2).all_delivered


# --- the status vocabulary: one home, asked by the views and the tracking page ---------------------


@pytest.mark.parametrize(
    "status, late, stalled, tone",
    [
        ("delivered", False, False, "good"),
        ("delivered", True, True, "good"),  # delivered is good news, whatever the estimate said
        ("available_for_pickup", False, False, "good"),
        ("available_for_pickup", True, False, "warn"),
        ("exception", False, False, "warn"),
        ("failed_attempt", False, False, "warn"),
        ("returned_to_sender", False, False, "warn"),
        ("expired", False, False, "warn"),
        ("in_transit", False, False, "info"),
        ("in_transit", False, True, "warn"),
        ("out_for_delivery", True, False, "warn"),
        ("pending", False, False, "info"),
    ],
)
def test_tone(status, late, stalled, tone):
    assert rules.tone(status, late, stalled) == tone


def test_every_status_is_in_the_vocabulary_sets_it_should_be():
    assert set(rules.PROGRESS) == set(rules.STATUSES)
    assert rules.FINAL <= set(rules.STATUSES) and rules.TROUBLE <= set(rules.STATUSES)
    assert set(rules.NOTIFICATIONS) <= set(rules.STATUSES)
    assert [s for s in rules.STATUSES if rules.in_trouble(s)] == ["failed_attempt", "exception", "returned_to_sender", "expired"]
    assert [s for s in rules.STATUSES if rules.is_final(s)] == ["delivered", "returned_to_sender", "expired"]
    assert [s for s in rules.STATUSES if not rules.counts_as_shipped(s)] == ["pending", "returned_to_sender", "expired"]


@pytest.mark.parametrize(
    "old, new, event",
    [
        (("in_transit", ""), ("out_for_delivery", ""), "shipment.out_for_delivery"),
        (("out_for_delivery", ""), ("delivered", ""), "shipment.delivered"),
        (("in_transit", ""), ("exception", "weather"), "shipment.exception"),
        (("exception", "weather"), ("exception", "customs_hold"), "shipment.exception"),  # a new problem
        (("exception", "weather"), ("exception", "weather"), None),  # nothing changed
        (("delivered", ""), ("returned_to_sender", ""), "shipment.exception"),
        (("in_transit", ""), ("failed_attempt", ""), "shipment.failed_attempt"),
        (("in_transit", ""), ("available_for_pickup", ""), "shipment.available_for_pickup"),
        (("info_received", ""), ("in_transit", ""), None),
    ],
)
def test_notification_for_a_move(old, new, event):
    assert rules.notification(*old, *new) == event


def test_delay_is_told_only_while_on_the_way():
    d = dt.date
    assert rules.is_delay(d(2026, 11, 18), d(2026, 11, 20), "in_transit")
    assert not rules.is_delay(d(2026, 11, 18), d(2026, 11, 17), "in_transit")
    assert not rules.is_delay(None, d(2026, 11, 20), "in_transit")
    assert not rules.is_delay(d(2026, 11, 18), d(2026, 11, 20), "delivered")


def test_keys_are_scoped_and_normalised():
    assert rules.tracking_key(7, "Kuroneko", "4012-3456 7890") == "7:yamato:401234567890"
    assert rules.shipment_key(42, "S1") == "42:S1"
    assert rules.event_key(5, "ev-1") == "5:ev-1"


@pytest.mark.parametrize(
    "slug, carrier",
    [
        ("yamato-transport", "yamato"),
        ("taqbin-jp", "yamato"),
        ("DHLExpress", "dhl"),
        ("UPS", "ups"),
        ("Japan Post", "japan_post"),
        (None, ""),
    ],
)
def test_provider_courier_slugs(slug, carrier):
    assert rules.provider_carrier(slug) == carrier
