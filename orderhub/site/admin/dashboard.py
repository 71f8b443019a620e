"""The merchant dashboard `/admin`: hub visits per section and per day, cross-sell impressions,
clicks and click-through rate, returns by reason and resolution, NPS and its trend, pickups today,
for a date range (GET form, default the last 30 days, in the merchant's time zone)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from orderhub.components import charts, i18n
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.analytics import rules
from orderhub.db.analytics.dashboard import DashboardView, dashboard
from orderhub.db.channels import queries as channel_queries
from orderhub.db.channels import rules as channel_rules
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.worklists import queries as worklists
from orderhub.site import sections
from orderhub.site.admin import guard, nav
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.rendering import page
from orderhub.site.returns import presenter as returns_words

TEMPLATE = "site/admin/dashboard.html.jinja"
#: who sees the figures (staff land on the returns queue instead)
ROLES = merchant_rules.OWNERS
#: bar charts sit in half-width cards: a viewBox near their pixel width keeps the text at its size
BARS = {"width": 420, "label_width": 150, "row": 32}



def section_label(key: str) -> str:
    for s in sections.SECTIONS:
        if s.key == key:
            return _(s.label)
    return key


def resolution_label(key: str) -> str:
    return {"refund": _("Refund"), "store_credit": _("Store credit"), "exchange": _("Exchange")}.get(key, key)


def range_error(code: str) -> str:
    return {
        "format": _("Enter a date like 2026-11-01."),
        "order": _("The end date must be on or after the start date."),
        "future": _("The start date can't be in the future."),
        "too_long": _("Choose at most %(days)s days.", days=rules.MAX_DAYS),
    }.get(code, code)


def charts_for(view: DashboardView) -> dict:
    return {
        "sections": charts.bar_chart([(section_label(k), n) for k, n in view.visits_by_section], **BARS),
        "days": charts.line_chart([(charts.short_date(d), n) for d, n in view.visits_by_day], width=900, height=240),
        "reasons": charts.bar_chart([(returns_words.reason_label(k), n) for k, n in view.returns_by_reason], **BARS),
        "resolutions": charts.bar_chart([(resolution_label(k), n) for k, n in view.returns_by_resolution], **BARS),
        "nps": charts.line_chart([(charts.short_date(p.start), p.score) for p in view.nps_trend], lo=-100, hi=100,
                                 dots=True, width=900, height=220),
    }


async def channel_figures(merchant_id: int, now: dt.datetime) -> list[dict]:
    """Per channel the merchant turned on: sent, refused and failed messages of the last 7 days."""
    accounts = await channel_queries.accounts(merchant_id)
    figures = await channel_queries.figures(merchant_id, now)
    return [{"name": _(channel_rules.CHANNEL_NAMES[c]), **figures[c]} for c, a in accounts.items() if a.enabled]


def presets(rng: rules.DateRange, today: dt.date) -> list[dict]:
    out = []
    for days in (7, 30, 90):
        preset = rules.default_range(today, days)
        out.append({"label": _("Last %(num)s days", num=days), "current": preset == rng,
                    "href": href("/admin", start=preset.start.isoformat(), end=preset.end.isoformat())})
    return out


class DashboardController(Controller):
    path = "/admin"
    dependencies = guard.DEPENDENCIES

    @get("/", name="admin-dashboard")
    async def dashboard(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        if admin_user.role not in ROLES:
            return Redirect(path=href(nav.landing_for(admin_user.role)), status_code=303)
        today = rules.local_date(now, admin_user.timezone)
        raw_start = request.query_params.get("start", "")[:40]
        raw_end = request.query_params.get("end", "")[:40]
        rng, codes = rules.parse_range(raw_start, raw_end, today)
        view = await dashboard(admin_user.merchant.id, rng, now=now)
        context = admin_context(
            request, admin_user, "dashboard", view=view, charts=charts_for(view), today=today,
            errors={field: range_error(code) for field, code in codes.items()},
            form={"start": raw_start if codes else rng.start.isoformat(),
                  "end": raw_end if codes else rng.end.isoformat()},
            presets=presets(rng, today), number=charts.number, form_lang=i18n.chosen_language() or "",
            approval_url=href("/admin/returns", status=worklists.AWAITING_APPROVAL),
            channel_figures=await channel_figures(admin_user.merchant.id, now),
        )
        return page(request, TEMPLATE, "figures", context, status_code=422 if codes else 200)
