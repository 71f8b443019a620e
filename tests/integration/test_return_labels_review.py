"""Review findings on prepaid labels (issue 20): no label is bought for a withdrawn return, two runners
never buy two labels for one return, the label cost is charged only when the merchant makes labels and
not at all once the label failed for good, and a draft photo is stored in one transaction."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from orderhub.db import engine
from orderhub.db.errors import Conflict
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import label_jobs, services
from orderhub.db.returns.tables import ReturnPhoto, ReturnRequest
from tests.conftest import bearer
from tests.feedback_support import deliveries, hook
from tests.integration.test_return_labels import US_ADDRESS, _emails, _label, _mail_return, _run, _setup
from tests.labels_support import FakeProvider
from tests.returns_support import step, walk

BUY_PATHS = ("/buy", "/transactions")


class BlockingProvider(FakeProvider):
    """The fake provider whose first `gates` purchases wait until the test lets them through."""

    def __init__(self, gates: int) -> None:
        super().__init__()
        self.entered = [asyncio.Event() for _ in range(gates)]
        self.release = [asyncio.Event() for _ in range(gates)]
        self.buys = 0

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(BUY_PATHS):
            n, self.buys = self.buys, self.buys + 1
            if n < len(self.entered):
                self.entered[n].set()
                await self.release[n].wait()
        return self.handle(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle_async)


async def _wait(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), timeout=10)


async def _policy(merchant_id: int, **values) -> None:
    """Set entries of the merchant's return policy, keeping the rest."""
    async with engine.write():
        row = await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == merchant_id).first()
        await Merchant.update({Merchant.policy: {**(row["policy"] or {}), **values}}).where(Merchant.id == merchant_id)


async def _label_cost(merchant_id: int, amount: str) -> None:
    await _policy(merchant_id, label_cost={"mail": amount})


# --- 1. a withdrawn return gets no label -------------------------------------------------------------------


@pytest.mark.parametrize("first", [500, 401])
async def test_a_withdrawn_return_gets_no_label(client, orders, merchants, settings, clock, first):
    """A 5xx backs off (pending) or a refusal fails; the shopper cancels; the next pass and "retry now"
    buy nothing and tell nobody about a label."""
    acme, key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider(fail=[first])
    await _run(settings, clock, fake)
    assert (await _label(rid))["state"] == ("pending" if first == 500 else "failed")
    await services.cancel_by_shopper(orders["us_ship"].id, rid, now=clock())
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["status"] == "cancelled" and api["label"]["state"] == "cancelled"
    with pytest.raises(Conflict):
        await label_jobs.retry_now(acme.id, rid, now=clock())
    clock.advance(hours=2)
    calls = len(fake.calls)
    assert await _run(settings, clock, fake) == {"created": 0, "retry": 0, "failed": 0}
    assert len(fake.calls) == calls and fake.purchases == 0
    assert (await _label(rid))["state"] == "cancelled"
    assert await deliveries("return.label_created") == [] and await _emails("return_label") == []
    # the merchant's page says so; the shopper's shows no label
    from tests.admin_ops_support import signed_in

    await signed_in(client, clock, slug="acme")
    admin = await client.get(f"/admin/returns/{rid}?lang=en")
    assert "Cancelled: the return was withdrawn" in admin.text and "Retry now" not in admin.text
    page = await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}?lang=en")
    assert page.status_code == 200 and "Cancelled" in page.text
    assert "We are preparing your prepaid return label" not in page.text and "Your return label" not in page.text


async def test_the_job_checks_the_return_right_before_calling_the_provider(client, orders, merchants, settings, clock):
    """Withdrawn after the label was queued (here: behind the job's back): no provider call, cancelled."""
    acme, _key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    await _setup(acme, settings, clock, provider="shippo", address=US_ADDRESS, api_token="t")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = FakeProvider(fail=["timeout"])
    assert (await _run(settings, clock, fake))["retry"] == 1
    async with engine.write():
        await ReturnRequest.update({ReturnRequest.status: "rejected"}).where(ReturnRequest.id == rid)
    clock.advance(minutes=5)
    await _run(settings, clock, fake)
    assert len(fake.calls) == 1 and fake.purchases == 0
    assert (await _label(rid))["state"] == "cancelled"
    assert await deliveries("return.label_created") == []


