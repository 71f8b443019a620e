"""Piccolo configuration (PICCOLO_CONF): the app registry, and `DB`, the engine bound by
`orderhub.db.engine` (built lazily from DATABASE_URL on first use, so importing this module has no
side effect: no connection, no file)."""

from __future__ import annotations

from typing import Any

from orderhub.db.apps import APP_REGISTRY
from orderhub.db.engine import current_engine

__all__ = ["APP_REGISTRY"]


def __getattr__(name: str) -> Any:
    """Piccolo's engine_finder reads `piccolo_conf.DB`: the engine bound now."""
    if name == "DB":
        return current_engine()
    raise AttributeError(name)
