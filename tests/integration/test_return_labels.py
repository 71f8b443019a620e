"""Prepaid return labels (issue 20 item 2): on approval of a mail return the label job buys one label
from the merchant's provider (EasyPost, Shippo; a local fake behind httpx.MockTransport) or makes a 着払い
slip; timeouts, 4xx and 5xx leave the return approved and retry without buying twice; the label shows
on the return page, the admin, the API and in one email; carrier events on its tracking number move the
return to in transit, then received."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import jobs as return_jobs
from orderhub.db.returns import label_jobs
from orderhub.db.returns.label_tables import LabelAccount, ReturnLabel
from orderhub.db.returns.tables import ReturnEvent, ReturnRequest
from tests.conftest import bearer
from tests.feedback_support import deliveries, hook
from tests.labels_support import API, FakeProvider
from tests.returns_support import walk

US_ADDRESS = {"name": "Acme Returns", "postal_code": "94107", "region": "CA", "city": "San Francisco",
              "line1": "1 Market St", "country": "US"}
JP_ADDRESS = {"name": "山風 返品係", "postal_code": "150-0001", "region": "東京都", "city": "渋谷区",
              "line1": "神宮前1-1-1", "country": "JP"}


async def _setup(merchant, settings, clock, *, provider: str, address: dict, **credentials) -> None:
    async with engine.write():
        await Merchant.update({Merchant.address: address}).where(Merchant.id == merchant.id)
    await label_jobs.save_account(merchant.id, {"provider": provider, **credentials},
                                  secret_key=settings.secret_key, now=clock())


async def _mail_return(client, orders, merchants, name: str, slug: str, items: dict, *, approve=True) -> int:
    r, *_ = await walk(client, f"/o/{orders[name].token}/returns", items=items, reason="changed_mind", method="mail")
    assert r.status_code == 303, r.text[:500]
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    if approve:
        ok = await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(merchants[slug][1]))
        assert ok.status_code == 200, ok.text
    return rid


async def _run(settings, clock, fake: FakeProvider) -> dict[str, int]:
    from dataclasses import replace

    async with fake.client() as c:
        return await return_jobs.make_labels(replace(settings, labels_api_url=API), clock, client=c)


async def _label(rid: int) -> dict:
    async with engine.read():
        return await ReturnLabel.select().where(ReturnLabel.request == rid).first()


async def _emails(kind: str) -> list[dict]:
    async with engine.read():
        return await EmailMessage.select().where(EmailMessage.kind == kind)


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
async def test_label_bought_once_shown_everywhere(client, orders, merchants, settings, clock, provider):
    acme, key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    creds = {"api_key": "EZTK_secret"} if provider == "easypost" else {"api_token": "shippo_test_secret"}
    await _setup(acme, settings, clock, provider=provider, address=US_ADDRESS, **creds)
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider()
    assert await _run(settings, clock, fake) == {"created": 1, "retry": 0, "failed": 0}
    assert fake.purchases == 1
    # the documented calls: a return shipment, then the lowest rate bought
    if provider == "easypost":
        assert [c[1] for c in fake.calls] == ["/v2/shipments", "/v2/shipments/shp_1/buy"]
        assert fake.bodies[0]["shipment"]["is_return"] is True
        assert fake.bodies[0]["shipment"]["to_address"]["street1"] == "200 Hudson St"
        assert fake.bodies[1] == {"rate": {"id": "rate_1_b"}}
        assert fake.headers[0]["authorization"].startswith("Basic ")
    else:
        assert [c[1] for c in fake.calls] == ["/shipments", "/transactions"]
        assert fake.bodies[0]["extra"]["is_return"] is True
        assert fake.bodies[1]["rate"] == "r_1_b"
        assert fake.headers[0]["authorization"] == "ShippoToken shippo_test_secret"
    assert {h["idempotency-key"] for h in fake.headers} == {f"orderhub-return-label-{rid}"}
    row = await _label(rid)
    assert row["state"] == "created" and row["tracking_number"] and row["cost_minor"] == (549 if provider == "easypost"
                                                                                         else 425)
    # the return stays approved, with the parcel's carrier and number
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["status"] == "approved"
    label = api["label"]
    assert label["state"] == "created" and label["provider"] == provider
    assert label["tracking_number"] == row["tracking_number"] and label["label_url"].startswith("https://files.")
    assert label["qr_url"] and label["cost"] == ("5.49" if provider == "easypost" else "4.25")
    # webhook and email, once, even when the job runs again
    assert await _run(settings, clock, FakeProvider()) == {"created": 0, "retry": 0, "failed": 0}
    [hook_row] = await deliveries("return.label_created")
    assert hook_row["payload"]["tracking_number"] == row["tracking_number"]
    assert len(await _emails("return_label")) == 1
    # the shopper's return page offers the label
    page = await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}?lang=en")
    assert "Your return label" in page.text and row["tracking_number"] in page.text
    assert row["label_url"] in page.text


@pytest.mark.parametrize("trouble", ["timeout", 500, 429, "lost"])
async def test_failures_retry_without_a_second_label(client, orders, merchants, settings, clock, trouble):
    acme, key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    # the purchase fails (or its answer is lost): the return stays approved, the label is retried later
    fake = FakeProvider(fail=[None, trouble])
    assert (await _run(settings, clock, fake))["retry"] == 1
    row = await _label(rid)
    assert row["state"] == "pending" and row["attempts"] == 1 and row["provider_shipment_id"] == "shp_1"
    assert row["next_attempt_at"] > clock()
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["status"] == "approved"
    assert await _run(settings, clock, fake) == {"created": 0, "retry": 0, "failed": 0}  # not due yet
    clock.advance(minutes=2)
    assert (await _run(settings, clock, fake))["created"] == 1
    assert fake.purchases == 1
    assert [c[1] for c in fake.calls].count("/v2/shipments") == 1  # the same shipment, never a second one
    assert (await _label(rid))["state"] == "created"
    assert len(await deliveries("return.label_created")) == 1


async def test_shippo_lost_answer_is_looked_up_not_bought_again(client, orders, merchants, settings, clock):
    acme, _key, _secret = merchants["acme"]
    await _setup(acme, settings, clock, provider="shippo", address=US_ADDRESS, api_token="t")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider(fail=[None, "lost"])
    await _run(settings, clock, fake)
    clock.advance(minutes=2)
    assert (await _run(settings, clock, fake))["created"] == 1
    assert fake.purchases == 1 and fake.calls[-1] == ("GET", "/transactions")
    assert (await _label(rid))["tracking_number"]


async def test_refusal_fails_visibly_and_retry_now(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="bad")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider(fail=[401])
    assert (await _run(settings, clock, fake))["failed"] == 1
    label = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["label"]
    assert label["state"] == "failed" and "401" in label["error"]
    assert fake.purchases == 0
    view = await label_jobs.retry_now(acme.id, rid, now=clock())
    assert view.state == "pending"
    assert (await _run(settings, clock, FakeProvider()))["created"] == 1


async def test_out_of_attempts_is_failed(client, orders, merchants, settings, clock):
    acme, _key, _secret = merchants["acme"]
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider(fail=[503] * 20)
    for _ in range(8):
        await _run(settings, clock, fake)
        clock.advance(hours=2)
    row = await _label(rid)
    assert row["state"] == "failed" and row["attempts"] == 8 and "503" in row["last_error"]
    assert fake.purchases == 0


async def test_no_label_without_provider_or_for_other_methods(client, orders, merchants, settings, clock):
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    assert await _run(settings, clock, FakeProvider()) == {"created": 0, "retry": 0, "failed": 0}
    assert await _label(rid) is None


async def test_jp_slip_and_carrier_events_move_the_return(client, orders, merchants, settings, clock):
    yamakaze, key, _secret = merchants["yamakaze"]
    await hook(yamakaze.id, clock)
    await _setup(yamakaze, settings, clock, provider="jp_slip", address=JP_ADDRESS, jp_carrier="yamato")
    rid = await _mail_return(client, orders, merchants, "jp_ship", "yamakaze", {"L1": 1})
    fake = FakeProvider()
    assert (await _run(settings, clock, fake))["created"] == 1
    assert fake.calls == []  # no API for a slip
    row = await _label(rid)
    assert row["provider"] == "jp_slip" and len(row["reference"]) == 10 and row["carrier"] == "yamato"
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}")
    assert row["reference"] in page.text and "着払い" in page.text and "ヤマト運輸" in page.text
    assert "〒150-0001" in page.text and "<svg" in page.text
    [mail] = await _emails("return_label")
    assert mail["order_id"] == orders["jp_ship"].id if "order_id" in mail else True


async def test_carrier_events_on_the_label_move_the_return(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    await _run(settings, clock, FakeProvider())
    number = (await _label(rid))["tracking_number"]
    at = clock()

    def event(eid: str, status: str, minutes: int) -> dict:
        return {"id": eid, "status": status, "occurred_at": (at + dt.timedelta(minutes=minutes)).isoformat()}

    body = {"carrier": "usps", "tracking_number": number, "events": [event("e1", "in_transit", 10)]}
    r = await client.post("/api/v1/tracking-events", json=body, headers=bearer(key))
    assert r.status_code == 202, r.text
    assert (await client.post("/api/v1/tracking-events", json=body, headers=bearer(key))).status_code == 202
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["status"] == "in_transit" and api["label"]["tracking_status"] == "in_transit"
    delivered = {"carrier": "usps", "tracking_number": number, "events": [event("e2", "delivered", 60)]}
    assert (await client.post("/api/v1/tracking-events", json=delivered, headers=bearer(key))).status_code == 202
    # a late in-transit event never moves it back
    late = {"carrier": "usps", "tracking_number": number, "events": [event("e0", "in_transit", 5)]}
    assert (await client.post("/api/v1/tracking-events", json=late, headers=bearer(key))).status_code == 202
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["status"] == "received" and api["label"]["tracking_status"] == "delivered"
    async with engine.read():
        events = [e["status"] for e in await ReturnEvent.select(ReturnEvent.status).where(
            ReturnEvent.request == rid).order_by(ReturnEvent.id)]
    assert events == ["requested", "approved", "in_transit", "received"]
    assert len(await deliveries("return.in_transit")) == 1 and len(await deliveries("return.received")) == 1
    assert len(await _emails("return_in_transit")) == 1 and len(await _emails("return_received")) == 1
    # another merchant's key does not reach this label: its shipments answer 404 as before
    other = merchants["yamakaze"][1]
    assert (await client.post("/api/v1/tracking-events", json=delivered, headers=bearer(other))).status_code == 404


async def test_credentials_are_sealed(merchants, settings, clock):
    acme, _key, _secret = merchants["acme"]
    await label_jobs.save_account(acme.id, {"provider": "easypost", "api_key": "EZTK_very_secret"},
                                  secret_key=settings.secret_key, now=clock())
    async with engine.read():
        row = await LabelAccount.select().where(LabelAccount.merchant == acme.id).first()
    assert "EZTK" not in row["credentials"] and row["credentials"]
    async with engine.read():
        assert await ReturnRequest.count() == 0


async def test_signed_carrier_webhook_moves_the_return(client, orders, merchants, settings, clock):
    from tests.tracking_support import signed

    acme, key, secret = merchants["acme"]
    await _setup(acme, settings, clock, provider="shippo", address=US_ADDRESS, api_token="t")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    await _run(settings, clock, FakeProvider())
    number = (await _label(rid))["tracking_number"]
    body = {"carrier": "ups", "tracking_number": number,
            "events": [{"id": "w1", "status": "out_for_delivery", "occurred_at": clock().isoformat()}]}
    raw, headers = signed(secret, body, now=clock().timestamp())
    _bad_raw, bad = signed("wrong-secret", body, now=clock().timestamp())
    assert (await client.post("/webhooks/tracking/acme", content=raw, headers=bad)).status_code == 401
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["status"] == "approved"
    r = await client.post("/webhooks/tracking/acme", content=raw, headers=headers)
    assert r.status_code == 202, r.text
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["status"] == "in_transit"
    # hostile input is a 422, not a 500, and moves nothing
    bad_body = {"carrier": "ups", "tracking_number": number, "events": [{"id": "x", "status": "<b>"}]}
    assert (await client.post("/api/v1/tracking-events", json=bad_body, headers=bearer(key))).status_code == 422
