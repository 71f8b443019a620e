"""The shared step-up (db/security/stepup.py, site/hub/stepup.py): a code by email, or the postal code
when the merchant sends no shopper emails; single-use, expiring, rate-limited, per browser."""

from __future__ import annotations

import pytest

from tests.stepup_support import answer, csrf, latest_code, send_code


async def _verified(order_id: int, client, clock) -> bool:
    from orderhub.db.security import stepup

    return await stepup.verified(order_id, "cancel", client.cookies.get("oh_stepup", ""), clock())


async def test_email_code_verifies_this_browser_once(client, orders, clock):
    ref = orders["jp_ship"]
    base = f"/o/{ref.token}"
    page = await client.get(f"{base}/verify/cancel?lang=en")
    assert page.status_code == 200 and "@example.jp" in page.text and "hanako.yamada@" not in page.text
    r = await send_code(client, base)
    assert r.status_code == 303 and r.headers["location"] == f"{base}/cancel"
    cookie = client.cookies.get("oh_stepup")
    assert cookie
    code = await latest_code(ref.id)
    assert len(code) == 6 and code.isdigit()
    # the code is kept hashed, never as typed
    from orderhub.db import engine
    from orderhub.db.security.tables import StepupChallenge
    async with engine.read():
        rows = await StepupChallenge.select(StepupChallenge.code_hash)
    assert rows and all(code not in r["code_hash"] for r in rows)

    wrong = await answer(client, base, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    assert not await _verified(ref.id, client, clock)
    token = await csrf(client, f"{base}/verify/cancel")
    ok = await answer(client, base, code, token=token)
    assert ok.status_code == 303 and ok.headers["location"] == f"{base}/cancel"
    assert await _verified(ref.id, client, clock)
    assert (await client.get(f"{base}/verify/cancel")).status_code == 303  # nothing more to ask
    # single use: the same code again is refused
    again = await answer(client, base, code, token=token)
    assert again.status_code == 422
    # another browser (no cookie) is not stepped up
    client.cookies.clear()
    assert not await _verified(ref.id, client, clock)


async def test_code_expires(client, orders, clock):
    ref = orders["jp_ship"]
    base = f"/o/{ref.token}"
    await send_code(client, base)
    code = await latest_code(ref.id)
    clock.advance(minutes=11)
    r = await answer(client, base, code, htmx=True)
    assert r.status_code == 422 and 'id="stepup-card"' in r.text and "コードの有効期限が切れました" in r.text
    assert not await _verified(ref.id, client, clock)


async def test_five_wrong_codes_lock_the_code(client, orders, clock):
    ref = orders["jp_ship"]
    base = f"/o/{ref.token}"
    await send_code(client, base)
    code = await latest_code(ref.id)
    bad = "999999" if code != "999999" else "888888"
    for _ in range(5):
        r = await answer(client, base, bad)
        assert r.status_code == 422
    r = await answer(client, base, code)  # right, but too late
    assert r.status_code == 422
    assert not await _verified(ref.id, client, clock)


async def test_sends_are_rate_limited_per_order(client, orders):
    base = f"/o/{orders['jp_ship'].token}"
    for _ in range(3):
        assert (await send_code(client, base)).status_code == 303
    r = await send_code(client, base, htmx=True)
    assert r.status_code == 429 and 'id="stepup-card"' in r.text


async def test_htmx_success_redirects_and_partial_card(client, orders):
    ref = orders["us_ship"]
    base = f"/o/{ref.token}"
    r = await send_code(client, base, htmx=True)
    assert r.status_code == 200 and r.text.lstrip().startswith('<section id="stepup-card"')
    assert "<html" not in r.text
    ok = await answer(client, base, await latest_code(ref.id), htmx=True)
    assert ok.status_code == 200 and ok.headers["hx-redirect"] == f"{base}/cancel"


async def test_postal_code_when_merchant_sends_no_emails(client, orders, merchants, clock):
    from orderhub.db import engine
    from orderhub.db.merchants.tables import Merchant

    merchant = merchants["yamakaze"][0]
    async with engine.write():
        await Merchant.update({Merchant.settings: {**merchant.settings, "emails": {"send": False}},
                               Merchant.version: Merchant.version + 1}).where(Merchant.id == merchant.id)
    ref = orders["jp_ship"]
    base = f"/o/{ref.token}"
    page = await client.get(f"{base}/verify/cancel?lang=en")
    assert "postal code" in page.text and "Email me a code" not in page.text
    refused = await send_code(client, base)
    assert refused.status_code == 409
    wrong = await answer(client, base, "100-0001")
    assert wrong.status_code == 422
    ok = await answer(client, base, "〒150-0041")
    assert ok.status_code == 303
    assert await _verified(ref.id, client, clock)


@pytest.mark.parametrize("path", ["/verify/cancel", "/verify/cancel/send"])
async def test_posts_need_csrf_and_a_good_token(client, orders, path):
    base = f"/o/{orders['jp_ship'].token}"
    assert (await client.post(base + path, data={"answer": "123456"})).status_code == 403
    token = await csrf(client, f"{base}/verify/cancel")
    bad = await client.post("/o/not-a-token" + path, data={"_csrf_token": token, "answer": "1"})
    assert bad.status_code == 404
    unknown = await client.post(base + "/verify/nothing", data={"_csrf_token": token, "answer": "1"})
    assert unknown.status_code == 404


async def test_hostile_next_stays_on_the_hub(client, orders):
    base = f"/o/{orders['jp_ship'].token}"
    token = await csrf(client, f"{base}/verify/cancel")
    r = await client.post(f"{base}/verify/cancel/send", data={"_csrf_token": token, "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == f"{base}/cancel"
    r = await client.get(f"{base}/verify/cancel?next=//evil.example/x")
    assert 'value="//evil' not in r.text
