"""Reviews from the feedback section: one per line per order, editable until moderated, photos
re-encoded (hostile uploads refused), markup always shown escaped (hub, API, snippet); moderation
and replies through the API; published reviews as JSON and as an embeddable snippet."""

from __future__ import annotations

import asyncio
import io
import json
import re

from PIL import Image

from orderhub.db import engine
from orderhub.db.feedback.tables import Review, ReviewPhoto
from tests.conftest import bearer
from tests.feedback_support import HTMX, csrf_of, deliver, png

HOSTILE_TITLE = '<script>alert("t")</script></script><b>Great</b>'
HOSTILE_BODY = '<img src=x onerror=alert(1)>\n"quoted" & \'single\' {{7*7}}'


async def _reviews() -> list[dict]:
    async with engine.read():
        return await Review.select().order_by(Review.id)


async def _post_review(client, token: str, line: str, data: dict, *, files=None, headers=None, lang: str = ""):
    url = f"/o/{token}/feedback/reviews/{line}" + (f"?lang={lang}" if lang else "")
    page = await client.get(url)
    assert page.status_code == 200, page.text[:300]
    return await client.post(url, data={"_csrf_token": csrf_of(page.text), **data}, files=files, headers=headers or {})


async def test_write_a_review_see_it_pending_edit_it_and_never_twice(client, merchants, orders, clock):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    form = await client.get(f"/o/{t}/feedback/reviews/L1?lang=en")
    assert form.status_code == 200
    assert 'type="radio" class="stars__input"' in form.text and "Verified buyer" in form.text
    # no CSRF -> 403, nothing stored
    r = await client.post(f"/o/{t}/feedback/reviews/L1", data={"stars": "5"})
    assert r.status_code == 403
    r = await _post_review(client, t, "L1", {"stars": "4", "title": HOSTILE_TITLE, "body": HOSTILE_BODY},
                           files={"photos": ("me.jpg", png(exif_gps=True, fmt="JPEG"), "image/jpeg")}, lang="en")
    assert r.status_code == 303
    assert r.headers["location"] == f"/o/{t}/feedback/reviews/L1?lang=en"
    page = await client.get(r.headers["location"])
    assert "Waiting for approval" in page.text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;&lt;/script&gt;&lt;b&gt;Great&lt;/b&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    rows = await _reviews()
    assert len(rows) == 1
    review = rows[0]
    assert (review["stars"], review["status"], review["verified"], review["product_id"]) == (4, "pending", True,
                                                                                          "trail-runner")
    assert review["title"] == HOSTILE_TITLE and review["author"] == "山田"
    # the photo was re-encoded: no EXIF / GPS survives, and the shopper's page shows it
    async with engine.read():
        photo = await ReviewPhoto.select().where(ReviewPhoto.review == review["id"]).first()
    img = Image.open(io.BytesIO(bytes(photo["data"])))
    assert not img.getexif() and photo["content_type"] == "image/jpeg"
    pic = await client.get(f"/o/{t}/feedback/reviews/{review['id']}/photos/{photo['id']}")
    assert pic.status_code == 200 and pic.headers["content-type"] == "image/jpeg"
    assert pic.headers["x-content-type-options"] == "nosniff"
    # another order's token cannot see it
    other = orders["us_ship"].token
    assert (await client.get(f"/o/{other}/feedback/reviews/{review['id']}/photos/{photo['id']}")).status_code == 404
    # the feedback section lists it
    section = await client.get(f"/o/{t}/feedback?lang=en")
    assert "View or edit" in section.text and "Write a review" in section.text
    # edit while pending (htmx swaps the review block), remove the photo: still one review
    r = await _post_review(client, t, "L1", {"stars": "5", "title": "Even better", "body": "",
                                             "remove_photo": str(photo["id"])}, headers=HTMX, lang="en")
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="feedback-review"')
    assert r.headers.get("hx-push-url") == f"/o/{t}/feedback/reviews/L1?lang=en"
    rows = await _reviews()
    assert len(rows) == 1 and rows[0]["stars"] == 5 and rows[0]["title"] == "Even better"
    async with engine.read():
        assert await ReviewPhoto.count().where(ReviewPhoto.review == review["id"]) == 0


