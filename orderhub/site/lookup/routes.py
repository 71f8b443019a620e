"""/lookup: order number + email (or postal code) -> the hub. Rate-limited per client and per
order number; the same answer whatever was wrong."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.orders import queries
from orderhub.site.hub.context import base_context, page_language
from orderhub.site.lookup import forms
from orderhub.site.rendering import page
from orderhub.site.security import client_address

TEMPLATE = "site/lookup/lookup.html.jinja"


class LookupController(Controller):
    path = "/lookup"

    @get("/", name="lookup")
    async def show(self, request: Request) -> Template:
        page_language(request)
        return page(request, TEMPLATE, "form", base_context(request, values={}, errors={}, message=""))

    @post("/", name="lookup-submit", status_code=200)
    async def submit(
        self, request: Request, data: dict[str, Any] = Body(media_type=RequestEncodingType.URL_ENCODED)
    ) -> Template | Redirect:
        page_language(request)
        values, errors = forms.read(data)
        if errors:
            return page(request, TEMPLATE, "form", base_context(request, values=values, errors=errors, message=""),
                        status_code=422)
        limits = request.app.state.lookup_limits
        client_ok = await limits["client"].hit(client_address(request, request.app.state.settings.trusted_proxy))
        order_ok = await limits["order"].hit(values["number"].upper())
        if not (client_ok and order_ok):
            message = _("Too many attempts. Please wait a few minutes and try again, or contact the shop.")
            return page(request, TEMPLATE, "form", base_context(request, values=values, errors={}, message=message),
                        status_code=429, headers={"Retry-After": str(request.app.state.settings.lookup_window_seconds)})
        token = await queries.lookup(values["number"], values["proof"], request.app.state.token_key)
        if token is None:
            message = _("We couldn't find an order with those details. Check them and try again.")
            return page(request, TEMPLATE, "form", base_context(request, values=values, errors={}, message=message),
                        status_code=422)
        target = href(f"/o/{token}")
        if request.headers.get("hx-request") == "true":
            # fetch would follow a 303 and swap the whole hub into the form: navigate instead
            return Response(content="", status_code=200, headers={"HX-Redirect": target})  # type: ignore[return-value]
        return Redirect(path=target, status_code=303)
