"""The admin navigation: one explicit list, in the order the links appear (nothing registers
itself on import)."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.db.merchants import rules


@dataclass(frozen=True)
class AdminLink:
    key: str
    label: str  # English msgid, translated when the page renders
    path: str
    roles: tuple[str, ...] = rules.ROLES


LINKS: tuple[AdminLink, ...] = (
    AdminLink("dashboard", "Dashboard", "/admin", roles=rules.OWNERS),
    AdminLink("returns", "Returns", "/admin/returns"),
    AdminLink("claims", "Claims", "/admin/claims"),
    AdminLink("shipments", "Shipments", "/admin/shipments"),
    AdminLink("orders", "Orders", "/admin/orders"),
    AdminLink("reviews", "Reviews", "/admin/reviews"),
    AdminLink("detractors", "Unhappy shoppers", "/admin/detractors"),
    AdminLink("emails", "Emails", "/admin/emails"),
    AdminLink("documents", "Documents", "/admin/documents", roles=rules.OWNERS),
    AdminLink("branding", "Branding", "/admin/branding", roles=rules.OWNERS),
    AdminLink("settings", "Settings", "/admin/settings", roles=rules.OWNERS),
    AdminLink("users", "Team", "/admin/users", roles=rules.OWNERS),
)


def links_for(role: str) -> list[AdminLink]:
    return [link for link in LINKS if role in link.roles]


def landing_for(role: str) -> str:
    """Where a user of this role lands after signing in: the first page they may open."""
    links = links_for(role)
    return links[0].path if links else "/admin/users"
