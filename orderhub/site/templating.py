"""The site's templates compiled once per language, with the translations of literal msgids written
into the compiled code.

Every template call `_("literal")`, `gettext("literal")` and `{% trans %}` block is resolved when the
template is compiled for a language (on its first render in that language, never at import time):
without variables it becomes a constant; with variables, the translated format string is formatted
at render time exactly as Jinja's newstyle gettext does (escaped in autoescaped output), written as
template code (`Markup(text) % {...}`) rather than a call. `_` of a non-literal looks its text up in
that language's catalog at render time, formatted the same way; `ngettext` runs as Jinja's. Each language has its
own Environment and template cache, so one language's compiled text never serves another; the
engine picks the Environment of the request's language (`orderhub.components.i18n`).

Three of Jinja's per-output steps take a shorter way with the same result (a rendered page is the same
bytes): `{{ value }}` escapes through `_escape` (a str is escaped by markupsafe's own escaping routine
and wrapped without a second `__html__` look-up; a Markup is already safe and kept as it is), and a
call of a plain function or method from a template skips the context-passing checks when the callable
carries none of Jinja's `pass_context`-style marks (`_Context.call`); `{{ d.key }}` of a dict reads
the key without Jinja's failed attribute look-up first (`LanguageEnvironment.getattr`). A
translation whose placeholders are all `%(name)s` is formatted by `_format` (each value escaped as
Markup's `%` escapes it), and a template already compiled is found in a plain dict on each include,
import and extends (`LanguageEnvironment._load_template`).
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, cast

import markupsafe
from jinja2 import Environment, Template, nodes, pass_context, pass_eval_context
from jinja2.environment import TemplateModule
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro, new_context
from jinja2.utils import _PassArg, missing
from jinja2.visitor import NodeTransformer
from litestar.contrib.jinja import JinjaTemplateEngine
from markupsafe import Markup

from orderhub.components import i18n

_GETTEXT_NAMES = frozenset({"_", "gettext"})
#: the language's catalog look-up a non-literal `_(expr)` is compiled to (a plain global of its Environment)
_UGETTEXT = "_orderhub_ugettext"


def _formatted(text: nodes.Expr, node: nodes.Call) -> nodes.Expr:
    """What Jinja's newstyle gettext does with a translation `text`, as template code: marked safe when
    the output is autoescaped, then always formatted with the call's keyword arguments (`%`). A
    literal text whose only placeholders are `%(name)s` is formatted by `_format` (the same text,
    without Markup's escaping helper object around each value)."""
    values = nodes.Dict([nodes.Pair(nodes.Const(kw.key), kw.value, lineno=kw.lineno) for kw in node.kwargs],
                        lineno=node.lineno)
    if isinstance(text, nodes.Const) and isinstance(text.value, str) and "%" not in _NAMED.sub("", text.value):
        return nodes.Call(nodes.Name(_FORMAT, "load"), [text, values], [], None, None, lineno=node.lineno)
    return nodes.Mod(nodes.MarkSafeIfAutoescape(text, lineno=node.lineno), values, lineno=node.lineno)


#: a translation's placeholders `_format` fills (and `%%`, a percent sign)
_NAMED = re.compile(r"%\(\w+\)s|%%")
#: the compiled code's name for `_format`
_FORMAT = "_orderhub_format"


@pass_eval_context
def _format(eval_ctx: EvalContext, text: str, values: dict[str, Any]) -> str:
    """`Markup(text) % values` in autoescaped output (`text % values` otherwise) for a text whose only
    placeholders are `%(name)s`: each value escaped as Markup's `%` escapes it (markupsafe's
    `escape`), the text itself kept as it is."""
    if not eval_ctx.autoescape:
        return text % values
    return _new_str(Markup, text % {name: _escape(value) for name, value in values.items()})


class _Inline(NodeTransformer):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if not (isinstance(node.node, nodes.Name) and node.node.name in _GETTEXT_NAMES and len(node.args) == 1
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        message = node.args[0]
        if not (isinstance(message, nodes.Const) and isinstance(message.value, str)):  # looked up when rendering
            return _formatted(nodes.Call(nodes.Name(_UGETTEXT, "load"), [message], [], None, None,
                                         lineno=node.lineno), node)
        text = i18n.translations(self.lang).ugettext(message.value)
        if node.kwargs:
            return _formatted(nodes.Const(text), node)
        try:
            text = text % {}
        except (KeyError, ValueError, TypeError):  # left to fail at render time, as before
            return node
        return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)


#: markupsafe's escaping of a str (its C speedup when built), else None: `markupsafe.escape` is used
_ESCAPE_INNER: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)
_new_str = str.__new__


