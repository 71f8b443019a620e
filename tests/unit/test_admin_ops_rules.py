"""Dashboard rules: the date range filter, click-through rate, NPS, and the chart geometry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderhub.components import charts, i18n
from orderhub.db.analytics import rules

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("start", "end", "expected", "errors"),
    [
        ("", "", (dt.date(2026, 10, 24), TODAY), {}),
        (None, None, (dt.date(2026, 10, 24), TODAY), {}),
        ("2026-11-01", "2026-11-07", (dt.date(2026, 11, 1), dt.date(2026, 11, 7)), {}),
        ("2026-11-22", "2026-11-22", (TODAY, TODAY), {}),
        ("", "2026-11-10", (dt.date(2026, 10, 12), dt.date(2026, 11, 10)), {}),
        ("2026-11-01", "", (dt.date(2026, 11, 1), TODAY), {}),
        ("2026-11-31", "", (dt.date(2026, 10, 24), TODAY), {"start": "format"}),
        ("22/11/2026", "x", (dt.date(2026, 10, 24), TODAY), {"start": "format", "end": "format"}),
        ("<script>", "", (dt.date(2026, 10, 24), TODAY), {"start": "format"}),
        ("2026-11-10", "2026-11-01", (dt.date(2026, 10, 24), TODAY), {"end": "order"}),
        ("2026-12-01", "2026-12-05", (dt.date(2026, 10, 24), TODAY), {"start": "future"}),
        ("2024-01-01", "2026-11-22", (dt.date(2026, 10, 24), TODAY), {"start": "too_long"}),
        ("2025-11-22", "2026-11-22", (dt.date(2025, 11, 22), TODAY), {}),
    ],
)
def test_date_range(start, end, expected, errors):
    rng, found = rules.parse_range(start, end, TODAY)
    assert (rng.start, rng.end) == expected
    assert found == errors


def test_range_bounds_are_local_midnights():
    rng = rules.DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 2))
    start, end = rng.bounds("Asia/Tokyo")
    assert start == dt.datetime(2026, 10, 31, 15, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC)
    start, end = rng.bounds("America/New_York")  # DST ends on Nov 1: a 25-hour day
    assert start == dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 3, 5, tzinfo=dt.UTC)
    assert rng.days == 2 and rng.dates() == [dt.date(2026, 11, 1), dt.date(2026, 11, 2)]


@pytest.mark.parametrize(("clicks", "impressions", "expected"), [
    (0, 0, None), (3, 0, None), (0, 10, Decimal("0")), (1, 3, Decimal("0.3333")), (2, 3, Decimal("0.6667")),
    (17, 400, Decimal("0.0425")),
])
def test_click_through_rate(clicks, impressions, expected):
    assert rules.ctr(clicks, impressions) == expected


@pytest.mark.parametrize(("scores", "score", "split"), [
    ([], None, (0, 0, 0)),
    ([10, 9, 8, 7, 6, 0], 0, (2, 2, 2)),
    ([10, 10, 10], 100, (3, 0, 0)),
    ([0, 6], -100, (0, 0, 2)),
    ([9, 9, 6], 33, (2, 0, 1)),
    ([9, 6, 6], -33, (1, 0, 2)),
    ([9, 7, 7, 7, 7, 7, 7, 7], 13, (1, 7, 0)),  # 12.5 rounds half away from zero
])
def test_nps(scores, score, split):
    n = rules.nps(scores)
    assert n.score == score
    assert (n.promoters, n.passives, n.detractors) == split and n.answers == len(scores)


def test_weeks_cover_the_range():
    rng = rules.DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 16))
    assert rules.weeks(rng) == [(dt.date(2026, 11, 1), dt.date(2026, 11, 7)),
                                (dt.date(2026, 11, 8), dt.date(2026, 11, 14)),
                                (dt.date(2026, 11, 15), dt.date(2026, 11, 16))]


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (24, 25), (260, 500),
                                                 (1000, 1000)])
def test_nice_max(value, expected):
    assert charts.nice_max(value) == expected


def test_bar_chart_scales_to_the_longest_bar():
    i18n.set_language("en")
    chart = charts.bar_chart([("Order", 1200), ("Tracking", 600), ("Returns", 0)])
    plot = chart.width - chart.label_width - 56
    assert [b.width for b in chart.bars] == [plot, plot / 2, 0]
    assert [b.display for b in chart.bars] == ["1,200", "600", "0"]
    assert chart.total == "1,800"
    assert charts.bar_chart([]).bars == []


def test_line_chart_breaks_at_missing_values():
    i18n.set_language("ja")
    chart = charts.line_chart([("a", 10), ("b", None), ("c", -20), ("d", 40)], lo=-100, hi=100)
    assert len(chart.segments) == 2 and chart.areas == []
    assert [t.label for t in chart.ticks] == ["100", "0", "-100"]
    assert chart.zero_y == chart.ticks[1].y
    assert chart.rows == [("a", "10"), ("b", "–"), ("c", "-20"), ("d", "40")]
    flat = charts.line_chart([(str(i), 3) for i in range(30)])
    assert len(flat.segments) == 1 and len(flat.areas) == 1 and flat.points == []  # no dots on long series
    assert [t.label for t in flat.ticks] == ["5", "2.5", "0"]
    assert charts.line_chart([("a", None)]).segments == []


@pytest.mark.parametrize(("status", "keep_item", "resolution", "expected"), [
    ("requested", False, "refund", ["approve", "reject"]),
    ("approved", False, "refund", ["ship", "receive"]),
    ("approved", True, "refund", ["receive", "refund"]),
    ("in_transit", False, "refund", ["receive"]),
    ("received", False, "refund", ["refund"]),
    ("received", False, "store_credit", ["refund"]),
    ("received", False, "exchange", ["exchange"]),
    ("refunded", False, "refund", []),
    ("rejected", False, "refund", []),
])
def test_queue_row_actions(status, keep_item, resolution, expected):
    from orderhub.db.worklists.queries import QueueRow

    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    row = QueueRow(1, "RMA-1", "YK-1", "", "", status, "other", "", resolution, "drop_off", keep_item, "JPY", 100, "",
                   1, ["x"], ["L1"], 1, now, now)
    assert row.actions == expected


def test_paginate_in_memory():
    from orderhub.db.worklists.queries import paginate

    page = paginate(list(range(60)), 3, per_page=25)
    assert list(page.items) == list(range(50, 60)) and (page.page, page.pages, page.total) == (3, 3, 60)
    assert (page.first_index, page.last_index, page.has_prev, page.has_next) == (51, 60, True, False)
    assert paginate([], 5).page == 1 and paginate([], 5).first_index == 0
    assert paginate(list(range(10)), 0).page == 1
