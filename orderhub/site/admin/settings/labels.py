"""`/admin/settings/labels`: the merchant's prepaid return labels: the provider (EasyPost, Shippo, or
Japan's 着払い slip with its carrier) and its credentials, sealed at rest and never shown back. Owners
only; the POST carries the CSRF token. What a label costs the shopper is part of the return policy."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import ValidationFailed
from orderhub.db.returns import label_jobs, label_queries, label_rules
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings.forms import text
from orderhub.site.rendering import page
from orderhub.site.returns import label_words

TEMPLATE = "site/admin/settings/labels.html.jinja"
FIELDS = ("provider", "api_key", "api_token", "jp_carrier")


def field_error(code: str) -> str:
    return {
        label_rules.BAD_PROVIDER: _("Choose one of the providers listed."),
        label_rules.BAD_CARRIER: _("Choose the carrier your parcels come back with."),
        label_rules.CREDENTIAL_REQUIRED: _("Enter this to use the provider."),
        label_rules.CREDENTIAL_TOO_LONG: _("At most 200 characters."),
    }.get(code, _("Check this value."))


class LabelSettingsController(Controller):
    path = "/admin/settings/labels"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    async def _page(self, request: Request, admin: Admin, *, status_code: int = 200, errors: dict | None = None,
                    submitted: dict | None = None, notice: str = "") -> Template:
        current = await label_queries.account(admin.merchant.id, secret_key=request.app.state.settings.secret_key)
        chosen = submitted or {"provider": current.provider, "jp_carrier": current.jp_carrier}
        context = admin_context(
            request, admin, "settings", title=_("Return labels"), account=current, chosen=chosen,
            errors=errors or {}, notice=notice,
            providers=[("", _("No labels: shoppers use the return slip"))]
            + [(p, label_words.provider(p)) for p in label_rules.PROVIDERS],
            carriers=[(c, label_words.carrier(c)) for c in label_rules.JP_CARRIERS],
        )
        return page(request, TEMPLATE, "labels", context, status_code=status_code)

    @get("/", name="admin-labels")
    async def show(self, request: Request, admin_user: Admin, saved: str | None = None) -> Template:
        return await self._page(request, admin_user, notice=_("Saved.") if saved else "")

    @post("/", name="admin-labels-save")
    async def save(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        body = {name: text(form, name).strip() for name in FIELDS}
        try:
            await label_jobs.save_account(admin_user.merchant.id, body,
                                          secret_key=request.app.state.settings.secret_key, now=now)
        except ValidationFailed as refused:
            errors = {e["field"]: field_error(e.get("code", "")) for e in refused.errors}
            return await self._page(request, admin_user, status_code=422, errors=errors,
                                    submitted={"provider": body["provider"], "jp_carrier": body["jp_carrier"]})
        return Redirect(path=href("/admin/settings/labels", saved=1), status_code=303)
