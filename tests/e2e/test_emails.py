"""Transactional emails as a mail client shows them: the HTML part of a few messages, rendered by
`orderhub email preview --html` from the demo data, at phone width in Japanese and English."""

from __future__ import annotations

import pytest

from tests.e2e.images import natural_width

CASES = [
    ("yamakaze", "jp-1001", "order.confirmed", "ja"),
    ("yamakaze", "jp-1002", "pickup.ready", "ja"),
    ("yamakaze", "jp-1002", "pickup.ready", "en"),
    ("acme", "us-1042", "shipment.delayed", "en"),
    ("acme", "us-1042", "shipment.delayed", "ja"),
    ("acme", "us-1044", "shipment.delivered", "en"),
]


@pytest.mark.parametrize(("merchant", "order", "event", "lang"), CASES)
def test_email_at_phone_width(server, browser, shoot, tmp_path, merchant, order, event, lang):
    html = server.cli("email", "preview", "--merchant", merchant, "--order", order, "--event", event,
                      "--locale", lang, "--html").stdout
    assert html.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in html
    path = tmp_path / "message.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        # nothing wider than the phone: no sideways scrolling in a mail app
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        button = page.locator("a[href*='/o/']").first
        assert button.is_visible() and server.url in button.get_attribute("href")
        if event == "pickup.ready":
            qr = page.locator("img[src^='data:image/png']")
            assert qr.count() == 1 and natural_width(page, "img[src^='data:image/png']") > 100
        shoot(page, f"email-{event.replace('.', '-')}-{merchant}-{lang}")
    finally:
        context.close()
