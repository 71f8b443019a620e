"""The step-up flow any hub action can require (db/security/stepup.py decides; this is the web side).

A page that needs it asks `await stepup_state(request, hub, purpose)`: when `.verified` is false it
shows the step-up card (`site/hub/stepup_parts.html.jinja`, macro `stepup_card`) in place of its
form, and its POST checks `await require_stepup(request, hub, purpose)` again before acting. The
card's forms post here:

- `POST /o/{token}/verify/{purpose}/send`: emails a new code (sends are rate-limited per order and per
  client address);
- `POST /o/{token}/verify/{purpose}`: checks the code or postal code (guesses rate-limited the same way,
  and at most stepup.MAX_ATTEMPTS per code).

Without JavaScript both answer 303 back to `next` (the calling page, a path of the same hub), or the
standalone step-up page `GET /o/{token}/verify/{purpose}` with the message (422 for a wrong answer).
Under htmx an error or a sent code answers the card's block (`#stepup-card`), and success answers
`HX-Redirect: next`. The browser is known by a random HttpOnly cookie (`oh_stepup`), set on the first
step; a step-up lasts for that order, purpose and browser only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.orders.queries import Hub
from orderhub.db.security import stepup
from orderhub.site.hub.context import hub_context
from orderhub.site.rendering import page, wants_partial
from orderhub.site.security import client_address, limiter

TEMPLATE = "site/hub/stepup.html.jinja"
COOKIE = "oh_stepup"
#: code emails per order / per client address and window
SENDS_PER_ORDER, SENDS_PER_CLIENT, SEND_SECONDS = 3, 10, 900
#: answers per order / per client address and window (besides MAX_ATTEMPTS per code)
TRIES_PER_ORDER, TRIES_PER_CLIENT, TRY_SECONDS = 10, 30, 900


class StepupRequired(Exception):
    """Raised by `require_stepup` when the browser has not (or no longer) stepped up."""


def session_of(request: Request) -> str:
    raw = request.cookies.get(COOKIE, "")
    return raw if stepup.well_formed_session(raw) else ""


def _keep_session(request: Request, response: Response[Any], session: str) -> Response[Any]:
    if request.cookies.get(COOKIE) != session:
        response.set_cookie(COOKIE, session, path="/o/", httponly=True, samesite="lax",
                            secure=request.app.state.settings.secure_cookies,
                            max_age=stepup.VERIFIED_MINUTES * 60 + stepup.CODE_MINUTES * 60)
    return response


@dataclass(frozen=True)
class StepupState:
    purpose: str
    verified: bool
    method: str
    masked_email: str
    pending: stepup.Pending | None
    #: where the card's forms post, and where they come back to
    send_url: str
    check_url: str
    next_url: str
    error: str = ""
    notice: str = ""


def _base(hub: Hub) -> str:
    return f"/o/{hub.token}"


def safe_next(hub: Hub, value: str | None, purpose: str) -> str:
    """A path of this same hub to come back to; anything else: the purpose's own page."""
    base = _base(hub)
    value = (value or "").strip()
    if value.startswith(base + "/") and "//" not in value[1:] and "\\" not in value and len(value) <= 300:
        return value
    return href(f"{base}/{purpose}")


async def stepup_state(request: Request, hub: Hub, purpose: str, *, next_url: str = "", error: str = "",
                       notice: str = "", session: str | None = None) -> StepupState:
    """What the step-up card shows for this browser (`session`: its cookie value, when just made), order
    and purpose."""
    now = request.app.state.clock()
    session = session if session is not None else session_of(request)
    found = await stepup.factor(hub.order.id)
    base = _base(hub)
    nxt = safe_next(hub, next_url or request.url.path, purpose)
    return StepupState(
        purpose=purpose, verified=await stepup.verified(hub.order.id, purpose, session, now), method=found.method,
        masked_email=found.masked_email, pending=await stepup.pending(hub.order.id, purpose, session, now),
        send_url=href(f"{base}/verify/{purpose}/send"), check_url=href(f"{base}/verify/{purpose}"),
        next_url=nxt, error=error, notice=notice)


async def require_stepup(request: Request, hub: Hub, purpose: str) -> None:
    """For a POST that acts: raises StepupRequired unless this browser stepped up for the order."""
    if not await stepup.verified(hub.order.id, purpose, session_of(request), request.app.state.clock()):
        raise StepupRequired()


async def end_stepup(request: Request, hub: Hub, purpose: str) -> None:
    """The action is done; the next one asks again."""
    await stepup.end(hub.order.id, purpose, session_of(request), request.app.state.clock())


