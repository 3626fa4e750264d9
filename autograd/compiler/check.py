"""Checking generated code before it runs, and running it in a fresh namespace.

The generated source is parsed with :mod:`ast` and every construct is checked against the few it is made of:
one function with plain positional arguments; assignments, ``for`` loops, ``if``, ``continue``, ``return``;
arithmetic, comparisons, conditional expressions, lists, tuples, comprehensions, subscripts; calls of names
from the namespace the compiler built (the op table's functions, ``sum_in_order``, ``mul``) and a few builtins;
the one method ``append``; numbers (no strings at all: user text is never code, only comments, which ``ast``
drops). Anything else is an internal error. The code then runs with :func:`exec` in a namespace holding only those
names, with builtins cut down to that list.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import linecache
from collections.abc import Callable, Mapping
from typing import Any

from autograd.compiler.trace import CompileError

__all__ = ["BUILTINS", "check_source", "load"]

#: The builtins generated code may call.
BUILTINS = ("abs", "any", "enumerate", "len", "list", "map", "max", "min", "range", "sum", "zip")

_ALLOWED = (
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.AugAssign, ast.Return, ast.For, ast.If,
    ast.Expr, ast.Continue, ast.Pass, ast.Name, ast.Load, ast.Store, ast.Constant, ast.BinOp, ast.UnaryOp,
    ast.Compare, ast.Call, ast.Attribute, ast.Subscript, ast.Slice, ast.List, ast.Tuple, ast.ListComp,
    ast.comprehension, ast.IfExp, ast.BoolOp, ast.Starred,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
)  # fmt: skip
_METHODS = {"append"}
_counter = itertools.count(1)


def check_source(source: str, namespace: Mapping[str, Any]) -> ast.Module:
    """Parse ``source`` and check it holds only what the compiler writes; returns the tree.

    >>> check_source("def f(x, ext):\\n    return tanh(x)\\n", {"tanh": abs}).body[0].name
    'f'
    >>> check_source("def f(x, ext):\\n    return x.__class__\\n", {})
    Traceback (most recent call last):
      ...
    autograd.compiler.trace.CompileError: compile: the generated code reads an attribute '__class__'
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise CompileError(
            f"compile: the generated code does not parse ({error}); this is a bug in glassgrad"
        ) from None
    functions = tree.body
    if len(functions) != 1 or not isinstance(functions[0], ast.FunctionDef):
        raise CompileError("compile: the generated code must be one function")
    function = functions[0]
    arguments = function.args
    if (
        function.decorator_list
        or function.returns
        or arguments.vararg
        or arguments.kwarg
        or arguments.kwonlyargs
        or arguments.defaults
        or arguments.posonlyargs
        or any(a.annotation for a in arguments.args)
    ):
        raise CompileError("compile: the generated function must take plain arguments")
    callable_names = set(namespace) | set(BUILTINS)
    known = callable_names | {a.arg for a in arguments.args}
    every = list(ast.walk(tree))
    stored = {n.id for n in every if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in every:
        if not isinstance(node, _ALLOWED):
            raise CompileError(f"compile: the generated code holds a {type(node).__name__}, which it never should")
        if isinstance(node, ast.Constant) and not (type(node.value) in (int, float) or node.value is None):
            raise CompileError(f"compile: the generated code holds a constant {node.value!r:.40}; only numbers")
        if isinstance(node, ast.Name):
            if node.id.startswith("__") or (node.id in ("ext",) and isinstance(node.ctx, ast.Store)):
                raise CompileError(f"compile: the generated code uses the name {node.id!r}")
            if isinstance(node.ctx, ast.Load) and node.id not in known and node.id not in stored:
                raise CompileError(f"compile: the generated code reads {node.id!r}, which nothing defines")
            if isinstance(node.ctx, ast.Store) and node.id in namespace:
                raise CompileError(f"compile: the generated code assigns the name {node.id!r} of its namespace")
        if isinstance(node, ast.Attribute) and node.attr not in _METHODS:
            raise CompileError(f"compile: the generated code reads an attribute {node.attr!r}")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                continue
            if not isinstance(node.func, ast.Name) or node.func.id not in callable_names:
                raise CompileError("compile: the generated code calls something outside its namespace")
            if node.keywords:
                raise CompileError("compile: the generated code passes keyword arguments")
    return tree


def load(source: str, names: Mapping[str, Any], title: str = "compiled") -> Callable[..., Any]:
    """Check ``source``, then run it in a fresh namespace holding ``names`` (and a few builtins); returns its
    function. The source is registered with :mod:`linecache` so a traceback shows the generated lines.

    >>> import math
    >>> twice_tanh = load("def f(x, ext):\\n    return 2.0 * tanh(x)\\n", {"tanh": math.tanh})
    >>> round(twice_tanh(0.5, []), 4)
    0.9242
    """
    tree = check_source(source, names)
    filename = f"<glassgrad {title} {next(_counter)}>"
    code = compile(tree, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__builtins__": {name: getattr(builtins, name) for name in BUILTINS}}
    namespace.update(names)
    exec(code, namespace)  # the code generated from the op table, checked above; no user text is in it
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    function_name = function.name
    found: Callable[..., Any] = namespace[function_name]
    return found
