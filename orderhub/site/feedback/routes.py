"""The shopper's feedback section `/o/{token}/feedback`: the survey card (NPS in one tap, then
"why" and CSAT, then thanks; promoters are invited to review, detractors see the support contact
and may ask to be contacted) and one review per order line (stars, title, text, up to three photos).

Every change is a POST with CSRF that works without JavaScript (303 back) and, under htmx, swaps
only its card. The same survey card is shown on the confirmation page (summary provider below)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub import images
from orderhub.site import uploads
from orderhub.site.returns.presenter import image_error
from orderhub.components.i18n import gettext as _
from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules, services
from orderhub.db.orders.queries import Hub
from orderhub.site.hub.context import hub_context, open_hub
from orderhub.site.rendering import page, wants_partial

TEMPLATE = "site/feedback/feedback.html.jinja"
REVIEW = "site/feedback/review.html.jinja"
UPLOAD_LIMIT = rules.MAX_PHOTOS * images.MAX_BYTES + 64 * 1024
FORM_LIMIT = 64 * 1024



async def feedback_summary(hub: Hub) -> dict:
    """For the confirmation page: the survey card, when the order arrived and a survey is open."""
    if not rules.survey_fulfilled(hub.order.fulfillment_status):
        return {}
    now = hub.extras.get("now") or dt.datetime.now(dt.timezone.utc)
    view = await queries.card_for_order(hub.order.id, now=now, raw_settings=hub.merchant.settings)
    if view is None:
        return {}
    return {"feedback": view, "feedback_words": WORDS}


# --- words ---------------------------------------------------------------------------------------

def error_text(message: str) -> str:
    """Service messages (English) -> the page's language."""
    known = {
        "choose from 1 to 5 stars": _("Choose from 1 to 5 stars."),
        "must be text": _("Please type plain text."),
        "must not contain control characters": _("Please remove the special characters."),
        "must be a whole number from 1 to 5": _("Choose from 1 to 5."),
        "must be a whole number from 0 to 10": _("Choose a score from 0 to 10."),
        f"at most {rules.MAX_PHOTOS} photos": _("You can add up to %(num)s photos.", num=rules.MAX_PHOTOS),
    }
    if message in known:
        return known[message]
    if message.startswith("must be at most"):
        limit = "".join(c for c in message if c.isdigit())
        return _("That is too long (at most %(num)s characters).", num=limit)
    from orderhub.site.returns.presenter import image_error

    return image_error(message)


def star_label(n: int) -> str:
    return {1: _("1 star: poor"), 2: _("2 stars: fair"), 3: _("3 stars: good"), 4: _("4 stars: very good"),
            5: _("5 stars: excellent")}[n]


def csat_label(n: int) -> str:
    return {1: _("Very dissatisfied"), 2: _("Dissatisfied"), 3: _("Neutral"), 4: _("Satisfied"),
            5: _("Very satisfied")}[n]


def status_label(status: str) -> str:
    return {"pending": _("Waiting for approval"), "published": _("Published"), "rejected": _("Not published"),
            "hidden": _("Not published")}.get(status, status)


def status_badge(status: str) -> str:
    return {"pending": "info", "published": "good", "rejected": "muted", "hidden": "muted"}.get(status, "muted")


WORDS = {"star_label": star_label, "csat_label": csat_label, "status_label": status_label,
         "status_badge": status_badge, "question": rules.question}


def _lang_suffix(request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"?lang={lang}" if lang in ("ja", "en") else ""


def _origin(value: object) -> str:
    return "confirmation" if value == "confirmation" else "feedback"


def _back(hub: Hub, request: Request, origin: str) -> str:
    base = f"/o/{hub.token}" + ("" if origin == "confirmation" else "/feedback")
    return base + _lang_suffix(request) + "#feedback-survey"


def card_context(request: Request, hub: Hub, fb: queries.FeedbackView, *, origin: str = "feedback",
                 errors: dict | None = None, values: dict | None = None, notice: str = "") -> dict:
    return hub_context(request, hub, "feedback", fb=fb, origin=origin, w=WORDS, card_errors=errors or {},
                       swapped=request.method == "POST" and wants_partial(request),
                       card_values=values or {}, card_notice=notice, max_photos=rules.MAX_PHOTOS,
                       title_max=rules.TITLE_MAX, body_max=rules.BODY_MAX, why_max=rules.WHY_MAX)


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: form.get(k) for k in form}


