"""Expressions like ``tanh(w*x + b)`` read into a graph of Values: parsed, never evaluated as Python.

A small tokenizer and a recursive-descent parser with an explicit depth limit
and length limit. The grammar, loosest first::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | "+" unary | power
    power      := atom ("**" unary)?              # right-associative; -x**2 is -(x**2), as in Python
    atom       := NUMBER | NAME | NAME "(" arguments ")" | "(" expression ")"
    arguments  := expression ("," NUMBER)*       # extra arguments: an op's numeric parameters

A NAME followed by ``(`` must be one of the op table's scalar functions
(``tanh``, ``relu``, ``exp``, ``log``, ``sigmoid``, ...); any other NAME is a
variable, whose value is given when the graph is built. Everything else
(strings, attribute access, subscripts, keywords, lambdas, comprehensions,
``=``, names starting with ``_``) is refused with an :class:`ExpressionError`
quoting the piece, its position and what is allowed. Nothing in the text is
ever executed: the parser only builds a tree of tuples, and :func:`build`
calls the op table's own functions on it.

>>> from autograd.cli.expression import build
>>> root, leaves = build("tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.5})
>>> round(root.data, 4), sorted(leaves)
(0.4621, ['b', 'w', 'x'])
"""

from __future__ import annotations

import keyword
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograd.core.kinds import OPS, UnaryOp
from autograd.core.value import Value

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ExpressionError",
    "ExpressionTypeError",
    "Node",
    "build",
    "functions",
    "parse",
    "variables",
]

#: The longest expression accepted, in characters.
MAX_LENGTH = 1000
#: The deepest nesting accepted (parentheses, calls, unary signs and powers each add one).
MAX_DEPTH = 40


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


def functions() -> list[str]:
    """The names an expression may call: the op table's scalar (unary) functions.

    >>> "tanh" in functions() and "exp" in functions()
    True
    """
    return sorted(name for name, op in OPS.items() if isinstance(op, UnaryOp))


def _allowed() -> str:
    return (
        "allowed: numbers (2, 0.5, 1e-3), variable names (x, w1), + - * / **, unary minus, parentheses, "
        "and the functions " + ", ".join(functions())
    )


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


