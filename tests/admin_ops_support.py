"""Helpers for the admin operations tests: returns and analytics events seeded through services."""

from __future__ import annotations

import datetime as dt
import re

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HEADER_CSRF = re.compile(r'"x-csrftoken": "([^"]+)"')


def csrf_of(html: str) -> str:
    """The page's CSRF token: from a form, or from the htmx header on <body> when it has no form."""
    found = CSRF.search(html) or HEADER_CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def without_csrf(html: str) -> str:
    """The page without its CSRF token (random hex, which can hold any short run of digits)."""
    return html.replace(csrf_of(html), "")


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def make_return(order_id: int, items: dict, *, now: dt.datetime, reason: str = "other",
                      resolution: str = "refund", method: str = "drop_off", key: str = "", comment: str = "") -> int:
    from orderhub.db.returns import services
    from tests.returns_support import fulfil

    await fulfil(order_id)  # only delivered units can come back
    data = {"items": items, "reason": reason, "comment": comment, "resolution": resolution, "method": method}
    return await services.submit(order_id, data, idempotency_key=key or f"t-{order_id}-{reason}-{sorted(items)}",
                                 now=now)


async def record(merchant_id: int, kind: str, at: dt.datetime, *, times: int = 1, section: str = "confirmation",
                 product_ids=("",), order_id: int | None = None) -> None:
    from orderhub.db.analytics import services

    for _ in range(times):
        await services.record(merchant_id, kind, now=at, order_id=order_id, section=section,
                              product_ids=list(product_ids))


async def csrf(client, url: str) -> str:
    r = await client.get(url)
    assert r.status_code == 200, r.text[:500]
    return csrf_of(r.text)


PASSWORD = "admin-ops correct horse"


async def admin_user(clock, slug: str = "yamakaze", role: str = "owner", email: str = "") -> str:
    from orderhub.db.merchants import services

    email = email or f"{role}@{slug}.example"
    store = None
    if role == "staff":
        store = "shibuya" if slug == "yamakaze" else "soho"
    await services.create_user(slug, email, role, PASSWORD, store_code=store, now=clock())
    return email


async def sign_in(client, email: str, password: str = PASSWORD):
    """Through ADMIN-CORE's sign-in form (GET for the CSRF token, then POST)."""
    page = await client.get("/admin/sign-in")
    token = csrf_of(page.text)
    r = await client.post("/admin/sign-in", data={"email": email, "password": password, "_csrf_token": token})
    assert r.status_code in (302, 303), r.text[:500]
    return r


async def signed_in(client, clock, slug: str = "yamakaze", role: str = "owner") -> None:
    await sign_in(client, await admin_user(clock, slug, role))
