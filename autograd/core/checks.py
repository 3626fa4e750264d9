"""How the engine reads a number and shows a bad one in an error: quoted short, named after the op that met it.

Not part of following a node through the engine (the node, the op kinds, backward and grad mode are): helpers
shared with every tool, so that every number is checked the same way and no error echoes unbounded input.
"""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Sized

__all__ = ["as_float", "as_label", "named_error", "quote", "real_or_none"]

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 100
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 6


def quote(x: object) -> str:
    """``repr(x)`` for an error message: about 100 characters at most, and how long ``x`` was when it is cut.

    >>> quote("a" * 500)[-16:], quote([0] * 10**6), quote(10**5000)
    ('(500 characters)', '[0, 0, 0, 0, 0, 0, ...] (1000000 items)', 'an int of about 5000 digits')
    """
    if isinstance(x, int) and x.bit_length() > 330:  # over 100 digits (past 4300, repr() itself refuses)
        return f"an int of about {int(x.bit_length() * 0.30103)} digits"
    text = _SHORT.repr(x)
    if isinstance(x, str | bytes) and len(x) > 100:
        return f"{text} ({len(x)} characters)"
    return f"{text} ({len(x)} items)" if isinstance(x, Sized) and len(x) > 6 and "..." in text else text


def named_error(error: Exception, name: str, operands: tuple) -> Exception:
    """``error`` from an op's float math (``math domain error``), as the same type naming the op and its operands.

    >>> named_error(ValueError("math domain error"), "sin", (float("inf"),))
    ValueError('sin(inf): math domain error')
    """
    if str(error).startswith(f"{name}("):  # the op's own message names it already
        return error
    return type(error)(f"{name}({', '.join(map(quote, operands))}): {error}")


def as_float(data: object, where: str) -> float:
    """A real number as a Python float (numpy's float32 too); anything else is a TypeError naming ``where``.

    >>> as_float(3, "f"), as_float(True, "f")
    (3.0, 1.0)
    """
    if type(data) is float or type(data) is int or isinstance(data, numbers.Real):
        return float(data)
    if hasattr(data, "parents") and hasattr(data, "grad"):  # a Value: its number is .data
        raise TypeError(f"{where}() needs a real number, got a Value ({quote(data)}); use it directly or .data")
    raise TypeError(f"{where}() needs a real number (int, float, ...), got {type(data).__name__}: {quote(data)}")


def real_or_none(value: object) -> float | None:
    """``value`` as a float when it is a real number and not a bool (a setting), else None; an int too large for a
    float is inf.

    >>> real_or_none(0.5), real_or_none(True), real_or_none(10**400), real_or_none("1")
    (0.5, None, inf, None)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def as_label(label: object) -> str:
    """``label`` if it is text: a str holding no lone surrogate (which a file name with bytes that are not UTF-8 holds).

    >>> as_label("w1")
    'w1'
    """
    if type(label) is not str and not isinstance(label, str):
        raise TypeError(f"Value() label must be a str, got {type(label).__name__}: {quote(label)}")
    if not label.isascii() and any("\ud800" <= c <= "\udfff" for c in label):
        raise ValueError(
            f"Value() label {quote(label)} holds a lone surrogate, which is not text (a file name with bytes that are "
            "not UTF-8 reads so); pass label.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')"
        )
    return label
