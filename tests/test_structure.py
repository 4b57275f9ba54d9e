"""The structure of ``helpers`` and ``tools``, read from their source (AST), not run.

What is checked, and why:

(a) No module imports a private name (``_x``) from a module of another subpackage,
    nor anything from a private module or package of another subpackage
    (``helpers.explain._inputs`` from ``helpers.evaluation``). The top-level shared
    internals ``helpers._checks``, ``helpers._keras`` and ``helpers._profile`` may be
    imported from anywhere, their public names only, and from the module itself
    (``helpers._keras``, never ``helpers._keras.graph``).
(b) No import cycle between the modules of ``helpers``. A package's ``__init__``
    that imports its own submodules is no cycle with them: a submodule depends on
    its package only when it imports a *name defined in* the package
    (``from . import Thing``), not when it imports a sibling submodule through it
    (``from . import _textures``). Importing ``helpers.a.b`` from outside ``helpers.a``
    runs ``helpers/a/__init__.py`` too, so that is an edge to ``helpers.a`` as well.
    Imports inside functions count: a cycle that only a deferred import hides is
    still two modules that need each other.
(c) No module over 600 lines.
(d) One model check: only the model core (``helpers/_keras``) asks "is this a Keras
    model" (``isinstance(x, keras.Model)`` and the like, also to walk nested models),
    and exactly one function there refuses a non-model with a ``TypeError``.
(e) ``tools/`` has no import cycle, and no tool, test or ``conftest.py`` edits
    ``sys.path`` (the tests find the tools through ``pythonpath`` in pyproject.toml).
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "helpers"
TOOLS = ROOT / "tools"
#: Shared internals: any module may import their public names (from the module itself).
SHARED = {"helpers._checks", "helpers._keras", "helpers._profile"}
MAX_LINES = 600
#: Class names that mean "a Keras model" in an isinstance/issubclass check.
MODEL_CLASSES = {"Model", "Sequential", "Functional"}
MODEL_CORE = "helpers._keras"


# --------------------------------------------------------------------------- reading
def module_name(path: Path) -> str:
    """``"helpers.data.shapes"`` for ``helpers/data/shapes.py``, ``"helpers.data"`` for
    ``helpers/data/__init__.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=None)
def helpers_modules() -> dict[str, Path]:
    """{"helpers.data.shapes": path, "helpers.data": path of its __init__, ...}."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@lru_cache(maxsize=None)
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def is_package(name: str) -> bool:
    return helpers_modules()[name].name == "__init__.py"


def subpackage(name: str) -> str | None:
    """``"data"`` for ``helpers.data.shapes`` and ``helpers.data``; None at the top level
    (``helpers.training``, ``helpers._checks``, ``helpers``)."""
    parts = name.split(".")
    if len(parts) >= 3 or (len(parts) == 2 and is_package(name)):
        return parts[1]
    return None


def imports(name: str):
    """(target module, imported names or None, line) for every import of ``helpers``
    in module ``name``; relative imports resolved. ``None`` names: ``import a.b``."""
    path = helpers_modules()[name]
    package = name if is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "helpers":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "helpers":
                yield target, [alias.name for alias in node.names], node.lineno


def dependencies(name: str) -> set[str]:
    """The modules of ``helpers`` whose code runs, or whose names are used, because
    module ``name`` imports what it imports (see (b) in the module's docstring)."""
    known = helpers_modules()
    found = set()
    for target, names, _ in imports(name):
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            ancestor = name.startswith(prefix + ".")
            if prefix in known and prefix != name and not ancestor:
                found.add(prefix)         # a package (or the module) imported from outside
        submodules = [f"{target}.{n}" for n in (names or []) if f"{target}.{n}" in known]
        found.update(submodules)
        defined_here = [n for n in (names or []) if f"{target}.{n}" not in known]
        if target in known and target != name and defined_here:
            found.add(target)             # names defined in the package: it is needed
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def is_model_class(node: ast.expr) -> bool:
    """``keras.Model``, ``keras.models.Model``, ``tf.keras.Sequential``, ``Model``, ..."""
    if isinstance(node, ast.Tuple):
        return any(is_model_class(item) for item in node.elts)
    if isinstance(node, ast.Attribute):
        return node.attr in MODEL_CLASSES
    return isinstance(node, ast.Name) and node.id in MODEL_CLASSES


def model_class_checks(node: ast.AST):
    """The ``isinstance(x, <a Keras model class>)`` (or issubclass) calls under ``node``."""
    for call in ast.walk(node):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id in ("isinstance", "issubclass") and len(call.args) == 2
                and is_model_class(call.args[1])):
            yield call


def refuses_non_models(function: ast.FunctionDef) -> bool:
    """Whether ``function`` raises a TypeError under an ``if`` that asks whether an
    argument is a Keras model."""
    for node in ast.walk(function):
        if isinstance(node, ast.If) and any(model_class_checks(node.test)):
            for statement in ast.walk(ast.Module(body=node.body, type_ignores=[])):
                if isinstance(statement, ast.Raise) and "TypeError" in ast.unparse(statement):
                    return True
    return False


