"""Nothing translated is computed once for the process (issue 17: status badges followed whichever
language the process rendered first).

The root of that bug was a template's top-level `{% set LABELS = {..._("Delivered")...} %}`: Jinja
runs an imported template's module once and keeps it, so the labels were translated for the first
request's language and served to everyone after. These checks keep the whole kind out:

- no template of macros (one that is imported) assigns anything computed (a call or a filter) at
  its top level, where it would be kept with the module; macros and blocks compute per render
  (included and extended templates render with each request's context);
- no Python module translates (gettext, _, ngettext, words of the shop texts) at import time: at
  module or class level, in default arguments or decorators.
"""

from __future__ import annotations

import ast
from pathlib import Path

from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2] / "orderhub"
TRANSLATING = {"_", "gettext", "ngettext", "plain_gettext", "plain_ngettext", "shop_text", "words", "plain", "text",
               "for_error"}


def test_no_template_computes_at_its_top_level():
    env = Environment(extensions=["jinja2.ext.i18n"])
    found = []
    for path in sorted(ROOT.rglob("*.jinja")):
        tree = env.parse(path.read_text())
        if not any(isinstance(n, nodes.Macro) for n in tree.body):
            continue  # not imported: rendered with each request
        for node in tree.body:
            if isinstance(node, (nodes.Assign, nodes.AssignBlock)) and (
                    isinstance(node, nodes.AssignBlock) or any(True for _ in node.find_all((nodes.Call, nodes.Filter)))):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"computed at a template's top level (kept across requests): {found}"


def _calls(node: ast.AST) -> list[ast.Call]:
    return [c for c in ast.walk(node) if isinstance(c, ast.Call)
            and (getattr(c.func, "id", None) or getattr(c.func, "attr", None)) in TRANSLATING]


def _import_time(tree: ast.AST):
    """The expressions Python evaluates when the module is imported."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from (d for d in [*child.args.defaults, *child.args.kw_defaults, *child.decorator_list] if d)
        elif isinstance(child, ast.ClassDef):
            yield from child.decorator_list
            yield from _import_time(child)
        elif isinstance(child, ast.Lambda):
            continue
        else:
            yield child


def test_no_module_translates_when_imported():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for expr in _import_time(tree):
            found += [f"{path.relative_to(ROOT)}:{c.lineno}" for c in _calls(expr)
                      if not any(isinstance(n, ast.Lambda) for n in ast.walk(expr))]
    assert not found, f"translated at import time: {found}"


def test_the_checks_see_the_old_bug():
    """The checks catch the shape the badge bug had."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    old = env.parse('{% set LABELS = {"delivered": _("Delivered")} %}{% macro b(k) %}{{ LABELS[k] }}{% endmacro %}')
    assert any(isinstance(n, nodes.Assign) and any(True for _ in n.find_all(nodes.Call)) for n in old.body)
    module = ast.parse('from x import gettext as _\nLABELS = {"delivered": _("Delivered")}\n')
    assert [c.lineno for e in _import_time(module) for c in _calls(e)] == [2]
