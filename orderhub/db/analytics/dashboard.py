"""The merchant dashboard's read model: one call, one connection, everything the page shows for a
date range in the merchant's time zone (hub visits per section and per day, cross-sell impressions,
clicks and click-through rate, returned items by reason, returns by resolution, NPS and its trend, pickups today)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Sum

from orderhub.db import engine
from orderhub.db.analytics import rules
from orderhub.db.analytics.rules import DateRange
from orderhub.db.analytics.tables import AnalyticsEvent
from orderhub.db.feedback import queries as feedback
from orderhub.db.keys import scoped_many
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Product
from orderhub.db.pickup import rules as pickup_rules
from orderhub.db.pickup.tables import Pickup
from orderhub.db.returns import reason_rules
from orderhub.db.returns.reason_tables import ReturnItemReason
from orderhub.db.returns.tables import ReturnItem, ReturnRequest

#: rows as Piccolo's select() and raw() answer them
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class NpsPoint:
    start: dt.date
    end: dt.date
    score: int | None
    answers: int


@dataclass(frozen=True)
class DashboardView:
    range: DateRange
    timezone: str
    currency: str
    visits_total: int
    #: [(section key, page views)] in navigation order, sections without views left out
    visits_by_section: list[tuple[str, int]]
    #: [(local date, page views)] one entry per day of the range
    visits_by_day: list[tuple[dt.date, int]]
    impressions: int
    clicks: int
    ctr: Decimal | None
    #: [(product title or id, clicks)] most clicked first (at most 5)
    top_clicked: list[tuple[str, int]]
    returns_total: int
    #: [(reason, returned units)]: each returned item's own reason, weighted by its quantity
    returns_by_reason: list[tuple[str, int]]
    returns_by_resolution: list[tuple[str, int]]
    returns_open: int
    nps: rules.Nps | None
    nps_trend: list[NpsPoint] = field(default_factory=list)
    pickups: rules.PickupCounts = rules.PickupCounts(0, 0, 0, 0)

    @property
    def pickups_waiting(self) -> int:
        return self.pickups.waiting

    @property
    def pickups_arrived(self) -> int:
        return self.pickups.arrived

    @property
    def pickups_done_today(self) -> int:
        return self.pickups.done_today

    @property
    def pickups_due_today(self) -> int:
        return self.pickups.due_today


def _sorted_sections(counts: dict[str, int]) -> list[tuple[str, int]]:
    rank = {key: i for i, key in enumerate(rules.SECTION_ORDER)}
    return sorted(((k or "confirmation", v) for k, v in counts.items() if v),
                  key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))


async def _events(merchant_id: int, start: dt.datetime, end: dt.datetime) -> tuple[Rows, Rows, Rows]:
    where = ((AnalyticsEvent.merchant == merchant_id) & (AnalyticsEvent.occurred_at >= start)
             & (AnalyticsEvent.occurred_at < end))
    totals = await AnalyticsEvent.select(
        AnalyticsEvent.kind, AnalyticsEvent.section, Sum(AnalyticsEvent.count, alias="n"),
    ).where(where & AnalyticsEvent.kind.is_in(list(rules.KINDS))).group_by(AnalyticsEvent.kind, AnalyticsEvent.section)
    clicked = await AnalyticsEvent.select(AnalyticsEvent.product_id, Sum(AnalyticsEvent.count, alias="n")).where(
        where & (AnalyticsEvent.kind == rules.CLICK)).group_by(AnalyticsEvent.product_id)
    # per-day counts need the merchant's local date: count per UTC hour in SQL, then place each hour
    # on its local day (exact for time zones a whole number of hours from UTC)
    if engine.current_engine().engine_type == "postgres":
        hour = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
    else:  # SQLite keeps UTC text 'YYYY-MM-DD HH:MM:SS...+00:00'
        hour = "substr(occurred_at, 1, 13)"
    visits = await AnalyticsEvent.raw(
        f"SELECT {hour} AS hour, SUM(count) AS n FROM analytics_events WHERE merchant = {{}} AND kind = {{}} "
        f"AND occurred_at >= {{}} AND occurred_at < {{}} GROUP BY 1", merchant_id, rules.VISIT, start, end)
    return totals, clicked, visits


async def _nps(merchant_id: int, rng: DateRange, tz: str) -> tuple[rules.Nps | None, list[NpsPoint]]:
    """NPS from the survey answers (db/feedback): the range's score and one point per week."""
    start, end = rng.bounds(tz)
    answers: list[tuple[dt.datetime, int]] = await feedback.nps_scores(merchant_id, start, end)
    overall = rules.nps([s for _, s in answers])
    trend = []
    for first, last in rules.weeks(rng):
        week = [s for at, s in answers if first <= rules.local_date(at, tz) <= last]
        n = rules.nps(week)
        trend.append(NpsPoint(first, last, n.score, n.answers))
    return overall, trend