async def test_concurrent_duplicate_submissions_store_one_review(client, merchants, orders):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    page = await client.get(f"/o/{t}/feedback/reviews/L2")
    token = csrf_of(page.text)
    answers = await asyncio.gather(*[
        client.post(f"/o/{t}/feedback/reviews/L2", data={"_csrf_token": token, "stars": str(1 + n % 5),
                                                         "title": f"take {n}"}) for n in range(6)])
    assert all(a.status_code == 303 for a in answers), [a.status_code for a in answers]
    rows = await _reviews()
    assert len(rows) == 1 and rows[0]["key"].endswith(":L2")


async def test_review_input_is_checked(client, merchants, orders):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    for data in ({}, {"stars": "0"}, {"stars": "6"}, {"stars": "x"}, {"stars": "5", "title": "t" * 121},
                 {"stars": "5", "body": "b" * 4001}, {"stars": "5", "title": "nul\x00"}):
        r = await _post_review(client, t, "L1", data, lang="en")
        assert r.status_code == 422, data
        assert "Please check the highlighted fields." in r.text
    assert await _reviews() == []
    assert (await client.get(f"/o/{t}/feedback/reviews/NOPE")).status_code == 404
    page = await client.get(f"/o/{t}/feedback/reviews/L1")
    r = await client.post(f"/o/{t}/feedback/reviews/NOPE", data={"_csrf_token": csrf_of(page.text), "stars": "3"})
    assert r.status_code == 404
    # not delivered yet: no reviews
    other = orders["us_ship"].token
    page = await client.get(f"/o/{other}/feedback/reviews/1?lang=en")
    assert "once they have arrived" in page.text
    r = await client.post(f"/o/{other}/feedback/reviews/1", data={"_csrf_token": csrf_of(page.text), "stars": "3"})
    assert r.status_code == 409


async def test_hostile_uploads_are_refused_clearly(client, merchants, orders):
    await deliver(client, merchants["yamakaze"][1])
    t = orders["jp_ship"].token
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")  # small file, 81 megapixels once decoded
    cases = [
        ({"photos": ("evil.png", b"<?php system($_GET['c']); ?>", "image/png")}, "Only pictures"),
        ({"photos": ("bomb.png", bomb.getvalue(), "image/png")}, "too many pixels"),
        ({"photos": ("huge.jpg", b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024 + 10), "image/jpeg")}, "too large"),
        ({"photos": ("trunc.png", png()[:60], "image/png")}, "not a readable picture"),
    ]
    for files, words in cases:
        r = await _post_review(client, t, "L1", {"stars": "4"}, files=files, lang="en")
        assert r.status_code == 422, (words, r.status_code)
        assert words in r.text
    four = [("photos", (f"p{n}.png", png(color=(n * 40, 0, 0)), "image/png")) for n in range(4)]
    r = await _post_review(client, t, "L1", {"stars": "4"}, files=four, lang="en")
    assert r.status_code == 422 and "up to 3 photos" in r.text
    assert await _reviews() == []
    # a body over the upload limit: 413, never a 500
    page = await client.get(f"/o/{t}/feedback/reviews/L1")
    r = await client.post(f"/o/{t}/feedback/reviews/L1", data={"_csrf_token": csrf_of(page.text), "stars": "4"},
                          files=[("photos", (f"b{n}.jpg", b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024), "image/jpeg"))
                                 for n in range(3)])
    assert r.status_code == 413
    # three good photos are fine
    three = [("photos", (f"p{n}.png", png(color=(n * 40, 0, 0)), "image/png")) for n in range(3)]
    r = await _post_review(client, t, "L1", {"stars": "4"}, files=three)
    assert r.status_code == 303
    async with engine.read():
        assert await ReviewPhoto.count() == 3


