"""How a Value shows in a notebook: its name, data and grad in one compact line.

Installed on :class:`autograd.Value` as ``_repr_html_`` (through the op registry) when
``autograd`` is imported, so a
cell ending in a Value shows ``w  data 0.5  grad -1.2  (mul)`` instead of a
long repr. The text repr stays ``Value(data=..., grad=..., label=...)``.

>>> from autograd import Value
>>> value_html(Value(0.5, label="w"))
'<code><b>w</b> &nbsp;data 0.5 &nbsp;grad 0.0</code>'
"""

from __future__ import annotations

import html

from autograd.core.kinds import install
from autograd.core.value import Value
from autograd.describe import format_number

__all__ = ["value_html"]


def value_html(value: Value, digits: int = 4) -> str:
    """One line of HTML: the label (if any), ``data`` and ``grad`` to ``digits`` digits, and the op that made it.

    >>> from autograd import Value
    >>> value_html(Value(2.0, label="x"))
    '<code><b>x</b> &nbsp;data 2.0 &nbsp;grad 0.0</code>'
    """
    parts = []
    if value.label:
        parts.append(f"<b>{html.escape(value.label)}</b> &nbsp;")
    parts.append(f"data {html.escape(format_number(value.data, digits))}")
    grad = value.grad
    grad_text = "Value" if isinstance(grad, Value) else format_number(grad, digits)
    parts.append(f" &nbsp;grad {html.escape(grad_text)}")
    if value.op:
        parts.append(f" &nbsp;<span style='color:#666'>({html.escape(value.op)})</span>")
    return f"<code>{''.join(parts)}</code>"


install("_repr_html_", value_html, __name__)  # the notebook's display of a Value
