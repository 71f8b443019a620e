"""Reviews for the merchant (moderation API) and the storefront (published reviews as JSON and as
an embeddable HTML snippet with schema.org Product / AggregateRating JSON-LD).

The snippet `/embed/products/{product_id}/reviews?merchant=<slug>` is public (published reviews
only) and meant for the merchant's storefront: fetch it server-side and include its <section>
(the JSON-LD then counts for the product page), or frame it. It sends its own CSP: no scripts at
all, our stylesheet, images from us and https, and `frame-ancestors` naming only the merchant's
storefront origin (`'none'` when the merchant has none), so no other site can frame it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template

from orderhub.components.urls import href
from orderhub.db import engine
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules, services
from orderhub.db.merchants.tables import Merchant
from orderhub.db.validation import is_digits
from orderhub.site.api.auth import api_merchant, json_body
from orderhub.site.api.paging import page_param, per_page_param
from orderhub.site.api.returns import image_response
from orderhub.site.hub.context import base_context, page_language

_page = page_param


def _per_page(raw: str | None, default: int) -> int:
    return per_page_param(raw, default)


def _listing(view: queries.ProductReviews, slug: str) -> dict[str, Any]:
    """Published reviews for a storefront; photos as public URLs (the snippet's photo route)."""
    return {
        "product_id": view.product_id, "title": view.title,
        "aggregate": {"count": view.count, "average": view.average},
        "reviews": [{**r.public(), "photos": [f"/embed/reviews/{r.id}/photos/{p}?merchant={slug}" for p in r.photo_ids]}
                    for r in view.reviews],
        "page": view.page, "pages": view.pages,
        "embed": f"/embed/products/{quote(view.product_id, safe='')}/reviews?merchant={quote(slug, safe='')}",
    }


class ReviewsApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["reviews"]

    @get("/reviews", summary="The merchant's product reviews (moderation queue)")
    async def list_reviews(self, request: Request, merchant: Merchant, status: str | None = None) -> dict[str, Any]:
        if status is not None and status not in rules.STATUSES:
            raise ValidationFailed([{"field": "status", "message": "must be one of " + ", ".join(rules.STATUSES)}])
        listing = await queries.reviews_for_merchant(merchant.id, status, _page(request.query_params.get("page")),
                                                     _per_page(request.query_params.get("per_page"), 20))
        return {"reviews": [r.api() for r in listing.items], "page": listing.page, "pages": listing.pages,
                "total": listing.total}

    @get("/reviews/{review_id:int}", summary="One review")
    async def get_review(self, merchant: Merchant, review_id: int) -> dict[str, Any]:
        return (await queries.review_for_merchant(merchant.id, review_id)).api()

    @post("/reviews/{review_id:int}/publish", summary="Publish a review", status_code=200)
    async def publish(self, merchant: Merchant, now: dt.datetime, review_id: int) -> dict[str, Any]:
        return (await services.moderate(merchant.id, review_id, "publish", now=now)).api()

    @post("/reviews/{review_id:int}/reject", summary="Reject a pending review", status_code=200)
    async def reject(self, merchant: Merchant, now: dt.datetime, review_id: int) -> dict[str, Any]:
        return (await services.moderate(merchant.id, review_id, "reject", now=now)).api()

    @post("/reviews/{review_id:int}/hide", summary="Hide a published review", status_code=200)
    async def hide(self, merchant: Merchant, now: dt.datetime, review_id: int) -> dict[str, Any]:
        return (await services.moderate(merchant.id, review_id, "hide", now=now)).api()

    @post("/reviews/{review_id:int}/reply", summary="The merchant's public reply (empty removes it)",
          status_code=200)
    async def reply(self, request: Request, merchant: Merchant, now: dt.datetime, review_id: int) -> dict[str, Any]:
        await queries.review_for_merchant(merchant.id, review_id)  # another merchant's or no review: 404 first
        body = await json_body(request)
        if not isinstance(body, dict) or "reply" not in body:
            raise ValidationFailed([{"field": "reply", "message": "is required: send {\"reply\": \"...\"}"}])
        return (await services.reply(merchant.id, review_id, body["reply"], now=now)).api()

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", summary="A photo of a review")
    async def photo(self, merchant: Merchant, review_id: int, photo_id: int) -> Response:
        data, content_type = await queries.photo_for_merchant(merchant.id, review_id, photo_id)
        return image_response(data, content_type)

    @get("/products/{product_id:str}/reviews", summary="A product's published reviews and aggregate rating")
    async def product_reviews(self, request: Request, merchant: Merchant, product_id: str) -> dict[str, Any]:
        view = await queries.product_reviews(merchant.id, product_id, _page(request.query_params.get("page")),
                                             _per_page(request.query_params.get("per_page"), 10))
        return _listing(view, merchant.slug)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname and all(c not in parts.netloc for c in " ;,'\"*"):
        return f"{parts.scheme}://{parts.netloc}"
    return None


def embed_csp(storefront_url: str) -> str:
    origin = _origin(storefront_url)
    return "; ".join([
        "default-src 'none'", "style-src 'self'", "img-src 'self' https: data:", "base-uri 'none'",
        "form-action 'none'", f"frame-ancestors {origin or chr(39) + 'none' + chr(39)}",
    ])


def json_ld(view: queries.ProductReviews, merchant_name: str) -> dict:
    """schema.org Product with its AggregateRating and the reviews on this page."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Product", "name": view.title,
                            "productID": view.product_id, "brand": {"@type": "Brand", "name": merchant_name}}
    if view.url:
        data["url"] = view.url
    if view.count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": view.average,
                                   "reviewCount": view.count, "bestRating": 5, "worstRating": 1}
        data["review"] = [{
            "@type": "Review", "name": r.title, "reviewBody": r.body, "datePublished": r.created_at.date().isoformat(),
            "author": {"@type": "Person", "name": r.author or "Anonymous"},
            "reviewRating": {"@type": "Rating", "ratingValue": r.stars, "bestRating": 5, "worstRating": 1},
        } for r in view.reviews]
    return data


class EmbedController(Controller):
    path = "/embed"

    @get("/products/{product_id:str}/reviews", name="embed-reviews")
    async def reviews(self, request: Request, product_id: str) -> Template:
        slug = request.query_params.get("merchant", "")
        async with engine.read():
            merchant = await Merchant.objects().where(Merchant.slug == slug[:100]).first() if slug else None
            if merchant is None:
                page_language(request)
                raise NotFoundException()
            page_language(request, None, merchant.locale)
            raw_page = (request.query_params.get("page") or "1").strip()
            number = int(raw_page) if is_digits(raw_page) and len(raw_page) < 6 and int(raw_page) >= 1 else 1
            try:
                view = await queries.product_reviews(merchant.id, product_id, number, 10)
            except NotFound:
                raise NotFoundException() from None
        context = base_context(request, view=view, merchant=merchant, ld=json_ld(view, merchant.name),
                               page_url=lambda p: href(f"/embed/products/{quote(product_id, safe='')}/reviews",
                                                       merchant=merchant.slug, page=p),
                               photo_url=lambda r, p: f"/embed/reviews/{r}/photos/{p}?merchant={merchant.slug}")
        return Template(template_name="site/feedback/embed.html.jinja", context=context, headers={
            "Content-Security-Policy": embed_csp(merchant.storefront_url or ""),
            "Cache-Control": "public, max-age=300", "Vary": "Accept-Language"})

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", name="embed-review-photo")
    async def photo(self, request: Request, review_id: int, photo_id: int) -> Response:
        slug = request.query_params.get("merchant", "")
        async with engine.read():
            merchant = await Merchant.select(Merchant.id).where(Merchant.slug == slug[:100]).first() if slug else None
        if merchant is None:
            raise NotFoundException()
        try:
            data, content_type = await queries.published_photo(merchant["id"], review_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        response = image_response(data, content_type)
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
