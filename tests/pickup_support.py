"""Helpers for the pickup tests: staff users, signing in, forms with CSRF, API moves."""

from __future__ import annotations

from orderhub.db.merchants import services
from tests.admin_ops_support import csrf_of
from tests.conftest import bearer

PASSWORD = "correct horse battery"


async def make_staff(clock, slug: str = "yamakaze", store: str = "shibuya", email: str = "clerk@example.jp") -> None:
    await services.create_user(slug, email, "staff", PASSWORD, store_code=store, now=clock())


async def sign_in(client, email: str = "clerk@example.jp", password: str = PASSWORD):
    page = await client.get("/staff")
    return await client.post("/staff/sign-in", data={"email": email, "password": password,
                                                     "_csrf_token": csrf_of(page.text)})


async def make_ready(client, api_key: str, external_id: str = "jp_pickup", **extra):
    body = {"status": "ready", "ready_at": "2026-11-22T02:00:00Z", "pickup_deadline": "2026-11-29T14:59:00Z", **extra}
    return await client.put(f"/api/v1/orders/{external_id}/pickup", json=body, headers=bearer(api_key))


async def post_form(client, page_url: str, action: str, data: dict, headers: dict | None = None):
    page = await client.get(page_url)
    return await client.post(action, data={**data, "_csrf_token": csrf_of(page.text)}, headers=headers or {})
