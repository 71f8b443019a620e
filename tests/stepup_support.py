"""Helpers for step-up and cancellation tests: the latest step-up code from the email outbox."""

from __future__ import annotations

from tests.returns_support import CSRF, HTMX, csrf  # noqa: F401  (re-exported for the tests)


async def latest_code(order_id: int) -> str:
    """The code of the newest step-up email of the order, as the shopper reads it in their inbox."""
    from orderhub.db import engine
    from orderhub.db.emails.tables import EmailMessage

    async with engine.read():
        row = await EmailMessage.select(EmailMessage.payload).where(
            (EmailMessage.order_id == order_id) & (EmailMessage.event == "stepup.code")
        ).order_by(EmailMessage.id, ascending=False).output(load_json=True).first()
    assert row is not None, "no step-up email"
    return str(row["payload"]["code"])


async def send_code(client, base: str, purpose: str = "cancel", *, htmx: bool = False):
    token = await csrf(client, f"{base}/verify/{purpose}")
    return await client.post(f"{base}/verify/{purpose}/send", data={"_csrf_token": token, "next": f"{base}/{purpose}"},
                             headers=HTMX if htmx else {})


async def answer(client, base: str, value: str, purpose: str = "cancel", *, htmx: bool = False, token: str = ""):
    token = token or await csrf(client, f"{base}/verify/{purpose}")
    return await client.post(f"{base}/verify/{purpose}", data={"_csrf_token": token, "answer": value,
                                                             "next": f"{base}/{purpose}"},
                             headers=HTMX if htmx else {})


async def step_up(client, base: str, order_id: int, purpose: str = "cancel") -> None:
    """The shopper confirms it's them with the emailed code (this client's browser only)."""
    r = await send_code(client, base, purpose)
    assert r.status_code == 303, r.text[:300]
    r = await answer(client, base, await latest_code(order_id), purpose)
    assert r.status_code == 303, r.text[:300]