async def test_moderation_api_and_the_published_reviews(client, merchants, orders, clock):
    key, acme_key = merchants["yamakaze"][1], merchants["acme"][1]
    await deliver(client, key)
    t = orders["jp_ship"].token
    await _post_review(client, t, "L1", {"stars": "4", "title": HOSTILE_TITLE, "body": HOSTILE_BODY},
                       files={"photos": ("a.png", png(), "image/png")})
    await _post_review(client, t, "L3", {"stars": "2", "title": "Itchy"})
    # auth: none / wrong key -> 401; another merchant's review -> 404
    assert (await client.get("/api/v1/reviews")).status_code == 401
    assert (await client.get("/api/v1/reviews", headers=bearer("wrong"))).status_code == 401
    listing = (await client.get("/api/v1/reviews?status=pending", headers=bearer(key))).json()
    assert [r["stars"] for r in listing["reviews"]] == [2, 4]  # newest first and listing["total"] == 2
    first = next(r for r in listing["reviews"] if r["stars"] == 4)
    assert first["title"] == HOSTILE_TITLE and first["body"] == HOSTILE_BODY and first["verified_buyer"] is True
    assert (await client.get("/api/v1/reviews?status=nope", headers=bearer(key))).status_code == 422
    rid = first["id"]
    assert (await client.post(f"/api/v1/reviews/{rid}/publish", headers=bearer(acme_key))).status_code == 404
    assert (await client.get(f"/api/v1/reviews/{rid}", headers=bearer(acme_key))).status_code == 404
    assert (await client.get("/api/v1/reviews?status=pending", headers=bearer(acme_key))).json()["total"] == 0
    # publish (twice: same answer), reject after publish -> 409
    r = await client.post(f"/api/v1/reviews/{rid}/publish", headers=bearer(key))
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert (await client.post(f"/api/v1/reviews/{rid}/publish", headers=bearer(key))).json()["status"] == "published"
    r = await client.post(f"/api/v1/reviews/{rid}/reject", headers=bearer(key))
    assert r.status_code == 409 and "published" in r.json()["errors"][0]["message"]
    other = next(r for r in listing["reviews"] if r["stars"] == 2)["id"]
    assert (await client.post(f"/api/v1/reviews/{other}/reject", headers=bearer(key))).json()["status"] == "rejected"
    assert (await client.post(f"/api/v1/reviews/{other}/publish", headers=bearer(key))).status_code == 409
    assert (await client.post(f"/api/v1/reviews/{other}/reply", headers=bearer(key),
                              json={"reply": "no"})).status_code == 409
    # the public reply, with markup, and its limits
    r = await client.post(f"/api/v1/reviews/{rid}/reply", headers=bearer(key), json={"reply": "<b>Thanks</b> & see you"})
    assert r.status_code == 200 and r.json()["reply"]["body"] == "<b>Thanks</b> & see you"
    assert (await client.post(f"/api/v1/reviews/{rid}/reply", headers=bearer(key),
                              json={"reply": "x" * 2001})).status_code == 422
    assert (await client.post(f"/api/v1/reviews/{rid}/reply", headers=bearer(key),
                              content=b"{not json")).status_code == 422
    # once moderated, the shopper can no longer edit: 409 and the review shown as it is
    r = await _post_review(client, t, "L1", {"stars": "1", "title": "changed"}, lang="en")
    assert r.status_code == 409 and "Your review is published" in r.text
    assert (await client.get(f"/api/v1/reviews/{rid}", headers=bearer(key))).json()["stars"] == 4
    hub = await client.get(f"/o/{t}/feedback/reviews/L1?lang=en")
    assert "&lt;b&gt;Thanks&lt;/b&gt; &amp; see you" in hub.text and "Reply from" in hub.text
    # the storefront: published only, with the aggregate
    product = (await client.get("/api/v1/products/trail-runner/reviews", headers=bearer(key))).json()
    assert product["aggregate"] == {"count": 1, "average": 4.0}
    assert [r["title"] for r in product["reviews"]] == [HOSTILE_TITLE]
    assert product["reviews"][0]["author"] == "山田" and "email" not in json.dumps(product)
    public_photo = product["reviews"][0]["photos"][0]
    assert public_photo.startswith("/embed/reviews/") and (await client.get(public_photo)).status_code == 200
    assert product["embed"] == "/embed/products/trail-runner/reviews?merchant=yamakaze"
    assert (await client.get("/api/v1/products/merino-socks/reviews", headers=bearer(key))).json()["aggregate"] == \
        {"count": 0, "average": None}
    assert (await client.get("/api/v1/products/trail-runner/reviews?page=0", headers=bearer(key))).status_code == 422
    assert (await client.get("/api/v1/products/no-such/reviews", headers=bearer(key))).status_code == 404
    acme_view = (await client.get("/api/v1/products/trail-runner/reviews", headers=bearer(acme_key))).json()
    assert acme_view["aggregate"]["count"] == 0  # acme sells a product with the same id: not yamakaze's reviews
    # photos through the API
    photo_url = (await client.get(f"/api/v1/reviews/{rid}", headers=bearer(key))).json()["photos"][0]
    assert (await client.get(photo_url, headers=bearer(key))).status_code == 200
    assert (await client.get(photo_url, headers=bearer(acme_key))).status_code == 404


