"""The home pickup part of the return policy form (issue 20 item 3): the carrier that collects, its
time slots (one `HH:MM-HH:MM` per line), the weekdays, how far ahead and the cut-off. Validated by
`db/returns/home_pickup_rules.read_config` (through `merchants.rules.read_policy`)."""

from __future__ import annotations

from typing import Any

from babel.dates import get_day_names

from orderhub.components.filters import _locale
from orderhub.components.i18n import gettext as _
from orderhub.db.returns import home_pickup_rules as rules
from orderhub.db.shipping import rules as shipping_rules

FIELDS = {"carrier": "hp_carrier", "slots": "hp_slots", "weekdays": "hp_weekdays", "min_days": "hp_min_days",
          "max_days": "hp_max_days", "cutoff": "hp_cutoff"}


def _options() -> dict[str, Any]:
    days = get_day_names("wide", locale=_locale())
    return {"hp_carrier_options": [(c, _(shipping_rules.carrier_name(c))) for c in rules.CARRIERS],
            "hp_weekday_options": [(str(d), days[d]) for d in range(7)]}


def values(policy: dict[str, Any]) -> dict[str, Any]:
    conf = {**rules.DEFAULT_CONFIG, **(policy.get("home_pickup") or {})}
    return {"hp_carrier": conf["carrier"], "hp_slots": "\n".join(conf["slots"]),
            "hp_weekdays": [str(d) for d in conf["weekdays"]], "hp_min_days": str(conf["min_days"]),
            "hp_max_days": str(conf["max_days"]), "hp_cutoff": conf["cutoff"], **_options()}


def read(form: Any, policy: dict[str, Any], text: Any, many: Any, whole: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the form's values to show again, the `home_pickup` body for read_policy). A post without these
    fields (a script, an older form) keeps the current settings."""
    if "hp_slots" not in form:
        current = {**rules.DEFAULT_CONFIG, **(policy.get("home_pickup") or {})}
        return values(policy), current
    shown = {"hp_carrier": text(form, "hp_carrier").strip(), "hp_slots": text(form, "hp_slots"),
             "hp_weekdays": [d for d in many(form, "hp_weekdays") if d in {str(n) for n in range(7)}],
             "hp_min_days": text(form, "hp_min_days").strip(), "hp_max_days": text(form, "hp_max_days").strip(),
             "hp_cutoff": text(form, "hp_cutoff").strip()}
    body = {"carrier": shown["hp_carrier"], "cutoff": shown["hp_cutoff"],
            "slots": [line.strip().replace("–", "-").replace(" ", "") for line in shown["hp_slots"].splitlines()
                      if line.strip()],
            "weekdays": [int(d) for d in shown["hp_weekdays"]],
            "min_days": whole(shown["hp_min_days"]), "max_days": whole(shown["hp_max_days"]),
            # not on the form (set through the API): the current value is kept
            "cutoff_days_before": {**rules.DEFAULT_CONFIG, **(policy.get("home_pickup") or {})}["cutoff_days_before"]}
    return {**shown, **_options()}, body


def field_of(name: str) -> str | None:
    """policy.home_pickup.slots[2] -> hp_slots (the form's field), None for another path."""
    if not name.startswith("home_pickup."):
        return None
    key = name.removeprefix("home_pickup.").split("[")[0]
    return FIELDS.get(key, "hp_slots")
