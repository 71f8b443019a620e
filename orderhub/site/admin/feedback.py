"""The merchant's feedback lists: `/admin/reviews` (moderation: publish, reject, hide, a public
reply) and `/admin/detractors` (unhappy shoppers, their answers, whether they asked to be
contacted; mark as contacted). Owners and staff both may moderate and follow up (like the returns
queue): it is day-to-day customer care, not a setting.

Every action is a POST form with CSRF that works without JavaScript (303 back to the list) and,
under htmx, swaps only its card. A move the review's state does not allow answers 409.
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.feedback import queries, rules, services
from orderhub.site.admin import nav
from orderhub.site.admin.guard import admin_context, require_admin
from orderhub.site.api.returns import image_response
from orderhub.site.hub.context import lang_query
from orderhub.site.rendering import page, wants_partial

REVIEWS = "site/admin/feedback_reviews.html.jinja"
DETRACTORS = "site/admin/feedback_detractors.html.jinja"
ROLES = ("owner", "staff")
ACTIONS = tuple(rules.MODERATION)
SHOWS = ("open", "requested", "contacted", "all")
FORM_LIMIT = 64 * 1024

nav.register(nav.AdminLink("reviews", "Reviews", "/admin/reviews", roles=ROLES, order=45))
nav.register(nav.AdminLink("detractors", "Unhappy shoppers", "/admin/detractors", roles=ROLES, order=46))


def _int(raw: object, default: int = 1) -> int:
    raw = str(raw or "").strip()
    return min(int(raw), 10_000) if raw.isdigit() and len(raw) < 7 and int(raw) > 0 else default


def review_status(raw: object) -> str:
    return raw if raw in rules.STATUSES or raw == "all" else "pending"


def reviews_url(status: str, page_no: int = 1, lang: str = "", **extra: str) -> str:
    params = {k: v for k, v in {"status": "" if status == "pending" else status,
                                "page": str(page_no) if page_no > 1 else "", **extra,
                                "lang": lang if lang in ("ja", "en") else ""}.items() if v}
    return "/admin/reviews" + (f"?{urlencode(params)}" if params else "")


def detractors_url(show: str, page_no: int = 1, lang: str = "", **extra: str) -> str:
    params = {k: v for k, v in {"show": "" if show == "open" else show, "page": str(page_no) if page_no > 1 else "",
                                **extra, "lang": lang if lang in ("ja", "en") else ""}.items() if v}
    return "/admin/detractors" + (f"?{urlencode(params)}" if params else "")


def status_label(status: str) -> str:
    return {"pending": _("Pending"), "published": _("Published"), "rejected": _("Declined"),
            "hidden": _("Hidden"), "all": _("All")}.get(status, status)


def status_badge(status: str) -> str:
    return {"pending": "info", "published": "good", "rejected": "bad", "hidden": "muted"}.get(status, "muted")


def action_label(action: str) -> str:
    return {"publish": _("Publish"), "reject": _("Reject"), "hide": _("Hide")}.get(action, action)


def done_text(action: str) -> str:
    return {"publish": _("Review published."), "reject": _("Review rejected."), "hide": _("Review hidden."),
            "reply": _("Reply saved."), "contacted": _("Marked as contacted.")}.get(action, "")


def actions_for(status: str) -> list[str]:
    return [a for a in ACTIONS if rules.moderate(status, a) is not None]


def show_label(show: str) -> str:
    return {"open": _("Not contacted yet"), "requested": _("Asked to be contacted"), "contacted": _("Contacted"),
            "all": _("All")}.get(show, show)


WORDS = {"status_label": status_label, "status_badge": status_badge, "action_label": action_label,
         "actions_for": actions_for, "reply_allowed": rules.reply_allowed}


class FeedbackAdminController(Controller):
    path = "/admin"

    async def _reviews_page(self, request: Request, admin, *, notice: str = "", error: str = "",
                            status_code: int = 200) -> Template:
        status = review_status(request.query_params.get("status"))
        lang = request.query_params.get("lang", "")
        listing = await queries.reviews_for_merchant(admin.merchant["id"], None if status == "all" else status,
                                                     _int(request.query_params.get("page")))
        counts = await queries.review_counts(admin.merchant["id"])
        filters = [{"key": s, "label": status_label(s), "count": counts.get(s, 0) if s != "all" else sum(counts.values()),
                    "href": reviews_url(s, 1, lang)} for s in (*rules.STATUSES, "all")]
        context = admin_context(request, admin, "reviews", listing=listing, status=status, filters=filters,
                                notice=notice, error=error, w=WORDS, tz=admin.merchant.get("timezone") or "UTC",
                                page_url=lambda p: reviews_url(status, p, lang), reply_max=rules.REPLY_MAX,
                                row_error="", row_notice="", lang_q=lang_query(request))
        return page(request, REVIEWS, "list", context, status_code=status_code)

    @get("/reviews", name="admin-reviews")
    async def reviews(self, request: Request) -> Template:
        admin = await require_admin(request, roles=ROLES)
        done = request.query_params.get("done", "")
        return await self._reviews_page(request, admin, notice=done_text(done) if done in (*ACTIONS, "reply") else "")

    async def _after(self, request: Request, admin, review_id: int, form, done: str, error: str,
                     status_code: int) -> Template | Redirect:
        status = review_status(form.get("status"))
        page_no = _int(form.get("page"))
        lang = request.query_params.get("lang", "")
        if wants_partial(request):
            view = await queries.review_for_merchant(admin.merchant["id"], review_id)
            context = admin_context(request, admin, "reviews", r=view, status=status, page=page_no, w=WORDS,
                                    tz=admin.merchant.get("timezone") or "UTC", reply_max=rules.REPLY_MAX,
                                    row_error=error, row_notice="" if error else done_text(done),
                                    lang_q=lang_query(request))
            return page(request, REVIEWS, "row", context, status_code=status_code)
        if error:
            return await self._reviews_page(request, admin, error=error, status_code=status_code)
        return Redirect(path=reviews_url(status, page_no, lang, done=done), status_code=303)

    @post("/reviews/{review_id:int}/reply", name="admin-review-reply", request_max_body_size=FORM_LIMIT)
    async def reply(self, request: Request, review_id: int) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        form = await request.form()
        text = form.get("reply")
        error, status_code = "", 200
        try:
            await services.reply(admin.merchant["id"], review_id, text if isinstance(text, str) else "",
                                 now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        except ValidationFailed:
            error, status_code = _("The reply is too long or contains special characters (at most %(num)s characters).",
                                   num=rules.REPLY_MAX), 422
        except Conflict:
            error, status_code = _("A rejected review cannot have a public reply."), 409
        return await self._after(request, admin, review_id, form, "reply", error, status_code)

    @post("/reviews/{review_id:int}/{action:str}", name="admin-review-action", request_max_body_size=FORM_LIMIT)
    async def action(self, request: Request, review_id: int, action: str) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        if action not in ACTIONS:
            raise NotFoundException()
        form = await request.form()
        error, status_code = "", 200
        try:
            await services.moderate(admin.merchant["id"], review_id, action, now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            fresh = await queries.review_for_merchant(admin.merchant["id"], review_id)
            error = _("This review can't be changed with “%(action)s”: its status is now “%(status)s”.",
                      action=action_label(action), status=status_label(fresh.status))
            status_code = 409
        return await self._after(request, admin, review_id, form, action, error, status_code)

    @get("/reviews/{review_id:int}/photos/{photo_id:int}", name="admin-review-photo")
    async def photo(self, request: Request, review_id: int, photo_id: int) -> Response:

        admin = await require_admin(request, roles=ROLES)
        try:
            data, content_type = await queries.photo_for_merchant(admin.merchant["id"], review_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)

    # --- detractors ------------------------------------------------------------------------------

    async def _detractors_page(self, request: Request, admin, *, notice: str = "", show: object = None,
                               page_no: object = None) -> Template:
        show = show if show is not None else request.query_params.get("show", "open")
        show = show if show in SHOWS else "open"
        lang = request.query_params.get("lang", "")
        listing = await queries.detractors(admin.merchant["id"], show,
                                           _int(page_no if page_no is not None else request.query_params.get("page")))
        counts = await queries.detractor_counts(admin.merchant["id"])
        filters = [{"key": s, "label": show_label(s), "count": counts.get(s, 0), "href": detractors_url(s, 1, lang)}
                   for s in SHOWS]
        context = admin_context(request, admin, "detractors", listing=listing, show=show, filters=filters,
                                notice=notice, tz=admin.merchant.get("timezone") or "UTC",
                                page_url=lambda p: detractors_url(show, p, lang), lang_q=lang_query(request))
        return page(request, DETRACTORS, "list", context)

    @get("/detractors", name="admin-detractors")
    async def detractors(self, request: Request) -> Template:
        admin = await require_admin(request, roles=ROLES)
        done = request.query_params.get("done", "")
        return await self._detractors_page(request, admin, notice=done_text(done) if done == "contacted" else "")

    @post("/detractors/{survey_id:int}/contacted", name="admin-detractor-contacted", request_max_body_size=FORM_LIMIT)
    async def contacted(self, request: Request, survey_id: int) -> Template | Redirect:
        admin = await require_admin(request, roles=ROLES)
        form = await request.form()
        try:
            await services.mark_contacted(admin.merchant["id"], survey_id, by=admin.email,
                                          now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        show = form.get("show") if form.get("show") in SHOWS else "open"
        if wants_partial(request):
            return await self._detractors_page(request, admin, notice=done_text("contacted"), show=form.get("show"),
                                               page_no=form.get("page"))
        return Redirect(path=detractors_url(show, _int(form.get("page")), request.query_params.get("lang", ""),
                                            done="contacted"), status_code=303)