# --- 2. two runners, one label -----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["easypost", "shippo"])
async def test_a_long_pass_never_lets_another_runner_buy_again(client, orders, merchants, settings, clock, provider):
    """Runner A's first label takes 200 s; its second is claimed only then, with a fresh lease, so runner
    B, 301 s after A started, finds nothing to take over: one purchase per return."""
    acme, _key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    creds = {"api_key": "k"} if provider == "easypost" else {"api_token": "t"}
    await _setup(acme, settings, clock, provider=provider, address=US_ADDRESS, **creds)
    first = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    second = await _mail_return(client, orders, merchants, "us_ship", "acme", {"2": 1})
    fake = BlockingProvider(gates=2)
    runner_a = asyncio.create_task(_run(settings, clock, fake))
    await _wait(fake.entered[0])
    clock.advance(seconds=200)
    fake.release[0].set()
    await _wait(fake.entered[1])
    # while A waits for the second purchase, that label's shipment and rate are already stored
    held = [await _label(first), await _label(second)]
    waiting = next(row for row in held if row["state"] == "creating")
    assert waiting["provider_shipment_id"] and waiting["provider_rate_id"]
    clock.advance(seconds=101)
    assert await _run(settings, clock, fake) == {"created": 0, "retry": 0, "failed": 0}  # runner B
    fake.release[1].set()
    assert await asyncio.wait_for(runner_a, timeout=10) == {"created": 2, "retry": 0, "failed": 0}
    assert fake.purchases == 2
    assert {(await _label(r))["state"] for r in (first, second)} == {"created"}
    assert len(await deliveries("return.label_created")) == 2 and len(await _emails("return_label")) == 2


async def test_a_runner_past_its_lease_cannot_buy_twice_or_overwrite(client, orders, merchants, settings, clock):
    """Runner A hangs in the purchase past its lease; runner B takes the label over, finds the stored
    shipment and buys it once; A's late answer is neither a second label nor recorded over B's."""
    acme, _key, _secret = merchants["acme"]
    await hook(acme.id, clock)
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    fake = BlockingProvider(gates=1)
    runner_a = asyncio.create_task(_run(settings, clock, fake))
    await _wait(fake.entered[0])
    clock.advance(seconds=3600)
    assert (await _run(settings, clock, fake))["created"] == 1  # runner B
    assert [c[1] for c in fake.calls].count("/v2/shipments") == 1  # B used A's stored shipment
    fake.release[0].set()
    await asyncio.wait_for(runner_a, timeout=10)
    assert fake.purchases == 1
    row = await _label(rid)
    assert row["state"] == "created" and row["attempts"] == 2 and row["last_error"] == ""
    assert len(await deliveries("return.label_created")) == 1


# --- 3. the label cost is charged only for a label that exists --------------------------------------------


async def test_no_label_cost_without_a_label_provider(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await _label_cost(acme.id, "6.50")
    base = f"/o/{orders['us_ship'].token}/returns"
    r, review, *_ = await walk(client, base, items={"1": 1}, reason="changed_mind", method="mail")
    assert "-$6.50" not in review.text
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["label"]["charged"] is None
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "-$6.50" not in page.text
    for name, data in (("items", {"qty_2": "1"}), ("reason", {"reason": "changed_mind"}),
                       ("resolution", {"resolution": "refund"})):
        assert (await step(client, base, name, data)).status_code in (200, 303)
    assert "Return label $6.50" not in (await client.get(f"{base}/new/method?lang=en")).text
    # with a provider the same return costs the label, on the method step too
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    assert "Return label $6.50" in (await client.get(f"{base}/new/method?lang=en")).text
    r, review, *_ = await walk(client, base, items={"2": 1}, reason="changed_mind", method="mail")
    assert "-$6.50" in review.text
    rid2 = int(r.headers["location"].rsplit("/", 1)[1])
    api2 = (await client.get(f"/api/v1/returns/{rid2}", headers=bearer(key))).json()
    assert api2["label"]["charged"] == "6.50"


async def test_a_label_failed_for_good_is_not_charged(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await _label_cost(acme.id, "6.50")
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="bad")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    before = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert before["label"]["charged"] == "6.50"
    assert (await _run(settings, clock, FakeProvider(fail=[401])))["failed"] == 1
    after = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert after["label"]["state"] == "failed" and after["label"]["charged"] is None
    assert float(after["refund_total"]) == pytest.approx(float(before["refund_total"]) + 6.50)
    page = await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}?lang=en")
    assert "-$6.50" not in page.text and "We could not make a prepaid label" in page.text
    assert "-$6.50" not in (await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}?lang=ja")).text
    # made after all by "retry now": not charged again, and the refund is what the page said
    await label_jobs.retry_now(acme.id, rid, now=clock())
    assert (await _run(settings, clock, FakeProvider()))["created"] == 1
    made = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert made["label"]["state"] == "created" and made["refund_total"] == after["refund_total"]


