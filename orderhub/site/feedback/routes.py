"""The shopper's feedback section `/o/{token}/feedback`: the survey card (NPS in one tap, then
"why" and CSAT, then thanks; promoters are invited to review, detractors see the support contact
and may ask to be contacted) and one review per order line (stars, title, text, up to three photos).

Every change is a POST with CSRF that works without JavaScript (303 back) and, under htmx, swaps
only its card. The same survey card is shown on the confirmation page (summary provider below)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub import images
from orderhub.components.urls import href
from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules, services
from orderhub.db.orders.queries import Hub, LineView
from orderhub.db.validation import is_digits
from orderhub.site import messages, uploads
from orderhub.site.api.returns import image_response
from orderhub.site.deps import read_scope
from orderhub.site.feedback.words import WORDS, field_errors, photo_error, too_many_photos
from orderhub.site.hub.context import hub_context
from orderhub.site.pagecache import page_cache
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/feedback/feedback.html.jinja"
REVIEW = "site/feedback/review.html.jinja"
UPLOAD_LIMIT = rules.MAX_PHOTOS * images.MAX_BYTES + 64 * 1024
FORM_LIMIT = 64 * 1024
MB = 1024 * 1024


async def feedback_summary(hub: Hub) -> dict:
    """For the confirmation page: the survey card, when the order arrived and a survey is open."""
    if not rules.survey_fulfilled(hub.order.fulfillment_status):
        return {}
    now = hub.extras.get("now") or dt.datetime.now(dt.UTC)
    view = await queries.card_for_order(hub.order.id, now=now, raw_settings=cast(dict[str, Any], hub.merchant.settings),
                                        customer_email=hub.rows.order["customer_email"] if hub.rows else None)
    if view is None:
        return {}
    return {"feedback": view, "feedback_words": WORDS}


def _origin(value: object) -> str:
    return "confirmation" if value == "confirmation" else "feedback"


def _back(hub: Hub, origin: str) -> str:
    base = f"/o/{hub.token}" + ("" if origin == "confirmation" else "/feedback")
    return href(base + "#feedback-survey")


def card_context(request: Request, hub: Hub, fb: queries.FeedbackView, *, origin: str = "feedback",
                 errors: dict | None = None, values: dict | None = None, notice: str = "") -> dict:
    return hub_context(request, hub, "feedback", fb=fb, origin=origin, w=WORDS, card_errors=errors or {},
                       swapped=request.method == "POST" and wants_partial(request),
                       card_values=values or {}, card_notice=notice, max_photos=rules.MAX_PHOTOS,
                       photo_max_mb=images.MAX_BYTES // MB, photo_types=",".join(images.FORMATS.values()),
                       title_max=rules.TITLE_MAX, body_max=rules.BODY_MAX)


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: form.get(k) for k in form}


def _line(hub: Hub, line_id: str) -> LineView:
    line = next((ln for ln in hub.order.kept_lines if ln.line_id == line_id), None)
    if line is None:
        raise NotFoundException()
    return line


class FeedbackController(Controller):
    path = "/o/{token:str}/feedback"

    async def _card(self, request: Request, hub: Hub, now: dt.datetime, origin: str, *, errors: dict | None = None,
                    values: dict | None = None, status_code: int = 200, notice: str = "") -> Template | Redirect:
        """After a survey POST: the card (htmx) or 303 back to where the card was."""
        if not wants_partial(request) and status_code < 400:
            return Redirect(path=_back(hub, origin), status_code=303)
        fb = await queries.for_order(hub.order.id, now=now)
        ctx = card_context(request, hub, fb, origin=origin, errors=errors, values=values, notice=notice)
        return page(request, TEMPLATE, "survey", ctx, status_code=status_code)

    @get("/", name="feedback", middleware=[page_cache("feedback"), read_scope])
    async def section(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        fb = await queries.for_order(hub.order.id, now=now)
        return page(request, TEMPLATE, "survey", card_context(request, hub, fb))

    @post("/nps", name="feedback-nps", request_max_body_size=FORM_LIMIT)
    async def nps(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await _form(request)
        origin = _origin(form.get("origin"))
        raw = form.get("nps")
        score = int(raw) if isinstance(raw, str) and is_digits(raw.strip()) and len(raw.strip()) < 3 else None
        try:
            await services.record_nps(hub.order.id, score if score is not None else -1, now=now)
        except ValidationFailed as e:
            return await self._card(request, hub, now, origin, errors=field_errors(e.errors), status_code=422)
        except Conflict as e:
            return await self._card(request, hub, now, origin, status_code=409, notice=messages.for_error(e))
        return await self._card(request, hub, now, origin)

    @post("/answers", name="feedback-answers", request_max_body_size=FORM_LIMIT)
    async def answers(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await _form(request)
        origin = _origin(form.get("origin"))
        why = form.get("why")
        raw = form.get("csat")
        csat: object = None
        if isinstance(raw, str) and raw.strip():
            csat = int(raw.strip()) if is_digits(raw.strip()) and len(raw.strip()) < 3 else raw
        try:
            await services.record_answers(hub.order.id, why=why if isinstance(why, str) else None, csat=csat, now=now)
        except ValidationFailed as e:
            return await self._card(request, hub, now, origin, errors=field_errors(e.errors),
                                    values={"why": why if isinstance(why, str) else ""}, status_code=422)
        except Conflict as e:
            return await self._card(request, hub, now, origin, status_code=409, notice=messages.for_error(e))
        return await self._card(request, hub, now, origin)

    @post("/contact", name="feedback-contact", request_max_body_size=FORM_LIMIT)
    async def contact(self, request: Request, hub: Hub, now: dt.datetime) -> Template | Redirect:
        form = await _form(request)
        origin = _origin(form.get("origin"))
        try:
            await services.request_contact(hub.order.id, now=now)
        except Conflict as e:
            return await self._card(request, hub, now, origin, status_code=409, notice=messages.for_error(e))
        return await self._card(request, hub, now, origin)

    # --- reviews ---------------------------------------------------------------------------------

    async def _review_page(self, request: Request, hub: Hub, now: dt.datetime, line: LineView, *,
                           errors: dict | None = None, values: dict | None = None, editing: bool = False,
                           status_code: int = 200, push_url: str | None = None) -> Template:
        fb = await queries.for_order(hub.order.id, now=now)
        review = fb.reviews.get(line.line_id)
        base = f"/o/{hub.token}/feedback/reviews/{line.line_id}"
        ctx = card_context(request, hub, fb, errors=errors, values=values)
        ctx.update(line=line, review=review, editing=review is None or (editing and review.editable),
                   action=href(base), edit_url=href(base + "/edit"), feedback_url=href(f"/o/{hub.token}/feedback"),
                   photo_url=lambda pid: f"/o/{hub.token}/feedback/reviews/{review.id}/photos/{pid}" if review else "")
        return page(request, REVIEW, "review", ctx, status_code=status_code, push_url=push_url)

    @get("/reviews/{line_id:str}", name="feedback-review", middleware=[read_scope])
    async def review(self, request: Request, hub: Hub, now: dt.datetime, line_id: str) -> Template:
        return await self._review_page(request, hub, now, _line(hub, line_id))

    @get("/reviews/{line_id:str}/edit", name="feedback-review-edit", middleware=[read_scope])
    async def edit(self, request: Request, hub: Hub, now: dt.datetime, line_id: str) -> Template:
        return await self._review_page(request, hub, now, _line(hub, line_id), editing=True)

    @post("/reviews/{line_id:str}", name="feedback-review-save", request_max_body_size=UPLOAD_LIMIT)
    async def save(self, request: Request, hub: Hub, now: dt.datetime, line_id: str) -> Template | Redirect:
        line = _line(hub, line_id)
        form = await request.form()
        values = {k: form.get(k) if isinstance(form.get(k), str) else None for k in ("stars", "title", "body")}
        errors: dict[str, str] = {}
        remove = []
        for raw in (form.getall("remove_photo") if "remove_photo" in form else []):
            if isinstance(raw, str) and is_digits(raw) and len(raw) < 12:
                remove.append(int(raw))
        pictures: list = []
        if len(uploads.files(form, "photos")) > rules.MAX_PHOTOS:
            errors["photos"] = too_many_photos()
        else:
            pictures, problem = await uploads.pictures(form, "photos", limit=rules.MAX_PHOTOS,
                                                          per=uploads.per_link(request, hub.order.id))
            if problem:
                errors["photos"] = photo_error(problem)
        photos = [(clean.data, clean.content_type, clean.width, clean.height) for clean in pictures]
        if not errors:
            try:
                services.check_review(values)
            except ValidationFailed as e:
                errors = field_errors(e.errors)
        if not errors:
            try:
                await services.save_review(hub.order.id, line.line_id, values, photos=photos, remove_photos=remove,
                                           now=now)
            except ValidationFailed as e:
                errors = field_errors(e.errors)
            except Conflict:
                async with engine.read():
                    return await self._review_page(request, hub, now, line, status_code=409)
            except NotFound:
                raise NotFoundException() from None
        if errors:
            async with engine.read():
                return await self._review_page(request, hub, now, line, errors=errors, values=values, editing=True,
                                               status_code=422)
        target = href(f"/o/{hub.token}/feedback/reviews/{line.line_id}")
        if wants_partial(request):
            async with engine.read():
                return await self._review_page(request, hub, now, line, push_url=target)
        return Redirect(path=target, status_code=303)

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", name="feedback-review-photo")
    async def photo(self, hub: Hub, review_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await queries.photo_for_order(hub.order.id, review_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)
