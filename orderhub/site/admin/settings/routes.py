"""`/admin/settings`: the index of the merchant's settings and the form pages built from
settings/forms.py (support, return policy, cross-sells, surveys and reviews, emails). Owners only.

A form posts to its own URL: saved -> 303 back with a notice; an error -> the same page, 422, the
message next to its field and nothing stored."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings import forms
from orderhub.site.rendering import page

INDEX = "site/admin/settings/index.html.jinja"
FORM = "site/admin/settings/form.html.jinja"


#: pages with their own controllers, listed on the index after the form pages
OTHER_PAGES = (
    ("stores", "Stores and pickup", "Addresses, opening hours, pickup instructions, curbside bays."),
    ("drop-off-points", "Return drop-off points",
     "Convenience stores, post offices and lockers where shoppers can hand in a return."),
    ("channels", "LINE, SMS and notifications",
     "Send order updates on LINE, by text message or as browser notifications: events, credentials, the log."),
    ("labels", "Return labels", "Prepaid labels for returns by post: EasyPost, Shippo or a Japanese collect-on-delivery slip."),
    ("webhooks", "Webhooks", "Endpoints that hear about every change, their secrets and the delivery log."),
    ("api-keys", "API keys", "Keys for your shop system: create, see once, revoke."),
)


def settings_links() -> list[dict]:
    links = [{"href": href(f"/admin/settings/{p.key}"), "title": _(p.title), "summary": _(p.summary)}
             for p in forms.PAGES.values()]
    links += [{"href": href(f"/admin/settings/{key}"), "title": _(title), "summary": _(summary)}
              for key, title, summary in OTHER_PAGES]
    return links


def _page(key: str) -> forms.SettingsPage:
    found = forms.PAGES.get(key)
    if found is None:
        raise NotFoundException()
    return found


class SettingsController(Controller):
    path = "/admin/settings"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    @get("/", name="admin-settings")
    async def index(self, request: Request, admin_user: Admin) -> Template:
        return page(request, INDEX, "settings", admin_context(request, admin_user, "settings", links=settings_links()))

    def _form(self, request: Request, admin: Admin, settings_page: forms.SettingsPage, values: dict, *,
              errors: dict | None = None, saved: bool = False, status_code: int = 200) -> Template:
        context = admin_context(
            request, admin, "settings", settings_page=settings_page, title=_(settings_page.title), values=values,
            errors=errors or {}, saved=saved, money_hint=forms.money_hint(admin.merchant.currency),
            method_options=forms.method_options(), reason_options=forms.reason_options(),
            counter_refund_options=forms.counter_refund_options(),
            calendar_options=forms.calendar_options(),
            currency=admin.merchant.currency
        )
        return page(request, FORM, "settings_form", context, status_code=status_code)

    @get("/{key:str}", name="admin-settings-page")
    async def show(self, request: Request, admin_user: Admin, key: str, saved: str | None = None) -> Template:
        settings_page = _page(key)
        return self._form(request, admin_user, settings_page, await settings_page.values(admin_user.merchant),
                          saved=bool(saved))

    @post("/{key:str}", name="admin-settings-save")
    async def save(self, request: Request, admin_user: Admin, key: str) -> Template | Redirect:
        settings_page = _page(key)
        result = await settings_page.save(admin_user.merchant, await request.form())
        if result.errors:
            return self._form(request, admin_user, settings_page, result.values, errors=result.errors,
                              status_code=422)
        return Redirect(path=href(f"/admin/settings/{key}", saved=1), status_code=303)