async def test_the_embeddable_snippet(client, merchants, orders):
    key = merchants["yamakaze"][1]
    await deliver(client, key)
    t = orders["jp_ship"].token
    await _post_review(client, t, "L1", {"stars": "5", "title": HOSTILE_TITLE, "body": HOSTILE_BODY},
                       files={"photos": ("a.png", png(), "image/png")})
    rid = (await _reviews())[0]["id"]
    empty = await client.get("/embed/products/trail-runner/reviews?merchant=yamakaze&lang=en")
    assert empty.status_code == 200 and "No reviews yet." in empty.text  # pending reviews stay private
    await client.post(f"/api/v1/reviews/{rid}/publish", headers=bearer(key))
    r = await client.get("/embed/products/trail-runner/reviews?merchant=yamakaze&lang=en")
    assert r.status_code == 200
    html = r.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;t&#34;)" in html
    # JSON-LD: parses, carries the aggregate, and no "</script>" can close it early
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert "</" not in blocks[0] and "<" not in blocks[0]
    ld = json.loads(blocks[0])
    assert ld["@type"] == "Product" and ld["aggregateRating"]["ratingValue"] == 5.0
    assert ld["aggregateRating"]["reviewCount"] == 1 and ld["review"][0]["name"] == HOSTILE_TITLE
    # framable only by the merchant's storefront; no scripts; cacheable
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors https://yamakaze.example.jp" in csp or "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "x-frame-options" not in r.headers
    assert r.headers["cache-control"].startswith("public")
    photo = re.search(r'src="(/embed/reviews/\d+/photos/\d+\?merchant=yamakaze)"', html).group(1)
    assert (await client.get(photo)).status_code == 200
    assert (await client.get(photo.replace("yamakaze", "acme"))).status_code == 404
    # unknown merchant or product: 404; hub pages keep their strict headers
    assert (await client.get("/embed/products/trail-runner/reviews?merchant=nope")).status_code == 404
    assert (await client.get("/embed/products/trail-runner/reviews")).status_code == 404
    assert (await client.get("/embed/products/nope/reviews?merchant=yamakaze")).status_code == 404
    hub = await client.get(f"/o/{t}")
    assert "frame-ancestors 'none'" in hub.headers["content-security-policy"]
    assert hub.headers["x-frame-options"] == "DENY"
