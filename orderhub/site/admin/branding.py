"""`/admin/branding`: the branding editor (owners only). Logo, colours with a live contrast check,
font, corners and the merchant's own words per hub section, with a live preview of the hub at phone
and desktop width. Changes are a draft (`Merchant.settings["brand_draft"]`) until published;
publishing copies the draft into `Merchant.brand` and bumps `Merchant.version` in one transaction.

The preview follows the Content-Security-Policy (no inline styles): its block links
`/admin/branding/preview.css?<draft values>`, a stylesheet built from values validated by the same
brand validator as everything else, scoped to `.brand-preview`. Under htmx the form's `input` and
`change` events post it to `/admin/branding/preview`, which answers the preview block (and, out of
band, the contrast panel) rendered with the draft, without saving. Without JavaScript the form's
"Update preview" button posts there and gets the whole editor back.

Public routes beside it: `/brand/{slug}/logo/{digest}.{ext}` (a logo, content-hashed, cached for
ever) and `/fonts/{file}` (the Latin web fonts of orderhub.db.branding.rules.FONT_LIST)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub import images
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db import markup
from orderhub.db.branding import queries, rules, services
from orderhub.db.errors import NotFound
from orderhub.db.merchants.queries import MerchantView
from orderhub.db.validation import Reader
from orderhub.site import form_errors, messages, uploads
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin, admin_context
from orderhub.site.hub.routes import theme_css
from orderhub.site.rendering import page, wants_partial

EDITOR = "site/admin/branding.html.jinja"
PREVIEW = "site/admin/branding_preview_response.html.jinja"
#: the words of six sections in two languages, plus the rest of the form
FORM_LIMIT = 12 * 2 * 8 * 1024 + 16 * 1024
LOGO_LIMIT = rules.LOGO_MAX_BYTES + 64 * 1024
#: what the editor says after a redirect (?done=...)
DONE = ("draft", "published", "discarded", "logo")



def done_text(done: str) -> str:
    return {"draft": _("Draft saved. Your hub does not change until you publish."),
            "published": _("Published: your hub pages and documents now use this brand."),
            "discarded": _("Draft discarded."),
            "logo": _("Logo uploaded to the draft.")}.get(done, "")


def font_options() -> list[tuple[str, str]]:
    return [(f.key, _(f.label)) for f in rules.FONT_LIST]


def corner_options() -> list[tuple[str, str]]:
    return [(c.key, _(c.label)) for c in rules.CORNER_LIST]


def section_labels() -> dict[str, str]:
    return {"confirmation": _("Order confirmation"), "tracking": _("Tracking"), "pickup": _("Pickup"),
            "returns": _("Returns"), "feedback": _("Feedback"), "receipt": _("Receipt")}


def pair_label(pair: str) -> str:
    return {"text_on_primary": _("text on the primary colour"),
            "primary_on_background": _("the primary colour on the page background"),
            "text_on_accent": _("text on the accent colour")}.get(pair, pair)


def contrast_rows(brand: dict) -> list[dict]:
    """The contrast checks of valid colours, for the panel beside the colour fields."""
    r = Reader()
    primary = r.color(brand, "primary_color", "primary_color", default=rules.DEFAULT_PRIMARY)
    accent = r.color(brand, "accent_color", "accent_color", default=rules.DEFAULT_ACCENT)
    if r.errors:
        return []
    return [{"field": c.field, "label": pair_label(c.pair), "ratio": c.shown, "minimum": c.minimum, "ok": c.ok,
             "foreground": c.foreground, "background": c.background}
            for c in rules.contrast_checks(primary, accent)]


def error_text(error: dict) -> str:
    """One brand error in the page's language; a contrast too low names the pairing and its ratio."""
    if error.get("code") == rules.LOW_CONTRAST:
        params = error["params"]
        return _("Hard to read: %(what)s has a contrast of %(ratio)s:1; at least %(minimum)s:1 is needed.",
                 what=pair_label(params["pair"]), ratio=params["ratio"], minimum=params["minimum"])
    return form_errors.message(error)


def field_messages(errors: list[dict]) -> dict[str, str]:
    """Validation errors -> {form field: message in the page's language} (the first per field)."""
    out: dict[str, str] = {}
    for error in errors:
        out.setdefault(error["field"], error_text(error))
    return out


def preview_url(brand: dict) -> str:
    return "/admin/branding/preview.css?" + urlencode({k: brand.get(k) or "" for k in rules.FIELDS})


def _back(done: str) -> Redirect:
    return Redirect(path=href("/admin/branding", done=done), status_code=303)


def _shown(brand: dict, form: dict) -> dict:
    """The brand as typed (colours and words exactly as posted), to show again beside its errors."""
    shown = {**brand, **{k: str(form.get(k) or "")[:20] for k in ("primary_color", "accent_color")}}
    words: dict[str, dict[str, str]] = {}
    for section in rules.WORD_SECTIONS:
        for lang in rules.WORD_LANGUAGES:
            text = form.get(f"words_{section}_{lang}")
            if isinstance(text, str) and text:
                words.setdefault(section, {})[lang] = text[:4000]
    shown["words"] = words
    return shown


def _confirmation_words(brand: dict) -> dict:
    return (brand.get("words") or {}).get("confirmation", {})


