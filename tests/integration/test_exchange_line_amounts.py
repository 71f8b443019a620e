"""An exchange for something else with tax-exclusive prices (acme, USD, 8.875 %): each chosen line's
amount is computed once, tax included, and the lines add up to "New items" on the wizard's review,
the return page, the admin, the email, the API and the exchange.created webhook (issue 20 review)."""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.outbox.services import add_endpoint
from tests.admin_ops_support import signed_in
from tests.conftest import bearer
from tests.feedback_support import deliveries
from tests.integration.test_exchange_other import _exchange
from tests.returns_support import fulfil

#: 3 × 15.00 + 8.875 % = 48.99; 12.50 + tax = 13.61; total 62.60 (the catalog prices alone: 45.00, 12.50)
PICKS = [("merino-socks", "SOCK-M-GRY", 3), ("waterproof-spray", "SPR-10", 1)]
LINES = ["$48.99", "$13.61"]
TOTAL = "$62.60"


@pytest.fixture(autouse=True)
async def _delivered(orders):
    await fulfil(orders["us_ship"].id)


def _has_all(text: str, amounts: list[str]) -> bool:
    return all(a in text for a in amounts)


async def test_tax_exclusive_exchange_lines_add_up_everywhere(client, orders, merchants, settings, clock):
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.emails.render import render

    acme, key, _secret = merchants["acme"]
    await add_endpoint(acme.id, "https://hooks.example.com/acme", now=clock())
    base = f"/o/{orders['us_ship'].token}/returns"
    rid, review = await _exchange(client, base, PICKS, line="1")
    assert _has_all(review, [*LINES, TOTAL]) and "$45.00" not in review

    page = await client.get(f"{base}/{rid}?lang=en")
    assert _has_all(page.text, [*LINES, TOTAL]) and "$45.00" not in page.text

    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["exchange_for"]
    assert [i["amount"] for i in api["items"]] == ["48.99", "13.61"] and api["new_total"] == "62.60"
    assert [i["unit_price"] for i in api["items"]] == ["15.00", "12.50"]

    [created] = [d["payload"] for d in await deliveries("exchange.created")]
    draft = created["draft_order"]
    assert [ln["amount"] for ln in draft["lines"]] == ["48.99", "13.61"] and draft["total"] == "62.60"

    await signed_in(client, clock, slug="acme")
    admin = await client.get(f"/admin/returns/{rid}?lang=en")
    section = admin.text[admin.text.index('id="rd-exchange"'):]
    assert _has_all(section, [*LINES, TOTAL]) and "$45.00" not in section

    async with engine.read():
        row = await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                        EmailMessage.order_id).output(load_json=True).where(
            EmailMessage.event == "exchange.created").first()
    for lang in ("en", "ja"):
        mail = await render(row["kind"], row["event"], row["payload"], row["order_id"], lang, settings, now=clock())
        amounts = re.findall(r"\$\d+\.\d\d", mail.text)
        assert _has_all(mail.text, [*LINES, TOTAL]) and "$45.00" not in amounts, lang
