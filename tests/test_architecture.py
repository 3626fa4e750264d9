"""The layout holds: imports point one way, the core reads in one sitting, ``nn`` uses public autograd names only.

The import graph is built from the source with ``ast`` (every ``import`` and ``from ... import``, at module level,
inside functions and under ``if TYPE_CHECKING``), so a cycle hidden in a function body fails here too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn")
CORE = "autograd.core"
#: The core reads in one sitting: the node, the op kinds, the backward pass and grad mode, together at most this.
CORE_LINE_LIMIT = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


MODULES = _modules()


def _imported(name: str, path: Path) -> list[tuple[str, str, int]]:
    """(module, name imported from it or "", line) for every import in the file, resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                if submodule in MODULES:  # from autograd import explain: the module autograd.explain
                    found.append((submodule, "", node.lineno))
                else:
                    found.append((module, alias.name, node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the modules of our packages it imports (a package's ``__init__`` is a module of its own)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges = set()
        for module, _, _ in _imported(name, path):
            if module in MODULES and module != name:
                edges.add(module)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start, children_of_start in graph.items():
        if start in index:
            continue
        work = [(start, iter(sorted(children_of_start)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    cycles = _cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(cycle) for cycle in cycles)
    print(f"\n{len(graph)} modules, {sum(map(len, graph.values()))} imports between them, no cycle")


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_its_own_package_init(package):
    """Submodules import what they need from the module that defines it, never from the package's ``__init__``
    (which imports them: a cycle in disguise)."""
    wrong = [
        f"{name} line {line}: from {module} import {imported}"
        for name, path in MODULES.items()
        if name.startswith(f"{package}.")
        for module, imported, line in _imported(name, path)
        if module == package and imported and name.split(".")[0] == package
    ]
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_nothing_outside_the_core_but_the_standard_library():
    wrong = []
    for name, path in MODULES.items():
        if name == CORE or name.startswith(CORE + "."):
            for module, _, line in _imported(name, path):
                top = module.split(".")[0]
                inside = module == CORE or module.startswith(CORE + ".")
                if not inside and (top in PACKAGES or top not in sys.stdlib_module_names) and top != "__future__":
                    wrong.append(f"{name} line {line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_autograd_never_imports_nn():
    wrong = [
        f"{name} line {line} imports {module}"
        for name, path in MODULES.items()
        if name.split(".")[0] == "autograd"
        for module, _, line in _imported(name, path)
        if module.split(".")[0] == "nn"
    ]
    assert not wrong, "\n".join(wrong)


def test_nn_uses_public_autograd_names_only():
    wrong = [
        f"{name} line {line}: from {module} import {imported}"
        for name, path in MODULES.items()
        if name.split(".")[0] == "nn"
        for module, imported, line in _imported(name, path)
        if module.split(".")[0] == "autograd"
        and (any(part.startswith("_") for part in module.split(".")) or imported.startswith("_"))
    ]
    assert not wrong, "\n".join(wrong)


#: Following one node through the engine: the node, the op kinds (and all they inherit from), backward, grad mode.
#: ``checks.py`` (reading a number, quoting a bad one in an error) is a helper they call, shared with every tool.
CORE_FILES = ("value.py", "kinds.py", "backward.py", "mode.py")


def test_the_core_reads_in_one_sitting():
    folder = ROOT / "autograd" / "core"
    counts = {name: len((folder / name).read_text(encoding="utf-8").splitlines()) for name in CORE_FILES}
    print("\n" + "\n".join(f"{count:5d}  autograd/core/{name}" for name, count in counts.items()))
    assert sum(counts.values()) <= CORE_LINE_LIMIT, f"the core has {sum(counts.values())} lines: {counts}"
    inherited = {cls.__module__ for cls in _op_kinds() for cls in cls.__mro__} - {"builtins"}
    assert inherited <= {f"autograd.core.{name[:-3]}" for name in CORE_FILES}, inherited


def _op_kinds() -> list[type]:
    from autograd.core.kinds import BinaryOp, NaryOp, UnaryOp
    from autograd.core.value import Value

    return [UnaryOp, BinaryOp, NaryOp, Value]