class FeedbackController(Controller):
    path = "/o/{token:str}/feedback"

    async def _view(self, request: Request, hub: Hub) -> queries.FeedbackView:
        return await queries.for_order(hub.order.id, now=request.app.state.clock())

    async def _card(self, request: Request, hub: Hub, origin: str, *, errors: dict | None = None,
                    values: dict | None = None, status_code: int = 200, notice: str = "") -> Template | Redirect:
        """After a survey POST: the card (htmx) or 303 back to where the card was."""
        if not wants_partial(request) and status_code < 400:
            return Redirect(path=_back(hub, request, origin), status_code=303)
        fb = await self._view(request, hub)
        ctx = card_context(request, hub, fb, origin=origin, errors=errors, values=values, notice=notice)
        if wants_partial(request):
            return page(request, TEMPLATE, "survey", ctx, status_code=status_code)
        return page(request, TEMPLATE, "survey", ctx, status_code=status_code)

    @get("/", name="feedback")
    async def section(self, request: Request, token: str) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
            fb = await self._view(request, hub)
        return page(request, TEMPLATE, "survey", card_context(request, hub, fb))

    @post("/nps", name="feedback-nps", request_max_body_size=FORM_LIMIT)
    async def nps(self, request: Request, token: str) -> Template | Redirect:
        hub = await open_hub(request, token)
        form = await _form(request)
        origin = _origin(form.get("origin"))
        raw = form.get("nps")
        score = int(raw) if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 3 else None
        try:
            await services.record_nps(hub.order.id, score if score is not None else -1, now=request.app.state.clock())
        except ValidationFailed:
            return await self._card(request, hub, origin, errors={"nps": _("Choose a score from 0 to 10.")},
                                    status_code=422)
        except Conflict:
            return await self._card(request, hub, origin, status_code=409,
                                    notice=_("This survey is not open for this order."))
        return await self._card(request, hub, origin)

    @post("/answers", name="feedback-answers", request_max_body_size=FORM_LIMIT)
    async def answers(self, request: Request, token: str) -> Template | Redirect:
        hub = await open_hub(request, token)
        form = await _form(request)
        origin = _origin(form.get("origin"))
        why = form.get("why")
        raw = form.get("csat")
        csat: object = None
        if isinstance(raw, str) and raw.strip():
            csat = int(raw.strip()) if raw.strip().isdigit() and len(raw.strip()) < 3 else raw
        try:
            await services.record_answers(hub.order.id, why=why if isinstance(why, str) else None, csat=csat,
                                          now=request.app.state.clock())
        except ValidationFailed as e:
            errors = {err["field"]: error_text(err["message"]) for err in e.errors}
            return await self._card(request, hub, origin, errors=errors,
                                    values={"why": why if isinstance(why, str) else ""}, status_code=422)
        except Conflict:
            return await self._card(request, hub, origin, status_code=409,
                                    notice=_("This survey is not open for this order."))
        return await self._card(request, hub, origin)

    @post("/contact", name="feedback-contact", request_max_body_size=FORM_LIMIT)
    async def contact(self, request: Request, token: str) -> Template | Redirect:
        hub = await open_hub(request, token)
        form = await _form(request)
        origin = _origin(form.get("origin"))
        try:
            await services.request_contact(hub.order.id, now=request.app.state.clock())
        except Conflict:
            return await self._card(request, hub, origin, status_code=409,
                                    notice=_("This survey is not open for this order."))
        return await self._card(request, hub, origin)

    # --- reviews ---------------------------------------------------------------------------------

    def _line(self, hub: Hub, line_id: str):
        line = next((ln for ln in hub.order.lines if ln.line_id == line_id), None)
        if line is None:
            raise NotFoundException()
        return line

    async def _review_page(self, request: Request, hub: Hub, line, *, errors: dict | None = None,
                           values: dict | None = None, editing: bool = False, status_code: int = 200,
                           push_url: str | None = None) -> Template:
        fb = await self._view(request, hub)
        review = fb.reviews.get(line.line_id)
        base = f"/o/{hub.token}/feedback/reviews/{line.line_id}"
        ctx = card_context(request, hub, fb, errors=errors, values=values)
        ctx.update(line=line, review=review, editing=review is None or (editing and review.editable),
                   action=base + _lang_suffix(request), edit_url=base + "/edit" + _lang_suffix(request),
                   feedback_url=f"/o/{hub.token}/feedback" + _lang_suffix(request),
                   photo_url=lambda pid: f"/o/{hub.token}/feedback/reviews/{review.id}/photos/{pid}" if review else "")
        return page(request, REVIEW, "review", ctx, status_code=status_code, push_url=push_url)

    @get("/reviews/{line_id:str}", name="feedback-review")
    async def review(self, request: Request, token: str, line_id: str) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
            line = self._line(hub, line_id)
            return await self._review_page(request, hub, line)

    @get("/reviews/{line_id:str}/edit", name="feedback-review-edit")
    async def edit(self, request: Request, token: str, line_id: str) -> Template:
        async with engine.read():
            hub = await open_hub(request, token)
            line = self._line(hub, line_id)
            return await self._review_page(request, hub, line, editing=True)

    @post("/reviews/{line_id:str}", name="feedback-review-save", request_max_body_size=UPLOAD_LIMIT)
    async def save(self, request: Request, token: str, line_id: str) -> Template | Redirect:
        hub = await open_hub(request, token)
        line = self._line(hub, line_id)
        form = await request.form()
        values = {k: form.get(k) if isinstance(form.get(k), str) else None for k in ("stars", "title", "body")}
        errors: dict[str, str] = {}
        remove = []
        for raw in (form.getall("remove_photo") if "remove_photo" in form else []):
            if isinstance(raw, str) and raw.isdigit() and len(raw) < 12:
                remove.append(int(raw))
        pictures, problem = await uploads.pictures(form, "photos", limit=rules.MAX_PHOTOS)
        if problem:
            errors["photos"] = error_text(str(problem)) if problem.code == images.TOO_MANY else image_error(problem)
        photos = [(clean.data, clean.content_type, clean.width, clean.height) for clean in pictures]
        if not errors:
            try:
                services.check_review(values)
            except ValidationFailed as e:
                errors = {err["field"]: error_text(err["message"]) for err in e.errors}
        if not errors:
            try:
                await services.save_review(hub.order.id, line.line_id, values, photos=photos, remove_photos=remove,
                                           now=request.app.state.clock())
            except ValidationFailed as e:
                errors = {err["field"]: error_text(err["message"]) for err in e.errors}
            except Conflict:
                async with engine.read():
                    return await self._review_page(request, hub, line, status_code=409)
            except NotFound:
                raise NotFoundException() from None
        if errors:
            async with engine.read():
                return await self._review_page(request, hub, line, errors=errors, values=values, editing=True,
                                               status_code=422)
        target = f"/o/{hub.token}/feedback/reviews/{line.line_id}" + _lang_suffix(request)
        if wants_partial(request):
            async with engine.read():
                return await self._review_page(request, hub, line, push_url=target)
        return Redirect(path=target, status_code=303)

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", name="feedback-review-photo")
    async def photo(self, request: Request, token: str, review_id: int, photo_id: int) -> Response:
        from orderhub.site.api.returns import image_response

        async with engine.read():
            hub = await open_hub(request, token)
        try:
            data, content_type = await queries.photo_for_order(hub.order.id, review_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)

