"""The delivery promise (db/shipping/rules) and its words (components/promise), on fixed clocks."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.components import i18n
from orderhub.components.promise import promise_note, promise_text
from orderhub.db.shipping import rules

JST = "Asia/Tokyo"
NY = "America/New_York"
JP = rules.Calendar("JP")
US = rules.Calendar("US")
SETTINGS = rules.read_delivery_settings({}, "JP")  # cut-off 15:00, 1 processing day, SLA 2-4 days
SLA = rules.learn_transit([], SETTINGS)


def at(y, m, d, hh=12, mm=0, tz=JST) -> dt.datetime:
    from zoneinfo import ZoneInfo
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def promise(status="in_transit", *, estimate=None, shipped=None, placed=None, now=None, delivered=None,
            transit=SLA, checkout=None, tz=JST, cal=JP):
    return rules.shipment_promise(
        status=status, delivered_at=delivered, carrier_estimate=estimate, shipped_at=shipped,
        placed_at=placed or at(2026, 12, 1, 10), now=now or at(2026, 12, 2), tz=tz, cal=cal, settings=SETTINGS,
        transit=transit, checkout_promise=checkout)


def words(p, lang="en", tz=JST):
    with i18n.language(lang):
        return promise_text(p, tz), promise_note(p)


# --- learning ---------------------------------------------------------------------------------------

def test_median_and_p90_from_a_seeded_history():
    history = [1, 1, 2, 2, 2, 2, 3, 3, 4, 6]
    t = rules.learn_transit(history, SETTINGS)
    assert (t.median, t.p90, t.samples, t.source) == (2, 4, 10, "history")
    t = rules.learn_transit([3, 1, 2, 5, 4], SETTINGS)
    assert (t.median, t.p90) == (3, 5)


def test_too_few_deliveries_fall_back_to_the_sla():
    t = rules.learn_transit([1, 1, 1, 1], SETTINGS)
    assert (t.median, t.p90, t.source) == (2, 4, "sla")
    conf = rules.read_delivery_settings({"transit_days": 3, "transit_days_max": 5}, "JP")
    t = rules.learn_transit([], conf)
    assert (t.median, t.p90) == (3, 5)


def test_transit_days_taken_skip_weekends_holidays_and_respect_the_cut_off():
    # handed over Tue 28 Apr 2026 10:00, delivered Thu 7 May: Showa Day (29 Apr), the weekend and
    # Golden Week (3-6 May) skipped: 30 Apr, 1 May, 7 May
    assert rules.transit_days_taken(at(2026, 4, 28, 10), at(2026, 5, 7, 15), JST, JP, SETTINGS) == 3
    # the same parcel handed over after the 15:00 cut-off leaves Wed 30 Apr (29 Apr is Showa Day)
    assert rules.transit_days_taken(at(2026, 4, 28, 16), at(2026, 5, 7, 15), JST, JP, SETTINGS) == 2
    # New Year: 31 Dec to 3 Jan are closed in Japan, so Wed 30 Dec -> Tue 5 Jan is 2 (Mon 4, Tue 5)
    assert rules.transit_days_taken(at(2026, 12, 30, 9), at(2027, 1, 5, 12), JST, JP, SETTINGS) == 2
    # US: Thanksgiving (26 Nov 2026) is not a business day
    assert rules.transit_days_taken(at(2026, 11, 25, 9, tz=NY), at(2026, 11, 30, 12, tz=NY), NY, US, SETTINGS) == 2


def test_regions_from_prefecture_state_or_postal_code():
    assert rules.region_of({"country": "JP", "region": "東京都", "postal_code": "150-0041"}) == "JP:東京都"
    assert rules.region_of({"country": "us", "region": "New York"}) == "US:NY"
    assert rules.region_of({"country": "US", "region": "ny"}) == "US:NY"
    assert rules.region_of({"country": "JP", "postal_code": "１５０００４１"}) == "JP:150"
    assert rules.region_of(None) == ""


# --- the promise ------------------------------------------------------------------------------------

def test_placed_order_before_cut_off_packs_then_travels_business_days():
    # placed Tue 1 Dec 10:00, packed Wed 2 Dec, 2-4 business days: Fri 4 Dec to Tue 8 Dec
    p = promise("pending", placed=at(2026, 12, 1, 10), now=at(2026, 12, 1, 11))
    assert (p.kind, p.date_from, p.date_to, p.late) == ("predicted", dt.date(2026, 12, 4), dt.date(2026, 12, 8), False)
    assert words(p) == ("Arriving Fri 12/4–Tue 12/8", "")
    assert words(p, "ja") == ("12月4日(金)〜12月8日(火)にお届け予定", "")


def test_after_cut_off_and_across_new_year():
    # placed Mon 28 Dec after the cut-off: leaves Tue 29, packed Wed 30, then 31 Dec-3 Jan are closed
    p = promise("pending", placed=at(2026, 12, 28, 16), now=at(2026, 12, 28, 17))
    assert (p.date_from, p.date_to) == (dt.date(2027, 1, 5), dt.date(2027, 1, 7))


def test_carrier_estimate_wins_and_is_never_before_the_order_date():
    p = promise(estimate=dt.date(2026, 12, 4), shipped=at(2026, 12, 2, 9))
    assert (p.kind, p.date_from, p.date_to) == ("carrier", dt.date(2026, 12, 4), dt.date(2026, 12, 4))
    assert words(p) == ("Arriving by Fri 12/4", "")
    stale = promise(estimate=dt.date(2026, 11, 20), placed=at(2026, 12, 1, 10), now=at(2026, 12, 1, 12))
    assert stale.date_to == dt.date(2026, 12, 1)  # a stale estimate never reads as before the order


@pytest.mark.parametrize("now, en, ja", [
    (at(2026, 12, 3, 8), "Arriving tomorrow, Fri 12/4", "明日 12月4日(金)にお届け予定"),
    (at(2026, 12, 4, 8), "Arriving today", "本日お届け予定"),
    (at(2026, 12, 4, 23, 59), "Arriving today", "本日お届け予定"),
    (at(2026, 12, 5, 0, 0), "Late since Sat 12/5", "12月5日(土)からお届けが遅れています"),
])
def test_edge_days_in_both_languages(now, en, ja):
    p = promise(estimate=dt.date(2026, 12, 4), shipped=at(2026, 12, 2, 9), now=now)
    assert words(p)[0] == en and words(p, "ja")[0] == ja


def test_late_the_moment_it_passes_in_the_merchants_time_zone():
    # 23:30 on Fri 4 Dec in New York is already Sat in UTC: not late yet there
    p = promise(estimate=dt.date(2026, 12, 4), placed=at(2026, 12, 1, 10, tz=NY), now=at(2026, 12, 4, 23, 30, tz=NY),
                tz=NY, cal=US)
    assert not p.late
    p = promise(estimate=dt.date(2026, 12, 4), placed=at(2026, 12, 1, 10, tz=NY), now=at(2026, 12, 5, 0, 1, tz=NY),
                tz=NY, cal=US)
    assert (p.late, p.late_since) == (True, dt.date(2026, 12, 5))
    assert words(p, tz=NY)[1].startswith("It hasn't arrived by the date we gave you.")


def test_out_for_delivery_is_today_whatever_the_estimate_said():
    p = promise("out_for_delivery", estimate=dt.date(2026, 12, 5), shipped=at(2026, 12, 2, 9), now=at(2026, 12, 4, 9))
    assert (p.date_from, p.date_to, p.late) == (dt.date(2026, 12, 4), dt.date(2026, 12, 4), False)
    assert words(p, "ja")[0] == "本日お届け予定"


def test_delivered_replaces_the_estimate():
    p = promise("delivered", estimate=dt.date(2026, 12, 9), delivered=at(2026, 12, 4, 14, 5), now=at(2026, 12, 10))
    assert (p.kind, p.late, p.delivered_at) == ("delivered", False, at(2026, 12, 4, 14, 5))
    assert words(p) == ("Delivered Dec 4, 2026, 2:05 PM", "")
    assert words(p, "ja")[0] == "2026年12月4日 14:05 にお届け済み"


def test_returning_parcels_promise_nothing():
    assert promise("returned_to_sender") is None


def test_a_range_never_starts_in_the_past():
    p = promise("in_transit", shipped=at(2026, 12, 2, 9), now=at(2026, 12, 7, 9))  # 12/4-12/8 predicted
    assert (p.date_from, p.date_to) == (dt.date(2026, 12, 7), dt.date(2026, 12, 8))
    assert words(p)[0] == "Arriving between today and Tue 12/8"


def test_trending_late_when_the_learnt_p90_passes_the_carriers_date():
    slow = rules.learn_transit([2, 2, 3, 3, 3, 4, 5, 5, 6, 6], SETTINGS)  # median 3, p90 6
    p = promise(estimate=dt.date(2026, 12, 4), shipped=at(2026, 12, 2, 9), transit=slow)
    assert p.trending_late and not p.late
    assert "a day or two later" in words(p)[1]
    with i18n.language("ja"):
        assert promise_note(p).startswith("この配送ルートは")
    assert not promise(estimate=dt.date(2026, 12, 4), shipped=at(2026, 12, 2, 9)).trending_late  # the SLA is no trend


def test_order_promise_combines_its_parts():
    done = promise("delivered", delivered=at(2026, 12, 3, 10))
    later = promise(estimate=dt.date(2026, 12, 8), shipped=at(2026, 12, 2, 9))
    late = promise(estimate=dt.date(2026, 12, 1), shipped=at(2026, 12, 1, 9), now=at(2026, 12, 3))
    assert rules.order_promise([done, later]) == later
    assert rules.order_promise([done, done]).kind == "delivered"
    assert rules.order_promise([later, late]).late
    assert rules.order_promise([None]) is None


def test_delivery_settings_are_validated():
    clean, errors = rules.validate_delivery_settings({"cutoff": "25:00", "processing_days": -1, "calendar": "FR",
                                                      "transit_days": 3, "transit_days_max": 2, "colour": 1})
    assert {e["field"] for e in errors} == {"delivery.cutoff", "delivery.processing_days", "delivery.calendar",
                                             "delivery.transit_days_max", "delivery.colour"}
    assert rules.read_delivery_settings({"cutoff": "nonsense"}, "US")["cutoff"] == "15:00"
    assert rules.calendar_country("", "Asia/Tokyo") == "JP" and rules.calendar_country("", "Europe/Paris") == ""
