"""Surveys and reviews in a real browser: tap a score on the hub's card (htmx swaps it), see the
thanks and the review invitation, write a review with a photo and see it waiting for approval; in
Japanese and English at phone width, accessible at every step; the admin lists too.

Each test makes its own delivered order through the integration API (a new shopper email, so the
survey cap and the other browser tests never interfere), delivered three days ago: the demo shops
open review invitations two days after delivery."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import uuid

import httpx
from PIL import Image

from tests.e2e.admin_ops_login import DEMO_OWNER, sign_in
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.images import natural_width


def _fixture(name: str) -> dict:
    from tests.conftest import fixture

    return copy.deepcopy(fixture(name))


def delivered_order(server, slug: str) -> str:
    """A new order of `slug`, delivered three days ago. -> its hub token."""
    base = "jp_ship" if slug == "yamakaze" else "us_ship"
    key = {"Authorization": f"Bearer {server.api_key(slug)}"}
    external = f"fb-e2e-{uuid.uuid4().hex[:8]}"
    body = _fixture(f"orders/{base}.json")
    body["number"] = ("YK-" if slug == "yamakaze" else "") + str(300000 + uuid.uuid4().int % 600000)
    body["customer"] = dict(body["customer"], email=f"{external}@example.com")
    now = dt.datetime.now(dt.UTC)
    body["placed_at"] = (now - dt.timedelta(days=6)).isoformat()
    r = httpx.put(f"{server.url}/api/v1/orders/{external}", json=body, headers=key, timeout=10)
    assert r.status_code in (200, 201), r.text
    token = r.json()["hub_url"].rstrip("/").rsplit("/", 1)[1]
    number = f"FB-{external[-8:]}"
    shipment = {"carrier": "yamato" if slug == "yamakaze" else "ups", "tracking_number": number,
                "lines": [{"line_id": ln["id"], "quantity": ln["quantity"]} for ln in body["lines"]],
                "shipped_at": (now - dt.timedelta(days=5)).isoformat()}
    r = httpx.put(f"{server.url}/api/v1/orders/{external}/shipments/S1", json=shipment, headers=key, timeout=10)
    assert r.status_code in (200, 201), r.text
    events = [{"id": f"{external}-{n}", "status": status, "occurred_at": (now - dt.timedelta(days=days)).isoformat(),
               "location": "", "message": ""}
              for n, (status, days) in enumerate((("in_transit", 4.5), ("out_for_delivery", 3.2), ("delivered", 3)))]
    r = httpx.post(f"{server.url}/api/v1/tracking-events", headers=key, timeout=10,
                   json={"carrier": shipment["carrier"], "tracking_number": number, "events": events})
    assert r.status_code == 202, r.text
    return token


def _photo() -> bytes:
    img = Image.new("RGB", (640, 480), (40, 120, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def _flow(page, check_axe, shoot, lang: str, words: dict) -> None:
    page.set_default_timeout(15_000)
    card = page.locator("#feedback-survey")
    card.scroll_into_view_if_needed()
    assert card.locator("button.nps__score").count() == 11
    check_axe(page)
    shoot(page, f"feedback-card-{lang}-phone")
    card.screenshot(path=str(SCREENSHOTS / f"feedback-card-only-{lang}-phone.png"))
    swaps = []
    page.on("request", lambda req: req.headers.get("hx-request") == "true" and swaps.append(req.url))
    card.locator("button.nps__score", has_text=re.compile(r"^10$")).click()
    page.wait_for_selector(f"#feedback-survey:has-text('{words['thanks']}')")
    assert any(u.split("?")[0].endswith("/feedback/nps") for u in swaps), swaps  # htmx swapped the card
    # the pressed button is gone: the focus moves to the card's new heading
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'survey-title'")
    invite = page.locator(".survey__invite")
    assert invite.is_visible() and words["invite"] in invite.inner_text()
    check_axe(page)
    page.locator("#feedback-survey").scroll_into_view_if_needed()
    shoot(page, f"feedback-thanks-{lang}-phone")
    # the follow-up: why + CSAT
    page.fill("#f-why", words["why"])
    page.locator(".csat__choice", has_text="5").first.click()
    page.locator(".survey__more button[type=submit]").click()
    page.wait_for_selector(".survey__done")
    # the review invitation -> the first item's review form
    page.locator(".survey__invite a").first.click()
    page.wait_for_url(re.compile(r"/feedback/reviews/"))
    page.wait_for_selector("form.review-form")
    check_axe(page)
    shoot(page, f"feedback-review-form-{lang}-phone")
    page.locator("label[for=f-stars-4]").click()
    assert page.locator("#f-stars-4").is_checked()
    page.fill("#f-title", words["title"])
    page.fill("#f-body", words["body"])
    page.set_input_files("#f-photos", files=[{"name": "trail.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    shoot(page, f"feedback-review-filled-{lang}-phone")
    page.locator("form.review-form button[type=submit]").click()
    page.wait_for_selector(f"#feedback-review:has-text('{words['pending']}')")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'review-title'")
    assert words["title"] in page.inner_text(".review__title")  # markup shown as typed, escaped
    assert page.locator(".review__photos img").count() == 1
    assert natural_width(page, ".review__photos img") > 0
    check_axe(page)
    shoot(page, f"feedback-review-pending-{lang}-phone")
    page.goto(page.url.split("/reviews/")[0])
    page.wait_for_selector("#feedback-reviews")
    check_axe(page)
    shoot(page, f"feedback-section-{lang}-phone")
    assert page.console_errors == [], page.console_errors


def test_score_thanks_invitation_and_a_review_with_a_photo_japanese(open_page, server, check_axe, shoot):
    token = delivered_order(server, "yamakaze")
    page = open_page(f"/o/{token}", viewport="phone", lang="ja")
    _flow(page, check_axe, shoot, "ja", {"thanks": "ご回答ありがとうございます", "invite": "レビューを書きませんか",
                                         "why": "梱包がていねいでした", "title": "<b>軽くて快適</b>",
                                         "body": "雨の日でも足が濡れません。", "pending": "承認待ち"})


def test_score_thanks_invitation_and_a_review_with_a_photo_english(open_page, server, check_axe, shoot):
    token = delivered_order(server, "acme")
    page = open_page(f"/o/{token}", viewport="phone", lang="en")
    _flow(page, check_axe, shoot, "en", {"thanks": "Thank you for your answer", "invite": "Would you review",
                                         "why": "Fast delivery", "title": "<i>Great grip</i>",
                                         "body": "Comfortable from the first run.", "pending": "Waiting for approval"})


def test_a_detractor_without_javascript(open_page, server, check_axe, shoot):
    token = delivered_order(server, "acme")
    page = open_page(f"/o/{token}/feedback", viewport="phone", lang="en", javascript=False)
    page.set_default_timeout(10_000)
    page.locator("button.nps__score", has_text=re.compile(r"^3$")).click()
    page.wait_for_url(re.compile(r"/feedback(\?[^#]*)?#feedback-survey$"))
    assert "We are sorry we let you down" in page.inner_text("#feedback-survey")
    shoot(page, "feedback-detractor-en-phone")
    page.locator("button:has-text('Please contact me')").click()
    page.wait_for_url(re.compile(r"#feedback-survey$"))
    assert "We will contact you" in page.inner_text("#feedback-survey")


def test_admin_reviews_and_detractors(open_page, server, check_axe, shoot):
    shopper = open_page(f"/o/{delivered_order(server, 'yamakaze')}/feedback", viewport="phone", lang="ja")
    shopper.locator("button.nps__score", has_text=re.compile(r"^4$")).click()
    shopper.wait_for_selector(".survey__sorry")
    shopper.fill("#f-why", "<b>箱がつぶれていました</b>")
    shopper.locator(".survey__more button[type=submit]").click()
    shopper.wait_for_selector(".survey__done")
    shopper.locator(".survey__sorry button[type=submit]").click()
    shopper.wait_for_selector(".survey__sorry .alert--good")
    page = open_page("/admin/sign-in", viewport="desktop", lang="ja")
    page.set_default_timeout(15_000)
    sign_in(page, server, *DEMO_OWNER)
    page.goto(f"{server.url}/admin/reviews?status=all")
    page.wait_for_selector("#reviews-list")
    assert page.locator(".admin-review").count() >= 1
    check_axe(page)
    shoot(page, "feedback-admin-reviews-ja-desktop")
    page.goto(f"{server.url}/admin/detractors?show=all")
    page.wait_for_selector("#detractors-list")
    assert "<b>箱がつぶれていました</b>" in page.inner_text("#detractors-list")
    check_axe(page)
    shoot(page, "feedback-admin-detractors-ja-desktop")
    # the storefront snippet of the demo's published review
    page.goto(f"{server.url}/embed/products/trail-runner/reviews?merchant=yamakaze")
    page.wait_for_selector("#embed-reviews")
    ld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert ld["aggregateRating"]["reviewCount"] >= 1
    check_axe(page)
    shoot(page, "feedback-embed-ja-desktop")
