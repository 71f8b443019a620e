"""Templates compiled per language: literal msgids are translated when compiled, variables are
still formatted (and escaped) when rendered, ngettext still counts, and each language's compiled
templates answer in that language only, however the requests alternate. And they write the same bytes
as Jinja's own environment translating at render time: translations with and without variables, a
message looked up at render time, a dict's keys and methods, the functions that ask for the context,
the evaluation context or the environment (loop variables seen), macros and builtin methods."""

from __future__ import annotations

import datetime as dt

import pytest
from jinja2 import DictLoader, pass_context, pass_environment, pass_eval_context
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
    # a translation with `%(name)s` placeholders is formatted by the environment's own formatter;
    # one with another conversion by Markup's `%`, as Jinja writes it
    assert "_orderhub_format" in template_environment("ja").compile('{{ _("Order %(number)s", number=1) }}', raw=True)
    assert "_orderhub_format" not in template_environment("ja").compile('{{ _("%(n)d left", n=1) }}', raw=True)


def test_the_request_language_does_not_leak_into_a_compiled_language():
    en = template_environment("en")
    i18n.set_language("ja")  # a Japanese request in progress must not change English templates
    try:
        assert en.from_string('{{ _("Order") }}').render() == "Order"
    finally:
        i18n.set_language("en")


SNIPPETS = [
    '{{ _("Order %(number)s", number=n) }}',
    '{{ _("Skip to content") }}',
    "{{ _(label) }}",
    "{{ _(numbered, number=n) }}",
    '{{ ngettext("%(num)s item", "%(num)s items", 3) }}',
    "{{ d.title }} {{ d.items()|list|length }} {{ d.get('title') }} {{ d.missing is defined }} {{ d.keys is callable }}",
    "{% for item in ['a', 'b'] %}{{ who() }}{% endfor %}{% set item = 'c' %}{{ who() }}",
    "{{ autoescaping() }} {{ has_env() }}",
    "{% macro m(x, y=2) %}<i>{{ x }}-{{ y }}</i>{% endmacro %}{{ m(n) }}{{ m(1, y=3) }}",
    # every way of filling a macro's parameters: all by position, by name, defaults, a caller,
    # varargs and kwargs, and a call inside a loop (loop variables never reach the macro)
    "{% macro m(x, y=2, z='<z>') %}{{ x }}{{ y }}{{ z }}{% endmacro %}"
    "{{ m(1, 2, 3) }}|{{ m(x=n) }}|{{ m(1, z=n) }}|{{ m(y=5, x=4) }}|"
    "{% for i in [1, 2] %}{{ m(i, loop.index) }}{% endfor %}",
    "{% macro box(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call box('p') %}{{ n }}{% endcall %}",
    "{% macro many(a) %}{{ a }}{{ varargs|join(',') }}{{ kwargs|dictsort|join(';') }}{% endmacro %}"
    "{{ many(1, 2, 3, k=n) }}",
    "{% set greeting = 'hi' %}{% macro outer() %}{{ greeting }}{{ static('css/app.css') }}{% endmacro %}{{ outer() }}",
    "{{ at.isoformat() }} {{ words.upper() }}",
    # translations with `%(name)s` placeholders (`_format`): values escaped, Markup kept, numbers,
    # several placeholders, a literal percent sign, and without autoescaping; `%(num)d` is Jinja's way
    '{{ _("Cancelled: %(num)s of %(total)s", num=2, total=n) }}|{{ _("Qty %(num)s", num=safe) }}',
    '{{ _("100%% sure: %(who)s", who=n) }}|{{ _("%(num)d left", num=3) }}|{{ _("Order %(number)s", number=-4) }}',
    '{% autoescape false %}{{ _("Order %(number)s", number=n) }}{% endautoescape %}',
    "{% for i in range(3) %}<b>{{ i }}</b>{{ -i }}{{ true }}{% endfor %}",
]


@pass_context
def who(context) -> str:
    return str(context.get("item"))


@pass_eval_context
def autoescaping(eval_ctx) -> bool:
    return bool(eval_ctx.autoescape)


@pass_environment
def has_env(environment) -> bool:
    return environment is not None


