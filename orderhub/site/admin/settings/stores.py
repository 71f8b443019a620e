"""`/admin/settings/stores`: the merchant's stores and their pickup details, edited through the same
validation and service as `PUT /api/v1/stores/{code}`. Opening hours are written one range per
line ("mon-fri 11:00-20:00"), what to bring one item per line, curbside bays separated by commas."""

from __future__ import annotations

import re

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components import form_errors
from orderhub.components.i18n import gettext as _
from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants import queries, rules, services
from orderhub.site.admin.guard import admin_context, require_admin
from orderhub.site.admin.settings.forms import text, whole
from orderhub.site.rendering import page

LIST = "site/admin/settings/stores.html.jinja"
EDIT = "site/admin/settings/store.html.jinja"
OWNERS = ("owner",)
ADDRESS = ("postal_code", "region", "city", "line1", "line2", "country")
DAYS = tuple(rules.DAY_GROUPS)
_HOURS = re.compile(r"\s*([a-z-]+)\s+(\d{1,2}:\d{2})\s*[-–〜~]\s*(\d{1,2}:\d{2})\s*")


def hours_text(hours: list[dict]) -> str:
    return "\n".join(f"{h['days']} {h['open']}-{h['close']}" for h in hours or [])


def parse_hours(raw: str) -> tuple[list[dict], str | None]:
    hours = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        found = _HOURS.fullmatch(line.lower())
        if not found or found[1] not in rules.DAY_GROUPS:
            return hours, _("Write one range per line, like “mon-fri 11:00-20:00”. Days: %(days)s.", days=", ".join(DAYS))
        opens, closes = (t.zfill(5) for t in (found[2], found[3]))
        hours.append({"days": found[1], "open": opens, "close": closes})
    return hours, None


def store_values(store: dict | None) -> dict:
    store = store or {}
    address = store.get("address") or {}
    curbside = store.get("curbside") or {}
    return {
        "code": store.get("code", ""), "name": store.get("name", ""), "timezone": store.get("timezone", ""),
        **{f"address_{k}": address.get(k) or "" for k in ADDRESS},
        "hours": hours_text(store.get("hours") or []),
        "pickup_instructions": store.get("pickup_instructions") or "",
        "what_to_bring": "\n".join(store.get("what_to_bring") or []),
        "hold_days": str(store.get("hold_days") or 7),
        "curbside_enabled": bool(curbside.get("enabled")),
        "curbside_bays": ", ".join(curbside.get("bays") or []),
        "curbside_instructions": curbside.get("instructions") or "",
    }


def _field(path: str) -> str:
    if path.startswith("address."):
        return "address_" + path.removeprefix("address.")
    if path.startswith("hours"):
        return "hours"
    if path.startswith("what_to_bring"):
        return "what_to_bring"
    if path.startswith("curbside."):
        return "curbside_" + path.removeprefix("curbside.").split("[")[0]
    return path


class StoresController(Controller):
    path = "/admin/settings/stores"

    async def _render(self, request: Request, admin, template: str, status_code: int = 200, **extra) -> Template:
        context = admin_context(request, admin, "settings", title=_("Stores and pickup"), **extra)
        return page(request, template, "store_form" if template == EDIT else "stores", context, status_code=status_code)

    @get("/", name="admin-stores")
    async def stores(self, request: Request, saved: str | None = None) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        rows = await queries.stores(admin.merchant["id"])
        return await self._render(request, admin, LIST, stores=rows, saved=bool(saved), errors={})

    @get("/new", name="admin-store-new")
    async def new(self, request: Request) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        values = store_values({"timezone": admin.merchant.get("timezone") or "UTC",
                               "address": {"country": (admin.merchant.get("address") or {}).get("country", "")}})
        return await self._render(request, admin, EDIT, values=values, errors={}, new=True, saved=False)

    @get("/{code:str}", name="admin-store")
    async def edit(self, request: Request, code: str, saved: str | None = None) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        store = await queries.store(admin.merchant["id"], code)
        if store is None:
            raise NotFoundException()
        return await self._render(request, admin, EDIT, values=store_values(store), errors={}, new=False,
                                  saved=bool(saved))

    @post("/", name="admin-store-create")
    async def create(self, request: Request) -> Template | Redirect:
        admin = await require_admin(request, roles=OWNERS)
        form = await request.form()
        code = text(form, "code").strip()
        if code and await queries.store(admin.merchant["id"], code) is not None:
            values = self._values(form)
            return await self._render(request, admin, EDIT, values=values, new=True, saved=False, status_code=422,
                                      errors={"code": _("A store with this code exists. Choose another code.")})
        return await self._save(request, admin, code, form, new=True)

    @post("/{code:str}", name="admin-store-save")
    async def save(self, request: Request, code: str) -> Template | Redirect:
        admin = await require_admin(request, roles=OWNERS)
        if await queries.store(admin.merchant["id"], code) is None:
            raise NotFoundException()
        return await self._save(request, admin, code, await request.form(), new=False)

    def _values(self, form) -> dict:
        names = ("code", "name", "timezone", *(f"address_{k}" for k in ADDRESS), "hours", "pickup_instructions",
                 "what_to_bring", "hold_days", "curbside_bays", "curbside_instructions")
        values = {name: text(form, name) for name in names}
        values["curbside_enabled"] = form.get("curbside_enabled") == "on"
        return values

    async def _save(self, request: Request, admin, code: str, form, *, new: bool) -> Template | Redirect:
        values = self._values(form)
        values["code"] = code
        hours, hours_error = parse_hours(values["hours"])
        body = {
            "name": values["name"], "timezone": values["timezone"].strip(),
            "address": {k: values[f"address_{k}"].strip() for k in ADDRESS if values[f"address_{k}"].strip()},
            "hours": hours, "pickup_instructions": values["pickup_instructions"].strip(),
            "what_to_bring": [line.strip() for line in values["what_to_bring"].splitlines() if line.strip()],
            "hold_days": whole(values["hold_days"]),
            "curbside": {"enabled": values["curbside_enabled"],
                         "bays": [b for b in re.split(r"[\s,、，]+", values["curbside_bays"]) if b],
                         "instructions": values["curbside_instructions"].strip()},
        }
        try:
            if hours_error:
                _store, errors = rules.read_store(body, code)
                raise ValidationFailed([*errors, {"field": "hours", "message": hours_error}])
            await services.upsert_store(admin.merchant["id"], code, body, now=request.app.state.clock())
        except ValidationFailed as exc:
            errors = {}
            for field, message in form_errors.by_field(exc.errors).items():
                errors.setdefault(_field(field), message)
            if hours_error:
                errors["hours"] = hours_error
            return await self._render(request, admin, EDIT, values=values, errors=errors, new=new, saved=False,
                                      status_code=422)
        lang = request.query_params.get("lang")
        suffix = f"&lang={lang}" if lang in ("ja", "en") else ""
        target = "/admin/settings/stores?saved=1" if new else f"/admin/settings/stores/{code}?saved=1"
        return Redirect(path=target + suffix, status_code=303)

