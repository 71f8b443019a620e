"""`/admin/settings/stores`: the merchant's stores and their pickup details, edited through the same
validation and service as `PUT /api/v1/stores/{code}`. Opening hours are written one range per
line ("mon-fri 11:00-20:00"), what to bring one item per line, curbside bays separated by commas."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db import texts as lang_texts
from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants import queries, rules, services
from orderhub.db.merchants.queries import MerchantStore
from orderhub.db.validation import field_error
from orderhub.site import form_errors
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.admin.settings.forms import other_language, text, whole
from orderhub.site.rendering import page

LIST = "site/admin/settings/stores.html.jinja"
EDIT = "site/admin/settings/store.html.jinja"
ADDRESS = ("postal_code", "region", "city", "line1", "line2", "country")
#: the store's words with a field in the merchant's other language too (orderhub.db.texts)
WORDS = ("name", "pickup_instructions", "what_to_bring", "hours_note", "curbside_instructions")
DAYS = tuple(rules.DAY_GROUPS)
_HOURS = re.compile(r"\s*([a-z-]+)\s+(\d{1,2}:\d{2})\s*[-–〜~]\s*(\d{1,2}:\d{2})\s*")


def hours_text(hours: list[dict]) -> str:
    return "\n".join(f"{h['days']} {h['open']}-{h['close']}" for h in hours or [])


def parse_hours(raw: str) -> tuple[list[dict], dict | None]:
    """"mon-fri 11:00-20:00" per line -> (hours, None), or (what was read, the error of the first bad line)."""
    hours: list[dict] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        found = _HOURS.fullmatch(line.lower())
        if not found or found[1] not in rules.DAY_GROUPS:
            return hours, field_error("hours", rules.STORE_HOURS_LINES,
                                      "write one range per line, like mon-fri 11:00-20:00", days=", ".join(DAYS))
        opens, closes = (t.zfill(5) for t in (found[2], found[3]))
        hours.append({"days": found[1], "open": opens, "close": closes})
    return hours, None


def other_words(store: MerchantStore, other: str) -> dict:
    """The store's words in the merchant's other language (empty where it has none of its own), and
    its opening-hours note in its own language."""
    values: dict = {"other_lang": other}
    for name in WORDS:
        picked = lang_texts.pick(store.texts, name, other)
        value = "" if picked.fallback or not picked.value else picked.value
        values[f"{name}_{other}"] = "\n".join(value) if isinstance(value, list) else value
    note = lang_texts.pick(store.texts, "hours_note", lang_texts.other(other))
    values["hours_note"] = "" if note.fallback else str(note)
    return values


def store_values(store: MerchantStore, other: str) -> dict:
    return {
        **other_words(store, other),
        "code": store.code, "name": store.name, "timezone": store.timezone,
        **{f"address_{k}": store.address.get(k) or "" for k in ADDRESS},
        "hours": hours_text(store.hours),
        "pickup_instructions": store.pickup_instructions,
        "what_to_bring": "\n".join(store.what_to_bring),
        "hold_days": str(store.hold_days),
        "curbside_enabled": bool(store.curbside.get("enabled")),
        "curbside_bays": ", ".join(store.curbside.get("bays") or []),
        "curbside_instructions": store.curbside.get("instructions") or "",
    }


def new_store_values(admin: Admin) -> dict:
    """A new store's form: the merchant's time zone and country filled in."""
    return {**{name: "" for name in ("code", "name", "pickup_instructions", "what_to_bring", "curbside_bays",
                                     "curbside_instructions", "hours")},
            **{f"address_{k}": "" for k in ADDRESS}, "timezone": admin.timezone,
            "address_country": admin.merchant.address.get("country") or "", "hold_days": "7",
            "curbside_enabled": False, "hours_note": "", "other_lang": other_language(admin.merchant),
            **{f"{name}_{other_language(admin.merchant)}": "" for name in WORDS}}


def _field(path: str) -> str:
    if path.startswith("address."):
        return "address_" + path.removeprefix("address.")
    if path.startswith("hours"):
        return "hours"
    if path.startswith("what_to_bring"):
        return path.split("[")[0]
    if path.startswith("curbside."):
        return "curbside_" + path.removeprefix("curbside.").split("[")[0]
    return path


class StoresController(Controller):
    path = "/admin/settings/stores"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    async def _render(self, request: Request, admin: Admin, template: str, status_code: int = 200,
                      **extra: object) -> Template:
        context = admin_context(request, admin, "settings", title=_("Stores and pickup"), **extra)
        return page(request, template, "store_form" if template == EDIT else "stores", context, status_code=status_code)

    @get("/", name="admin-stores")
    async def stores(self, request: Request, admin_user: Admin, saved: str | None = None) -> Template:
        rows = await queries.stores(admin_user.merchant.id)
        return await self._render(request, admin_user, LIST, stores=rows, saved=bool(saved), errors={})

    @get("/new", name="admin-store-new")
    async def new(self, request: Request, admin_user: Admin) -> Template:
        return await self._render(request, admin_user, EDIT, values=new_store_values(admin_user), errors={}, new=True,
                                  saved=False)

    @get("/{code:str}", name="admin-store")
    async def edit(self, request: Request, admin_user: Admin, code: str, saved: str | None = None) -> Template:
        store = await queries.store(admin_user.merchant.id, code)
        if store is None:
            raise NotFoundException()
        values = store_values(store, other_language(admin_user.merchant))
        return await self._render(request, admin_user, EDIT, values=values, errors={}, new=False,
                                  saved=bool(saved))

    @post("/", name="admin-store-create")
    async def create(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        code = text(form, "code").strip()
        if code and await queries.store(admin_user.merchant.id, code) is not None:
            values = self._values(form, other_language(admin_user.merchant))
            return await self._render(request, admin_user, EDIT, values=values, new=True, saved=False, status_code=422,
                                      errors={"code": _("A store with this code exists. Choose another code.")})
        return await self._save(request, admin_user, code, form, now, new=True)

    @post("/{code:str}", name="admin-store-save")
    async def save(self, request: Request, admin_user: Admin, code: str, now: dt.datetime) -> Template | Redirect:
        if await queries.store(admin_user.merchant.id, code) is None:
            raise NotFoundException()
        return await self._save(request, admin_user, code, await request.form(), now, new=False)

    def _values(self, form, other: str) -> dict:
        names = ("code", "name", "timezone", *(f"address_{k}" for k in ADDRESS), "hours", "pickup_instructions",
                 "what_to_bring", "hold_days", "curbside_bays", "curbside_instructions", "hours_note",
                 *(f"{name}_{other}" for name in WORDS))
        values = {name: text(form, name) for name in names}
        values["curbside_enabled"] = form.get("curbside_enabled") == "on"
        values["other_lang"] = other
        return values

    async def _save(self, request: Request, admin: Admin, code: str, form, now: dt.datetime, *,
                    new: bool) -> Template | Redirect:
        other = other_language(admin.merchant)
        values = self._values(form, other)
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
                         "instructions": values["curbside_instructions"].strip(),
                         f"instructions_{other}": values[f"curbside_instructions_{other}"].strip()},
            "hours_note": values["hours_note"].strip(),
            f"name_{other}": values[f"name_{other}"].strip(),
            f"pickup_instructions_{other}": values[f"pickup_instructions_{other}"].strip(),
            f"hours_note_{other}": values[f"hours_note_{other}"].strip(),
            f"what_to_bring_{other}": [line.strip() for line in values[f"what_to_bring_{other}"].splitlines()
                                       if line.strip()],
        }
        try:
            if hours_error:
                _store, read_errors = rules.read_store(body, code, admin.merchant.locale)
                raise ValidationFailed([hours_error, *read_errors])
            await services.upsert_store(admin.merchant.id, code, body, now=now)
        except ValidationFailed as exc:
            errors: dict[str, str] = {}
            for field, message in form_errors.by_field(exc.details).items():
                errors.setdefault(_field(field), message)
            return await self._render(request, admin, EDIT, values=values, errors=errors, new=new, saved=False,
                                      status_code=422)
        target = "/admin/settings/stores" if new else f"/admin/settings/stores/{code}"
        return Redirect(path=href(target, saved=1), status_code=303)
