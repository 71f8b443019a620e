"""QR codes as inline SVG markup (segno), with no style attributes (the CSP forbids them): the size
comes from CSS on the `qr` class, the dark modules from the path's `stroke` attribute."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from markupsafe import Markup, escape


@lru_cache(maxsize=1024)
def _svg(data: str, css_class: str) -> str:
    """The code's markup, drawn once per process for each payload (a pickup page shows the same
    code on every visit; drawing it costs more than the rest of the page's data)."""
    code = segno.make(data, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, scale=1, border=4, svgclass=css_class,
              lineclass=f"{css_class}__modules", omitsize=True, nl=False, dark="#000", light="#fff")
    return out.getvalue().decode("ascii")


def qr_svg(data: str, *, label: str = "", css_class: str = "qr") -> Markup:
    """`data` encoded with medium error correction and the standard 4-module quiet zone; `label`
    (in the page's language) is added per call."""
    svg = _svg(data, css_class)
    attrs = ' role="img" focusable="false"'
    if label:
        attrs += f' aria-label="{escape(label)}"'
    return Markup(svg.replace("<svg ", "<svg" + attrs + " ", 1))
