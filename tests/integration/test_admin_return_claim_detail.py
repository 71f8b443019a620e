"""The merchant's return and claim detail (issue 20 item 6): `/admin/returns/{id}`, `/admin/claims`,
`/admin/claims/{id}` with photos under their sandbox CSP and every action, and the same data in
`GET /api/v1/returns/{id}`, `GET /api/v1/claims` (paged) and `GET /api/v1/claims/{id}`. Refusals:
signed out, another merchant, missing CSRF, hostile input."""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.returns import claims
from orderhub.db.returns.tables import Claim, ReturnRequest
from tests.admin_ops_support import csrf_of, signed_in, without_csrf
from tests.conftest import bearer
from tests.returns_support import fulfil, png, walk


@pytest.fixture(autouse=True)
async def _delivered(orders):
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)


async def _return(client, orders, items=None, **kw) -> int:
    r, *_ = await walk(client, f"/o/{orders['jp_ship'].token}/returns", items=items or {"L1": 1, "L2": 1},
                       reason="other", photo=png(), **kw)
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def _claim(orders, clock, key="c1", name="jp_ship", items=None, description="箱が<b>潰れて</b>いました") -> int:
    return await claims.open_claim(orders[name].id, {"items": items or {"L1": 1}, "kind": "damaged",
                                                     "description": description},
                                   photos=[(png(), "image/png")], idempotency_key=key, now=clock())


async def test_return_detail_shows_items_photos_label_timeline_and_acts(client, orders, merchants, clock):
    rid = await _return(client, orders, method="in_store", store_code="shibuya")
    await signed_in(client, clock)
    page = await client.get(f"/admin/returns/{rid}?lang=en")
    assert page.status_code == 200
    html = page.text
    assert f"RMA-{rid:06d}" in html and "YK-100234" in html and "山田 花子" in html
    # the items in the admin's language (the catalog's English words), as the shopper's pages name them
    assert "Trail Runner GTX" in html and "Trail Energy Bars, pack of 12" in html and "トレイルランナー" not in html
    assert html.count(">Other reason<") >= 3
    assert "&lt;b&gt;too tight&lt;/b&gt;" in html and "<b>too tight</b>" not in html
    assert "Return in store" in html and "山風アウトドア 渋谷店" in html and "Counter code" in html
    assert "Timeline" in html and "Requested" in html
    [src] = re.findall(r'<img src="(/admin/returns/\d+/photos/\d+)[?"]', html)
    photo = await client.get(src)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert photo.headers["x-content-type-options"] == "nosniff"
    # the queue links here
    queue = await client.get("/admin/returns?lang=en")
    assert f'href="/admin/returns/{rid}?lang=en"' in queue.text
    # approve from the detail page: back to the detail page with a notice
    r = await client.post(f"/admin/returns/{rid}/approve", data={"back": "detail", "_csrf_token": csrf_of(html)})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/returns/{rid}?")
    done = await client.get(r.headers["location"] + "&lang=en")
    assert "approved." in done.text and "Mark received" in done.text
    # a move the state does not allow: 409 on the same page, with its message
    r = await client.post(f"/admin/returns/{rid}/refund?lang=en", data={"back": "detail",
                                                                        "_csrf_token": csrf_of(done.text)})
    assert r.status_code == 409 and ("can&#39;t be changed" in r.text or "can’t be changed" in r.text)
    # missing CSRF
    r = await client.post(f"/admin/returns/{rid}/receive", data={"back": "detail"})
    assert r.status_code == 403
    async with engine.read():
        assert (await ReturnRequest.select(ReturnRequest.status).where(ReturnRequest.id == rid).first())[
            "status"] == "approved"


