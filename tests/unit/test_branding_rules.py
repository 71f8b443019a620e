"""Branding rules: the WCAG contrast rule (a decision table with known ratios), the merchant-markup
cleaner, the editor's form through the one brand validator, and logo intake."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from orderhub import images
from orderhub.db import markup
from orderhub.db.branding import rules
from orderhub.db.branding.rules import contrast_checks, contrast_ratio, read_brand
from orderhub.db.validation import Reader


@pytest.mark.parametrize(("a", "b", "ratio"), [
    ("#000000", "#FFFFFF", 21.0),
    ("#FFFFFF", "#FFFFFF", 1.0),
    ("#767676", "#FFFFFF", 4.54),  # the classic lightest grey that passes AA on white
    ("#777777", "#FFFFFF", 4.48),
    ("#0000FF", "#FFFFFF", 8.59),
    ("#FF0000", "#FFFFFF", 4.0),
    ("#1F5F3F", "#FFFFFF", 7.59),
])
def test_contrast_ratio_known_values(a, b, ratio):
    assert contrast_ratio(a, b) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(b, a) == contrast_ratio(a, b)


@pytest.mark.parametrize(("primary", "accent", "failing"), [
    ("#1F5F3F", "#E8B04A", set()),                                        # yamakaze's brand
    ("#B3261E", "#1D3557", set()),                                        # acme's brand
    ("#000000", "#FFFFFF", set()),
    ("#FFFF00", "#2563EB", {"primary_on_background"}),                    # yellow bar: text fine, page not
    ("#767676", "#2563EB", {"primary_on_background"}),                    # 4.54 on white, 4.16 on the canvas
    ("#777777", "#2563EB", {"text_on_primary", "primary_on_background"}),  # 4.47 / 4.10
    ("#1F5F3F", "#777777", {"text_on_accent"}),
    ("#1F5F3F", "#FFFFFF", set()),                                        # dark text on a white accent
])
def test_contrast_decision_table(primary, accent, failing):
    checks = contrast_checks(primary, accent)
    assert {c.pair for c in checks} == {"text_on_primary", "primary_on_background", "text_on_accent"}
    assert {c.pair for c in checks if not c.ok} == failing
    assert all(c.minimum == 4.5 for c in checks)


def test_ratio_is_never_shown_rounded_up_past_the_limit():
    (first, *_rest) = contrast_checks("#777777", "#2563EB")
    assert first.ratio < 4.5 and first.shown == "4.47" and not first.ok


def test_read_brand_refuses_unreadable_colours_with_the_ratio():
    r = Reader()
    read_brand(r, {"primary_color": "#FFFF00"})
    assert r.errors == [{"field": "brand.primary_color", "code": rules.LOW_CONTRAST,
                         "message": "the primary colour on the page background has a contrast of 1.01:1, below 4.5:1",
                         "params": {"pair": "primary_on_background", "ratio": "1.01", "minimum": 4.5}}]


@pytest.mark.parametrize(("raw", "clean"), [
    ("<script>alert(1)</script>Hi", "Hi"),
    ('<img src=x onerror="alert(1)">', ""),
    ('<b onclick="x()">bold</b>', "<b>bold</b>"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="data:text/html,<script>">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="https://shop.example/" target="_blank" rel="opener">shop</a>',
     '<a href="https://shop.example/" rel="noopener noreferrer nofollow">shop</a>'),
    ('<a href="mailto:care@shop.example">mail</a>',
     '<a href="mailto:care@shop.example" rel="noopener noreferrer nofollow">mail</a>'),
    ('<ul><li>one</li></ul><ol><li>two</li></ol>', "<ul><li>one</li></ul><ol><li>two</li></ol>"),
    ("<p><strong>s</strong> <em>e</em> <i>i</i><br></p>", "<p><strong>s</strong> <em>e</em> <i>i</i><br></p>"),
    ('<p style="color:red" hx-get="/x" data-hx-post="/y" class="c">p</p>', "<p>p</p>"),
    ('<style>body{}</style><meta http-equiv="refresh" content="0"><iframe src="https://x"></iframe>', ""),
    ("<!-- secret -->text", "text"),
    ("5 < 6 & 7 > 3", "5 &lt; 6 &amp; 7 &gt; 3"),
])
def test_markup_cleaning(raw, clean):
    assert markup.clean(raw) == clean


def test_form_goes_through_the_one_brand_validator():
    base = {**rules.DEFAULT_BRAND, "logo_url": "/brand/yamakaze/logo/" + "a" * 32 + ".png"}
    brand, errors = rules.read_form({
        "primary_color": "1f5f3f", "primary_color_picker": "#000000", "primary_color_was": "#1F2937",
        "accent_color": "#E8B04A", "font": "lato", "corner": "pill",
        "words_returns_ja": "<b>返品</b><script>x</script>", "words_returns_en": "  ",
    }, base)
    assert errors == []
    assert brand["primary_color"] == "#1F5F3F"  # the text box changed: it wins
    assert brand["logo_url"] == base["logo_url"] and brand["font"] == "lato" and brand["corner"] == "pill"
    assert brand["words"] == {"returns": {"ja": "<b>返品</b>"}}
    # only the picker changed (no JavaScript): the picker wins
    brand, _ = rules.read_form({"primary_color": "#1F2937", "primary_color_was": "#1F2937",
                                "primary_color_picker": "#0b3d91", "accent_color": "#E8B04A",
                                "font": "system", "corner": "square", "remove_logo": "1"}, base)
    assert brand["primary_color"] == "#0B3D91" and brand["logo_url"] == ""
    _, errors = rules.read_form({"primary_color": "#FFFF00", "accent_color": "x", "font": "comic", "corner": "x",
                                 "words_feedback_en": "x" * 2001}, base)
    assert {e["field"] for e in errors} == {"accent_color", "font", "corner", "words_feedback_en"}


def test_logo_urls_accepted_by_the_validator():
    for url, ok in [("/brand/yamakaze/logo/" + "0" * 32 + ".webp", True),
                    ("/brand/yamakaze/logo/" + "0" * 32 + ".svg", False),
                    ("/brand/../logo/" + "0" * 32 + ".png", False),
                    ("/static/img/logo.png", True), ("javascript:alert(1)", False)]:
        r = Reader()
        read_brand(r, {"logo_url": url})
        assert (not r.errors) is ok, url


def _picture(size, fmt="PNG", mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 255) if mode == "RGBA" else (10, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def test_logo_intake_and_print_copy():
    logo = rules.logo_intake(_picture((2000, 500)))
    assert logo.content_type == "image/png" and len(logo.digest) == 32
    with Image.open(io.BytesIO(logo.data)) as img:
        assert img.size == (512, 128)
    assert len(logo.print_data) <= rules.PRINT_MAX_BYTES
    assert rules.data_uri(logo.print_type, logo.print_data).startswith("data:image/png;base64,")
    assert logo.url("acme") == f"/brand/acme/logo/{logo.digest}.png"
    noisy = io.BytesIO()
    Image.effect_noise((900, 900), 120).convert("RGB").save(noisy, "PNG")
    busy = rules.logo_intake(noisy.getvalue())
    assert len(busy.print_data) <= rules.PRINT_MAX_BYTES


@pytest.mark.parametrize("raw", [b"<svg onload=alert(1)/>", b"GIF89a....", b"", _picture((5000, 4000), "PNG", "RGB")])
def test_logo_intake_refuses(raw):
    with pytest.raises(images.ImageRejected):
        rules.logo_intake(raw)


# --- the one font list ------------------------------------------------------------------------------------

def test_the_font_list_is_what_the_validator_accepts():
    assert [f.key for f in rules.FONT_LIST] == list(rules.FONTS) == ["system", "noto-sans-jp", "noto-serif-jp", "lato",
                                                                     "open-sans"]
    for font in rules.FONT_LIST:
        r = Reader()
        assert read_brand(r, {"font": font.key})["font"] == font.key and not r.errors
    r = Reader()
    read_brand(r, {"font": "comic-sans"})
    assert [e["code"] for e in r.errors] == ["validation.not_choice"]


def test_web_fonts_are_the_fonts_with_files_we_serve():
    assert [f.key for f in rules.FONT_LIST if f.web] == ["lato", "open-sans"]
    assert set(rules.FONT_FILES) == {"lato-400.ttf", "lato-400-italic.ttf", "lato-700.ttf", "open-sans-400.ttf",
                                     "open-sans-400-italic.ttf", "open-sans-700.ttf"}
    for font in rules.FONT_LIST:
        assert font.family.split(",")[0].strip('"') == (font.face or font.family.split(",")[0].strip('"'))
        for file in font.files:
            assert file.path.startswith("/usr/share/fonts/truetype/") and file.name.startswith(font.key)
    lato = rules.FONTS["lato"]
    assert [(f.style, f.weight) for f in lato.files] == [("normal", 400), ("italic", 400), ("normal", 700)]
    assert lato.files[0].local == ("Lato Regular", "Lato-Regular")


def test_the_theme_of_a_stored_brand_falls_back_to_the_defaults():
    theme = rules.theme({"primary_color": "#1F5F3F", "font": "lato", "corner": "pill"})
    assert (theme.primary, theme.accent, theme.on_primary) == ("#1F5F3F", rules.DEFAULT_ACCENT, "#FFFFFF")
    assert theme.font is rules.FONTS["lato"] and theme.font.web and theme.corner.radius == "1.25rem"
    empty = rules.theme({"font": "unknown", "corner": None})
    assert empty.font.key == rules.DEFAULT_FONT and empty.corner.key == rules.DEFAULT_CORNER
    assert rules.font("noto-serif-jp").pdf_family == '"Noto Serif CJK JP"' and rules.font("system").pdf_family == ""


def test_the_web_font_stylesheet_is_built_from_the_list():
    from orderhub.site.hub.routes import fonts_css

    css = fonts_css()
    assert css.count("@font-face") == len(rules.FONT_FILES)
    assert ('@font-face { font-family: "Lato"; font-style: normal; font-weight: 400; font-display: swap; '
            'src: local("Lato Regular"), local("Lato-Regular"), url("/fonts/lato-400.ttf") format("truetype"); }') in css
    assert '"Open Sans"; font-style: italic; font-weight: 400;' in css and "/fonts/open-sans-700.ttf" in css
