"""What the demo's steps share: the fixture files, the demo orders and the context a step gets.

The demo (`orderhub demo`, orderhub/demo/__init__.py) lists its steps explicitly; each area's
db/<area>/demo.py holds its step, which moves the demo orders through that area's own services.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderhub.settings import Settings

if TYPE_CHECKING:  # the areas' demo steps import this module; it needs the table only as a type
    from orderhub.db.merchants.tables import Merchant

FIXTURES = Path(__file__).resolve().parent.parent / "demo" / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class DemoOrder:
    merchant: str
    external_id: str
    fixture: str
    #: what the demo shows: placed, shipped, delayed, out_for_delivery, delivered, ready_for_pickup, returned, ...
    state: str
    changes: dict[str, Any] = field(default_factory=dict)
    tracking: str | None = None
    token: str = ""
    order_id: int = 0


@dataclass
class DemoContext:
    settings: Settings
    now: dt.datetime
    merchants: dict[str, Merchant]
    orders: list[DemoOrder]
    api_keys: dict[str, str] = field(default_factory=dict)
    #: demo sign-ins to print: (path, e-mail, password)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def with_texts(kind: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """A shared fixture's body (`kind`: merchants, stores or products; `key`: "slug" or "slug:code")
    with the texts in the other language that demo/fixtures/texts.json adds (orderhub.db.texts'
    `<field>_<lang>` keys; a product's `options_en` translates the words of its variants' options)."""
    extra = copy.deepcopy(fixture("texts.json").get(kind, {}).get(key) or {})
    out = copy.deepcopy(body)
    words = extra.pop("options_en", None)
    for name, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = {**out[name], **value}
        else:
            out[name] = value
    if words:
        for variant in out.get("variants", []):
            option = variant.get("option") or ""
            for ja, en in words.items():
                option = option.replace(ja, en)
            if option != variant.get("option"):
                variant["option_en"] = option
    return out
