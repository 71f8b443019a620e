"""The merchant's brand as stylesheets: its theme (CSS custom properties) and the web fonts' faces.
The CSP forbids inline styles, and every value in them was validated when the merchant set it (hex
colours, a font and a corner style from the lists of orderhub.db.branding.rules)."""

from __future__ import annotations

from functools import cache

from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException

from orderhub.db.branding import rules as brand_rules
from orderhub.db.merchants import queries as merchant_queries
from orderhub.db.orders.queries import BrandView

#: where the web fonts' files are served (orderhub.site.admin.branding.BrandAssetsController)
FONT_FILES_PATH = "/fonts/"


def properties_css(scope: str, *, primary: str, on_primary: str, accent: str, on_accent: str, family: str,
                   radius: str, apply_font: bool = False) -> str:
    """The brand's custom properties for `scope` (and its font on the scope itself when asked)."""
    return (
        f"{scope}{{--brand-primary:{primary};--brand-on-primary:{on_primary};"
        f"--brand-accent:{accent};--brand-on-accent:{on_accent};"
        f"--brand-font:{family};--brand-radius:{radius};"
        + ("font-family:var(--brand-font)" if apply_font else "")
        + "}\n"
    )


def theme_css(theme: brand_rules.Theme, scope: str = ":root", *, apply_font: bool = False) -> str:
    return properties_css(scope, primary=theme.primary, on_primary=theme.on_primary, accent=theme.accent,
                          on_accent=theme.on_accent, family=theme.font.family, radius=theme.corner.radius,
                          apply_font=apply_font)


def brand_css(brand: BrandView) -> str:
    """The hub's theme from its brand view (pages and PDFs)."""
    return properties_css(":root", primary=brand.primary, on_primary=brand.on_primary, accent=brand.accent,
                          on_accent=brand.on_accent, family=brand.font_stack, radius=brand.radius)


@cache
def fonts_css() -> str:
    """@font-face rules of every web font in the list: a browser downloads a file only when a page
    uses its family, and a visitor who has the font installed uses their own (local())."""
    rules = []
    for font in brand_rules.FONT_LIST:
        for file in font.files:
            sources = ", ".join([*(f'local("{name}")' for name in file.local),
                                 f'url("{FONT_FILES_PATH}{file.name}") format("truetype")'])
            rules.append(f'@font-face {{ font-family: "{font.face}"; font-style: {file.style}; '
                         f"font-weight: {file.weight}; font-display: swap; src: {sources}; }}\n")
    return "".join(rules)


class BrandController(Controller):
    path = "/brand"

    @get("/fonts.css", name="brand-fonts-css")
    async def fonts(self) -> Response[str]:
        return Response(fonts_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})

    @get("/{slug:str}/theme.css", name="brand-css")
    async def css(self, slug: str, v: str | None = None) -> Response[str]:
        """Pages link `theme.css?v=<merchant version>`: that answer never changes (a brand edit
        bumps the version, hence the URL), so it is cached for a year; any other `v` gets today's
        theme for five minutes."""
        merchant = await merchant_queries.merchant_by_slug(slug)
        if merchant is None:
            raise NotFoundException()
        current = v == str(merchant.version)
        return Response(
            theme_css(brand_rules.theme(merchant.brand)), media_type="text/css",
            headers={"Cache-Control": "public, max-age=31536000, immutable" if current else "public, max-age=300"},
        )
