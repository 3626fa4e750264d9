"""``History``: what :func:`nn.fit` recorded, epoch by epoch; curves, JSON, and a page that replays training.

A History is a list of one dict per epoch (``history[-1]["loss"]`` works as
before: ``epoch``, ``loss``, ``accuracy``, ``lr``, ``seconds``, and
``val_loss``/``val_accuracy`` with validation data), and it also keeps

- ``layers``: per epoch, per layer, ``{"grad_norm": ..., "dead_fraction": ...}``
  (the mean over the epoch's steps of sqrt(sum grad^2) over the layer's
  parameters, and the fraction of its relu neurons off for every training
  example at the end of the epoch, up to 256 examples evenly spread; None
  for a layer without relus);
- ``snapshots``: the weights every k epochs, with a diagnosis, when fit ran
  with :class:`nn.WeightSnapshots`.

``history.plot()`` draws the curves (matplotlib), ``history.to_json()`` is
plain JSON, and ``history.save_html(path)`` writes the replay page
(:mod:`nn.replay`).
"""

from __future__ import annotations

import html
import json
import math
import numbers
import os
from pathlib import Path
from typing import Any

from autograd.files import write_file
from autograd.pages import InlinePage, plain

__all__ = ["History"]


def _plain(data: Any) -> Any:
    """JSON without inf or nan (they become None), numpy numbers as Python numbers, tuples as lists."""
    return plain(data, "the history")


