"""Where a shopper can hand in a return: pure decisions, no I/O.

The places are the merchant's stores and the merchant's partner points (convenience stores, post
offices, parcel lockers). Which kinds a method lists, whether a place is open at a moment (in the
place's own time zone), the distance from the shopper's postal code (bundled postal-code centroids of
the `zipcodes` package: US ZIP codes; none is bundled for Japanese codes, so there the distance is
unknown and the page says so) and the order they are shown in are decided here, once, for the
wizard's method step, the return page and `GET /api/v1/returns/{id}`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import zipcodes
from haversine import Unit, haversine

from orderhub.db import texts
from orderhub.db.merchants.rules import read_address, read_hours
from orderhub.db.pickup.rules import DayHours, day_changes, open_now, week_hours
from orderhub.db.returns import reason_rules
from orderhub.db.returns import rules as return_rules
from orderhub.db.validation import Reader

STORE = "store"
CONVENIENCE_STORE = "convenience_store"
POST_OFFICE = "post_office"
LOCKER = "locker"
#: the kinds of partner point a merchant may add
PARTNER_KINDS = (CONVENIENCE_STORE, POST_OFFICE, LOCKER)
#: English msgids, translated when shown
KIND_LABELS = {
    STORE: "Our store",
    CONVENIENCE_STORE: "Convenience store",
    POST_OFFICE: "Post office",
    LOCKER: "Parcel locker",
}
#: which places each return method lists: a drop-off anywhere, in store at a store, a parcel posted
#: at a post office or a convenience store counter; a home pickup needs no place
METHOD_KINDS: dict[str, tuple[str, ...]] = {
    "drop_off": (STORE, *PARTNER_KINDS),
    "in_store": (STORE,),
    "mail": (POST_OFFICE, CONVENIENCE_STORE),
    "home_pickup": (),
}
#: a merchant keeps at most this many partner points
MAX_POINTS = 100
POINT_LIMIT = "dropoff.too_many_points"
POINT_NOT_FOUND = "dropoff.point_not_found"
POSTAL_CODE_INVALID = "dropoff.postal_code"

_JP = re.compile(r"^(\d{3})-?(\d{4})$")
_US = re.compile(r"^(\d{5})(?:-?\d{4})?$")


def kinds_for(method: str) -> tuple[str, ...]:
    return METHOD_KINDS.get(method, ())


def lists_places(method: str) -> bool:
    return bool(kinds_for(method))


# -- reading a partner point (the admin's form and its service) ---------------------------------------

def read_point(data: Any, locale: str = "ja-JP") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A partner point: name, kind, address (postal code, city, street, country), opening hours in its
    own time zone, an optional note; the name and note may also be given per language (`name_en`)."""
    r = Reader()
    body = r.obj(data, "") or {}
    point: dict[str, Any] = {
        "name": r.text(body, "name", "name", max_len=200),
        "kind": r.choice(body, "kind", "kind", PARTNER_KINDS),
        "timezone": r.timezone(body, "timezone", "timezone"),
        "address": read_address(r, r.obj(body.get("address"), "address") or {}, "address"),
        "hours": read_hours(r, body),
        "note": r.text(body, "note", "note", required=False, max_len=300),
    }
    address = point["address"]
    if address.get("postal_code") and address.get("country") and not r.failed("address.postal_code"):
        clean = normalize_postal(address["postal_code"], address["country"])
        if clean is None and address["country"] in ("JP", "US"):
            r.error("address.postal_code", POSTAL_CODE_INVALID, "is not a postal code of that country")
        elif clean:
            address["postal_code"] = clean
    point["address"] = {k: v for k, v in address.items() if v}
    base = texts.language_of_locale(locale)
    words = {
        "name": texts.read_text(r, body, "name", "name", base, base=point["name"], max_len=200),
        "note": texts.read_text(r, body, "note", "note", base, base=point["note"], max_len=300),
    }
    point["texts"] = {k: v for k, v in words.items() if v}
    return point, r.errors


# -- distance ---------------------------------------------------------------------------------------

def normalize_postal(code: str, country: str) -> str | None:
    """The postal code as the country writes it ("150-0042", "94107"); None when it is not one."""
    raw = re.sub(r"\s+", "", str(code or "")).replace("〒", "").translate(
        str.maketrans("０１２３４５６７８９－ー", "0123456789--"))
    found = (_JP if country == "JP" else _US if country == "US" else None)
    if found is None:
        return raw or None
    m = found.fullmatch(raw)
    if not m:
        return None
    return f"{m[1]}-{m[2]}" if country == "JP" else m[1]