async def _items_by_reason(returns: Rows) -> dict[str, int]:
    """Returned units by reason (each item's own, else its return's: reason_rules.items_by_reason)."""
    ids = [r["id"] for r in returns]
    if not ids:
        return {}
    items = await ReturnItem.select(ReturnItem.id, ReturnItem.request, ReturnItem.quantity).where(
        ReturnItem.request.is_in(ids))
    own = await ReturnItemReason.select(ReturnItemReason.item, ReturnItemReason.reason).where(
        ReturnItemReason.request.is_in(ids))
    return reason_rules.items_by_reason({r["id"]: r["reason"] for r in returns},
                                        [(i["request"], i["id"], int(i["quantity"])) for i in items],
                                        {o["item"]: o["reason"] for o in own})


async def dashboard(merchant_id: int, rng: DateRange, *, now: dt.datetime) -> DashboardView:
    async with engine.read():
        merchant = await Merchant.select(Merchant.timezone, Merchant.currency).where(Merchant.id == merchant_id).first()
        tz = (merchant or {}).get("timezone") or "UTC"
        start, end = rng.bounds(tz)
        totals, clicked, visits = await _events(merchant_id, start, end)
        returns = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.reason, ReturnRequest.resolution).where(
            (ReturnRequest.merchant == merchant_id) & (ReturnRequest.created_at >= start)
            & (ReturnRequest.created_at < end))
        reasons = await _items_by_reason(returns)
        returns_open = await ReturnRequest.count().where(
            (ReturnRequest.merchant == merchant_id) & ReturnRequest.status.is_in(list(rules.RETURNS_AWAITING_DECISION)))
        today = DateRange(rules.local_date(now, tz), rules.local_date(now, tz)).bounds(tz)
        pickups = await Pickup.select(Pickup.state, Pickup.picked_up_at, Pickup.deadline).where(
            (Pickup.merchant == merchant_id) & (
                Pickup.state.is_in(list(pickup_rules.COLLECTABLE))
                | ((Pickup.picked_up_at >= today[0]) & (Pickup.picked_up_at < today[1]))))
        nps, trend = await _nps(merchant_id, rng, tz)
        top: list[tuple[str, int]] = sorted(((r["product_id"], int(r["n"] or 0)) for r in clicked if r["product_id"]),
                                            key=lambda kv: (-kv[1], kv[0]))[:5]
        titles = {p["external_id"]: p["title"] for p in await Product.select(Product.external_id, Product.title).where(
            Product.key.is_in(scoped_many(merchant_id, [pid for pid, _ in top])))} if top else {}

    sums: dict[tuple[str, str], int] = {}
    for row in totals:
        sums[(row["kind"], row["section"])] = int(row["n"] or 0)
    by_section: dict[str, int] = {}
    for (kind, section), n in sums.items():
        if kind == rules.VISIT:
            by_section[section or "confirmation"] = by_section.get(section or "confirmation", 0) + n
    impressions = sum(n for (kind, _), n in sums.items() if kind == rules.IMPRESSION)
    clicks = sum(n for (kind, _), n in sums.items() if kind == rules.CLICK)
    per_day = {d: 0 for d in rng.dates()}
    for row in visits:
        at = dt.datetime.strptime(row["hour"][:13].replace("T", " "), "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
        day = rules.local_date(at, tz)
        if day in per_day:
            per_day[day] += int(row["n"] or 0)
    resolutions: dict[str, int] = {}
    for r in returns:
        resolutions[r["resolution"]] = resolutions.get(r["resolution"], 0) + 1
    return DashboardView(
        range=rng, timezone=tz, currency=(merchant or {}).get("currency") or "",
        visits_total=sum(by_section.values()), visits_by_section=_sorted_sections(by_section),
        visits_by_day=sorted(per_day.items()), impressions=impressions, clicks=clicks,
        ctr=rules.ctr(clicks, impressions), top_clicked=[(titles.get(pid, pid), n) for pid, n in top],
        returns_total=len(returns), returns_by_reason=_by_count(reasons), returns_by_resolution=_by_count(resolutions),
        returns_open=returns_open, nps=nps, nps_trend=trend,
        pickups=rules.pickup_counts(
            [rules.PickupFact(p["state"], p["picked_up_at"], p["deadline"]) for p in pickups], *today),
    )