def _client(request: Request) -> str:
    return "client:" + client_address(request, request.app.state.settings.trusted_proxy)


async def _within(request: Request, name: str, per_order: int, per_client: int, seconds: int,
                  order_id: int) -> bool:
    by_order = limiter(request.app.state, f"{name}_order", per_order, seconds)
    by_client = limiter(request.app.state, f"{name}_client", per_client, seconds)
    results = [await by_order.hit(f"order:{order_id}"), await by_client.hit(_client(request))]
    return all(results)


def outcome_text(outcome: str, method: str) -> str:
    if outcome == stepup.WRONG:
        return _("That postal code doesn't match the order.") if method == stepup.POSTAL else _(
            "That code isn't right. Check the latest email and try again.")
    if outcome == stepup.EXPIRED:
        return _("That code has expired. Send a new one.")
    if outcome == stepup.LOCKED:
        return _("Too many wrong answers. Send a new code, or try again in a few minutes.")
    if outcome == "limited":
        return _("Too many attempts. Please wait a few minutes and try again.")
    return _("Send yourself a code first.")


class StepupController(Controller):
    path = "/o/{token:str}/verify/{purpose:str}"

    @staticmethod
    def _purpose(purpose: str) -> str:
        if purpose not in stepup.PURPOSES:
            raise NotFoundException()
        return purpose

    async def _card(self, request: Request, hub: Hub, purpose: str, state: StepupState, *,
                    status_code: int = 200) -> Template:
        return page(request, TEMPLATE, "card", hub_context(request, hub, "order", s=state, visit=False),
                    status_code=status_code)

    @get("/", name="stepup")
    async def show(self, request: Request, hub: Hub, purpose: str) -> Response[Any]:
        purpose = self._purpose(purpose)
        state = await stepup_state(request, hub, purpose, next_url=request.query_params.get("next") or "")
        if state.verified:
            return Redirect(path=state.next_url, status_code=303)
        return await self._card(request, hub, purpose, state)

    @post("/send", name="stepup-send")
    async def send(self, request: Request, hub: Hub, purpose: str, now: dt.datetime) -> Response[Any]:
        purpose = self._purpose(purpose)
        form = await request.form()
        nxt = str(form.get("next") or "")
        session = session_of(request) or stepup.new_session()
        found = await stepup.factor(hub.order.id)
        if found.method != stepup.EMAIL:
            state = await stepup_state(request, hub, purpose, next_url=nxt)
            return await self._card(request, hub, purpose, state, status_code=409)
        if not await _within(request, "stepup_send", SENDS_PER_ORDER, SENDS_PER_CLIENT, SEND_SECONDS, hub.order.id):
            state = await stepup_state(request, hub, purpose, next_url=nxt, error=outcome_text("limited", found.method))
            return await self._card(request, hub, purpose, state, status_code=429)
        await stepup.send_code(hub.merchant.id, hub.order.id, purpose, session,
                               key=request.app.state.settings.key_for("stepup"), now=now)
        if wants_partial(request):
            state = await stepup_state(request, hub, purpose, next_url=nxt, session=session,
                                       notice=_("We sent a code to %(email)s.", email=found.masked_email))
            return _keep_session(request, await self._card(request, hub, purpose, state), session)
        return _keep_session(request, Redirect(path=safe_next(hub, nxt, purpose), status_code=303), session)

    @post("/", name="stepup-check")
    async def check(self, request: Request, hub: Hub, purpose: str, now: dt.datetime) -> Response[Any]:
        purpose = self._purpose(purpose)
        form = await request.form()
        nxt = str(form.get("next") or "")
        answer = form.get("answer")
        answer = answer if isinstance(answer, str) else ""
        session = session_of(request) or stepup.new_session()
        found = await stepup.factor(hub.order.id)
        if not await _within(request, "stepup_try", TRIES_PER_ORDER, TRIES_PER_CLIENT, TRY_SECONDS, hub.order.id):
            outcome = "limited"
        else:
            outcome = await stepup.verify(hub.order.id, purpose, session, answer,
                                          key=request.app.state.settings.key_for("stepup"), now=now)
        target = safe_next(hub, nxt, purpose)
        if outcome == stepup.VERIFIED:
            if wants_partial(request):
                response: Response[Any] = Response(b"", status_code=200, headers={"HX-Redirect": target})
            else:
                response = Redirect(path=target, status_code=303)
            return _keep_session(request, response, session)
        state = await stepup_state(request, hub, purpose, next_url=nxt, session=session,
                                   error=outcome_text(outcome, found.method))
        status = 429 if outcome == "limited" else 422
        return _keep_session(request, await self._card(request, hub, purpose, state, status_code=status), session)