def centroid(code: str, country: str) -> tuple[float, float] | None:
    """The postal code's centre from bundled data, or None when no bundled data knows it."""
    clean = normalize_postal(code, country)
    if clean is None or country != "US":
        return None
    try:
        found = zipcodes.matching(clean)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def distance_km(origin: tuple[float, float] | None, place: tuple[float, float] | None) -> float | None:
    if origin is None or place is None:
        return None
    return round(float(haversine(origin, place, unit=Unit.KILOMETERS)), 1)


def distance_unit(country: str) -> str:
    """How the shopper reads distances: miles in the US, kilometres elsewhere."""
    return "mile" if country == "US" else "kilometer"


KM_PER_MILE = 1.609344


def in_unit(km: float, unit: str) -> float:
    return round(km / KM_PER_MILE, 1) if unit == "mile" else km


# -- the list -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A store or partner point, read for one moment."""

    kind: str
    #: the store's code or the partner point's id
    ref: str
    name: str
    address: dict[str, Any]
    timezone: str
    hours: list[dict[str, Any]]
    note: str = ""
    texts: dict[str, Any] = field(default_factory=dict)
    week: tuple[DayHours, ...] = ()
    open_now: bool = False
    distance_km: float | None = None

    @property
    def today(self) -> DayHours | None:
        return self.week[0] if self.week else None

    @property
    def is_store(self) -> bool:
        return self.kind == STORE

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def api(self, unit: str) -> dict[str, Any]:
        return {
            "kind": self.kind, "ref": self.ref, "name": self.name, "address": self.address,
            "timezone": self.timezone, "hours": self.hours, "note": self.note or None,
            "open_now": self.open_now,
            "today": None if self.today is None or self.today.closed else
            {"open": self.today.open, "close": self.today.close},
            "distance_km": self.distance_km,
            "distance": None if self.distance_km is None else {"value": in_unit(self.distance_km, unit), "unit": unit},
        }


def at(raw: dict[str, Any], now: dt.datetime, origin: tuple[float, float] | None) -> Place:
    """`raw` (kind, ref, name, address, timezone, hours, note, texts) as it is at `now`: its week's hours
    and whether it is open, both in its own time zone, and how far it is from `origin`."""
    tz = raw.get("timezone") or "UTC"
    week = tuple(week_hours(raw.get("hours") or [], tz, now))
    address = raw.get("address") or {}
    here = centroid(address.get("postal_code") or "", address.get("country") or "")
    return Place(kind=raw["kind"], ref=str(raw["ref"]), name=raw["name"], address=address, timezone=tz,
                 hours=raw.get("hours") or [], note=raw.get("note") or "", texts=raw.get("texts") or {},
                 week=week, open_now=open_now(week[0], now, tz), distance_km=distance_km(origin, here))


def arrange(places: list[Place]) -> list[Place]:
    """Nearest first where the distance is known; the rest after them, by name (then kind)."""
    return sorted(places, key=lambda p: (p.distance_km is None, p.distance_km or 0.0, p.name.casefold(), p.kind))


def next_change(places: list[Place], now: dt.datetime) -> dt.datetime | None:
    """When the list would read differently (a place opening or closing today)."""
    moments = [m for p in places if p.today for m in day_changes(p.today, p.timezone) if m > now]
    return min(moments, default=None)


@dataclass(frozen=True)
class DropOffList:
    method: str
    places: list[Place]
    #: the postal code distances are measured from ("" when none was given)
    origin_postal: str
    origin_country: str
    #: the shopper's postal code was found in bundled data
    origin_known: bool

    @property
    def distance_known(self) -> bool:
        return self.origin_known and any(p.distance_km is not None for p in self.places)

    @property
    def unit(self) -> str:
        return distance_unit(self.origin_country)

    def api(self) -> list[dict[str, Any]]:
        return [p.api(self.unit) for p in self.places]


def build(method: str, raws: list[dict[str, Any]], now: dt.datetime, postal: str, country: str) -> DropOffList:
    kinds = kinds_for(method)
    origin = centroid(postal, country) if postal else None
    places = arrange([at(raw, now, origin) for raw in raws if raw["kind"] in kinds])
    return DropOffList(method=method, places=places, origin_postal=normalize_postal(postal, country) or "",
                       origin_country=country, origin_known=origin is not None)


def send_by_on_submit(reasons: Mapping[str, str], total_minor: int, keep_item: bool, policy: dict[str, Any], currency: str,
                      now: dt.datetime, tz: str) -> dt.date | None:
    """The send-by day (`rules.send_by`) a return submitted at `now` gets when it is approved at once
    (auto-approval); None when someone reviews it first (its day is counted from their approval) or
    nothing has to be sent."""
    if not reason_rules.auto_approve(reasons, total_minor, policy, currency):
        return None
    deadline = return_rules.send_by(return_rules.APPROVED, keep_item, now, policy, tz)
    return None if deadline is None else return_rules.send_by_day(deadline, tz)
