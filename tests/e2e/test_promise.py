"""The delivery promise in a real browser: the order page and the tracking tab state the same
sentence, accessibly, at phone width in both languages (screenshots: docs/screenshots/*-promise-*)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("merchant, state", [("yamakaze", "shipped"), ("acme", "delayed"), ("yamakaze", "placed")])
def test_order_page_and_tracking_tab_agree(open_page, server, check_axe, shoot, lang, merchant, state):
    token = server.token(merchant, state)
    hub = open_page(f"/o/{token}", viewport="phone", lang=lang)
    promise = hub.inner_text(".hero__promise strong")
    assert promise
    check_axe(hub)
    tracking = open_page(f"/o/{token}/tracking", viewport="phone", lang=lang)
    shown = tracking.locator("[data-promise] strong").all_inner_texts()
    assert promise in shown, (promise, shown)
    check_axe(tracking)
    assert hub.console_errors == [] and tracking.console_errors == []
    if (merchant, state) == ("yamakaze", "shipped"):
        shoot(hub, f"hub-promise-{lang}-phone")
        shoot(tracking, f"tracking-promise-{lang}-phone")
    if (merchant, state) == ("acme", "delayed"):
        shoot(hub, f"hub-promise-delayed-{lang}-phone")