# ------------------------------------------------------------------------- the rules
def test_the_reading_of_imports_is_right():
    """The rules below rest on this reading; a few known facts of the package."""
    deps = dependencies("helpers.viz.metrics")      # from .. import metrics as _metrics
    assert "helpers.metrics" in deps and "helpers" not in deps
    shapes = dependencies("helpers.data.shapes")    # from . import _textures
    assert "helpers.data._textures" in shapes and "helpers.data" not in shapes
    assert dependencies("helpers.data") >= {"helpers.data.shapes", "helpers.data.imageset"}
    assert subpackage("helpers.data") == subpackage("helpers.data.shapes") == "data"
    assert subpackage("helpers.training") is None and subpackage("helpers._checks") is None
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_private_names_cross_subpackages():
    bad = []
    for name in helpers_modules():
        own = subpackage(name)
        for target, names, line in imports(name):
            where = f"{name} (line {line}) imports {target}"
            if target in SHARED or any(target.startswith(s + ".") for s in SHARED):
                if target not in SHARED and subpackage(target) != own:
                    bad.append(f"{where}: import the shared internal's names from "
                               f"{target.rsplit('.', 1)[0]} itself")
                private = [n for n in names or [] if n.startswith("_")]
                if private and subpackage(target) != own:
                    bad.append(f"{where}: private name(s) {private}")
                continue
            if subpackage(target) == own:
                continue
            private_path = [p for p in target.split(".")[1:] if p.startswith("_")]
            private_names = [n for n in names or [] if n.startswith("_")]
            if private_path or private_names:
                bad.append(f"{where}: {private_names or private_path}")
    assert not bad, f"{len(bad)} import(s) of private names across subpackages:\n" + \
        "\n".join(bad)


def test_no_import_cycles_in_helpers():
    graph = {name: dependencies(name) for name in helpers_modules()}
    found = cycles(graph)
    assert not found, f"{len(found)} import cycle(s) in helpers:\n" + "\n".join(
        " <-> ".join(component) for component in found)


def test_no_module_is_over_600_lines():
    long = {name: len(path.read_text(encoding="utf-8").splitlines())
            for name, path in helpers_modules().items()}
    long = {name: n for name, n in long.items() if n > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_one_model_check_in_the_model_core():
    outside, checks = [], []
    for name, path in helpers_modules().items():
        in_core = name == MODEL_CORE or name.startswith(MODEL_CORE + ".")
        for call in model_class_checks(tree(path)):
            if not in_core:
                outside.append(f"{name} line {call.lineno}: {ast.unparse(call)}")
        for node in ast.walk(tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    refuses_non_models(node):
                checks.append(f"{name}.{node.name}")
    assert not outside, ("only the model core (helpers/_keras) may ask whether "
                         "something is a Keras model:\n" + "\n".join(outside))
    assert len(checks) == 1, f"expected one model check, found {len(checks)}: {checks}"
    assert checks[0].startswith(MODEL_CORE + "."), checks


# ------------------------------------------------------------------------------ tools
def tool_imports() -> dict[str, set[str]]:
    """{tool: the tools it imports} (tools import each other as siblings)."""
    tools = {path.stem for path in TOOLS.glob("*.py")}
    graph = {}
    for path in TOOLS.glob("*.py"):
        found = set()
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
        graph[path.stem] = found & tools
    return graph


def test_tools_share_a_module_without_a_cycle():
    graph = tool_imports()
    assert not cycles(graph), cycles(graph)
    users = [tool for tool, used in graph.items() if "notebooks" in used]
    assert {"colab_copies", "sync_repository_url", "link_chapters"} <= set(users)


def sys_path_edits(module: ast.Module) -> list[int]:
    """Lines that change ``sys.path``: a method call on it (insert, append, extend,
    ...) or an assignment to it (``sys.path = ...``, ``sys.path += ...``,
    ``sys.path[:0] = ...``)."""
    lines = []
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                ast.unparse(node.func.value) == "sys.path":
            lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(ast.unparse(t).startswith("sys.path") for t in targets):
                lines.append(node.lineno)
    return sorted(lines)


def test_the_reading_of_sys_path_edits_is_right():
    probe = ast.parse("import sys\nsys.path.insert(0, 'x')\nsys.path += ['y']\n"
                      "sys.path[:0] = ['z']\nprint(sys.path)\nn = len(sys.path)\n")
    assert sys_path_edits(probe) == [2, 3, 4]


def test_no_tool_test_or_benchmark_edits_sys_path():
    files = [*TOOLS.glob("*.py"), *(ROOT / "tests").glob("*.py"), ROOT / "conftest.py",
             *(ROOT / "benchmarks").glob("*.py"),
             *PACKAGE.rglob("*.py")]
    edits = [f"{path.relative_to(ROOT)}:{line}" for path in files if path.exists()
             for line in sys_path_edits(tree(path))]
    assert not edits, "sys.path edited at " + ", ".join(edits)
