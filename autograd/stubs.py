"""Write ``autograd/core/value.pyi``: the whole surface of ``Value``, typed, where readers and type checkers look.

``Value``'s class body (:mod:`autograd.core.value`) holds its data, its constructor, its comparisons and the few
dunders every number has; everything else (``a * b``, ``x.tanh()``, ``backward``, micrograd's ``_prev``, pickling)
is added by :func:`autograd.core.kinds.install`, which records each name and who added it in
:data:`autograd.core.kinds.INSTALLED`. The stub is generated from both, so it cannot drift from the code:

- the class body and the module's functions are copied from ``value.py``'s source, bodies left out (a
  ``numbers.Real`` parameter is written ``float | numbers.Real``: to a type checker a float is not a
  ``numbers.Real``);
- each op is declared from its entry in :data:`autograd.OPS`: a binary op as its operator with a ``Value`` or a
  number on the right (``x * 2.0``) and its reflected form with a number on the left (``2.0 * x``); a unary op as
  a method taking the entry's ``params`` with their defaults (positional, as the op takes them);
- anything else installed is declared from its own signature and annotations, its first parameter as ``self``;
- a dunder that only raises (``__float__``: ``math.tanh(x)`` would drop the graph) is declared ``None``, so a
  type checker refuses ``float(x)`` as Python does.

Run ``python -m autograd.stubs`` after registering an op (``--check`` only says whether the file is current);
a test fails while the file differs from what this module writes.

>>> text = stub_text()
>>> "    def tanh(self) -> Value:" in text, "    def __rmul__(self, other: float, /) -> Value:" in text
(True, True)
"""

from __future__ import annotations

import argparse
import ast
import builtins
import inspect
import io
import sys
import textwrap
import tokenize
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import autograd  # noqa: F401 - every op and every other attribute installed on Value
from autograd.core import value as value_module
from autograd.core.kinds import INSTALLED, OPS, BinaryOp, NaryOp, UnaryOp
from autograd.core.value import Value
from autograd.files import read_file, write_file

__all__ = ["STUB_PATH", "main", "stub_text", "value_attributes"]

#: Where the stub lives: next to ``value.py``, so a type checker reads it instead.
STUB_PATH = Path(value_module.__file__).with_suffix(".pyi")
COMMAND = "python -m autograd.stubs"
_WIDTH = 120
#: Names Python itself puts in a class's ``__dict__``: not part of what Value declares.
_IMPLICIT = frozenset(
    {"__module__", "__qualname__", "__doc__", "__annotations__", "__dict__", "__weakref__"}
    | {"__firstlineno__", "__static_attributes__", "__annotate__", "__annotate_func__", "__annotations_cache__"}
)
_BUILTIN_NAMES = frozenset(dir(builtins))


def value_attributes() -> set[str]:
    """Every attribute ``Value`` itself has at run time: its class body's and all that was installed on it.

    >>> {"data", "backward", "__add__", "__radd__", "tanh", "_prev"} <= value_attributes()
    True
    """
    return set(vars(Value)) - _IMPLICIT