def _escape(s: Any) -> Markup:
    """`markupsafe.escape`, without its second `__html__` look-up in `Markup()`: the same text."""
    kind = type(s)
    if kind is Markup:
        return s  # type: ignore[no-any-return]
    if _ESCAPE_INNER is None:
        return markupsafe.escape(s)
    if kind is str:
        return _new_str(Markup, _ESCAPE_INNER(s))
    if kind is int:  # digits and a sign: nothing to escape
        return _new_str(Markup, int.__repr__(s))
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return _new_str(Markup, _ESCAPE_INNER(str(s)))


class _Context(Context):
    """Jinja's Context, whose `call` (every call a template makes) goes straight to a plain function,
    method, builtin or macro: the mark of `pass_context`, `pass_eval_context` or `pass_environment` is
    read from the function itself and honoured as Jinja does. Jinja's own `call` first looks for those
    marks on the callable's `__call__` and on the callable through two helper calls, on every call;
    anything else still goes there."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        kind = type(__obj)
        if kind is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return _call_macro(cast(Macro, __obj), args, kwargs)
        if kind in _PLAIN_CALLABLES:
            pass_arg = getattr(__obj, "jinja_pass_arg", None)
            if pass_arg is _PassArg.context:  # as Jinja: loop and block variables seen, the context untouched
                context: Context = __self
                if kwargs.get("_loop_vars"):
                    context = context.derived(kwargs["_loop_vars"])
                if kwargs.get("_block_vars"):
                    context = context.derived(kwargs["_block_vars"])
                args = (context, *args)
            elif pass_arg is _PassArg.eval_context:
                args = (__self.eval_ctx, *args)
            elif pass_arg is _PassArg.environment:
                args = (__self.environment, *args)
        else:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


#: what `_Context.call` calls itself (a builtin carries no Jinja mark; a macro takes none)
_PLAIN_CALLABLES = frozenset({FunctionType, MethodType, BuiltinFunctionType})


def _call_macro(macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A macro's output for these arguments as `Macro.__call__` gives it: its parameters filled from
    `args`, then by name from `kwargs`, the rest `missing` (the macro's defaults). A macro that takes a
    caller, `varargs` or `kwargs`, and a call with arguments it does not take (Jinja's TypeError),
    go through `Macro.__call__` itself."""
    count = macro._argument_count
    if macro.caller or macro.catch_kwargs or macro.catch_varargs or len(args) > count:
        return macro(*args, **kwargs)
    if len(args) < count:
        names = macro.arguments[len(args):]
        if "caller" in names or not set(kwargs).issubset(names):
            return macro(*args, **kwargs)
        args = (*args, *(kwargs.get(name, missing) for name in names))
    elif kwargs:
        return macro(*args, **kwargs)
    out = macro._func(*args)
    return _new_str(Markup, out) if macro._default_autoescape else out


class _Template(Template):
    """Jinja's Template, with `{% from … import %}` asking whether the importing page has globals this
    template lacks through a set kept per template (Jinja walks its globals' ChainMap in Python on
    every import of every render). A global is never removed, so a kept set that is out of date can
    only send a question to Jinja's own check. A new context (every render, include and import with
    context) gets the globals as one dict merged in C from the ChainMap's maps, the same names and
    values Jinja copies from the ChainMap itself one `__getitem__` at a time, twice."""

    _names: frozenset[str] | None = None

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: MutableMapping[str, Any],
                        globals: MutableMapping[str, Any]) -> Template:
        namespace["escape"] = _escape  # the compiled code's `escape(...)` of every `{{ value }}`
        namespace[_JOINED] = "".join  # a block's or an included page's output, joined once (`_joined`)
        return super()._from_namespace(environment, namespace, globals)

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> Context:
        merged: dict[str, Any] = {}
        for layer in reversed(self.globals.maps) if isinstance(self.globals, ChainMap) else (self.globals,):
            merged.update(layer)
        return new_context(self.environment, self.name, self.blocks, vars, shared, merged, locals)

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None:
            names = self._names
            if names is None:
                names = self._names = frozenset(self.globals)
            if not ctx.globals_keys.issubset(names):
                return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module


