"""Review fixes in a real browser: a label the provider refuses is shown as not made (and not charged) on
the shopper's return page and as failed in the admin; once the shopper cancels the return the admin shows the
label cancelled; a tax-exclusive (acme, USD) exchange's lines add up to "New items" on the return page
and in the admin. Each page is checked with axe and shot at phone and desktop width in ja and en."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import pages_of
from tests.e2e.labels_flow import choose_label_provider, provider_server
from tests.e2e.test_feedback import delivered_order
from tests.e2e.test_return_labels import _sign_in
from tests.integration.test_exchange_other import _exchange
from tests.labels_support import FakeProvider
from tests.returns_support import csrf, walk


@pytest.fixture(scope="module")
def refusing_server():
    with provider_server(FakeProvider(fail=[401] * 50)) as server:
        yield server


@pytest.fixture
def open_at(browser, refusing_server):
    with pages_of(browser, refusing_server) as _open:
        yield _open


def _in_thread(coro):
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop in this thread
        return pool.submit(asyncio.run, coro).result()


def _headers(server, slug: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.api_key(slug)}"}


def _failed_mail_return(server) -> tuple[str, int]:
    token = delivered_order(server, "acme")

    async def run() -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            r, *_ = await walk(client, f"/o/{token}/returns", items={"1": 1}, reason="changed_mind", method="mail",
                               delivered=False)
            assert r.status_code == 303, r.text[:500]
            return int(r.headers["location"].rsplit("/", 1)[1])

    rid = _in_thread(run())
    assert httpx.post(f"{server.url}/api/v1/returns/{rid}/approve", headers=_headers(server, "acme"),
                      timeout=10).status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the server's label job runs every 15 s
        label = httpx.get(f"{server.url}/api/v1/returns/{rid}", headers=_headers(server, "acme"), timeout=10).json()["label"]
        if label["state"] == "failed":
            return token, rid
        time.sleep(1)
    raise AssertionError(f"the label did not fail: {label}")


def test_failed_then_cancelled_label(open_at, refusing_server, check_axe, shoot):
    admin = open_at("/admin/settings/labels", viewport="desktop", lang="ja")
    _sign_in(admin, refusing_server, "acme")
    choose_label_provider(admin, refusing_server, "easypost", fills={"api_key": "EZTK_refused"})

    token, rid = _failed_mail_return(refusing_server)
    for viewport in ("phone", "desktop"):
        for lang in ("ja", "en"):
            page = open_at(f"/o/{token}/returns/{rid}", viewport=viewport, lang=lang)
            label = page.locator("#returns-label")
            label.wait_for()
            assert ("返送ラベルを作成できませんでした" if lang == "ja" else "We could not make a prepaid label") in \
                label.inner_text()
            check_axe(page)
            shoot(page, f"return-label-failed-{viewport}-{lang}")

    async def cancel() -> None:  # the shopper withdraws the return
        async with httpx.AsyncClient(base_url=refusing_server.url, timeout=20) as client:
            url = f"/o/{token}/returns/{rid}"
            r = await client.post(f"{url}/cancel", data={"_csrf_token": await csrf(client, url)})
            assert r.status_code in (200, 303), r.text[:500]

    _in_thread(cancel())
    api = httpx.get(f"{refusing_server.url}/api/v1/returns/{rid}", headers=_headers(refusing_server, "acme"), timeout=10)
    assert api.json()["status"] == "cancelled" and api.json()["label"]["state"] == "cancelled"
    for lang in ("ja", "en"):
        admin.goto(f"{refusing_server.url}/admin/returns/{rid}?lang={lang}")
        admin.locator("#rd-prepaid").wait_for()
        assert ("取り消し済み" if lang == "ja" else "Cancelled: the return was withdrawn") in \
            admin.locator("#rd-prepaid").inner_text()
        check_axe(admin)
        shoot(admin, f"admin-return-label-cancelled-desktop-{lang}")
    page = open_at(f"/o/{token}/returns/{rid}", viewport="phone", lang="en")
    assert page.locator("#returns-label").count() == 0


def test_tax_exclusive_exchange_lines(open_at, refusing_server, check_axe, shoot):
    token = delivered_order(refusing_server, "acme")
    base = f"/o/{token}/returns"

    async def run() -> int:
        async with httpx.AsyncClient(base_url=refusing_server.url, timeout=20) as client:
            rid, review = await _exchange(client, base, [("merino-socks", "SOCK-M-GRY", 3),
                                                         ("waterproof-spray", "SPR-10", 1)], line="1")
            assert "$48.99" in review and "$62.60" in review
            return rid

    rid = _in_thread(run())
    for viewport in ("phone", "desktop"):
        for lang in ("ja", "en"):
            page = open_at(f"{base}/{rid}", viewport=viewport, lang=lang)
            section = page.locator("#returns-exchange")
            section.wait_for()
            text = section.inner_text()
            assert "$48.99" in text and "$13.61" in text and "$62.60" in text
            check_axe(page)
            shoot(page, f"exchange-usd-lines-{viewport}-{lang}")
    admin = open_at("/admin/settings/labels", viewport="desktop", lang="en")
    _sign_in(admin, refusing_server, "acme")
    for lang in ("ja", "en"):
        admin.goto(f"{refusing_server.url}/admin/returns/{rid}?lang={lang}")
        section = admin.locator("section:has(#rd-exchange)")
        section.wait_for()
        assert "$48.99" in section.inner_text() and "$62.60" in section.inner_text()
        check_axe(admin)
        shoot(admin, f"admin-exchange-usd-lines-desktop-{lang}")