class _Imports:
    """The imports the stub's annotations need, found by looking each name up where the annotation was written."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # name in the stub -> module
        self.names: dict[str, set[str]] = {}  # module -> names imported from it

    def annotation(self, text: str, namespace: dict[str, Any]) -> str:
        """``text`` (an annotation's source) as the stub writes it, recording the imports it needs."""
        tree = _TowerToFloat().visit(ast.parse(text, mode="eval"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id != "Value" and node.id not in _BUILTIN_NAMES:
                node.id = self._need(node.id, namespace)
        return ast.unparse(tree)

    def _need(self, name: str, namespace: dict[str, Any]) -> str:
        if name not in namespace:
            raise NameError(f"value.pyi: the annotation name {name!r} is not defined where it is used")
        found = namespace[name]
        if isinstance(found, types.ModuleType):
            self.modules[name] = found.__name__
            return name
        real = getattr(found, "__name__", None) or getattr(found, "_name", None)
        module = getattr(found, "__module__", None)
        if not real or not module or module == "builtins":  # an alias of something without a name of its own
            self.names.setdefault("typing", set()).add("Any")
            return "Any"
        self.names.setdefault(module, set()).add(real)
        return real

    def lines(self) -> list[str]:
        """The import lines, sorted as ruff's isort sorts them (plain imports first)."""
        plain = sorted(
            f"import {module}" if module.rpartition(".")[2] == name else f"import {module} as {name}"
            for name, module in self.modules.items()
        )
        froms = [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(self.names.items())]
        return plain + froms


class _TowerToFloat(ast.NodeTransformer):
    """``numbers.Real`` -> ``float | numbers.Real``: type checkers read the numeric tower's classes as plain classes,
    so to them a ``float`` (or an ``int``: PEP 484 lets a float annotation take one) is not a ``numbers.Real``."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "numbers" and node.attr == "Real":
            return ast.copy_location(ast.BinOp(ast.Name("float", ast.Load()), ast.BitOr(), node), node)
        return self.generic_visit(node)


def _only_raises(function: ast.FunctionDef) -> bool:
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _docstring(doc: str | None, indent: str) -> list[str]:
    """A docstring as stub lines at ``indent``; a paragraph that would pass the line length is filled again."""
    if not doc:
        return []
    width = _WIDTH - len(indent) - 3
    lines: list[str] = []
    for paragraph in inspect.cleandoc(doc).replace("\\", "\\\\").split("\n\n"):
        rows = paragraph.split("\n")
        prose = not any(row.lstrip().startswith((">>>", "-", "*")) for row in rows)
        if prose and any(len(row) > width - 3 for row in rows):
            rows = textwrap.wrap(" ".join(row.strip() for row in rows), width - 3)
        lines += ["", *rows] if lines else rows
    lines = [line.replace('"""', '\\"\\"\\"') for line in lines]
    if len(lines) == 1 and len(lines[0]) <= width - 3 and not lines[0].endswith('"'):
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" if line else "" for line in lines[1:]), f'{indent}"""']


def _literal(value: object) -> str:
    """A default as the stub writes it: the value when it is a literal (strings in double quotes), else ``...``."""
    if isinstance(value, str) and '"' not in value and "\\" not in value:
        return f'"{value}"'
    if value is None or isinstance(value, bool | int | float | str) or value == ():
        return repr(value)
    return "..."


def _signature(
    function: Callable[..., Any],
    node: ast.FunctionDef,
    imports: _Imports,
    *,
    self_name: str = "",
) -> tuple[list[str], str]:
    """The parameters and the `` -> returns`` of ``function`` as the stub writes them (its source ``node`` gives the
    annotations' text); ``self_name`` renames the first parameter (a function installed as a method)."""
    namespace = function.__globals__
    sources = {a.arg: a for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    for extra in (node.args.vararg, node.args.kwarg):
        if extra is not None:
            sources[extra.arg] = extra
    parameters: list[str] = []
    previous = None
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        kind = parameter.kind
        if previous is inspect.Parameter.POSITIONAL_ONLY and kind is not inspect.Parameter.POSITIONAL_ONLY:
            parameters.append("/")
        if kind is inspect.Parameter.KEYWORD_ONLY and previous not in (
            inspect.Parameter.KEYWORD_ONLY,
            inspect.Parameter.VAR_POSITIONAL,
        ):
            parameters.append("*")
        previous = kind
        star = (
            "*" if kind is inspect.Parameter.VAR_POSITIONAL else "**" if kind is inspect.Parameter.VAR_KEYWORD else ""
        )
        annotation = sources[parameter.name].annotation
        if index == 0 and self_name:
            parameters.append(self_name)
            continue
        text = star + parameter.name
        if annotation is not None:
            text += ": " + imports.annotation(ast.unparse(annotation), namespace)
        if parameter.default is not inspect.Parameter.empty:
            text += (" = " if annotation is not None else "=") + _literal(parameter.default)
        parameters.append(text)
    if previous is inspect.Parameter.POSITIONAL_ONLY:
        parameters.append("/")
    returns = "" if node.returns is None else " -> " + imports.annotation(ast.unparse(node.returns), namespace)
    return parameters, returns


def _layout(name: str, parameters: list[str], returns: str, indent: str, suffix: str = "") -> str:
    """A ``def`` line as ruff formats it: on one line, or its parameters on one line of their own, or one each."""
    one_line = f"{indent}def {name}({', '.join(parameters)}){returns}:{suffix}"
    if len(one_line) <= _WIDTH:
        return one_line
    inner = f"{indent}    {', '.join(parameters)}"
    if len(inner) <= _WIDTH:
        return f"{indent}def {name}(\n{inner}\n{indent}){returns}:{suffix}"
    rows = "".join(f"{indent}    {parameter},\n" for parameter in parameters)
    return f"{indent}def {name}(\n{rows}{indent}){returns}:{suffix}"


def _define(
    name: str,
    signature: tuple[list[str], str],
    doc: str | None,
    indent: str = "    ",
    decorators: Iterable[str] = (),
) -> list[str]:
    """A declaration: its decorators, its ``def`` line(s), and its docstring (``...`` when it has none)."""
    body = _docstring(doc, indent + "    ")
    line = _layout(name, *signature, indent, "" if body else " ...")
    return [f"{indent}@{decorator}" for decorator in decorators] + line.split("\n") + body


def _function_node(function: Callable[..., Any]) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))


def _comments(source: str) -> dict[int, str]:
    """Each line's comment (pragmas for tools left out), by line number."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        text = token.string.lstrip("#").strip()
        if token.type == tokenize.COMMENT and not text.startswith(("noqa", "type:", "fmt:", "SPEED")):
            found[token.start[0]] = text
    return found


def _doc_or_comments(node: ast.FunctionDef, comments: dict[int, str]) -> str | None:
    """The function's docstring, or else the comments in its lines (what a reader of its source is told)."""
    doc = ast.get_docstring(node, clean=False)
    if doc is not None:
        return doc
    said = [comments[line] for line in range(node.lineno, (node.end_lineno or node.lineno) + 1) if line in comments]
    return "; ".join(said) or None


def _class_body(source: ast.ClassDef, imports: _Imports, comments: dict[int, str]) -> list[str]:
    """Value's own body: its docstring, slots, annotated data, then each method without its body."""
    namespace = vars(value_module)
    lines = [*_docstring(ast.get_docstring(source, clean=False), "    "), ""]
    annotated: set[str] = set()
    methods: list[str] = []
    for node in source.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__slots__"]:
            slots = [f'"{slot}"' for slot in ast.literal_eval(node.value)]
            line = f"    __slots__ = ({', '.join(slots)})"
            lines += (
                [line] if len(line) <= _WIDTH else ["    __slots__ = (", *(f"        {s}," for s in slots), "    )"]
            )
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            annotated.add(node.target.id)
            lines.append(f"    {node.target.id}: {imports.annotation(ast.unparse(node.annotation), namespace)}")
        elif isinstance(node, ast.FunctionDef):
            if node.name.startswith("__") and _only_raises(node):
                summary = (_doc_or_comments(node, comments) or "").split("\n")[0]
                methods.append(f"    {node.name}: None  # {summary}" if summary else f"    {node.name}: None")
                continue
            attribute = vars(Value)[node.name]
            function = attribute.fget if isinstance(attribute, property) else attribute
            if function is None:
                raise TypeError(f"Value.{node.name} is a property without a getter")
            decorators = [ast.unparse(decorator) for decorator in node.decorator_list]
            doc = _doc_or_comments(node, comments)
            methods += _define(node.name, _signature(function, node, imports), doc, decorators=decorators)
    layout = [name for name in Value.__slots__ if name not in annotated and not name.startswith("__")]
    if layout:
        imports.names.setdefault("typing", set()).add("Any")
        lines.append("    # The layout, read through parents and local_grads (see value.py):")
        lines += [f"    {name}: Any" for name in layout]
    return lines + methods


def _installed(name: str, where: str, imports: _Imports) -> list[str]:
    """The declaration of ``Value.<name>``, from its op's entry or from its own signature."""
    attribute = vars(Value)[name]
    op = OPS.get(where[3:]) if where.startswith("op ") else None
    if isinstance(op, BinaryOp) and attribute is op.apply:
        doc = f"``self {op.symbol} other``: {op.apply.__doc__}"
        return _define(name, (["self", "other: Value | float", "/"], " -> Value"), doc)
    if isinstance(op, BinaryOp):  # the reflected operator: the number on the left
        doc = f"``other {op.symbol} self``: {op.apply.__doc__}"
        return _define(name, (["self", "other: float", "/"], " -> Value"), doc)
    if isinstance(op, UnaryOp) and attribute is op.apply:
        params = [f"{param}: float = {_literal(default)}" for param, default in op.params]
        return _define(name, (["self", *params, *(["/"] if params else [])], " -> Value"), op.apply.__doc__)
    if isinstance(attribute, property):
        getter = attribute.fget
        if getter is None:
            raise TypeError(f"Value.{name} is a property without a getter")
        signature = _signature(getter, _function_node(getter), imports, self_name="self")
        lines = _define(name, signature, attribute.__doc__, decorators=["property"])
        setter = attribute.fset
        if setter is not None and not _only_raises(_function_node(setter)):  # a setter that refuses is left out
            signature = _signature(setter, _function_node(setter), imports, self_name="self")
            lines += _define(name, signature, None, decorators=[f"{name}.setter"])
        return lines
    static = isinstance(attribute, staticmethod)
    function = attribute.__func__ if static else attribute
    node = _function_node(function)
    if static or isinstance(op, NaryOp):
        return _define(name, _signature(function, node, imports), function.__doc__, decorators=["staticmethod"])
    return _define(name, _signature(function, node, imports, self_name="self"), function.__doc__)


def _module_level(tree: ast.Module, imports: _Imports, public: set[str]) -> list[str]:
    namespace = vars(value_module)
    lines: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in public:
            annotation = imports.annotation(ast.unparse(node.annotation), namespace)
            lines.append(f"{node.target.id}: {annotation}")
        elif isinstance(node, ast.FunctionDef) and node.name in public:
            signature = _signature(namespace[node.name], node, imports)
            lines += ["", *_define(node.name, signature, ast.get_docstring(node, clean=False), "")]
    return lines


def stub_text() -> str:
    """The text of ``value.pyi`` for the code as it is now (the ops registered, everything installed).

    >>> "def backward(self, gradient: float | Value | None = 1.0, *, create_graph: bool = False)" in stub_text()
    True
    """
    source = Path(value_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imports = _Imports()
    public = set(value_module.__all__)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Value"]
    body = _class_body(classes[0], imports, _comments(source))
    groups: dict[str, list[str]] = {}
    for name, where in INSTALLED.items():
        group = "the ops (autograd.ops): each from its entry in OPS" if where.startswith("op ") else where
        groups.setdefault(group, []).extend(_installed(name, where, imports))
    for group, lines in groups.items():
        body += ["", f"    # Installed by {group} (autograd.core.kinds.install):", *lines]
    functions = _module_level(tree, imports, public - {"Value"})
    module_doc = _docstring(ast.get_docstring(tree, clean=False), "")
    header = [
        f"# Generated by `{COMMAND}` from autograd/core/value.py and the names installed on Value",
        "# (autograd.core.kinds.INSTALLED). Do not edit: change the code, then run the command again.",
    ]
    exported = ", ".join(f'"{name}"' for name in value_module.__all__)
    parts = [
        *header,
        *module_doc,
        "",
        *imports.lines(),
        "",
        f"__all__ = [{exported}]",
        "",
        "class Value:",
        *body,
        "",
        *functions,
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the stub (or, with ``--check``, say whether it is current); returns the exit status.

    >>> main(["--check"])
    0
    """
    parser = argparse.ArgumentParser(prog=COMMAND, description="Write autograd/core/value.pyi from Value and its ops.")
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 if the file is out of date")
    options = parser.parse_args(argv)
    text = stub_text()
    current = read_file(STUB_PATH, what=COMMAND).decode("utf-8") if STUB_PATH.exists() else None
    if options.check:
        if current != text:
            print(f"{STUB_PATH} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        write_file(STUB_PATH, text, what=COMMAND)
        print(f"wrote {STUB_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
