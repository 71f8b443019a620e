"""Templates compiled per language: literal msgids are translated when compiled, variables are
still formatted (and escaped) when rendered, ngettext still counts, and each language's compiled
templates answer in that language only, however the requests alternate."""

from __future__ import annotations

from markupsafe import Markup

from orderhub.components import i18n
from orderhub.site.app import template_environment

SOURCE = ('{{ _("Order") }}|{{ _("Placed on %(date)s.", date=when) }}|'
          '{{ ngettext("%(num)s item shipped", "All %(num)s items shipped", n) }}|{% trans %}Receipt{% endtrans %}')


def test_each_language_compiles_its_own_words():
    ja, en = template_environment("ja"), template_environment("en")
    catalog = i18n.translations("ja")
    out = []
    for env in (ja, en, ja, en):
        out.append(env.from_string(SOURCE).render(when="<b>1 Dec</b>", n=3))
    assert out[0] == out[2] and out[1] == out[3] and out[0] != out[1]
    assert out[1] == "Order|Placed on &lt;b&gt;1 Dec&lt;/b&gt;.|All 3 items shipped|Receipt"
    expected_ja = "|".join([
        catalog.ugettext("Order"),
        str(Markup(catalog.ugettext("Placed on %(date)s.")) % {"date": "<b>1 Dec</b>"}),
        catalog.ungettext("%(num)s item shipped", "All %(num)s items shipped", 3) % {"num": 3},
        catalog.ugettext("Receipt"),
    ])
    assert out[0] == expected_ja and "Order|" not in out[0]


def test_the_literal_is_written_into_the_compiled_code():
    code = template_environment("ja").compile('{{ _("Order") }}', raw=True)
    assert i18n.translations("ja").ugettext("Order") in code
    assert "gettext" not in code


def test_the_request_language_does_not_leak_into_a_compiled_language():
    en = template_environment("en")
    i18n.set_language("ja")  # a Japanese request in progress must not change English templates
    try:
        assert en.from_string('{{ _("Order") }}').render() == "Order"
    finally:
        i18n.set_language("en")