async def test_return_detail_other_merchant_signed_out_and_bad_ids(client, orders, merchants, clock):
    rid = await _return(client, orders)
    r = await client.get(f"/admin/returns/{rid}")
    assert r.status_code in (302, 303) and "/admin/sign-in" in r.headers["location"]
    await signed_in(client, clock, slug="acme")
    assert (await client.get(f"/admin/returns/{rid}")).status_code == 404
    assert (await client.get(f"/admin/returns/{rid}/photos/1")).status_code == 404
    assert (await client.get("/admin/returns/99999999")).status_code == 404
    assert (await client.get("/admin/returns/abc")).status_code in (404, 405)
    page = await client.get("/admin/returns")
    r = await client.post(f"/admin/returns/{rid}/approve", data={"back": "detail", "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 404


async def test_claims_list_detail_photos_and_resolve(client, orders, merchants, clock):
    cid = await _claim(orders, clock)
    await _claim(orders, clock, key="c-acme", name="us_ship", items={"1": 1})
    await signed_in(client, clock)
    listing = await client.get("/admin/claims?lang=en")
    assert listing.status_code == 200 and "Claims" in listing.text
    # only the merchant's own: the orders the list links to
    listed = re.findall(r'<a class="ops-nowrap" href="/admin/orders\?[^"]*">([^<]+)</a>', listing.text)
    assert listed == ["YK-100234"], listed
    assert "1042" not in without_csrf(listing.text)  # nor anywhere else on the page
    assert "&lt;b&gt;潰れて&lt;/b&gt;" in listing.text
    assert f'href="/admin/claims/{cid}?lang=en"' in listing.text
    detail = await client.get(f"/admin/claims/{cid}?lang=en")
    assert detail.status_code == 200 and "Damaged" in detail.text and "Trail Runner GTX" in detail.text
    [src] = re.findall(r'<img src="(/admin/claims/\d+/photos/\d+)[?"]', detail.text)
    photo = await client.get(src)
    assert photo.status_code == 200 and "sandbox" in photo.headers["content-security-policy"]
    # hostile and missing choices: 422 next to the field, nothing resolved
    for bad in ("", "<script>", "refund; DROP TABLE claims"):
        r = await client.post(f"/admin/claims/{cid}/resolve?lang=en", data={
            "resolution": bad, "note": "x", "_csrf_token": csrf_of(detail.text)})
        assert r.status_code == 422 and "Choose how to resolve the claim." in r.text and "<script>" not in r.text
    r = await client.post(f"/admin/claims/{cid}/resolve?lang=en", data={
        "resolution": "refund", "note": "n" * 1001, "_csrf_token": csrf_of(detail.text)})
    assert r.status_code == 422 and "too long" in r.text
    assert (await client.post(f"/admin/claims/{cid}/resolve", data={"resolution": "refund"})).status_code == 403
    async with engine.read():
        assert (await Claim.select(Claim.status).where(Claim.id == cid).first())["status"] == "open"
    r = await client.post(f"/admin/claims/{cid}/resolve", data={
        "resolution": "refund", "note": "ごめんなさい", "_csrf_token": csrf_of(detail.text)})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/claims/{cid}?done=resolved")
    done = await client.get(f"/admin/claims/{cid}?done=resolved&lang=en")
    assert "The claim is resolved." in done.text and "Resolve claim" not in done.text and "ごめんなさい" in done.text
    # the shopper's hub shows the refund
    hub = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert "13,200" in hub.text
    # another resolution of a resolved claim: 409 with a clear message
    r = await client.post(f"/admin/claims/{cid}/resolve?lang=en", data={
        "resolution": "replacement", "_csrf_token": csrf_of(done.text)})
    assert r.status_code == 409 and "already resolved another way" in r.text
    # filters
    assert "YK-100234" not in (await client.get("/admin/claims?lang=en")).text  # open only by default
    assert "YK-100234" in (await client.get("/admin/claims?status=resolved&lang=en")).text
    assert (await client.get("/admin/claims?status=<x>&page=-1")).status_code == 200


async def test_claims_other_merchant_and_signed_out(client, orders, merchants, clock):
    cid = await _claim(orders, clock)
    r = await client.get(f"/admin/claims/{cid}")
    assert r.status_code in (302, 303)
    await signed_in(client, clock, slug="acme")
    assert (await client.get(f"/admin/claims/{cid}")).status_code == 404
    assert (await client.get(f"/admin/claims/{cid}/photos/1")).status_code == 404
    page = await client.get("/admin/claims")
    assert "YK-100234" not in page.text
    r = await client.post(f"/admin/claims/{cid}/resolve", data={"resolution": "refund",
                                                                "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 404
    async with engine.read():
        assert (await Claim.select(Claim.status).where(Claim.id == cid).first())["status"] == "open"


async def test_api_return_detail_and_claims_paged(client, orders, merchants, clock):
    key, other = merchants["yamakaze"][1], merchants["acme"][1]
    rid = await _return(client, orders, items={"L1": 1}, method="in_store", store_code="shibuya")
    r = await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))
    assert r.status_code == 200
    body = r.json()
    assert [i["reason"] for i in body["items"]] == ["other"]
    assert body["label"]["method"] == "in_store" and body["label"]["store_code"] == "shibuya"
    assert body["label"]["qr_payload"].startswith("RMA:") and body["timeline"][0]["status"] == "requested"
    assert len(body["photos"]) == 1 and (await client.get(body["photos"][0], headers=bearer(key))).status_code == 200
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(other))).status_code == 404
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer("ohk_wrong"))).status_code == 401
    assert (await client.get(f"/api/v1/returns/{rid}")).status_code == 401
    # claims, paged
    ids = [await _claim(orders, clock, key=f"k{i}", items={"L2": 1}) for i in range(2)]
    r = await client.get("/api/v1/claims?per_page=1", headers=bearer(key))
    assert r.status_code == 200
    page1 = r.json()
    assert page1["total"] == 2 and page1["pages"] == 2 and page1["page"] == 1 and len(page1["claims"]) == 1
    page2 = (await client.get("/api/v1/claims?per_page=1&page=2", headers=bearer(key))).json()
    assert [c["id"] for c in page1["claims"] + page2["claims"]] == ids
    one = (await client.get(f"/api/v1/claims/{ids[0]}", headers=bearer(key))).json()
    assert one["timeline"] == [{"status": "open", "note": "", "at": clock().isoformat()}]
    assert one["items"][0]["title"] == "行動食バー 12本セット" and one["photos"][0].startswith(f"/api/v1/claims/{ids[0]}")
    for bad in ("per_page=0", "per_page=51", "page=0", "page=abc", "per_page=9999999999", "status=lost"):
        r = await client.get(f"/api/v1/claims?{bad}", headers=bearer(key))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] in ("page", "per_page", "status")
    assert (await client.get("/api/v1/claims", headers=bearer(other))).json()["claims"] == []
    assert (await client.get(f"/api/v1/claims/{ids[0]}", headers=bearer(other))).status_code == 404
    assert (await client.get("/api/v1/claims", headers=bearer("nope"))).status_code == 401
    # returns list, paged the same way
    r = await client.get("/api/v1/returns?per_page=1", headers=bearer(key))
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["returns"][0]["id"] == rid
    assert (await client.get("/api/v1/returns?page=x", headers=bearer(key))).status_code == 422
