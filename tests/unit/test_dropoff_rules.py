"""Where to drop a return (orderhub.db.returns.dropoff_rules) and the send-by day (returns.rules.send_by):
open or closed in each place's own time zone, which places each method lists, nearest first where the
bundled postal-code data knows both ends and by name otherwise, and partner points read with their
errors. The clock is a fixed moment, never today's."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.returns import dropoff_rules as rules
from orderhub.db.returns import rules as return_rules

UTC = dt.UTC
#: Monday 7 December 2026, 10:30 in Tokyo; Sunday 6 December, 20:30 in New York
NOW = dt.datetime(2026, 12, 7, 1, 30, tzinfo=UTC)

TOKYO_STORE = {"kind": "store", "ref": "shibuya", "name": "Shibuya", "timezone": "Asia/Tokyo",
               "address": {"postal_code": "150-0042", "city": "渋谷区", "line1": "宇田川町 10-1", "country": "JP"},
               "hours": [{"days": "mon-fri", "open": "10:00", "close": "20:00"}]}
SOHO = {"kind": "store", "ref": "soho", "name": "Soho", "timezone": "America/New_York",
        "address": {"postal_code": "10012", "city": "New York", "line1": "120 Prince St", "country": "US"},
        "hours": [{"days": "mon-sat", "open": "10:00", "close": "20:00"}, {"days": "sun", "open": "11:00", "close": "21:00"}]}
LOCKER = {"kind": "locker", "ref": 7, "name": "Brooklyn locker", "timezone": "America/New_York",
          "address": {"postal_code": "11201", "city": "Brooklyn", "line1": "1 Main St", "country": "US"},
          "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}]}
POST = {"kind": "post_office", "ref": 8, "name": "Albany post office", "timezone": "America/New_York",
        "address": {"postal_code": "12207", "city": "Albany", "line1": "1 State St", "country": "US"},
        "hours": [{"days": "mon-fri", "open": "09:00", "close": "17:00"}]}


def test_open_now_is_read_in_each_places_own_time_zone():
    tokyo = rules.at(TOKYO_STORE, NOW, None)
    soho = rules.at(SOHO, NOW, None)
    # 10:30 on a Monday in Tokyo: open; 20:30 on a Sunday in New York: open until 21:00
    assert tokyo.open_now and tokyo.today.date == dt.date(2026, 12, 7) and tokyo.today.open == "10:00"
    assert soho.open_now and soho.today.date == dt.date(2026, 12, 6) and soho.today.close == "21:00"
    later = NOW + dt.timedelta(minutes=31)  # 21:01 in New York, 11:01 in Tokyo
    assert not rules.at(SOHO, later, None).open_now and rules.at(TOKYO_STORE, later, None).open_now
    # a Saturday in Tokyo: the store has no hours then
    saturday = rules.at(TOKYO_STORE, dt.datetime(2026, 12, 12, 3, 0, tzinfo=UTC), None)
    assert saturday.today.closed and not saturday.open_now
    # the list reads differently when Soho closes (21:00 New York = 02:00 UTC)
    assert rules.next_change([soho, tokyo], NOW) == dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("method, kinds", [
    ("drop_off", {"store", "locker", "post_office"}), ("in_store", {"store"}), ("mail", {"post_office"}),
    ("home_pickup", set()),
])
def test_each_method_lists_its_kinds_of_place(method, kinds):
    found = rules.build(method, [SOHO, LOCKER, POST], NOW, "10013", "US")
    assert {p.kind for p in found.places} == kinds


def test_nearest_first_from_the_shoppers_postal_code():
    found = rules.build("drop_off", [POST, LOCKER, SOHO], NOW, "10013", "US")
    assert [p.ref for p in found.places] == ["soho", "7", "8"]
    assert found.distance_known and found.origin_known and found.unit == "mile"
    assert found.places[0].distance_km < 2 < found.places[1].distance_km < 10 < 200 < found.places[2].distance_km
    api = found.api()[0]
    assert api["distance"]["unit"] == "mile" and api["distance"]["value"] < api["distance_km"]
    assert api["today"] == {"open": "11:00", "close": "21:00"} and api["open_now"] is True


def test_unknown_distance_sorts_by_name():
    # no bundled centroids for Japanese postal codes: every distance unknown, names in order
    b = {**TOKYO_STORE, "ref": "a", "name": "Akasaka"}
    found = rules.build("drop_off", [TOKYO_STORE, b], NOW, "150-0041", "JP")
    assert [p.name for p in found.places] == ["Akasaka", "Shibuya"]
    assert not found.distance_known and found.unit == "kilometer"
    # a US code nobody has, or none at all: the same
    assert not rules.build("drop_off", [SOHO], NOW, "00000", "US").distance_known
    assert not rules.build("drop_off", [SOHO], NOW, "", "US").distance_known
    # known places first, the unknown ones after them by name
    mixed = rules.build("drop_off", [TOKYO_STORE, LOCKER, SOHO], NOW, "10013", "US")
    assert [p.ref for p in mixed.places] == ["soho", "7", "shibuya"]


@pytest.mark.parametrize("raw, country, clean", [
    ("150-0042", "JP", "150-0042"), ("1500042", "JP", "150-0042"), ("〒１５０－００４２", "JP", "150-0042"),
    ("15000", "JP", None), ("94107", "US", "94107"), ("94107-1234", "US", "94107"), ("9410", "US", None),
    ("<script>", "US", None), ("SW1A 1AA", "GB", "SW1A1AA"),
])
def test_postal_codes_are_normalised(raw, country, clean):
    assert rules.normalize_postal(raw, country) == clean


def test_a_partner_point_is_read_with_every_error():
    point, errors = rules.read_point({
        "name": "FamilyMart Udagawa", "name_en": "FamilyMart Udagawa (EN)", "kind": "convenience_store",
        "timezone": "Asia/Tokyo", "note": "レジでお渡しください",
        "address": {"postal_code": "1500042", "city": "渋谷区", "line1": "宇田川町 1", "country": "jp"},
        "hours": [{"days": "daily", "open": "00:00", "close": "23:59"}]}, "ja-JP")
    assert errors == []
    assert point["address"]["postal_code"] == "150-0042" and point["address"]["country"] == "JP"
    assert point["texts"]["name"] == {"ja": "FamilyMart Udagawa", "en": "FamilyMart Udagawa (EN)"}
    _, errors = rules.read_point({"name": "x" * 201, "kind": "bank", "timezone": "Mars/Base",
                                  "address": {"postal_code": "12", "city": "c", "line1": "l", "country": "JP"},
                                  "hours": [{"days": "mon", "open": "20:00", "close": "09:00"}]})
    fields = {e["field"]: e["code"] for e in errors}
    assert set(fields) == {"name", "kind", "timezone", "address.postal_code", "hours[0].close"}
    assert fields["name"] == "validation.too_long" and fields["kind"] == "validation.not_choice"
    assert fields["address.postal_code"] == rules.POSTAL_CODE_INVALID
    _, errors = rules.read_point("not an object")
    assert errors and errors[0]["field"] == "body"


@pytest.mark.parametrize("tz, approved, last_day, deadline", [
    # 12:00 in Tokyo on 1 November: 14 days later is 15 November, ending at midnight there
    ("Asia/Tokyo", dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC), dt.date(2026, 11, 15),
     dt.datetime(2026, 11, 15, 15, 0, tzinfo=UTC)),
    # the same moment is still 31 October in New York (summer time until 1 November)
    ("America/New_York", dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC), dt.date(2026, 11, 14),
     dt.datetime(2026, 11, 15, 5, 0, tzinfo=UTC)),
])
def test_send_by_is_the_end_of_a_day_in_the_merchants_time_zone(tz, approved, last_day, deadline):
    found = return_rules.send_by("approved", False, approved, {}, tz)
    assert found == deadline and return_rules.send_by_day(found, tz) == last_day
    assert not return_rules.expired("approved", False, approved, deadline - dt.timedelta(seconds=1), {}, tz)
    assert return_rules.expired("approved", False, approved, deadline, {}, tz)
    assert return_rules.send_by("requested", False, approved, {}, tz) is None
    assert return_rules.send_by("approved", True, approved, {}, tz) is None


def test_the_wizard_knows_the_day_only_when_approval_is_automatic():
    at = dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    assert rules.send_by_on_submit({"L1": "too_small"}, 5000, False, {}, "JPY", at, "Asia/Tokyo") == dt.date(2026, 11, 15)
    assert rules.send_by_on_submit({"L1": "other"}, 5000, False, {}, "JPY", at, "Asia/Tokyo") is None  # reviewed first
    assert rules.send_by_on_submit({"L1": "too_small"}, 5000, True, {}, "JPY", at, "Asia/Tokyo") is None  # kept
    assert rules.send_by_on_submit({"L1": "too_small"}, 5000, False, {"return_ship_within_days": 3}, "JPY", at,
                                   "Asia/Tokyo") == dt.date(2026, 11, 4)
