"""The merchant's feedback lists: `/admin/reviews` (moderation: publish, reject, hide, a public
reply) and `/admin/detractors` (unhappy shoppers, their answers, whether they asked to be
contacted; mark as contacted). Owners and staff both may moderate and follow up (like the returns
queue): it is day-to-day customer care, not a setting.

Every action is a POST form with CSRF that works without JavaScript (303 back to the list) and,
under htmx, swaps only its card. A move the review's state does not allow answers 409.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules, services
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.validation import is_digits
from orderhub.site import messages
from orderhub.site.admin.guard import admin_context, require_admin
from orderhub.site.api.returns import image_response
from orderhub.site.rendering import page, wants_partial

REVIEWS = "site/admin/feedback_reviews.html.jinja"
DETRACTORS = "site/admin/feedback_detractors.html.jinja"
ROLES = merchant_rules.ROLES
FORM_LIMIT = 64 * 1024



def _int(raw: object, default: int = 1) -> int:
    raw = str(raw or "").strip()
    return min(int(raw), 10_000) if is_digits(raw) and len(raw) < 7 and int(raw) > 0 else default


def review_filter(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in rules.REVIEW_FILTERS else rules.DEFAULT_REVIEW_FILTER


def detractor_filter(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in rules.DETRACTOR_FILTERS else rules.DEFAULT_DETRACTOR_FILTER


def reviews_url(status: str, page_no: int = 1, **extra: str) -> str:
    return href("/admin/reviews", status=None if status == rules.DEFAULT_REVIEW_FILTER else status,
                page=page_no if page_no > 1 else None, **extra)


def detractors_url(show: str, page_no: int = 1, **extra: str) -> str:
    return href("/admin/detractors", show=None if show == rules.DEFAULT_DETRACTOR_FILTER else show,
                page=page_no if page_no > 1 else None, **extra)


def status_label(status: str) -> str:
    return {rules.PENDING: _("Pending"), rules.PUBLISHED: _("Published"), rules.REJECTED: _("Declined"),
            rules.HIDDEN: _("Hidden"), "all": _("All")}.get(status, status)


def status_badge(status: str) -> str:
    return {rules.PENDING: "info", rules.PUBLISHED: "good", rules.REJECTED: "bad"}.get(status, "muted")


def action_label(action: str) -> str:
    return {"publish": _("Publish"), "reject": _("Reject"), "hide": _("Hide")}.get(action, action)


def done_text(action: str) -> str:
    return {"publish": _("Review published."), "reject": _("Review rejected."), "hide": _("Review hidden."),
            "reply": _("Reply saved."), "contacted": _("Marked as contacted.")}.get(action, "")


def show_label(show: str) -> str:
    return {"open": _("Not contacted yet"), "requested": _("Asked to be contacted"), "contacted": _("Contacted"),
            "all": _("All")}.get(show, show)


WORDS = {"status_label": status_label, "status_badge": status_badge, "action_label": action_label}


class FeedbackAdminController(Controller):
    path = "/admin"

    async def _reviews_page(self, request: Request, admin, *, notice: str = "", error: str = "",
                            status_code: int = 200) -> Template:
        status = review_filter(request.query_params.get("status"))
        listing = await queries.reviews_for_merchant(admin.merchant.id, None if status == "all" else status,
                                                     _int(request.query_params.get("page")))
        counts = await queries.review_counts(admin.merchant.id)
        filters = [{"key": s, "label": status_label(s), "count": counts.get(s, 0), "href": reviews_url(s)}
                   for s in rules.REVIEW_FILTERS]
        context = admin_context(request, admin, "reviews", listing=listing, status=status, filters=filters,
                                queue=status == rules.DEFAULT_REVIEW_FILTER,
                                notice=notice, error=error, w=WORDS, tz=admin.merchant.timezone,
                                page_url=lambda p: reviews_url(status, p), reply_max=rules.REPLY_MAX,
                                row_error="", row_notice="")
        return page(request, REVIEWS, "list", context, status_code=status_code)

    @get("/reviews", name="admin-reviews")
    async def reviews(self, request: Request) -> Template:
        admin = await require_admin(request, roles=ROLES)
        done = request.query_params.get("done", "")
        return await self._reviews_page(request, admin,
                                        notice=done_text(done) if done in (*rules.MODERATION, "reply") else "")

    async def _after(self, request: Request, admin, review_id: int, form, done: str, error: str,
                     status_code: int) -> Template | Redirect:
        status = review_filter(form.get("status"))
        page_no = _int(form.get("page"))
        if wants_partial(request):
            view = await queries.review_for_merchant(admin.merchant.id, review_id)
            context = admin_context(request, admin, "reviews", r=view, status=status, page=page_no, w=WORDS,
                                    tz=admin.merchant.timezone, reply_max=rules.REPLY_MAX,
                                    row_error=error, row_notice="" if error else done_text(done))
            return page(request, REVIEWS, "row", context, status_code=status_code)
        if error:
            return await self._reviews_page(request, admin, error=error, status_code=status_code)
        return Redirect(path=reviews_url(status, page_no, done=done), status_code=303)

    @post("/reviews/{review_id:int}/reply", name="admin-review-reply", request_max_body_size=FORM_LIMIT)
    async def reply(self, request: Request, now: dt.datetime, review_id: int) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        form = await request.form()
        text = form.get("reply")
        error, status_code = "", 200
        try:
            await services.reply(admin.merchant.id, review_id, text if isinstance(text, str) else "", now=now)
        except NotFound:
            raise NotFoundException() from None
        except ValidationFailed:
            error, status_code = _("The reply is too long or contains special characters (at most %(num)s characters).",
                                   num=rules.REPLY_MAX), 422
        except Conflict as e:
            error, status_code = messages.for_error(e), 409
        return await self._after(request, admin, review_id, form, "reply", error, status_code)

    @post("/reviews/{review_id:int}/{action:str}", name="admin-review-action", request_max_body_size=FORM_LIMIT)
    async def action(self, request: Request, now: dt.datetime, review_id: int, action: str) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        if action not in rules.MODERATION:
            raise NotFoundException()
        form = await request.form()
        error, status_code = "", 200
        try:
            await services.moderate(admin.merchant.id, review_id, action, now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as e:
            fresh = await queries.review_for_merchant(admin.merchant.id, review_id)
            error = messages.text(e.code, action=action_label(action), status=status_label(fresh.status))
            status_code = 409
        return await self._after(request, admin, review_id, form, action, error, status_code)

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", name="admin-review-photo")
    async def photo(self, request: Request, review_id: int, photo_id: int) -> Response:

        admin = await require_admin(request, roles=ROLES)
        try:
            data, content_type = await queries.photo_for_merchant(admin.merchant.id, review_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)

    # --- detractors ------------------------------------------------------------------------------

    async def _detractors_page(self, request: Request, admin, *, notice: str = "", show: object = None,
                               page_no: object = None) -> Template:
        show = detractor_filter(show if show is not None else request.query_params.get("show"))
        listing = await queries.detractors(admin.merchant.id, show,
                                           _int(page_no if page_no is not None else request.query_params.get("page")))
        counts = await queries.detractor_counts(admin.merchant.id)
        filters = [{"key": s, "label": show_label(s), "count": counts.get(s, 0), "href": detractors_url(s)}
                   for s in rules.DETRACTOR_FILTERS]
        context = admin_context(request, admin, "detractors", listing=listing, show=show, filters=filters,
                                notice=notice, tz=admin.merchant.timezone,
                                page_url=lambda p: detractors_url(show, p))
        return page(request, DETRACTORS, "list", context)

    @get("/detractors", name="admin-detractors")
    async def detractors(self, request: Request) -> Template:
        admin = await require_admin(request, roles=ROLES)
        done = request.query_params.get("done", "")
        return await self._detractors_page(request, admin, notice=done_text(done) if done == "contacted" else "")

    @post("/detractors/{survey_id:int}/contacted", name="admin-detractor-contacted", request_max_body_size=FORM_LIMIT)
    async def contacted(self, request: Request, now: dt.datetime, survey_id: int) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        form = await request.form()
        try:
            await services.mark_contacted(admin.merchant.id, survey_id, by=admin.email, now=now)
        except NotFound:
            raise NotFoundException() from None
        if wants_partial(request):
            return await self._detractors_page(request, admin, notice=done_text("contacted"), show=form.get("show"),
                                               page_no=form.get("page"))
        return Redirect(path=detractors_url(detractor_filter(form.get("show")), _int(form.get("page")),
                                            done="contacted"), status_code=303)
