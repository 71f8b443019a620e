"""Prepaid return labels in a real browser (issue 20 item 2): the owner picks the provider in the admin
(EasyPost for acme against a local fake on a loopback port, the 着払い slip for yamakaze); a shopper's
mail return is approved; the server's label job makes the label; the return page shows it (the label
and its QR link, or the slip with its QR code) and the admin shows its state. Each page is checked with
axe and shot at phone and desktop width in Japanese and English."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.admin_ops_login import ensure_owner
from tests.e2e.conftest import pages_of
from tests.e2e.labels_flow import choose_label_provider, provider_server
from tests.e2e.test_feedback import delivered_order
from tests.labels_support import FakeProvider
from tests.returns_support import walk

OWNERS = {"yamakaze": ("labels-owner@yamakaze.example", "labels e2e password"),
          "acme": ("labels-owner@acme.example", "labels e2e password")}


@pytest.fixture(scope="module")
def label_server():
    with provider_server(FakeProvider()) as server:
        yield server


@pytest.fixture
def labels_page(browser, label_server):
    with pages_of(browser, label_server) as _open:
        yield _open


def _sign_in(page, server, slug: str) -> None:
    email, password = OWNERS[slug]
    ensure_owner(server, email, password, merchant=slug)
    page.goto(f"{server.url}/admin/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin(/|\?|$)(?!sign-in)"))


def _mail_return(server, slug: str) -> tuple[str, int]:
    """A mail return of a new delivered order of the merchant (not the shared demo order, whose lines the
    other browser tests return and claim), walked through the wizard over HTTP, then approved through
    the API: (hub token, return id)."""
    token = delivered_order(server, slug)

    async def run() -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            items = await client.get(f"/o/{token}/returns/new/items")
            line = re.search(r'name="qty_([^"]+)"', items.text).group(1)
            r, *_ = await walk(client, f"/o/{token}/returns", items={line: 1}, reason="changed_mind", method="mail",
                               delivered=False)
            assert r.status_code == 303, r.text[:500]
            return int(r.headers["location"].rsplit("/", 1)[1])

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop in this thread
        rid = pool.submit(asyncio.run, run()).result()
    headers = {"Authorization": f"Bearer {server.api_key(slug)}"}
    assert httpx.post(f"{server.url}/api/v1/returns/{rid}/approve", headers=headers, timeout=10).status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the server's label job runs every 15 s
        label = httpx.get(f"{server.url}/api/v1/returns/{rid}", headers=headers, timeout=10).json()["label"]
        if label["state"] == "created":
            return token, rid
        time.sleep(1)
    raise AssertionError(f"no label made: {label}")


@pytest.mark.parametrize("slug", ["acme", "yamakaze"])
def test_label_from_settings_to_return_page(labels_page, label_server, check_axe, shoot, slug):
    admin = labels_page("/admin/settings/labels", viewport="desktop", lang="ja")
    _sign_in(admin, label_server, slug)
    if slug == "acme":
        choose_label_provider(admin, label_server, "easypost", fills={"api_key": "EZTK_e2e_key"})
    else:
        choose_label_provider(admin, label_server, "jp_slip", selects={"jp_carrier": "yamato"})
    check_axe(admin)
    shoot(admin, f"labels-settings-{slug}-desktop-ja")

    token, rid = _mail_return(label_server, slug)
    for viewport in ("phone", "desktop"):
        for lang in ("ja", "en"):
            page = labels_page(f"/o/{token}/returns/{rid}", viewport=viewport, lang=lang)
            label = page.locator("#returns-label")
            label.wait_for()
            if slug == "acme":
                assert page.locator("#returns-label a[href$='.pdf']").count() == 1
                assert page.locator("#returns-label a[href*='-qr']").count() == 1
            else:
                assert page.locator("#returns-label svg.qr").count() == 1
                assert ("ヤマト運輸" if lang == "ja" else "Yamato Transport") in label.inner_text()
            check_axe(page)
            shoot(page, f"return-label-{slug}-{viewport}-{lang}")
    for lang in ("ja", "en"):
        admin.goto(f"{label_server.url}/admin/returns/{rid}?lang={lang}")
        admin.locator("#rd-prepaid").wait_for()
        check_axe(admin)
        shoot(admin, f"admin-return-label-{slug}-desktop-{lang}")
