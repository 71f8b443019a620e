"""The import graph of the package: no cycles (counting imports inside functions too, where cycles
like to hide), and imports point one way: site -> db, components; never db or components -> site."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "orderhub"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "piccolo_migrations" not in p.parts}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The orderhub module an import names (a submodule when `from x import y` names one)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from a.b import c`: the submodule a.b.c when there is one, else the module a.b
            names = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
                     for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("__import__", "import_module"):
                names = [node.args[0].value]
        for name in names:
            if name.startswith("orderhub"):
                target = _resolve(name, modules)
                if target and target != module:
                    found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _is_package_parent(a: str, b: str) -> bool:
    """A package's __init__ naturally relates to its own submodules; only real code cycles count."""
    return b.startswith(a + ".") or a.startswith(b + ".")


def test_the_graph_sees_function_level_and_dynamic_imports():
    """The walker itself: it must see an import inside a function and an import_module string."""
    modules = {"orderhub.a": Path("a.py"), "orderhub.b": Path("b.py"), "orderhub.c": Path("c.py")}
    src = "def f():\n    from orderhub.b import thing\n    importlib.import_module('orderhub.c')\n"
    tmp = PACKAGE.parent / "tests" / "unit" / "_graph_probe.py"
    tmp.write_text(src)
    try:
        assert _imports("orderhub.a", tmp, modules) == {"orderhub.b", "orderhub.c"}
    finally:
        tmp.unlink()
    assert _cycles({"x": {"y"}, "y": {"x"}, "z": {"x"}}) == [["x", "y"]]


def test_no_import_cycles():
    graph = _graph()
    # edges from a package's __init__ to its own submodules are not part of a code cycle
    pruned = {m: {t for t in targets if not _is_package_parent(m, t)} for m, targets in graph.items()}
    cycles = _cycles(pruned)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def _area(module: str) -> str:
    """orderhub.db.returns.services -> orderhub.db.returns; orderhub.site.admin.x -> orderhub.site.admin;
    orderhub.emails.render -> orderhub.emails; orderhub.cli -> orderhub.cli."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] in ("db", "site") and (PACKAGE / parts[1] / parts[2]).is_dir():
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def test_no_cycles_between_areas():
    """The areas (db/<area>, site/<section>, emails, pdf, ...) form a layered graph too: an area that
    needs another's services or queries must not be needed back. The tables modules (the shared
    schema: a return row points at an order row) and the rules modules (pure vocabularies and
    decisions, no I/O) are left out here; the module-level test above still covers them."""
    graph: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        for target in targets:
            # an area's own rules / tables modules beside the main ones (orders.change_rules,
            # returns.home_pickup_rules, returns.home_pickup_tables) are the same kind of module
            if target.endswith((".tables", ".rules", "_tables", "_rules")):
                continue
            a, b = _area(module), _area(target)
            if a != b and not _is_package_parent(a, b):
                graph.setdefault(a, set()).add(b)
    cycles = _cycles(graph)
    assert not cycles, "cycles between areas:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_db_and_components_never_import_the_web_layer():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if module.startswith(("orderhub.db", "orderhub.components"))
        for target in targets
        if target.startswith("orderhub.site")
    )
    assert not wrong, "\n".join(wrong)


def test_no_dynamic_imports_in_the_package():
    """Wiring is explicit: no __import__ or importlib.import_module of our own modules."""
    dynamic = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("__import__", "import_module"):
                    dynamic.append(f"{name}:{node.lineno}")
    assert not dynamic, dynamic
