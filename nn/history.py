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

import json
import math
import os
from pathlib import Path
from typing import Any

__all__ = ["History"]


def _plain(data: Any) -> Any:
    """JSON without inf or nan (they become None), tuples as lists."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {str(key): _plain(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(value) for value in data]
    return data


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

    def save_html(self, path: str | os.PathLike[str], grid: int = 30) -> Path:
        """Write the replay page (one self-contained HTML file) to ``path``; see :func:`nn.replay.replay_page`."""
        from nn.replay import replay_page

        path = Path(path)
        path.write_text(replay_page(self, grid=grid), encoding="utf-8")
        return path
