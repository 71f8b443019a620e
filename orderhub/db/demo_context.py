"""What the demo's steps share: the fixture files, the demo orders and the context a step gets.

The demo (`orderhub demo`, orderhub/demo/__init__.py) lists its steps explicitly; each area's
db/<area>/demo.py holds its step, which moves the demo orders through that area's own services.
"""

from __future__ import annotations

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
