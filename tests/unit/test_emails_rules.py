"""Good manners and plumbing of transactional emails as decision tables (the clock is a parameter)."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.emails import rules

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(("now", "tz", "start", "end", "urgent", "expected"), [
    # Tokyo, quiet 21:00-08:00
    ("2026-11-22T12:00:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-22T12:00:00+09:00"),
    ("2026-11-22T20:59:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-22T20:59:00+09:00"),
    ("2026-11-22T21:00:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-23T08:00:00+09:00"),
    ("2026-11-22T23:30:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-23T08:00:00+09:00"),
    ("2026-11-23T03:00:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-23T08:00:00+09:00"),
    ("2026-11-23T08:00:00+09:00", "Asia/Tokyo", "21:00", "08:00", False, "2026-11-23T08:00:00+09:00"),
    # urgent messages never wait
    ("2026-11-22T23:30:00+09:00", "Asia/Tokyo", "21:00", "08:00", True, "2026-11-22T23:30:00+09:00"),
    # a window that does not wrap midnight
    ("2026-11-22T13:30:00+09:00", "Asia/Tokyo", "13:00", "14:00", False, "2026-11-22T14:00:00+09:00"),
    ("2026-11-22T14:30:00+09:00", "Asia/Tokyo", "13:00", "14:00", False, "2026-11-22T14:30:00+09:00"),
    # no quiet hours
    ("2026-11-22T23:30:00+09:00", "Asia/Tokyo", "00:00", "00:00", False, "2026-11-22T23:30:00+09:00"),
    # New York, across the end of daylight saving time (2026-11-01): 08:00 EST is 13:00 UTC
    ("2026-11-01T01:30:00-04:00", "America/New_York", "21:00", "08:00", False, "2026-11-01T08:00:00-05:00"),
    ("2026-11-21T22:00:00-05:00", "America/New_York", "21:00", "08:00", False, "2026-11-22T08:00:00-05:00"),
])
def test_quiet_hours(now, tz, start, end, urgent, expected):
    assert rules.send_at(at(now), tz, start, end, urgent=urgent) == at(expected)


NOW = at("2026-11-22T12:00:00+00:00")


@pytest.mark.parametrize(("kind", "hours_ago", "every", "expected"), [
    ("delayed", [], 24, False),
    ("delayed", [3], 24, True),
    ("delayed", [25], 24, False),
    ("delayed", [24], 24, False),            # exactly N hours ago: allowed again
    ("arriving_today", [23.9], 24, True),
    ("arriving_tomorrow", [1], 0, False),    # 0: no throttling
    ("delivered", [0.1], 24, False),         # deliveries always go out
    ("exception", [0.1], 24, False),         # exceptions always go out
    ("shipped", [0.1], 24, False),           # the first "shipped" announcement too
    ("pickup_ready", [0.1], 24, False),
])
def test_in_transit_throttle(kind, hours_ago, every, expected):
    previous = [NOW - dt.timedelta(hours=h) for h in hours_ago]
    assert rules.throttled(kind, previous, NOW, every) is expected


@pytest.mark.parametrize(("kind", "cross_on", "country", "marketing_eu", "expected"), [
    ("order_confirmed", True, "US", False, True),
    ("order_confirmed", False, "US", False, False),   # the merchant did not turn cross-sells on
    ("order_confirmed", True, "DE", False, False),    # EU address: off by default
    ("order_confirmed", True, "DE", True, True),      # ... unless the merchant says it has consent
    ("order_confirmed", True, "GB", False, False),
    ("order_confirmed", True, "NO", False, False),    # EEA
    ("order_confirmed", True, "JP", False, True),
    ("order_confirmed", True, None, False, True),     # pickup orders: no address
    ("delivered", True, "US", False, True),
    ("delayed", True, "US", False, False),            # never in a problem or in-transit message
    ("pickup_ready", True, "JP", True, False),
])
def test_marketing(kind, cross_on, country, marketing_eu, expected):
    assert rules.marketing_allowed(kind, cross_on, country, marketing_eu) is expected


@pytest.mark.parametrize(("country", "merchant_tz", "expected"), [
    ("JP", "America/New_York", "Asia/Tokyo"),       # one zone: the country's
    ("jp", "UTC", "Asia/Tokyo"),
    ("DE", "Asia/Tokyo", "Europe/Berlin"),          # Berlin (and Busingen, which Babel lists too)
    ("US", "America/Chicago", "America/Chicago"),   # several zones: the merchant's
    ("US", "Asia/Tokyo", "Asia/Tokyo"),
    (None, "Asia/Tokyo", "Asia/Tokyo"),             # no address: the merchant's
    ("XX", "Nowhere/Bogus", "UTC"),
])
def test_shopper_timezone(country, merchant_tz, expected):
    if country == "DE":
        assert rules.shopper_timezone(country, merchant_tz) in ("Europe/Berlin", merchant_tz)
    else:
        assert rules.shopper_timezone(country, merchant_tz) == expected


def test_backoff_grows_then_gives_up():
    now = NOW
    delays = [(rules.next_attempt(n, now) - now).total_seconds() for n in range(1, rules.MAX_ATTEMPTS)]
    assert delays[0] == rules.FIRST_RETRY_SECONDS and delays == sorted(delays)
    assert max(delays) <= rules.MAX_RETRY_SECONDS
    assert rules.next_attempt(rules.MAX_ATTEMPTS, now) is None


@pytest.mark.parametrize(("url", "host", "port", "user", "password", "tls"), [
    ("smtp://user:pass@mail.example:587", "mail.example", 587, "user", "pass", "starttls"),
    ("smtp://mail.example", "mail.example", 587, None, None, "starttls"),
    ("smtps://u%40x:p%2Fw@mail.example:465", "mail.example", 465, "u@x", "p/w", "implicit"),
    ("smtps://mail.example", "mail.example", 465, None, None, "implicit"),
    ("smtp://127.0.0.1:1025", "127.0.0.1", 1025, None, None, "auto"),
    ("smtp://127.0.0.1:1025?starttls=off", "127.0.0.1", 1025, None, None, "off"),
    ("smtp://mail.example:25?starttls=require", "mail.example", 25, None, None, "starttls"),
])
def test_smtp_url(url, host, port, user, password, tls):
    assert rules.parse_smtp_url(url) == rules.SmtpTarget(host, port, user, password, tls)


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://h:99999", "smtp://h?starttls=maybe"])
def test_bad_smtp_url(url):
    with pytest.raises(ValueError):
        rules.parse_smtp_url(url)


def test_settings_defaults_and_validation():
    assert rules.read_emails_settings(None) == rules.DEFAULTS
    assert rules.read_emails_settings({"send": False})["send"] is False
    assert rules.read_emails_settings({"quiet_start": "25:00"})["quiet_start"] == "21:00"  # bad stored value
    clean, errors = rules.validate_emails_settings({"send": "yes", "quiet_end": "7am", "transit_every_hours": 500,
                                                    "marketing_eu": True, "<script>": 1})
    assert clean == {"marketing_eu": True}
    assert {e["field"] for e in errors} == {"emails.send", "emails.quiet_end", "emails.transit_every_hours",
                                            "emails.<script>"}
    assert rules.validate_emails_settings([]) == ({}, [{"field": "emails", "code": "validation.not_object",
                                                         "message": "must be an object"}])
    assert rules.validate_emails_settings({"transit_every_hours": True})[1]  # a bool is not a number


@pytest.mark.parametrize(("event", "payload", "same_as"), [
    ("shipment.delivered", {"shipment_id": "S1", "status": "delivered"},
     ("shipment.delivered", {"shipment_id": "S1", "status": "delivered", "estimated_delivery": "x"})),
    ("shipment.delayed", {"shipment_id": "S1", "estimated_delivery": "2026-11-25"},
     ("shipment.delayed", {"shipment_id": "S1", "estimated_delivery": "2026-11-25", "status": "in_transit"})),
    ("pickup.reminder", {"state": "ready"}, ("pickup.reminder", {"state": "arrived"})),
])
def test_dedupe_key_is_the_state_change(event, payload, same_as):
    assert rules.dedupe_key(1, 2, event, payload) == rules.dedupe_key(1, 2, *same_as)


def test_dedupe_key_tells_changes_apart():
    keys = {
        rules.dedupe_key(1, 2, "shipment.delayed", {"shipment_id": "S1", "estimated_delivery": "2026-11-25"}),
        rules.dedupe_key(1, 2, "shipment.delayed", {"shipment_id": "S1", "estimated_delivery": "2026-11-26"}),
        rules.dedupe_key(1, 2, "shipment.delayed", {"shipment_id": "S2", "estimated_delivery": "2026-11-25"}),
        rules.dedupe_key(1, 2, "return.approved", {"return_id": 1}),
        rules.dedupe_key(1, 2, "return.approved", {"return_id": 2}),
        rules.dedupe_key(1, 2, "return.refunded", {"return_id": 1}),
        rules.dedupe_key(1, 3, "return.refunded", {"return_id": 1}),
        # every home pickup booking, move and cancellation of the same return is a message of its own
        rules.dedupe_key(1, 2, "return.pickup_booked", {"return_id": 1, "pickup": {"id": 1}}),
        rules.dedupe_key(1, 2, "return.pickup_rescheduled", {"return_id": 1, "pickup": {"id": 2}}),
        rules.dedupe_key(1, 2, "return.pickup_rescheduled", {"return_id": 1, "pickup": {"id": 3}}),
    }
    assert len(keys) == 10


def test_every_shopper_event_has_a_message_and_merchant_events_none():
    assert {"order_confirmed", "shipped", "arriving_today", "arriving_tomorrow", "delayed", "exception", "delivered",
            "pickup_ready", "pickup_reminder", "pickup_expired", "return_approved", "return_received",
            "return_refunded", "review_invitation", "survey_invitation", "stepup_code", "order_cancelled",
            "cancel_refused", "payment_received", "change_applied", "change_refused", "return_rejected",
            "return_in_transit", "exchange_shipped", "claim_resolved", "order_delayed",
            "return_correction", "pickup_booked", "pickup_rescheduled", "pickup_cancelled", "exchange_created",
            "exchange_payment_due", "return_label", "exchange_refunded"} == set(rules.KINDS)
    for event in ("return.requested", "pickup.arrived", "pickup.picked_up", "feedback.detractor", "claim.opened"):
        assert rules.spec_for(event) is None


def test_message_id_uses_the_senders_domain():
    assert rules.message_id_header("abc", "orders@shop.example") == "<abc@shop.example>"
    assert rules.message_id_header("abc", "Shop <orders@shop.example>") == "<abc@shop.example>"


def test_every_kind_has_a_name_in_both_languages():
    from orderhub.components import i18n

    assert set(rules.KIND_NAMES) == set(rules.KINDS)
    ja = i18n.translations("ja")
    for name in rules.KIND_NAMES.values():
        assert ja.ugettext(name) != name, name


@pytest.mark.parametrize(("state", "recipient", "retryable", "waiting"), [
    ("pending", "a@b.example", False, True),
    ("sending", "a@b.example", False, True),
    ("sent", "a@b.example", False, False),
    ("dead", "a@b.example", True, False),
    ("suppressed", "a@b.example", True, False),
    ("skipped", "a@b.example", True, False),
    ("skipped", "", False, False),  # nobody to send it to
])
def test_what_the_merchant_may_send_again(state, recipient, retryable, waiting):
    assert state in rules.STATES
    assert rules.retryable(state, recipient) is retryable
    assert rules.waiting(state) is waiting


def test_after_sales_and_delay_messages_once_per_claim_and_per_expected_date():
    """A claim's message is once per claim (two claims of one order: two messages); the delay is once
    per expected ship date (a later date is news, the same date twice is not)."""
    assert rules.dedupe_key(1, 2, "claim.resolved", {"claim_id": 1}) != rules.dedupe_key(1, 2, "claim.resolved",
                                                                                           {"claim_id": 2})
    first = rules.dedupe_key(1, 2, "order.delayed", {"expected_ship_date": "2026-12-01"})
    assert first == rules.dedupe_key(1, 2, "order.delayed", {"expected_ship_date": "2026-12-01", "other": 1})
    assert first != rules.dedupe_key(1, 2, "order.delayed", {"expected_ship_date": "2026-12-09"})
    assert rules.dedupe_key(1, 2, "return.rejected", {"return_id": 1}) != rules.dedupe_key(
        1, 2, "return.in_transit", {"return_id": 1})


def test_every_event_has_its_own_name_in_the_email_log():
    from orderhub.components import i18n

    assert set(rules.EVENT_NAMES) == set(rules.EVENTS)
    ja = i18n.translations("ja")
    for event in ("return.rejected", "return.in_transit", "return.exchanged", "claim.resolved", "order.delayed"):
        name = rules.EVENT_NAMES[event]
        assert ja.ugettext(name) != name
    names = [rules.EVENT_NAMES[e] for e in ("return.rejected", "return.in_transit", "return.exchanged",
                                            "claim.resolved", "order.delayed", "return.received")]
    assert len(set(names)) == len(names)