async def _agree_without_label(client, orders, key: str, rid: int, before: dict) -> None:
    """No label row, no charge: the API, the shopper's page and the stored total say the same."""
    after = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert after["status"] == "approved" and after["label"]["charged"] is None
    assert float(after["refund_total"]) == pytest.approx(float(before["refund_total"]) + 6.50)
    page = (await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}?lang=en")).text
    assert "-$6.50" not in page and f"${after['refund_total']}" in page
    async with engine.read():
        stored = await ReturnRequest.select(ReturnRequest.total_minor).where(ReturnRequest.id == rid).first()
    assert stored["total_minor"] == round(float(after["refund_total"]) * 100)
    assert await _label(rid) is None


@pytest.mark.parametrize("when", ["before approval", "after approval, before the label job"])
async def test_no_charge_for_a_label_the_merchant_stopped_making(client, orders, merchants, settings, clock, when):
    """Quoted a label at submit, the merchant then removes its label provider: no label is made and
    none is charged, whether the return was still waiting for review or already approved."""
    acme, key, _secret = merchants["acme"]
    await _label_cost(acme.id, "6.50")
    if when == "before approval":
        await _policy(acme.id, review_reasons=["changed_mind"])
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1}, approve=False)
    before = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert before["label"]["charged"] == "6.50"
    assert before["status"] == ("requested" if when == "before approval" else "approved")
    await label_jobs.save_account(acme.id, {"provider": ""}, secret_key=settings.secret_key, now=clock())
    if when == "before approval":
        assert (await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key))).status_code == 200
    fake = FakeProvider()
    assert (await _run(settings, clock, fake))["created"] == 0 and not fake.calls
    await _agree_without_label(client, orders, key, rid, before)


async def test_removing_the_provider_leaves_made_labels_charged(client, orders, merchants, settings, clock):
    """A label already bought stays charged when the merchant later removes its provider."""
    acme, key, _secret = merchants["acme"]
    await _label_cost(acme.id, "6.50")
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    assert (await _run(settings, clock, FakeProvider()))["created"] == 1
    await label_jobs.save_account(acme.id, {"provider": ""}, secret_key=settings.secret_key, now=clock())
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["label"]["state"] == "created" and api["label"]["charged"] == "6.50"


# --- 5. a draft photo in one transaction -------------------------------------------------------------------


async def test_a_photo_is_stored_with_its_draft_or_not_at_all(orders, clock, monkeypatch):
    order_id = orders["jp_ship"].id

    async def broken(*args, **kwargs):
        raise RuntimeError("the draft could not be saved")

    monkeypatch.setattr(services, "save_draft", broken)
    with pytest.raises(RuntimeError):
        await services.add_photo(order_id, b"\x89PNG", "image/png", now=clock())
    async with engine.read():
        assert await ReturnPhoto.count() == 0
    monkeypatch.undo()
    photo_id = await services.add_photo(order_id, b"\x89PNG", "image/png", now=clock())
    assert (await services.draft(order_id, now=clock())).data["photo_id"] == photo_id
