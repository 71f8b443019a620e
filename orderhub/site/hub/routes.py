"""The merchant's brand as a stylesheet (CSS custom properties): the CSP forbids inline styles,
and every value in it was validated when the merchant set it (hex colours, fonts from a list)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException

from orderhub.db.orders.queries import BrandView, brand_for_slug


def brand_css(brand: BrandView) -> str:
    return (
        ":root{"
        f"--brand-primary:{brand.primary};--brand-on-primary:{brand.on_primary};"
        f"--brand-accent:{brand.accent};--brand-on-accent:{brand.on_accent};"
        f"--brand-font:{brand.font_stack};--brand-radius:{brand.radius};"
        "}\n"
    )


class BrandController(Controller):
    path = "/brand"

    @get("/{slug:str}/theme.css", name="brand-css")
    async def css(self, slug: str) -> Response[str]:
        brand = await brand_for_slug(slug)
        if brand is None:
            raise NotFoundException()
        return Response(
            brand_css(brand), media_type="text/css",
            headers={"Cache-Control": "public, max-age=300"},
        )
