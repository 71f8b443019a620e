"""`/admin/settings/drop-off-points`: the merchant's partner drop-off points for returns (convenience
stores, post offices, parcel lockers), listed beside the stores on the returns wizard and the return
page. Validation and writes: `orderhub.db.returns.dropoff` (rules in `dropoff_rules.read_point`).
Opening hours are written as for stores, one range per line ("mon-fri 07:00-23:00")."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db import texts as lang_texts
from orderhub.db.errors import DomainError, NotFound, ValidationFailed
from orderhub.db.returns import dropoff, dropoff_rules
from orderhub.site import form_errors, messages
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings.forms import other_language, text
from orderhub.site.admin.settings.stores import hours_text, parse_hours
from orderhub.site.rendering import page

LIST = "site/admin/settings/dropoff_points.html.jinja"
EDIT = "site/admin/settings/dropoff_point.html.jinja"
BASE = "/admin/settings/drop-off-points"
ADDRESS = ("postal_code", "region", "city", "line1", "line2", "country")
WORDS = ("name", "note")


def kind_options() -> list[tuple[str, str]]:
    return [(k, _(dropoff_rules.KIND_LABELS[k])) for k in dropoff_rules.PARTNER_KINDS]


def point_values(p: dropoff.PointView, other: str) -> dict:
    values: dict = {"other_lang": other, "kind": p.kind, "name": p.name, "timezone": p.timezone,
                    "hours": hours_text(p.hours), "note": p.note,
                    **{f"address_{k}": p.address.get(k) or "" for k in ADDRESS}}
    for name in WORDS:
        picked = lang_texts.pick(p.texts, name, other)
        values[f"{name}_{other}"] = "" if picked.fallback or not picked.value else str(picked.value)
    return values


def new_values(admin: Admin) -> dict:
    other = other_language(admin.merchant)
    return {"other_lang": other, "kind": dropoff_rules.CONVENIENCE_STORE, "name": "", "timezone": admin.timezone,
            "hours": "daily 00:00-23:59", "note": "", **{f"address_{k}": "" for k in ADDRESS},
            "address_country": admin.merchant.address.get("country") or "", **{f"{n}_{other}": "" for n in WORDS}}


def _field(path: str) -> str:
    if path.startswith("address."):
        return "address_" + path.removeprefix("address.")
    if path.startswith("hours"):
        return "hours"
    return path


class DropOffPointsController(Controller):
    path = BASE
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    async def _render(self, request: Request, admin: Admin, template: str, status_code: int = 200,
                      **extra: object) -> Template:
        context = admin_context(request, admin, "settings", title=_("Return drop-off points"),
                                kind_label=lambda k: _(dropoff_rules.KIND_LABELS.get(k) or k), **extra)
        return page(request, template, "point_form" if template == EDIT else "points", context,
                    status_code=status_code)

    async def _point(self, admin: Admin, point_id: int) -> dropoff.PointView:
        try:
            return await dropoff.point(admin.merchant.id, point_id)
        except NotFound:
            raise NotFoundException() from None

    @get("/", name="admin-dropoff-points")
    async def points(self, request: Request, admin_user: Admin, saved: str | None = None,
                     removed: str | None = None) -> Template:
        rows = await dropoff.points(admin_user.merchant.id)
        return await self._render(request, admin_user, LIST, points=rows, saved=bool(saved), removed=bool(removed),
                                  errors={})

    @get("/new", name="admin-dropoff-point-new")
    async def new(self, request: Request, admin_user: Admin) -> Template:
        return await self._render(request, admin_user, EDIT, values=new_values(admin_user), errors={}, point_id=None,
                                  kinds=kind_options(), saved=False)

    @get("/{point_id:int}", name="admin-dropoff-point")
    async def edit(self, request: Request, admin_user: Admin, point_id: int, saved: str | None = None) -> Template:
        found = await self._point(admin_user, point_id)
        return await self._render(request, admin_user, EDIT, values=point_values(found, other_language(admin_user.merchant)),
                                  errors={}, point_id=point_id, kinds=kind_options(), saved=bool(saved))

    @post("/", name="admin-dropoff-point-create")
    async def create(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        return await self._save(request, admin_user, None, now)

    @post("/{point_id:int}", name="admin-dropoff-point-save")
    async def save(self, request: Request, admin_user: Admin, point_id: int, now: dt.datetime) -> Template | Redirect:
        await self._point(admin_user, point_id)
        return await self._save(request, admin_user, point_id, now)

    @post("/{point_id:int}/remove", name="admin-dropoff-point-remove")
    async def remove(self, admin_user: Admin, point_id: int) -> Redirect:
        await self._point(admin_user, point_id)
        await dropoff.remove_point(admin_user.merchant.id, point_id)
        return Redirect(path=href(BASE, removed=1), status_code=303)

    async def _save(self, request: Request, admin: Admin, point_id: int | None, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        other = other_language(admin.merchant)
        names = ("kind", "name", "timezone", "hours", "note", *(f"address_{k}" for k in ADDRESS),
                 *(f"{n}_{other}" for n in WORDS))
        values = {name: text(form, name) for name in names}
        values["other_lang"] = other
        hours, hours_error = parse_hours(values["hours"])
        body = {"kind": values["kind"], "name": values["name"].strip(), "timezone": values["timezone"].strip(),
                "address": {k: values[f"address_{k}"].strip() for k in ADDRESS if values[f"address_{k}"].strip()},
                "hours": hours, "note": values["note"].strip(),
                **{f"{n}_{other}": values[f"{n}_{other}"].strip() for n in WORDS}}
        errors: dict[str, str] = {}
        try:
            if hours_error:
                _point, read_errors = dropoff_rules.read_point(body)
                raise ValidationFailed([hours_error, *read_errors])
            if point_id is None:
                point_id = await dropoff.add_point(admin.merchant.id, body, now=now)
            else:
                await dropoff.update_point(admin.merchant.id, point_id, body, now=now)
        except ValidationFailed as exc:
            for field, message in form_errors.by_field(exc.details).items():
                errors.setdefault(_field(field), message)
        except DomainError as exc:  # too many points
            errors["name"] = messages.for_error(exc)
        if errors:
            return await self._render(request, admin, EDIT, values=values, errors=errors, point_id=point_id,
                                      kinds=kind_options(), saved=False, status_code=422)
        return Redirect(path=href(BASE, saved=1), status_code=303)