def _number(value: Any) -> float | None:
    """A record's value as a float (numpy numbers included), or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        value = getattr(value, "item", lambda: None)() if hasattr(value, "dtype") else None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return None
    number = float(value)
    return number if math.isfinite(number) else None


def _shown(key: str, value: float | None) -> str:
    if value is None:
        return "nan"
    if key.endswith("accuracy"):
        return f"{100 * value:.1f}%"
    return f"{value:.4g}"


class History(list):
    """The per-epoch records of a training run (a list of dicts), with per-layer numbers and snapshots.

    >>> import nn
    >>> model = nn.MLP(2, [4, 1], rng=0)
    >>> history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1),
    ...                  epochs=3, progress=False)
    >>> len(history), sorted(history.layers[-1])
    (3, ['layers.0', 'layers.1'])
    """

    def __init__(self, records: Any = ()) -> None:
        super().__init__(records)
        self.layers: list[dict[str, dict[str, float | None]]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.model: Any = None  # the trained model (not in the JSON)
        self.data: list[Any] = []  # the training examples (for the page)
        self.loss_fn: Any = None

    def column(self, key: str) -> list[float | None]:
        """One number per epoch (``history.column("loss")``); None for an epoch that lacks it."""
        return [record.get(key) for record in self]

    def to_dict(self) -> dict[str, Any]:
        """The history as plain data: ``{"format", "version", "epochs", "layers", "snapshots"}``."""
        return _plain(
            {
                "format": "glassgrad-history",
                "version": 1,
                "epochs": list(self),
                "layers": self.layers,
                "snapshots": self.snapshots,
            }
        )

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as a JSON string (inf and nan written as null, so any JSON reader takes it)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def plot(self, keys: tuple[str, ...] | None = None) -> Any:
        """Loss and accuracy curves (training and validation), the rate, and each layer's gradient norm.

        Returns the matplotlib ``Figure`` (not shown, not saved: ``fig.savefig(...)``).
        """
        try:
            import matplotlib

            if "matplotlib.pyplot" not in __import__("sys").modules:
                matplotlib.use("Agg")
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError('History.plot() needs matplotlib: pip install "glassgrad[demos]"') from None
        epochs = self.column("epoch")
        figure = Figure(figsize=(10.0, 3.2))
        panels = figure.subplots(1, 3)
        for key, style in (("loss", "-"), ("val_loss", "--")):
            if any(v is not None for v in self.column(key)):
                panels[0].plot(epochs, self.column(key), style, label=key)
        panels[0].set_title("loss")
        for key, style in (("accuracy", "-"), ("val_accuracy", "--")):
            if any(v is not None for v in self.column(key)):
                panels[1].plot(epochs, self.column(key), style, label=key)
        panels[1].set_title("accuracy")
        names = sorted({name for layer in self.layers for name in layer})
        for name in names:
            panels[2].plot(epochs, [layer.get(name, {}).get("grad_norm") for layer in self.layers], label=name)
        if names:
            panels[2].set_yscale("log")
        panels[2].set_title("gradient norm per layer")
        for panel in panels:
            panel.set_xlabel("epoch")
            if panel.get_legend_handles_labels()[0]:
                panel.legend(fontsize=7)
        figure.tight_layout()
        return figure

    def metrics(self) -> list[str]:
        """The names of the numbers recorded per epoch (``loss``, ``accuracy``, ``lr``, ...), in first-seen order."""
        names: list[str] = []
        for record in self:
            names += [key for key in record if key not in names and key != "epoch"]
        return names

    def __repr__(self) -> str:
        """One line: the epochs, how the loss (and accuracy) went, the snapshots kept."""
        if not self:
            return "<History: no epochs>"
        parts = []
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = [_number(record.get(key)) for record in self if key in record]
            if values:
                parts.append(f"{key} {_shown(key, values[0])} -> {_shown(key, values[-1])}")
        epochs = f"{len(self)} epoch{'s' if len(self) != 1 else ''}"
        snapshots = f"; {len(self.snapshots)} snapshots" if self.snapshots else ""
        return f"<History: {epochs}, {', '.join(parts)}{snapshots}>" if parts else f"<History: {epochs}{snapshots}>"

    def _repr_html_(self) -> str:
        """In a notebook: the summary line, the curves (small charts with axes) and a table of the epochs."""
        metrics = [key for key in self.metrics() if any(_number(record.get(key)) is not None for record in self)]
        epochs = [_number(record.get("epoch")) for record in self]
        groups = [
            ("loss", [key for key in metrics if key.endswith("loss")], False),
            ("accuracy", [key for key in metrics if key.endswith("accuracy")], True),
        ]
        charts = "".join(
            _svg_chart(title, [(key, [_number(r.get(key)) for r in self]) for key in keys], epochs, percent)
            for title, keys, percent in groups
            if keys
        )
        rows = list(range(len(self)))
        if len(rows) > 8:
            rows = [*rows[:3], -1, *rows[-3:]]
        header = "".join(f"<th>{html.escape(key)}</th>" for key in ["epoch", *metrics])
        body = []
        for k in rows:
            if k < 0:
                body.append(f"<tr><td colspan='{len(metrics) + 1}' style='text-align:center'>...</td></tr>")
                continue
            record = self[k]
            cells = [html.escape(str(record.get("epoch", k + 1)))]
            cells += [html.escape(_shown(key, _number(record.get(key)))) for key in metrics]
            body.append("<tr>" + "".join(f"<td style='text-align:right'>{cell}</td>" for cell in cells) + "</tr>")
        summary = html.escape(repr(self))
        table_style = "border-collapse:collapse;font-size:inherit;font-variant-numeric:tabular-nums"
        return (
            "<div class='glassgrad-history' style='max-width:100%;overflow-x:auto'>"
            f"<p><code>{summary}</code></p>"
            f"<div style='display:flex;flex-wrap:wrap;gap:1em'>{charts}</div>"
            f"<table style='{table_style}'><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "</div>"
        )

    def replay(self, grid: int = 30, height: int = 820) -> InlinePage:
        """The replay page shown inline in a notebook (an iframe holding the page; nothing served or written).

        The same page :meth:`save_html` writes: a slider over the epochs, the loss and accuracy curves, the
        decision boundary and the weights. ``.save(path)`` writes it to a file.

        >>> import nn
        >>> model = nn.MLP(2, [4, 1], activation="tanh", rng=0)
        >>> history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.5), epochs=3,
        ...                  rng=0, progress=False, callbacks=[nn.WeightSnapshots(every=1)])
        >>> history.replay()
        <training replay, 3 epochs; shown inline in a notebook, .save(path) to keep it>
        """
        from nn.replay import replay_page

        epochs = f"{len(self)} epoch{'s' if len(self) != 1 else ''}"
        return InlinePage(replay_page(self, grid=grid, where="History.replay()"), f"training replay, {epochs}", height)

    def save_html(self, path: str | os.PathLike[str], grid: int = 30) -> Path:
        """Write the replay page (one self-contained HTML file) to ``path``; see :func:`nn.replay.replay_page`.

        Works for any :class:`nn.Module` trained by :func:`nn.fit` with :class:`nn.WeightSnapshots`. The page is
        written whole or not at all (:func:`autograd.files.write_file`): on a full disk the old page stays.
        """
        from nn.replay import replay_page

        return write_file(path, replay_page(self, grid=grid), what="History.save_html()")


def _svg_chart(
    title: str, series: list[tuple[str, list[float | None]]], epochs: list[float | None], percent: bool
) -> str:
    """A small chart for a notebook: axes with tick values at the ends and the middle, one line per series, a legend."""
    width, height, left, right, top, bottom = 300, 150, 52, 10, 22, 30
    points = [(e, v) for _, values in series for e, v in zip(epochs, values) if e is not None and v is not None]
    if not points:
        return ""
    x_lo, x_hi = min(e for e, _ in points), max(e for e, _ in points)
    y_lo, y_hi = min(v for _, v in points), max(v for _, v in points)
    if percent:
        y_lo, y_hi = min(0.0, y_lo), max(1.0, y_hi)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - (abs(y_lo) or 1) * 0.1, y_hi + (abs(y_hi) or 1) * 0.1

    def x(e: float) -> float:
        return left + (width - left - right) * (e - x_lo) / (x_hi - x_lo)

    def y(v: float) -> float:
        return height - bottom - (height - top - bottom) * (v - y_lo) / (y_hi - y_lo)

    def tick(v: float) -> str:
        return f"{100 * v:.0f}%" if percent else f"{v:.3g}"

    colours = ("#c0392b", "#2471a3", "#1e8449", "#8e44ad", "#b9770e")
    parts = [
        f"<text x='{left}' y='14' font-size='12' font-weight='bold'>{html.escape(title)}</text>",
        f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='#555'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#555'/>",
        f"<text x='{(left + width - right) / 2}' y='{height - 4}' font-size='11' text-anchor='middle'>epoch</text>",
    ]
    for v in (y_lo, (y_lo + y_hi) / 2, y_hi):
        parts.append(f"<text x='{left - 4}' y='{y(v) + 4:.1f}' font-size='10' text-anchor='end'>{tick(v)}</text>")
    for e in (x_lo, x_hi):
        parts.append(
            f"<text x='{x(e):.1f}' y='{height - bottom + 13}' font-size='10' text-anchor='middle'>{e:g}</text>"
        )
    legend = []
    for k, (name, values) in enumerate(series):
        colour = colours[k % len(colours)]
        dash = " stroke-dasharray='5 3'" if name.startswith("val_") else ""
        line = " ".join(f"{x(e):.1f},{y(v):.1f}" for e, v in zip(epochs, values) if e is not None and v is not None)
        parts.append(f"<polyline points='{line}' fill='none' stroke='{colour}' stroke-width='2'{dash}/>")
        swatch = f"display:inline-block;width:1.6em;border-top:2px {'dashed' if dash else 'solid'} {colour}"
        legend.append(f"<span style='margin-right:1em'><span style='{swatch}'></span> {html.escape(name)}</span>")
    svg = f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img'>{''.join(parts)}</svg>"
    return f"<figure style='margin:0'>{svg}<figcaption style='font-size:0.85em'>{''.join(legend)}</figcaption></figure>"
