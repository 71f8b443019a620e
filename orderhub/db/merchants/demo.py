"""Demo step: an owner account per demo merchant for the merchant admin (documented in the README)."""

from __future__ import annotations

from orderhub.db import demo_context as demo
from orderhub.db import engine
from orderhub.db.errors import Conflict
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules, services
from orderhub.db.merchants.tables import User

DEMO_OWNER_PASSWORD = "admin-demo-2026"
DEMO_OWNERS = {"yamakaze": "owner@yamakaze.example.jp", "acme": "owner@acme.example.com"}


async def owners(ctx: demo.DemoContext) -> None:
    for slug, email in DEMO_OWNERS.items():
        merchant = ctx.merchants.get(slug)
        if merchant is None:
            continue
        async with engine.read():
            exists = await User.exists().where(User.key == scoped(merchant.id, email))
        if not exists:
            try:
                await services.create_user(slug, email, rules.OWNER, DEMO_OWNER_PASSWORD, store_code=None, now=ctx.now)
            except Conflict:  # pragma: no cover - created meanwhile
                pass
        ctx.accounts.append(("/admin/sign-in", email, DEMO_OWNER_PASSWORD))
