"""The admin navigation: each area registers its own link from its controller module."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.db.merchants import rules


@dataclass(frozen=True)
class AdminLink:
    key: str
    label: str  # English msgid, translated when the page renders
    path: str
    roles: tuple[str, ...] = rules.ROLES
    order: int = 50


_LINKS: dict[str, AdminLink] = {}


def register(link: AdminLink) -> AdminLink:
    _LINKS[link.key] = link
    return link


def links_for(role: str) -> list[AdminLink]:
    return sorted((link for link in _LINKS.values() if role in link.roles), key=lambda link: (link.order, link.key))


def landing_for(role: str) -> str:
    """Where a user of this role lands after signing in: the first page they may open."""
    links = links_for(role)
    return links[0].path if links else "/admin/users"