VALUES = {
    "n": "<b>7</b>", "label": "Email", "numbered": "Order %(number)s", "d": {"title": "<x>", "keys": [1, 2]},
    "who": who, "autoescaping": autoescaping, "has_env": has_env,
    "at": dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC), "words": "a&b", "safe": Markup("<i>3</i>"),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("source", SNIPPETS)
def test_a_template_compiled_for_a_language_writes_what_jinja_writes(lang, source):
    with i18n.language(lang):
        compiled = template_environment(lang).from_string(source).render(**VALUES)
        plain = template_environment(None).from_string(source).render(**VALUES)
    assert compiled == plain
    assert compiled.strip()


def test_a_template_asked_for_again_is_the_one_compiled_and_globals_still_reach_it():
    env = template_environment("en")
    env.loader = DictLoader({"g.html": "{{ g | default('none') }}"})
    first = env.get_template("g.html")
    assert env.get_template("g.html") is first and first.render() == "none"
    assert env.get_template("g.html", globals={"g": "given"}).render() == "given"  # as Jinja: kept from now on
    assert env.get_template("g.html").render() == "given"


def test_translations_are_the_language_s_and_escaped():
    with i18n.language("ja"):
        page = template_environment("ja").from_string(SNIPPETS[0] + " " + SNIPPETS[2]).render(**VALUES)
    assert "&lt;b&gt;7&lt;/b&gt;" in page and "<b>" not in page
    assert "Order" not in page  # the Japanese words, not the msgid


@pytest.mark.parametrize("source", ["{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1, 2) }}",
                                    "{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1, y=2) }}",
                                    "{% macro m(x) %}{{ x }}{% endmacro %}{{ m(y=2) }}"])
def test_a_macro_called_with_arguments_it_does_not_take_fails_as_in_jinja(source):
    for env in (template_environment("en"), template_environment(None)):
        with pytest.raises(TypeError, match="macro 'm' takes"):
            env.from_string(source).render()


LAYOUTS = {
    "base.html": "<title>{% block title %}{{ _('Order') }}{% endblock %}</title>"
                 "<main>{% block main %}{% endblock %}</main>{% block foot %}<p>{{ n }}</p>{% endblock %}",
    "page.html": "{% extends 'base.html' %}{% block title %}{{ super() }} · {{ n }}{% endblock %}"
                 "{% block main %}{% for i in [1, 2] %}{% block row scoped %}<i>{{ i }}</i>{% endblock %}"
                 "{% include 'part.html' %}{% endfor %}{% include 'plain.html' without context %}"
                 "{% filter upper %}{% include 'part.html' %}{% endfilter %}"
                 "{% macro boxed() %}[{% include 'part.html' %}]{% endmacro %}{{ boxed() }}"
                 "{% import 'lib.html' as lib with context %}{{ lib.shout() }}{{ self.foot() }}{% endblock %}",
    "part.html": "<b>{{ n }}{{ i | default('-') }}</b>",
    "plain.html": "<hr>",
    "lib.html": "{% macro shout() %}{{ n }}!{% endmacro %}",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_layouts_blocks_and_includes_write_what_jinja_writes(lang):
    """A page's blocks, its layout's, `super()`, scoped blocks in a loop, includes with and without
    context (in a loop, a filter block and a macro) and an import with context: the same text as
    Jinja's own environment, though each block's and include's output is joined where it is made."""
    from jinja2 import DictLoader, Environment

    from orderhub.site.templating import LanguageEnvironment

    options = {"loader": DictLoader(LAYOUTS), "autoescape": True, "extensions": ["jinja2.ext.i18n"]}
    ours = LanguageEnvironment(lang, **options)
    plain = Environment(**options)
    plain.install_gettext_callables(i18n.plain_gettext, i18n.plain_ngettext, newstyle=True)  # type: ignore[attr-defined]
    with i18n.language(lang):
        compiled = ours.get_template("page.html").render(n="<7>")
        expected = plain.get_template("page.html").render(n="<7>")
    assert compiled == expected
    assert "<i>1</i><b>&lt;7&gt;1</b><i>2</i><b>&lt;7&gt;2</b><hr><B>&LT;7&GT;-</B>[<b>&lt;7&gt;-</b>]" in compiled
    code = ours.compile(LAYOUTS["page.html"], "page.html", raw=True)
    assert "yield from" not in code and "yield event" not in code  # every nested output joined where made
