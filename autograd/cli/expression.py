"""Expressions like ``tanh(w*x + b)`` read into a graph of Values: parsed, never evaluated as Python.

A small tokenizer and a recursive-descent parser with an explicit depth limit
and length limit. The grammar, loosest first::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | "+" unary | power
    power      := atom ("**" unary)?              # right-associative; -x**2 is -(x**2), as in Python
    atom       := NUMBER | NAME | NAME "(" arguments ")" | "(" expression ")"
    arguments  := expression ("," ["-" | "+"] NUMBER)*   # extra arguments: the function's numeric parameters

A NAME followed by ``(`` must be one of :func:`functions`: each is what a user
of the library calls for an op of one value, the ``Value`` method with its
parameters and defaults (``tanh(x)`` is ``x.tanh()``, ``rrelu(x, 0.1, 0.3)``
is ``x.rrelu(0.1, 0.3)``, ``abs(x)`` is ``abs(x)``), or for an op with no
method of its own the op entry's function (``gelu_tanh``). Any other NAME is a
variable, whose value is given when the graph is built; operators are the
``Value`` operators (``2 - x`` is ``x.__rsub__(2)``). Everything else
(strings, attribute access, subscripts, keywords, lambdas, comprehensions,
``=``, names starting with ``_``) is refused with an :class:`ExpressionError`
quoting the piece (at most about 100 characters), its position and what is
allowed. Nothing in the text is ever executed: the parser only builds a tree
of :class:`Node`, and :func:`build` calls the library on it.

>>> from autograd.cli.expression import build
>>> root, leaves = build("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.5})
>>> round(root.data, 4), sorted(leaves)
(0.4621, ['b', 'w', 'x'])
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import inspect
import keyword
import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd.core.checks import quote
from autograd.core.kinds import INSTALLED, OPS, BinaryOp, UnaryOp
from autograd.core.mode import no_grad
from autograd.core.value import Value

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ExpressionError",
    "ExpressionTypeError",
    "Function",
    "Node",
    "build",
    "function_table",
    "functions",
    "parse",
    "shown",
    "variables",
]

#: The longest expression accepted, in characters.
MAX_LENGTH = 1000
#: The deepest nesting accepted (parentheses, calls, unary signs and powers each add one).
MAX_DEPTH = 40

ALLOWED = (
    "allowed: numbers (2, 0.5, 1e-3), variables (x, w1), + - * / **, unary minus, parentheses, "
    "and functions such as tanh(x), exp(x), leaky_relu(x, 0.1)"
)


class ExpressionError(ValueError):
    """An expression that cannot be read or built: the message quotes the piece and its position.

    >>> build("x +", {"x": 1.0})
    Traceback (most recent call last):
      ...
    autograd.cli.expression.ExpressionError: ...
    """


class ExpressionTypeError(ExpressionError, TypeError):
    """An expression given something that is not text, or a variable given something that is not a number.

    >>> build(3, {})
    Traceback (most recent call last):
      ...
    autograd.cli.expression.ExpressionTypeError: ...
    """


# ---------------------------------------------------------------------------
# The functions: what a user of the library calls
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Function:
    """A function an expression may call, resolved to what a user of the library calls for it.

    ``call(x, *params)`` is the ``Value`` method (``Value.tanh``, ``Value.rrelu``; ``Value.__abs__`` for
    ``abs``), or, for an op with no method of its own (``gelu_tanh``), the op entry's function. ``params`` are
    the numeric parameters after ``x`` with their defaults, in order: an expression may give the first few.

    >>> function_table()["rrelu"].signature
    'rrelu(x, lower=0.125, upper=0.333333)'
    """

    name: str
    op: str  # the op table's entry
    call: Callable[..., Value]
    params: tuple[tuple[str, float], ...] = ()

    @property
    def signature(self) -> str:
        """How it is called: ``leaky_relu(x, slope=0.01)``."""
        return f"{self.name}(x{''.join(f', {name}={default:g}' for name, default in self.params)})"


def _numeric_parameters(function: Callable[..., Any]) -> tuple[tuple[str, float], ...]:
    """The leading parameters after the first that take a number, with their defaults (rrelu: lower, upper)."""
    found = []
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        default = parameter.default
        positional = parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        if not positional or isinstance(default, bool) or not isinstance(default, numbers.Real):
            break  # rrelu's training and rng, gelu's approximate: not numbers, not for an expression
        found.append((parameter.name, float(default)))
    return tuple(found)


def function_table() -> dict[str, Function]:
    """Every function an expression may call, by name: one per op of one value in the op table.

    >>> table = function_table()
    >>> table["tanh"].call is Value.tanh, table["leaky_relu"].signature
    (True, 'leaky_relu(x, slope=0.01)')
    """
    table = {}
    for name, op in OPS.items():
        if not isinstance(op, UnaryOp):
            continue
        method = name if op.method == "" else op.method
        if method is None and INSTALLED.get(name) == f"op {name}":
            method = name  # a method beside the entry: Value.rrelu(lower, upper), Value.gelu(approximate)
        call = getattr(Value, method, None) if method is not None else None
        if call is None or call is op.apply:
            table[name] = Function(name, name, op.apply, tuple(op.params))
        else:
            table[name] = Function(name, name, call, _numeric_parameters(call))
    return table


def functions() -> list[str]:
    """The names an expression may call (see :func:`function_table`).

    >>> "tanh" in functions() and "exp" in functions()
    True
    """
    return sorted(function_table())


def _unknown_function(name: str, table: Mapping[str, Function]) -> str:
    """Why ``name`` is not a function, and what was probably meant."""
    op = OPS.get(name)
    if isinstance(op, BinaryOp):
        return f"{name} is written with its operator: a {op.symbol} b"
    if op is not None:
        return f"{name} works on a list of values, which an expression does not make; its functions take one value"
    if name.lower() in table:
        return f"did you mean {name.lower()}?"
    close = difflib.get_close_matches(name, list(table), n=1)
    if close:
        return f"did you mean {close[0]}?"
    return "the functions are " + ", ".join(sorted(table))


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op", "(", ")", ",", "end"
    text: str
    position: int  # 0-based index into the text


_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFUSED_CHARACTERS = {
    ".": "attribute access",
    "[": "a list, comprehension or subscript",
    "]": "a subscript",
    "{": "a set or dict",
    "}": "a set or dict",
    "'": "a string",
    '"': "a string",
    "=": "an assignment or keyword argument",
    ":": "a slice, lambda or annotation",
    ";": "a second statement",
    "@": "a decorator or matrix product",
    "^": "'^' (write powers with **)",
    "%": "'%'",
    "&": "'&'",
    "|": "'|'",
    "~": "'~'",
    "<": "a comparison",
    ">": "a comparison",
    "!": "'!'",
    "#": "a comment",
    "\\": "a backslash",
    "`": "a backquote",
    "$": "'$'",
    "?": "'?'",
}


def _piece(text: str, position: int, width: int = 12) -> str:
    return text[position : position + width]


def _error(text: str, position: int, what: str, advice: str = ALLOWED) -> ExpressionError:
    return ExpressionError(
        f"cannot read {what} at position {position + 1}: {quote(_piece(text, position))} in {quote(text)}; {advice}"
    )


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; refuses any character outside the grammar."""
    tokens: list[Token] = []
    position = 0
    length = len(text)
    while position < length:
        ch = text[position]
        if ch in " \t":
            position += 1
            continue
        if ch.isascii() and (ch.isdigit() or (ch == "." and text[position + 1 : position + 2].isdigit())):
            match = _NUMBER.match(text, position)
            assert match is not None
            end = match.end()
            if end < length and text[end] == ".":
                raise _error(text, position, "a malformed number")
            if end < length and (text[end].isalpha() or text[end] == "_"):
                raise _error(text, position, "a number followed by a name (write 2*x for a product)")
            tokens.append(Token("number", match.group(), position))
            position = end
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, position)
            assert match is not None
            name = match.group()
            if name.startswith("_"):
                raise _error(text, position, f"the name {quote(name)} (names starting with _ are not allowed)")
            if keyword.iskeyword(name):
                raise _error(text, position, f"the Python keyword {name!r}")
            tokens.append(Token("name", name, position))
            position = match.end()
            continue
        if text.startswith("**", position):
            tokens.append(Token("op", "**", position))
            position += 2
            continue
        if ch in "+-*/":
            tokens.append(Token("op", ch, position))
            position += 1
            continue
        if ch in "(),":
            tokens.append(Token(ch, ch, position))
            position += 1
            continue
        if ch in _REFUSED_CHARACTERS:
            raise _error(text, position, _REFUSED_CHARACTERS[ch])
        raise _error(text, position, f"the character {ch!r}")
    tokens.append(Token("end", "", length))
    return tokens


# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """One piece of a parsed expression, read from ``text[start:end]``.

    ``kind`` is ``"number"`` (its ``number``), ``"variable"`` (its ``name``), ``"neg"`` (one operand),
    ``"binary"`` (``name`` the operator ``+ - * / **``, two operands) or ``"call"`` (``name`` the function, one
    operand, and the numeric ``params`` given).

    >>> tree = parse("2 * tanh(x)")
    >>> tree.kind, tree.name, [child.kind for child in tree.operands], tree.operands[1].start
    ('binary', '*', ['number', 'call'], 4)
    """

    kind: str
    start: int
    end: int
    name: str = ""
    number: float = 0.0
    operands: tuple[Node, ...] = ()
    params: tuple[float, ...] = ()


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.max_depth = max_depth
        self.functions = function_table()

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            position = self.token.position
            raise ExpressionError(
                f"the expression is nested too deeply (more than {self.max_depth} levels of parentheses, calls, "
                f"signs or powers) at position {position + 1}: {quote(_piece(self.text, position))} "
                f"in {quote(self.text)}"
            )

    def leave(self) -> None:
        self.depth -= 1

    def expect(self, kind: str, what: str) -> Token:
        if self.token.kind != kind:
            raise self.unexpected(what)
        return self.advance()

    def unexpected(self, wanted: str) -> ExpressionError:
        token = self.token
        if token.kind == "end":
            return ExpressionError(f"the expression {quote(self.text)} ends too early: expected {wanted}")
        return _error(self.text, token.position, f"{token.text!r} (expected {wanted})")

    def expression(self) -> Node:
        node = self.term()
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            symbol = self.advance().text
            right = self.term()
            node = Node("binary", node.start, right.end, name=symbol, operands=(node, right))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.token.kind == "op" and self.token.text in ("*", "/"):
            symbol = self.advance().text
            right = self.unary()
            node = Node("binary", node.start, right.end, name=symbol, operands=(node, right))
        return node

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text in ("-", "+"):
            sign = self.advance()
            self.enter()
            operand = self.unary()
            self.leave()
            return Node("neg", sign.position, operand.end, operands=(operand,)) if sign.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.token.kind == "op" and self.token.text == "**":
            self.advance()
            self.enter()
            exponent = self.unary()
            self.leave()
            return Node("binary", base.start, exponent.end, name="**", operands=(base, exponent))
        return base

    def number(self, token: Token, what: str = "the number") -> float:
        value = float(token.text)
        if not math.isfinite(value):
            raise _error(
                self.text,
                token.position,
                f"{what} {quote(token.text)}",
                "it is too large for a float (at most 1.8e308)",
            )
        return value

    def atom(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Node("number", token.position, token.position + len(token.text), number=self.number(token))
        if token.kind == "name":
            self.advance()
            if self.token.kind == "(":
                return self.call(token)
            if token.text in self.functions:
                raise _error(self.text, token.position, f"the function {token.text!r} without its argument")
            return Node("variable", token.position, token.position + len(token.text), name=token.text)
        if token.kind == "(":
            self.advance()
            self.enter()
            node = self.expression()
            self.leave()
            close = self.expect(")", "')'")
            return dataclasses.replace(node, start=token.position, end=close.position + 1)  # the piece, parentheses too
        raise self.unexpected("a number, a name, a function call or '('")

    def call(self, name: Token) -> Node:
        function = self.functions.get(name.text)
        if function is None:
            raise ExpressionError(
                f"unknown function {quote(name.text)} at position {name.position + 1} of {quote(self.text)}: "
                + _unknown_function(name.text, self.functions)
            )
        self.advance()  # (
        if self.token.kind == ")":
            raise _error(
                self.text, name.position, f"{name.text}() without its argument", f"call it as {function.signature}"
            )
        self.enter()
        operand = self.expression()
        params: list[float] = []
        while self.token.kind == ",":
            comma = self.advance()
            if len(params) == len(function.params):
                count = len(function.params)
                takes = f"at most {count} parameter{'s' * (count > 1)}" if count else "no parameters"
                advice = f"{name.text} takes {takes}: {function.signature}"
                raise _error(self.text, comma.position, f"a parameter too many for {name.text}", advice)
            params.append(self.parameter(function, len(params)))
        end = self.expect(")", f"')' closing {name.text}(").position + 1
        self.leave()
        return Node("call", name.position, end, name=name.text, operands=(operand,), params=tuple(params))

    def parameter(self, function: Function, index: int) -> float:
        sign = 1.0
        while self.token.kind == "op" and self.token.text in ("-", "+"):
            if self.advance().text == "-":
                sign = -sign
        if self.token.kind != "number":
            raise self.unexpected(f"a number, the {function.params[index][0]} of {function.signature}")
        return sign * self.number(self.advance(), f"{function.name}'s {function.params[index][0]}")


def parse(text: str, *, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> Node:
    """The tree of ``text`` (:class:`Node`), or an :class:`ExpressionError` saying why not.

    >>> tree = parse("-x**2")  # -(x**2), as in Python
    >>> tree.kind, tree.operands[0].name, tree.operands[0].operands[0].name
    ('neg', '**', 'x')
    """
    if not isinstance(text, str):
        raise ExpressionTypeError(f"parse() needs the expression as a str, got {type(text).__name__}: {quote(text)}")
    if len(text) > max_length:
        raise ExpressionError(
            f"the expression is {len(text)} characters long, more than the {max_length} allowed: {quote(text)}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty; " + ALLOWED)
    try:
        parser = _Parser(text, max_depth)
        tree = parser.expression()
    except RecursionError:  # a max_depth raised past what Python's stack holds
        raise ExpressionError(
            f"the expression {quote(text)} is nested too deeply for Python's stack; lower max_depth ({max_depth})"
        ) from None
    if parser.token.kind != "end":
        raise parser.unexpected("an operator (+ - * / **) or the end")
    return tree


def variables(tree: Node) -> dict[str, int]:
    """Each variable the tree uses, with the position (0-based) it first appears at.

    >>> variables(parse("y * x + y"))  # x first appears at character 4
    {'y': 0, 'x': 4}
    """
    found: dict[str, int] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind == "variable":
            found[node.name] = min(node.start, found.get(node.name, node.start))
        stack.extend(node.operands)
    return dict(sorted(found.items(), key=lambda item: item[1]))


def shown(name: object) -> str:
    """A name as a message shows it: bare when it is a short str, else quoted and cut (:func:`quote`).

    >>> shown("w1"), shown("w" * 500).endswith("(500 characters)")
    ('w1', True)
    """
    return name if isinstance(name, str) and len(name) <= 40 and name.isprintable() else quote(name)


def _check_variables(text: str, used: Mapping[str, int], values: Mapping[str, Any]) -> None:
    """Every variable used given, every one given used: a typo would otherwise go unnoticed."""
    missing = [name for name in used if name not in values]
    unused = [name for name in values if name not in used]
    if missing:
        name = shown(missing[0])
        where = f"(position {used[missing[0]] + 1} of {quote(text)})"
        unused_names = [given for given in unused if isinstance(given, str)]
        close = difflib.get_close_matches(missing[0], unused_names, n=1) or (unused_names if len(unused) == 1 else [])
        if close:
            guess = shown(close[0])
            message = f"{name} is not given {where}; did you mean {guess}? ({guess} is given but not used)"
        else:
            message = f"the variable {name} has no value {where}: add {name}=<number>"
        if missing[1:]:
            message += f"; also missing: {', '.join(map(shown, missing[1:6]))}" + (" and more" if missing[6:] else "")
        raise ExpressionError(message)
    if unused:
        given = ", ".join(quote(name) for name in unused[:5]) + (f" and {len(unused) - 5} more" if unused[5:] else "")
        raise ExpressionError(
            f"{given} given but not used in {quote(text)}; its variables are: "
            + (
                ", ".join(map(shown, list(used)[:10])) + (f" and {len(used) - 10} more" if len(used) > 10 else "")
                or "none"
            )
        )


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}


def build(
    text: str,
    values: Mapping[str, float],
    *,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> tuple[Value, dict[str, Value]]:
    """The graph of ``text`` with the variables set to ``values``: (its root, the leaf Value of each variable).

    Each variable becomes one leaf labelled with its name (a variable used
    twice is one Value used twice); numbers are folded into their node as
    constants, and a piece made of numbers only is computed (``2*3`` is 6.0).
    Every variable used must be given a finite number and every one given
    used (a typo would otherwise go unnoticed). What the library refuses
    (``log(x)`` at x = -1, division by zero, ``10**400``) and a result too
    large for a float come as an :class:`ExpressionError` naming the piece of
    the expression and its position.

    >>> root, leaves = build("x * y + 1", {"x": 2.0, "y": 3.0})
    >>> root.backward(); root.data, leaves["x"].grad  # d(xy + 1)/dx = y
    (7.0, 3.0)
    """
    tree = parse(text, max_length=max_length, max_depth=max_depth)
    if not isinstance(values, Mapping):
        raise ExpressionTypeError(f"build() needs the variables' values as a mapping, got {type(values).__name__}")
    used = variables(tree)
    _check_variables(text, used, values)
    leaves: dict[str, Value] = {}
    for name in used:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ExpressionTypeError(f"the variable {shown(name)} must be given a number, got {quote(value)}")
        if not math.isfinite(value):
            raise ExpressionError(f"the variable {shown(name)} must be given a finite number, got {value!r}")
        leaves[name] = Value(float(value), label=name)
    root = _evaluate(tree, leaves, text)
    return (root if isinstance(root, Value) else Value(root)), leaves


def _evaluate(tree: Node, leaves: Mapping[str, Value], text: str) -> Any:
    """The tree's value, built by the library's own operators and methods, children first (an explicit stack)."""
    table = function_table()
    results: list[Any] = []
    stack: list[tuple[Node, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        if node.kind == "number":
            results.append(node.number)
        elif node.kind == "variable":
            results.append(leaves[node.name])
        elif not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.operands))  # the left one is computed first
        else:
            count = len(node.operands)
            operands = results[-count:]
            del results[-count:]
            results.append(_apply(node, operands, table, text))
    (result,) = results
    return result


def _apply(node: Node, operands: list[Any], table: Mapping[str, Function], text: str) -> Any:
    """One node's value, as a user of the library computes it; numbers only stay a number (a folded constant)."""
    constant = not any(isinstance(operand, Value) for operand in operands)
    try:
        with no_grad() if constant else contextlib.nullcontext():
            if constant:
                operands = [Value(operand) for operand in operands]
            if node.kind == "neg":
                result = -operands[0]
            elif node.kind == "binary":
                result = _OPERATORS[node.name](*operands)
            else:
                result = table[node.name].call(operands[0], *node.params)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise ExpressionError(f"cannot compute {_where(node, text)}: {error}") from None
    number = result.data
    if not math.isfinite(number):
        why = "too large for a float" if math.isinf(number) else "not a number"
        raise ExpressionError(f"cannot compute {_where(node, text)}: the result, {number!r}, is {why}")
    return number if constant else result


def _where(node: Node, text: str) -> str:
    return f"{quote(text[node.start : node.end])} at position {node.start + 1}"