def _error(text: str, position: int, what: str) -> ExpressionError:
    return ExpressionError(
        f"cannot read {what} at position {position + 1}: {_piece(text, position)!r} in {_shorten(text)!r}; "
        + _allowed()
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
                raise _error(text, position, f"the name {name!r} (names starting with _ are not allowed)")
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
# A node of the tree is a tuple:
#   ("number", value)  ("variable", name, position)  ("neg", operand)
#   ("binary", symbol, left, right)  ("call", name, operand, params, position)
Node = tuple


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.max_depth = max_depth
        self.functions = frozenset(functions())

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
            raise ExpressionError(
                f"the expression is nested too deeply (more than {self.max_depth} levels of parentheses, calls, "
                f"signs or powers) at position {self.token.position + 1}: {_piece(self.text, self.token.position)!r}"
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
            return ExpressionError(f"the expression {_shorten(self.text)!r} ends too early: expected {wanted}")
        return _error(self.text, token.position, f"{token.text!r} (expected {wanted})")

    def expression(self) -> Node:
        node = self.term()
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            symbol = self.advance().text
            node = ("binary", symbol, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.token.kind == "op" and self.token.text in ("*", "/"):
            symbol = self.advance().text
            node = ("binary", symbol, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text in ("-", "+"):
            sign = self.advance().text
            self.enter()
            operand = self.unary()
            self.leave()
            return ("neg", operand) if sign == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.token.kind == "op" and self.token.text == "**":
            self.advance()
            self.enter()
            exponent = self.unary()
            self.leave()
            return ("binary", "**", base, exponent)
        return base

    def atom(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            value = float(token.text)
            if not math.isfinite(value):
                raise _error(self.text, token.position, f"the number {token.text!r} (too large for a float)")
            return ("number", value)
        if token.kind == "name":
            self.advance()
            if self.token.kind == "(":
                return self.call(token)
            if token.text in self.functions:
                raise _error(self.text, token.position, f"the function {token.text!r} without its argument")
            return ("variable", token.text, token.position)
        if token.kind == "(":
            self.advance()
            self.enter()
            node = self.expression()
            self.leave()
            self.expect(")", "')'")
            return node
        raise self.unexpected("a number, a name, a function call or '('")

    def call(self, name: Token) -> Node:
        if name.text not in self.functions:
            raise _error(self.text, name.position, f"a call of {name.text!r}, which is not an op's function")
        self.advance()  # (
        self.enter()
        operand = self.expression()
        params = []
        while self.token.kind == ",":
            self.advance()
            sign = 1.0
            if self.token.kind == "op" and self.token.text == "-":
                self.advance()
                sign = -1.0
            number = self.expect("number", f"a number (a parameter of {name.text})")
            params.append(sign * float(number.text))
        self.expect(")", f"')' closing {name.text}(")
        self.leave()
        return ("call", name.text, operand, tuple(params), name.position)


def parse(text: str, *, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> Node:
    """The tree of ``text`` (tuples: see the module's docstring), or an :class:`ExpressionError` saying why not.

    >>> parse("-x**2")
    ('neg', ('binary', '**', ('variable', 'x', 1), ('number', 2.0)))
    """
    if not isinstance(text, str):
        raise ExpressionTypeError(f"parse() needs the expression as a str, got {type(text).__name__}: {text!r}")
    if len(text) > max_length:
        raise ExpressionError(
            f"the expression is {len(text)} characters long, more than the {max_length} allowed: {_shorten(text)!r}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty; " + _allowed())
    parser = _Parser(text, max_depth)
    tree = parser.expression()
    if parser.token.kind != "end":
        raise parser.unexpected("an operator (+ - * / **) or the end")
    return tree


def variables(tree: Node) -> dict[str, int]:
    """Each variable the tree uses, with the position (0-based) it first appears at.

    >>> from autograd.cli.expression import parse
    >>> variables(parse("y * x + y"))  # x first appears at character 4
    {'y': 0, 'x': 4}
    """
    found: dict[str, int] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = node[0]
        if kind == "variable":
            name, position = node[1], node[2]
            found[name] = min(position, found.get(name, position))
        elif kind == "neg":
            stack.append(node[1])
        elif kind == "binary":
            stack.extend((node[2], node[3]))
        elif kind == "call":
            stack.append(node[2])
    return dict(sorted(found.items(), key=lambda item: item[1]))


_BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}


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
    constants. Every variable used must be given and every one given used
    (a typo would otherwise go unnoticed). Errors of the ops themselves
    (``log(x)`` at x = -1, division by zero, overflow) come as an
    :class:`ExpressionError` naming the op.

    >>> root, leaves = build("x * y + 1", {"x": 2.0, "y": 3.0})
    >>> root.backward(); root.data, leaves["x"].grad  # d(xy + 1)/dx = y
    (7.0, 3.0)
    """
    tree = parse(text, max_length=max_length, max_depth=max_depth)
    if not isinstance(values, Mapping):
        raise ExpressionTypeError(f"build() needs the variables' values as a mapping, got {type(values).__name__}")
    used = variables(tree)
    missing = [name for name in used if name not in values]
    if missing:
        name = missing[0]
        raise ExpressionError(
            f"the variable {name!r} is used at position {used[name] + 1} of {_shorten(text)!r} but not given a "
            f"value: give it one, as {name}=1.5" + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
        )
    unused = [name for name in values if name not in used]
    if unused:
        raise ExpressionError(
            f"{', '.join(map(repr, unused))} given but not used in {_shorten(text)!r}; "
            f"its variables are: {', '.join(used) or 'none'}"
        )
    leaves: dict[str, Value] = {}
    for name in used:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ExpressionTypeError(f"the variable {name!r} must be given a number, got {value!r}")
        leaves[name] = Value(float(value), label=name)
    try:
        root = _evaluate(tree, leaves)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise ExpressionError(f"computing {_shorten(text)!r} failed: {error}") from error
    return (root if isinstance(root, Value) else Value(root)), leaves


def _evaluate(tree: Node, leaves: Mapping[str, Value]) -> Any:
    """The tree's value, built with the op table's functions, children first (an explicit stack, no recursion)."""
    results: list[Any] = []
    stack: list[tuple[Node, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        kind = node[0]
        if kind == "number":
            results.append(node[1])
        elif kind == "variable":
            results.append(leaves[node[1]])
        elif not children_done:
            stack.append((node, True))
            if kind == "binary":
                stack.extend(((node[3], False), (node[2], False)))  # left is computed first
            else:
                stack.append((node[2] if kind == "call" else node[1], False))
        elif kind == "neg":  # numbers stay numbers (constants folded into the nodes that use them)
            operand = results.pop()
            results.append(OPS["neg"](operand) if isinstance(operand, Value) else -operand)
        elif kind == "binary":
            right, left = results.pop(), results.pop()
            op = OPS[_BINARY[node[1]]]
            both_numbers = not isinstance(left, Value) and not isinstance(right, Value)
            results.append(op.forward(left, right) if both_numbers else op(left, right))
        else:  # call
            op, operand = OPS[node[1]], results.pop()
            results.append(op(operand, *node[3]) if isinstance(operand, Value) else op.forward(operand, *node[3]))
    (result,) = results
    return result
