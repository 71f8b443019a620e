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
ever) and `/fonts/{file}` (the Latin web fonts from Debian's packages, see BRAND_FONT_FILES)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components import form_errors
from orderhub.site import messages, uploads
from orderhub.components.i18n import gettext as _
from orderhub.db.branding import markup, queries, rules, services
from orderhub.db.errors import NotFound
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.validation import Reader
from orderhub.site.admin import nav
from orderhub.site.admin.guard import Admin, admin_context, require_admin
from orderhub.site.rendering import page, wants_partial

EDITOR = "site/admin/branding.html.jinja"
PREVIEW = "site/admin/branding_preview_response.html.jinja"
OWNERS = ("owner",)
#: the words of six sections in two languages, plus the rest of the form
FORM_LIMIT = 12 * 2 * 8 * 1024 + 16 * 1024
LOGO_LIMIT = rules.LOGO_MAX_BYTES + 64 * 1024

nav.register(nav.AdminLink("branding", "Branding", "/admin/branding", roles=OWNERS, order=70))

#: web fonts served from Debian's font packages (fonts-lato, fonts-open-sans); the CJK faces are far
#: too large to download (20 MB+), so the Noto JP choices rely on the visitor's own fonts with
#: local fallbacks (Hiragino, Yu Gothic, Noto CJK) and PDFs use the installed Noto CJK fonts.
BRAND_FONT_FILES = {
    "lato-400.ttf": "/usr/share/fonts/truetype/lato/Lato-Regular.ttf",
    "lato-400-italic.ttf": "/usr/share/fonts/truetype/lato/Lato-Italic.ttf",
    "lato-700.ttf": "/usr/share/fonts/truetype/lato/Lato-Bold.ttf",
    "open-sans-400.ttf": "/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf",
    "open-sans-400-italic.ttf": "/usr/share/fonts/truetype/open-sans/OpenSans-Italic.ttf",
    "open-sans-700.ttf": "/usr/share/fonts/truetype/open-sans/OpenSans-Bold.ttf",
}
WEB_FONTS = ("lato", "open-sans")


def font_options() -> list[tuple[str, str]]:
    return [("system", _("System font (fastest)")), ("noto-sans-jp", "Noto Sans JP"),
            ("noto-serif-jp", "Noto Serif JP"), ("lato", "Lato"), ("open-sans", "Open Sans")]


def corner_options() -> list[tuple[str, str]]:
    return [("square", _("Square")), ("rounded", _("Rounded")), ("pill", _("Pill"))]


def section_labels() -> dict[str, str]:
    return {"confirmation": _("Order confirmation"), "tracking": _("Tracking"), "pickup": _("Pickup"),
            "returns": _("Returns"), "feedback": _("Feedback"), "receipt": _("Receipt")}


def pair_label(pair: str) -> str:
    return {"text_on_primary": _("text on the primary colour"),
            "primary_on_background": _("the primary colour on the page background"),
            "text_on_accent": _("text on the accent colour")}[pair]


def contrast_rows(brand: dict) -> list[dict]:
    """The contrast checks of valid colours, for the panel beside the colour fields."""
    r = Reader()
    primary = r.color(brand, "primary_color", "primary_color", default="#1F2937")
    accent = r.color(brand, "accent_color", "accent_color", default="#2563EB")
    if r.errors:
        return []
    return [{"field": c.field, "label": pair_label(c.pair), "ratio": c.shown, "minimum": c.minimum, "ok": c.ok,
             "foreground": c.foreground, "background": c.background}
            for c in merchant_rules.contrast_checks(primary, accent)]


def field_messages(errors: list[dict], brand: dict) -> dict[str, str]:
    """Validation errors -> {form field: message in the page's language}."""
    out: dict[str, str] = {}
    failing = {}
    for row in contrast_rows(brand):
        if not row["ok"]:
            failing.setdefault(row["field"], []).append(row)
    for error in errors:
        name = error["field"]
        if name in out:
            continue
        message = error["message"]
        if name in failing:
            row = failing[name][0]
            out[name] = _("Hard to read: %(what)s has a contrast of %(ratio)s:1; at least %(minimum)s:1 is needed.",
                          what=row["label"], ratio=row["ratio"], minimum=row["minimum"])
        else:
            out[name] = form_errors.message(message)
    return out


def preview_query(brand: dict) -> str:
    return urlencode({k: brand.get(k) or "" for k in rules.FIELDS})


def theme_css(brand: dict, scope: str) -> str:
    """Custom properties for `scope` from a brand whose values passed read_brand."""
    primary, accent = brand["primary_color"], brand["accent_color"]
    return (
        f"{scope}{{--brand-primary:{primary};--brand-on-primary:{merchant_rules.text_on(primary)};"
        f"--brand-accent:{accent};--brand-on-accent:{merchant_rules.text_on(accent)};"
        f"--brand-font:{merchant_rules.FONTS[brand['font']]};--brand-radius:{merchant_rules.CORNERS[brand['corner']]};"
        "font-family:var(--brand-font)}\n"
    )


class BrandingController(Controller):
    path = "/admin/branding"

    def _editor(self, request: Request, admin: Admin, merchant: dict, brand: dict, *, errors: dict | None = None,
                logo_error: str = "", status_code: int = 200, notice: str = "") -> Template:
        lang = getattr(request.state, "lang", "en")
        published = {**rules.DEFAULT_BRAND, **(merchant.get("brand") or {})}
        context = admin_context(
            request, admin, "branding", brand=brand, errors=errors or {}, logo_error=logo_error, notice=notice,
            has_draft=rules.has_draft(merchant), published=published, contrast=contrast_rows(brand),
            fonts=font_options(), corners=corner_options(), sections=section_labels(),
            word_sections=merchant_rules.WORD_SECTIONS, preview_css="/admin/branding/preview.css?" + preview_query(brand),
            preview_words=markup.clean((brand.get("words") or {}).get("confirmation", {}).get(lang, "")),
            web_font=brand.get("font") in WEB_FONTS, slug=merchant["slug"],
            max_logo_mb=rules.LOGO_MAX_BYTES // (1024 * 1024),
        )
        return page(request, EDITOR, "editor", context, status_code=status_code)

    @get("/", name="admin-branding")
    async def show(self, request: Request) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        merchant = admin.merchant  # loaded with the session: no second query
        notice = {"draft": _("Draft saved. Your hub does not change until you publish."),
                  "published": _("Published: your hub pages and documents now use this brand."),
                  "discarded": _("Draft discarded."),
                  "logo": _("Logo uploaded to the draft.")}.get(request.query_params.get("done") or "", "")
        return self._editor(request, admin, merchant, rules.current_draft(merchant), notice=notice)

    @post("/", name="admin-branding-save", request_max_body_size=FORM_LIMIT)
    async def save(self, request: Request) -> Template | Redirect:
        admin = await require_admin(request, roles=OWNERS)
        merchant = admin.merchant  # loaded with the session: no second query
        form = dict((await request.form()).items())
        brand, errors = rules.read_form(form, rules.current_draft(merchant))
        if errors:
            shown = {**brand, **{k: str(form.get(k) or "")[:20] for k in ("primary_color", "accent_color")}}
            shown["words"] = _form_words(form)
            return self._editor(request, admin, merchant, shown, errors=field_messages(errors, shown), status_code=422)
        await services.save_draft(admin.merchant["id"], brand)
        return Redirect(path=_back(request, "draft"), status_code=303)

    @post("/preview", name="admin-branding-preview", request_max_body_size=FORM_LIMIT)
    async def preview(self, request: Request) -> Template:
        """The hub preview with the draft from the form, nothing saved (htmx: the preview block)."""
        admin = await require_admin(request, roles=OWNERS)
        merchant = admin.merchant  # loaded with the session: no second query
        form = dict((await request.form()).items())
        brand, errors = rules.read_form(form, rules.current_draft(merchant))
        shown = {**brand, **{k: str(form.get(k) or "")[:20] for k in ("primary_color", "accent_color")}}
        shown["words"] = _form_words(form)
        messages = field_messages(errors, shown)
        if not wants_partial(request):
            return self._editor(request, admin, merchant, shown, errors=messages,
                                status_code=422 if errors else 200)
        lang = getattr(request.state, "lang", "en")
        context = admin_context(
            request, admin, "branding", brand=brand, errors=messages, contrast=contrast_rows(shown),
            preview_css="/admin/branding/preview.css?" + preview_query(brand), web_font=brand.get("font") in WEB_FONTS,
            preview_words=(brand.get("words") or {}).get("confirmation", {}).get(lang, ""),
        )
        return Template(template_name=PREVIEW, context=context, headers={"Vary": "HX-Request, HX-Request-Type"})

    @get("/preview.css", name="admin-branding-preview-css")
    async def preview_css(self, request: Request) -> Response[str]:
        """The draft's custom properties for the preview; any value that fails validation falls back."""
        await require_admin(request, roles=OWNERS)
        raw = {k: request.query_params.get(k) or "" for k in rules.FIELDS}
        brand = dict(rules.DEFAULT_BRAND)
        for key, value in raw.items():
            r = Reader()
            checked = merchant_rules.read_brand(r, {key: value})
            if not any(e["field"] == f"brand.{key}" for e in r.errors):
                brand[key] = checked[key]
        return Response(theme_css(brand, ".brand-preview"), media_type="text/css",
                        headers={"Cache-Control": "private, max-age=3600"})

    @post("/logo", name="admin-branding-logo", request_max_body_size=LOGO_LIMIT)
    async def logo(self, request: Request) -> Template | Redirect:
        admin = await require_admin(request, roles=OWNERS)
        merchant = admin.merchant  # loaded with the session: no second query
        form = await request.form()
        logos, problem = await uploads.pictures(form, "logo", limit=1, max_bytes=rules.LOGO_MAX_BYTES,
                                                intake=rules.logo_intake)
        if problem or not logos:
            error = messages.for_error(problem) if problem else _("Choose a picture to upload.")
            return self._editor(request, admin, merchant, rules.current_draft(merchant), logo_error=error,
                                status_code=422)
        logo = logos[0]
        await services.store_logo(admin.merchant["id"], logo, now=request.app.state.clock())
        draft = {**rules.current_draft(merchant), "logo_url": logo.url(merchant["slug"])}
        await services.save_draft(admin.merchant["id"], draft)
        return Redirect(path=_back(request, "logo"), status_code=303)

    @post("/discard", name="admin-branding-discard", request_max_body_size=4096)
    async def discard(self, request: Request) -> Redirect:
        admin = await require_admin(request, roles=OWNERS)
        await services.discard_draft(admin.merchant["id"])
        return Redirect(path=_back(request, "discarded"), status_code=303)

    @post("/publish", name="admin-branding-publish", request_max_body_size=4096)
    async def publish(self, request: Request) -> Redirect:
        admin = await require_admin(request, roles=OWNERS)
        await services.publish(admin.merchant["id"])
        return Redirect(path=_back(request, "published"), status_code=303)


def _form_words(form: dict) -> dict:
    words: dict[str, dict[str, str]] = {}
    for section in merchant_rules.WORD_SECTIONS:
        for lang in merchant_rules.WORD_LANGUAGES:
            text = form.get(f"words_{section}_{lang}")
            if isinstance(text, str) and text:
                words.setdefault(section, {})[lang] = text[:4000]
    return words


def _back(request: Request, done: str) -> str:
    lang = request.query_params.get("lang")
    return f"/admin/branding?done={done}" + (f"&lang={lang}" if lang in ("ja", "en") else "")


def logo_error(message: str) -> str:
    """orderhub.images messages -> the page's language (with the logo's own limits)."""
    if message.startswith("The picture is too large"):
        return _("The picture is too large (at most %(mb)s MB).", mb=rules.LOGO_MAX_BYTES // (1024 * 1024))
    if message.startswith("The picture has too many pixels"):
        return _("The picture has too many pixels (at most %(mp)s megapixels).", mp=rules.LOGO_MAX_PIXELS // 1_000_000)
    if message in ("The file is empty.", "Only pictures can be uploaded (PNG, JPEG or WebP)."):
        return _(message)
    return _("The file is not a readable picture.")


class BrandAssetsController(Controller):
    """Public brand files: uploaded logos (content-hashed URLs) and the Latin web fonts."""

    path = "/"

    @get("/brand/{slug:str}/logo/{name:str}", name="brand-logo")
    async def logo(self, slug: str, name: str) -> Response[bytes]:
        digest, _dot, extension = name.partition(".")
        if len(digest) != 32 or not all(c in "0123456789abcdef" for c in digest):
            raise NotFoundException()
        try:
            data, content_type = await queries.logo(slug, digest, extension)
        except NotFound:
            raise NotFoundException() from None
        return Response(data, media_type=content_type,
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})

    @get("/fonts/{name:str}", name="brand-font")
    async def font(self, name: str) -> Response[bytes]:
        data = _font(name)
        if data is None:
            raise NotFoundException()
        return Response(data, media_type="font/ttf", headers={"Cache-Control": "public, max-age=31536000"})


@lru_cache(maxsize=len(BRAND_FONT_FILES))
def _font(name: str) -> bytes | None:
    path = BRAND_FONT_FILES.get(name)
    if path is None or not Path(path).is_file():
        return None
    return Path(path).read_bytes()


CONTROLLERS = [BrandingController, BrandAssetsController]
