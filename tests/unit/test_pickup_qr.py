import segno

from orderhub.components.qr import qr_svg


def test_qr_is_inline_svg_without_styles():
    svg = str(qr_svg("OHP:ABCD2345", label='Pickup "QR" <code>'))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "style" not in svg.lower() and "<script" not in svg
    assert 'aria-label="Pickup &#34;QR&#34; &lt;code&gt;"' in svg
    assert 'class="qr"' in svg and "viewBox" in svg


def test_qr_decodes_back():
    code = segno.make("OHP:ABCD2345", error="m", boost_error=False)
    assert code.error == "M" and code.symbol_size(scale=1, border=0)[0] <= 25
