"""The 着払い slip's tracking number (送り状番号, issue 20): the shopper enters it on the approved return's
page (htmx and plain forms, errors next to the field in ja/en), the merchant in the admin or the API;
carrier events on that number (API and signed webhooks) then move the return to in transit and received
like a prepaid label's; it can be changed until the carrier's first event."""

from __future__ import annotations

import datetime as dt

from orderhub.db import engine
from orderhub.db.returns.label_tables import ReturnLabel
from tests.admin_ops_support import signed_in
from tests.conftest import bearer
from tests.feedback_support import csrf_of, hook
from tests.integration.test_return_labels import JP_ADDRESS, _emails, _mail_return, _run, _setup
from tests.labels_support import FakeProvider

YAMATO_NUMBER = "444413758703"  # 11 digits, then their remainder modulo 7


async def _slip_return(client, orders, merchants, settings, clock, carrier: str = "yamato") -> int:
    yamakaze = merchants["yamakaze"][0]
    await _setup(yamakaze, settings, clock, provider="jp_slip", address=JP_ADDRESS, jp_carrier=carrier)
    rid = await _mail_return(client, orders, merchants, "jp_ship", "yamakaze", {"L1": 1})
    assert (await _run(settings, clock, FakeProvider()))["created"] == 1
    return rid


async def _post(client, url: str, number: str, *, htmx: bool = False, csrf: bool = True):
    page = await client.get(url.rsplit("/", 1)[0])
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
    data = {"tracking_number": number}
    if csrf:
        data["_csrf_token"] = csrf_of(page.text)
    return await client.post(url, data=data, headers=headers)


async def _number(rid: int) -> str:
    async with engine.read():
        return (await ReturnLabel.select(ReturnLabel.tracking_number).where(ReturnLabel.request == rid).first()
                )["tracking_number"]


async def test_shopper_enters_the_number_and_carrier_events_move_the_return(client, orders, merchants, settings,
                                                                           clock):
    yamakaze, key, secret = merchants["yamakaze"]
    await hook(yamakaze.id, clock)
    rid = await _slip_return(client, orders, merchants, settings, clock)
    base = f"/o/{orders['jp_ship'].token}/returns/{rid}"
    page = await client.get(base + "?lang=ja")
    assert "送り状番号" in page.text and f'action="{base}/tracking-number' in page.text
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["label"][
        "tracking_number_editable"] is True

    # a wrong check digit: 422, the message next to the field, in Japanese, nothing stored
    r = await _post(client, base + "/tracking-number", "4444-1375-8704")
    assert r.status_code == 422
    assert 'id="f-tracking_number-error"' in r.text and "番号が合いません" in r.text
    assert 'value="4444-1375-8704"' in r.text and await _number(rid) == ""
    # full-width digits with hyphens, as a phone keyboard may type them: stored as the 12 digits
    r = await _post(client, base + "/tracking-number", "４４４４－１３７５－８７０３")
    assert r.status_code == 303 and r.headers["location"].endswith(f"{base}?slip=saved")
    assert await _number(rid) == YAMATO_NUMBER
    shown = await client.get(base + "?slip=saved&lang=en")
    assert "we will follow the parcel with this number" in shown.text and YAMATO_NUMBER in shown.text
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["label"]["tracking_number"] == YAMATO_NUMBER and api["label"]["carrier"] == "yamato"

    # the carrier's events on that number, printed with hyphens, move the return: in transit, then received
    from tests.tracking_support import signed
    at = clock()
    body = {"carrier": "yamato", "tracking_number": "4444-1375-8703",
            "events": [{"id": "y1", "status": "in_transit", "occurred_at": at.isoformat()}]}
    raw, headers = signed(secret, body, now=at.timestamp())
    assert (await client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)).status_code == 202
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["status"] == "in_transit" and api["tracking_number"] == YAMATO_NUMBER
    assert api["label"]["tracking_number_editable"] is False
    # editing is over once the carrier has the parcel
    r = await _post(client, base + "/tracking-number", "512547514334")
    assert r.status_code == 409 and "送り状番号は変更できません" in r.text and await _number(rid) == YAMATO_NUMBER
    delivered = {"carrier": "yamato", "tracking_number": YAMATO_NUMBER, "events": [
        {"id": "y2", "status": "delivered", "occurred_at": (at + dt.timedelta(days=1)).isoformat()}]}
    assert (await client.post("/api/v1/tracking-events", json=delivered, headers=bearer(key))).status_code == 202
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["status"] == "received"
    assert len(await _emails("return_received")) == 1


