"""Words for the drop-off list (`_dropoff.html.jinja`): kinds and distances in the page's language.
Which places are listed, in what order, open or not and how far is decided in
`orderhub.db.returns.dropoff_rules`; this module only words it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.units import format_unit

from orderhub.components.i18n import BABEL_LOCALES, chosen_language, current_language
from orderhub.components.i18n import gettext as _
from orderhub.db import clock
from orderhub.db.returns import dropoff, dropoff_rules
from orderhub.db.returns.dropoff_rules import DropOffList, Place

#: the longest postal code read from the query string
POSTAL_MAX = 20


def kind_label(kind: str) -> str:
    return _(dropoff_rules.KIND_LABELS.get(kind, "Drop-off point"))


def distance(place: Place, unit: str) -> str:
    if place.distance_km is None:
        return ""
    return format_unit(dropoff_rules.in_unit(place.distance_km, unit), f"length-{unit}", length="short",
                       format="#,##0.#", locale=BABEL_LOCALES[current_language()])


async def context(order_id: int, method: str, *, now: dt.datetime, postal: str | None, action: str) -> dict[str, Any]:
    """What the include needs (besides this module as `dp`): the list and where its postal-code form goes."""
    typed = (postal or "")[:POSTAL_MAX]
    found: DropOffList = await dropoff.for_order(order_id, method, now=now, postal=typed or None)
    changes = dropoff_rules.next_change(found.places, now)
    clock.changes_at(changes, now)
    return {"dropoff": found, "dropoff_action": action, "dropoff_typed": typed, "dropoff_lang": chosen_language()}