#: the compiled code's name for `"".join` (see `_joined`)
_JOINED = "_orderhub_joined"
#: where the compiled code hands a block's, a parent page's or an included page's output up piece
#: by piece: `yield from <generator>`, and `for event in gen: yield event` (an include with context)
_YIELD_FROM = re.compile(r"^(?P<indent>[ ]*)yield from (?P<source>.+)$", re.MULTILINE)
_FOR_EVENT = re.compile(r"^(?P<indent>[ ]*)for event in gen:\n(?P=indent)    yield event$", re.MULTILINE)


def _joined(code: str) -> str:
    """The compiled code of a template, each nested output joined where it is made and handed up as
    one string (`yield "".join(<generator>)`) instead of every piece passing through each enclosing
    generator on its way up (an order page's pieces went through five: block, parent blocks,
    layouts, the page). The page is the same text: Jinja joins all the pieces in the end anyway, and
    nothing here streams a template piece by piece (`Template.generate` is not used)."""
    code = _YIELD_FROM.sub(lambda m: f"{m['indent']}yield {_JOINED}({m['source']})", code)
    return _FOR_EVENT.sub(lambda m: f"{m['indent']}yield {_JOINED}(gen)", code)


#: the names a dict answers as attributes (`Environment.getattr` tries them before its keys)
_DICT_ATTRIBUTES = frozenset(dir(dict))


class LanguageEnvironment(Environment):
    """An Environment whose templates are compiled for one language."""

    template_class = _Template
    context_class = _Context

    def __init__(self, lang: str, **options: Any) -> None:
        super().__init__(**options)
        self.lang = lang
        self._loaded: dict[str, Template] = {}
        catalog: Callable[[], Any] = lambda: i18n.translations(lang)  # noqa: E731 - looked up when rendering

        def ugettext(message: str) -> str:
            return str(catalog().ugettext(message))

        # added by the jinja2.ext.i18n extension at run time (Environment.extend), unknown to the type checker
        self.install_gettext_callables(  # type: ignore[attr-defined]
            ugettext,
            lambda singular, plural, n: catalog().ungettext(singular, plural, n),
            newstyle=True,
        )
        self.globals[_UGETTEXT] = ugettext
        self.globals[_FORMAT] = _format

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        """Jinja's, with a template already compiled found in a plain dict: every `{% include %}`,
        `{% import %}` and `{% extends %}` of every render asks again, and Jinja's LRU cache moves the
        name to the end of its queue under a lock on each question. Templates are never reloaded
        here (`auto_reload=False`) nor given globals by name, so what is kept is what Jinja would find."""
        if not globals:
            found = self._loaded.get(name)
            if found is not None:
                return found
        template = super()._load_template(name, globals)
        if not self.auto_reload and not globals:
            self._loaded[name] = template
        return template

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's `obj.attribute` (the attribute, else the item, else undefined), with a dict's key
        found without first raising and catching AttributeError (a dict has no attributes of its
        own: only its methods' names, which still answer first)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        result: nodes.Template = _Inline(self.lang).visit(tree)
        return result

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        return _joined(super()._generate(source, name, filename, defer_init))


class PerLanguageTemplates(JinjaTemplateEngine):
    """Litestar's Jinja engine over one Environment per language, chosen by the request's language."""

    def __init__(self, environments: Mapping[str, Environment]) -> None:
        self.environments = dict(environments)
        super().__init__(engine_instance=environments[i18n.LANGUAGES[0]])

    @property  # type: ignore[override]
    def engine(self) -> Environment:
        return self.environments.get(i18n.current_language()) or self.environments[i18n.LANGUAGES[0]]

    @engine.setter
    def engine(self, value: Environment) -> None:  # set once by the parent's constructor
        pass

    def register_template_callable(self, key: str, template_callable: Callable[..., Any]) -> None:
        for env in self.environments.values():
            env.globals[key] = pass_context(template_callable)