async def test_htmx_answers_the_block_and_errors_in_english(client, orders, merchants, settings, clock):
    rid = await _slip_return(client, orders, merchants, settings, clock, carrier="sagawa")
    base = f"/o/{orders['jp_ship'].token}/returns/{rid}"
    url = base + "/tracking-number?lang=en"
    for hostile in ("<script>alert(1)</script>", "1" * 500, "12345", "abcdefghijkl"):
        r = await _post(client, url, hostile, htmx=True)
        assert r.status_code == 422 and "<html" not in r.text and 'id="returns-detail"' in r.text
        assert "<script>alert(1)" not in r.text
        assert "Enter the 12 digits of the tracking number" in r.text
    r = await _post(client, url, "", htmx=True)
    assert r.status_code == 422 and "Enter the tracking number from the carrier" in r.text
    r = await _post(client, url, "5125 4751 4334", htmx=True)
    assert r.status_code == 200 and 'id="returns-detail"' in r.text and "<html" not in r.text
    assert "512547514334" in r.text and "Change the number" in r.text
    # changed before the first carrier event
    r = await _post(client, base + "/tracking-number", YAMATO_NUMBER)
    assert r.status_code == 303 and await _number(rid) == YAMATO_NUMBER


async def test_security_csrf_tokens_and_other_orders(client, orders, merchants, settings, clock):
    rid = await _slip_return(client, orders, merchants, settings, clock)
    base = f"/o/{orders['jp_ship'].token}/returns/{rid}"
    await client.get(base)
    r = await client.post(base + "/tracking-number", data={"tracking_number": YAMATO_NUMBER})
    assert r.status_code == 403 and await _number(rid) == ""
    # a wrong token, and another order's token, get the same 404
    assert (await _post(client, f"/o/{'x' * 32}/returns/{rid}/tracking-number", YAMATO_NUMBER,
                        csrf=False)).status_code in (403, 404)
    other = f"/o/{orders['jp_pickup'].token}/returns/{rid}/tracking-number"
    page = await client.get(f"/o/{orders['jp_pickup'].token}")
    r = await client.post(other, data={"tracking_number": YAMATO_NUMBER, "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 404 and await _number(rid) == ""
    # another merchant's API key
    r = await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": YAMATO_NUMBER},
                         headers=bearer(merchants["acme"][1]))
    assert r.status_code == 404 and await _number(rid) == ""
    r = await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": YAMATO_NUMBER},
                         headers=bearer("wrong-key"))
    assert r.status_code == 401


async def test_api_and_admin_enter_the_number(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    rid = await _slip_return(client, orders, merchants, settings, clock, carrier="japan_post")
    url = f"/api/v1/returns/{rid}/label/tracking-number"
    r = await client.put(url, json={"tracking_number": 405548424886}, headers=bearer(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tracking_number"
    r = await client.put(url, json=["x"], headers=bearer(key))
    assert r.status_code == 422
    r = await client.put(url, json={"tracking_number": "4055-4842-4886"}, headers=bearer(key))
    assert r.status_code == 200, r.text
    assert r.json()["label"]["tracking_number"] == "405548424886"
    assert (await client.put(url, json={"tracking_number": "4055-4842-4886"}, headers=bearer(key))).status_code == 200

    await signed_in(client, clock)
    page = await client.get(f"/admin/returns/{rid}?lang=ja")
    assert "405548424886" in page.text and "/label/tracking-number" in page.text
    admin_url = f"/admin/returns/{rid}/label/tracking-number"
    r = await client.post(admin_url, data={"tracking_number": "4055", "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 422 and 'id="f-tracking_number-error"' in r.text
    r = await client.post(admin_url, data={"tracking_number": YAMATO_NUMBER, "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and await _number(rid) == YAMATO_NUMBER
    assert (await client.post(admin_url, data={"tracking_number": YAMATO_NUMBER})).status_code == 403


async def test_a_number_of_another_parcel_is_refused(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    rid = await _slip_return(client, orders, merchants, settings, clock)
    shipment = {"carrier": "yamato", "tracking_number": "5125-4751-4334", "lines": [{"line_id": "L2", "quantity": 1}]}
    r = await client.put("/api/v1/orders/jp_ship/shipments/S-9", json=shipment,
                         headers=bearer(key))
    assert r.status_code in (200, 201), r.text
    r = await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": "512547514334"},
                         headers=bearer(key))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "label.slip_number_taken"


async def test_no_slip_no_form(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    rid = await _mail_return(client, orders, merchants, "jp_ship", "yamakaze", {"L1": 1})  # no label provider
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}")
    assert "/tracking-number" not in page.text
    r = await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": YAMATO_NUMBER},
                         headers=bearer(key))
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "label.slip_number_not_a_slip"


async def test_label_email_asks_for_the_number_then_shows_it(client, orders, merchants, settings, clock):
    from orderhub.emails.render import render

    key = merchants["yamakaze"][1]
    rid = await _slip_return(client, orders, merchants, settings, clock)
    payload = {"return_id": rid}
    before = await render("return_label", "return.label_created", payload, orders["jp_ship"].id, "ja", settings,
                          now=clock())
    assert "送り状番号を返品ページで入力してください" in before.text
    r = await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": YAMATO_NUMBER},
                         headers=bearer(key))
    assert r.status_code == 200
    after = await render("return_label", "return.label_created", payload, orders["jp_ship"].id, "en", settings,
                         now=clock())
    assert YAMATO_NUMBER in after.text and "enter the tracking number" not in after.text
