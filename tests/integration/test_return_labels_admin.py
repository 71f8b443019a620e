"""The merchant's side of prepaid labels: `/admin/settings/labels` (provider, sealed credentials, the
着払い carrier), the label cost in the return policy form and in the refund preview, and the label on
`/admin/returns/{id}` with "retry now". Refusals: signed out, staff, another merchant, missing CSRF,
hostile input."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import label_jobs, label_queries
from orderhub.db.returns.label_tables import LabelAccount
from tests.admin_ops_support import csrf_of, signed_in
from tests.conftest import bearer
from tests.integration.test_return_labels import US_ADDRESS, _label, _mail_return, _run, _setup
from tests.labels_support import FakeProvider
from tests.returns_support import step, walk


async def _post(client, page_url: str, action: str, data: dict):
    page = await client.get(page_url)
    assert page.status_code == 200, page.text[:300]
    return await client.post(action, data={**data, "_csrf_token": csrf_of(page.text)})


async def test_settings_save_seal_and_refuse(client, merchants, settings, clock):
    acme = merchants["acme"][0]
    await signed_in(client, clock, slug="acme")
    page = await client.get("/admin/settings/labels?lang=en")
    assert page.status_code == 200 and "Label provider" in page.text
    assert "/admin/settings/labels" in (await client.get("/admin/settings?lang=en")).text
    # a provider without its key: the field says so, nothing stored
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels", {"provider": "easypost", "api_key": ""})
    assert r.status_code == 422 and "Enter this to use the provider." in r.text
    async with engine.read():
        assert await LabelAccount.count() == 0
    # hostile input is refused or escaped, never echoed as markup
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels",
                    {"provider": "<script>x</script>", "api_key": "k"})
    assert r.status_code == 422 and "<script>x</script>" not in r.text
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels",
                    {"provider": "easypost", "api_key": "x" * 500})
    assert r.status_code == 422 and "At most 200 characters." in r.text
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels",
                    {"provider": "easypost", "api_key": "EZTK_live_123"})
    assert r.status_code == 303
    page = await client.get("/admin/settings/labels?lang=en")
    assert "Stored. Leave empty to keep it." in page.text and "EZTK_live_123" not in page.text
    # empty keeps the stored key
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels", {"provider": "easypost", "api_key": ""})
    assert r.status_code == 303
    view = await label_queries.account(acme.id, secret_key=settings.secret_key)
    assert view.provider == "easypost" and view.stored == ("api_key",) and view.complete
    # 着払い needs its carrier
    r = await _post(client, "/admin/settings/labels", "/admin/settings/labels", {"provider": "jp_slip"})
    assert r.status_code == 422 and "Choose the carrier your parcels come back with." in r.text
    # missing CSRF
    r = await client.post("/admin/settings/labels", data={"provider": ""})
    assert r.status_code == 403


async def test_settings_need_an_owner(client, merchants, clock):
    r = await client.get("/admin/settings/labels")
    assert r.status_code in (302, 303) and "/admin/sign-in" in r.headers["location"]
    await signed_in(client, clock, slug="acme", role="staff")
    assert (await client.get("/admin/settings/labels")).status_code in (403, 404)


async def test_label_cost_in_policy_preview_page_email_and_api(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await signed_in(client, clock, slug="acme")
    page = await client.get("/admin/settings/policy?lang=en")
    assert "Return label charged to the shopper (by post)" in page.text
    r = await _post(client, "/admin/settings/policy", "/admin/settings/policy",
                    {"return_window_days": "30", "cancel_window_hours": "1", "return_ship_within_days": "14",
                     "store_credit_bonus_percent": "0", "keep_item_under": "0", "label_cost_mail": "abc",
                     "counter_refund": "after_inspection", "cancellation": "request"})
    assert r.status_code == 422
    r = await _post(client, "/admin/settings/policy", "/admin/settings/policy",
                    {"return_window_days": "30", "cancel_window_hours": "1", "return_ship_within_days": "14",
                     "store_credit_bonus_percent": "0", "keep_item_under": "0", "label_cost_mail": "6.50",
                     "waive_fee_for_merchant_fault": "on",
                     "counter_refund": "after_inspection", "cancellation": "request"})
    assert r.status_code == 303, r.text[:500]
    async with engine.read():
        policy = (await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == acme.id).first())[
            "policy"]
    assert policy["label_cost"] == {"mail": "6.50"}
    # charged only by a merchant that makes labels (test_return_labels_review: none without a provider)
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="k")
    base = f"/o/{orders['us_ship'].token}/returns"
    r, review, *_ = await walk(client, base, items={"1": 1}, reason="changed_mind", method="mail")
    assert "Return label" in review.text and "-$6.50" in review.text
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["label"]["charged"] == "6.50"
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "Return label" in page.text and "-$6.50" in page.text
    # the method step shows each method's label cost
    for name, data in (("items", {"qty_2": "1"}), ("reason", {"reason": "changed_mind"}),
                       ("resolution", {"resolution": "refund"})):
        assert (await step(client, base, name, data)).status_code in (200, 303)
    method_step = await client.get(f"{base}/new/method?lang=en")
    assert "Return label $6.50" in method_step.text
    # the merchant's fault: no label cost
    _r, review, *_ = await walk(client, base, items={"2": 1}, reason="defective", method="mail")
    assert "-$6.50" not in review.text


async def test_admin_label_state_retry_and_refusals(client, orders, merchants, settings, clock):
    acme, key, _secret = merchants["acme"]
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="bad")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    await _run(settings, clock, FakeProvider(fail=[401]))
    await signed_in(client, clock, slug="acme")
    page = await client.get(f"/admin/returns/{rid}?lang=en")
    assert page.status_code == 200
    assert "Return label" in page.text and "Could not be made" in page.text and "HTTP 401" in page.text
    assert "Retry now" in page.text
    # missing CSRF
    assert (await client.post(f"/admin/returns/{rid}/label/retry")).status_code == 403
    r = await _post(client, f"/admin/returns/{rid}", f"/admin/returns/{rid}/label/retry", {})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/returns/{rid}?done=label"
    assert (await _label(rid))["state"] == "pending"
    notice = await client.get(r.headers["location"] + "&lang=en")
    assert "The label will be tried again now." in notice.text
    await _run(settings, clock, FakeProvider())
    page = await client.get(f"/admin/returns/{rid}?lang=en")
    assert "Label ready" in page.text and "Retry now" not in page.text and "$5.49" in page.text
    # made already: 409 with the page
    r = await _post(client, f"/admin/returns/{rid}", f"/admin/returns/{rid}/label/retry", {})
    assert r.status_code == 409 and "nothing to retry" in r.text
    # hostile ids
    r = await _post(client, f"/admin/returns/{rid}", "/admin/returns/99999999/label/retry", {})
    assert r.status_code == 404


async def test_admin_retry_other_merchant_and_signed_out(client, orders, merchants, settings, clock):
    acme = merchants["acme"][0]
    await _setup(acme, settings, clock, provider="easypost", address=US_ADDRESS, api_key="bad")
    rid = await _mail_return(client, orders, merchants, "us_ship", "acme", {"1": 1})
    await _run(settings, clock, FakeProvider(fail=[401]))
    r = await client.post(f"/admin/returns/{rid}/label/retry")
    assert r.status_code in (302, 303, 401, 403)
    await signed_in(client, clock, slug="yamakaze")
    r = await _post(client, "/admin/returns", f"/admin/returns/{rid}/label/retry", {})
    assert r.status_code == 404
    assert (await _label(rid))["state"] == "failed"
    await label_jobs.retry_now(acme.id, rid, now=clock())