class BrandingController(Controller):
    path = "/admin/branding"
    dependencies = guard.DEPENDENCIES
    opt = guard.OWNERS_ONLY

    def _editor(self, request: Request, admin: Admin, brand: dict, *, errors: dict | None = None,
                logo_error: str = "", status_code: int = 200, notice: str = "") -> Template:
        merchant = admin.merchant  # loaded with the session: no second query
        context = admin_context(
            request, admin, "branding", brand=brand, errors=errors or {}, logo_error=logo_error, notice=notice,
            has_draft=rules.has_draft(merchant.brand, merchant.settings),
            published={**rules.DEFAULT_BRAND, **merchant.brand}, contrast=contrast_rows(brand),
            fonts=font_options(), corners=corner_options(), sections=section_labels(),
            word_sections=rules.WORD_SECTIONS, preview_css=preview_url(brand),
            preview_words=markup.clean(_confirmation_words(brand).get(current_language(), "")), slug=merchant.slug,
            max_logo_mb=rules.LOGO_MAX_BYTES // (1024 * 1024),
        )
        return page(request, EDITOR, "editor", context, status_code=status_code)

    @get("/", name="admin-branding")
    async def show(self, request: Request, admin_user: Admin) -> Template:
        done = request.query_params.get("done") or ""
        return self._editor(request, admin_user, _draft(admin_user.merchant),
                            notice=done_text(done) if done in DONE else "")

    @post("/", name="admin-branding-save", request_max_body_size=FORM_LIMIT)
    async def save(self, request: Request, admin_user: Admin) -> Template | Redirect:
        form = dict((await request.form()).items())
        brand, errors = rules.read_form(form, _draft(admin_user.merchant))
        if errors:
            return self._editor(request, admin_user, _shown(brand, form), errors=field_messages(errors),
                                status_code=422)
        await services.save_draft(admin_user.merchant.id, brand)
        return _back("draft")

    @post("/preview", name="admin-branding-preview", request_max_body_size=FORM_LIMIT)
    async def preview(self, request: Request, admin_user: Admin) -> Template:
        """The hub preview with the draft from the form, nothing saved (htmx: the preview block)."""
        form = dict((await request.form()).items())
        brand, errors = rules.read_form(form, _draft(admin_user.merchant))
        shown = _shown(brand, form)
        messages_ = field_messages(errors)
        if not wants_partial(request):
            return self._editor(request, admin_user, shown, errors=messages_, status_code=422 if errors else 200)
        context = admin_context(
            request, admin_user, "branding", brand=brand, errors=messages_, contrast=contrast_rows(shown),
            preview_css=preview_url(brand), preview_words=_confirmation_words(brand).get(current_language(), ""),
        )
        return Template(template_name=PREVIEW, context=context, headers={"Vary": "HX-Request, HX-Request-Type"})

    @get("/preview.css", name="admin-branding-preview-css")
    async def preview_css(self, request: Request, admin_user: Admin) -> Response[str]:
        """The draft's custom properties for the preview; any value that fails validation falls back."""
        brand = dict(rules.DEFAULT_BRAND)
        for key in rules.FIELDS:
            r = Reader()
            checked = rules.read_brand(r, {key: request.query_params.get(key) or ""})
            if not r.failed(f"brand.{key}"):
                brand[key] = checked[key]
        return Response(theme_css(rules.theme(brand), ".brand-preview", apply_font=True), media_type="text/css",
                        headers={"Cache-Control": "private, max-age=3600"})

    @post("/logo", name="admin-branding-logo", request_max_body_size=LOGO_LIMIT)
    async def logo(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        merchant = admin_user.merchant
        chosen = uploads.files(await request.form(), "logo")
        if not chosen:
            return self._editor(request, admin_user, _draft(merchant), status_code=422,
                                logo_error=_("Choose a picture to upload."))
        raw = await chosen[0].read(rules.LOGO_MAX_BYTES + 1)
        try:
            logo = await uploads.decode(rules.logo_intake, raw)
        except images.ImageRejected as exc:
            return self._editor(request, admin_user, _draft(merchant), status_code=422,
                                logo_error=messages.for_error(exc))
        await services.store_logo(merchant.id, logo, now=now)
        await services.save_draft(merchant.id, {**_draft(merchant), "logo_url": logo.url(merchant.slug)})
        return _back("logo")

    @post("/discard", name="admin-branding-discard", request_max_body_size=4096)
    async def discard(self, admin_user: Admin) -> Redirect:
        await services.discard_draft(admin_user.merchant.id)
        return _back("discarded")

    @post("/publish", name="admin-branding-publish", request_max_body_size=4096)
    async def publish(self, admin_user: Admin) -> Redirect:
        await services.publish(admin_user.merchant.id)
        return _back("published")


def _draft(merchant: MerchantView) -> dict:
    return rules.current_draft(merchant.brand, merchant.settings)


class BrandAssetsController(Controller):
    """Public brand files: uploaded logos (content-hashed URLs) and the Latin web fonts."""

    path = "/"

    @get("/brand/{slug:str}/logo/{name:str}", name="brand-logo")
    async def logo(self, slug: str, name: str) -> Response[bytes]:
        digest, _dot, extension = name.partition(".")
        if len(digest) != 32 or not all(c in "0123456789abcdef" for c in digest):
            raise NotFoundException()
        try:
            found = await queries.logo(slug, digest, extension)
        except NotFound:
            raise NotFoundException() from None
        return Response(found.data, media_type=found.content_type,
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})

    @get("/fonts/{name:str}", name="brand-font")
    async def font(self, name: str) -> Response[bytes]:
        data = _font(name)
        if data is None:
            raise NotFoundException()
        return Response(data, media_type="font/ttf", headers={"Cache-Control": "public, max-age=31536000"})


@lru_cache(maxsize=len(rules.FONT_FILES))
def _font(name: str) -> bytes | None:
    file = rules.FONT_FILES.get(name)
    if file is None or not Path(file.path).is_file():
        return None
    return Path(file.path).read_bytes()


CONTROLLERS = [BrandingController, BrandAssetsController]
