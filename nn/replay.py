"""The replay page: one self-contained HTML file with a slider over a training run's weight snapshots.

For each snapshot (taken by :class:`nn.WeightSnapshots`) the page shows every
number the run recorded, as charts with axes, tick values and a legend (loss,
accuracy, the learning rate, any metric of your own), the snapshot's epoch
marked on each; for a model of two inputs and one output, the decision
boundary as a heat map over the training data with the boundary line
(output = 0.5 for probabilities, 0 for scores); each hidden neuron's output
over the input plane (an MLP); the weights as edge colours (blue positive,
orange negative, width by size) for a model made of layers; and the diagnosis
at that epoch. Any :class:`nn.Module` works: a Neuron, a Layer, an MLP, or
your own (the pictures that need layers are left out for a model without).

Every number is computed here, in Python, and given to the page as JSON; the
page is made by the page kit (:func:`autograd.pages.render`), so names (the
model's class, metrics, layers) show as text whatever they hold. It needs no
server and loads nothing from the network.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any

from autograd import Value, no_grad
from autograd.pages import plain, render
from nn.layers import MLP, Layer, Neuron
from nn.losses import binary_cross_entropy_with_logits, hinge_loss

__all__ = ["replay_data", "replay_page", "snapshot_pictures"]

#: Record keys that are not metrics to chart (the epoch is the x axis; seconds is shown, not charted).
_NOT_CHARTED = ("epoch", "seconds")


def _bounds(points: list[list[float]], margin: float = 0.5) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs) - margin, max(xs) + margin, min(ys) - margin, max(ys) + margin


def _short(number: float) -> float | None:
    """4 significant digits: the pictures need no more, and the page stays small; None for inf or nan."""
    return float(f"{number:.4g}") if math.isfinite(number) else None


def _score(output: Any) -> float | None:
    """A model's output as one number: a Value, a number, or a list of one of them; None for anything else."""
    if isinstance(output, Sequence) and not isinstance(output, str) and len(output) == 1:
        output = output[0]
    if isinstance(output, Value):
        return float(output.data)
    if isinstance(output, numbers.Real) and not isinstance(output, bool):
        return float(output)
    return None


def _layers(model: Any) -> list[tuple[str, list[Neuron], str]] | None:
    """The model as a chain of layers (name, neurons, activation), for the weights picture; None if it is not one."""
    if isinstance(model, MLP):
        return [(f"layers.{k}", layer.neurons, str(layer.activation)) for k, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [("layer", model.neurons, str(model.activation))]
    if isinstance(model, Neuron):
        return [("neuron", [model], str(model.activation))]
    found = [
        (name, module.neurons, str(module.activation))
        for name, module in model.named_modules()
        if isinstance(module, Layer) and module.neurons
    ]
    if not found or any(len(after[0].w) != len(before) for (_, before, _), (_, after, _) in itertools.pairwise(found)):
        return None  # no layers, or layers that do not feed each other: no picture of the weights
    return found


def snapshot_pictures(model: Any, bounds: tuple[float, float, float, float], grid: int) -> dict[str, Any]:
    """The model's output and (for an MLP) every hidden neuron's output on a ``grid`` x ``grid`` lattice of the plane.

    Numbers are kept to 4 significant digits. Row j, column i is the point
    (x0 + (x1 - x0) i / (grid - 1), y1 - (y1 - y0) j / (grid - 1)): rows go
    from the top of the picture down. Returns ``{"output": rows, "hidden": [[rows per neuron] per layer]}``
    (``hidden`` is empty for a model that is not an MLP).

    >>> import nn
    >>> pictures = snapshot_pictures(nn.MLP(2, [3, 1], rng=0), (-1.0, 1.0, -1.0, 1.0), 4)
    >>> sorted(pictures), len(pictures["hidden"][0])
    (['hidden', 'output'], 3)
    """
    x0, x1, y0, y1 = bounds
    layers = model.layers if isinstance(model, MLP) else []
    output: list[list[float | None]] = []
    hidden: list[list[list[list[float | None]]]] = [[[] for _ in layer.neurons] for layer in layers[:-1]]
    with no_grad():
        for j in range(grid):
            y = y1 - (y1 - y0) * j / (grid - 1)
            out_row: list[float | None] = []
            hidden_rows: list[list[list[float | None]]] = [[[] for _ in layer.neurons] for layer in layers[:-1]]
            for i in range(grid):
                point = [x0 + (x1 - x0) * i / (grid - 1), y]
                if layers:
                    current: Any = point
                    for k, layer in enumerate(layers):
                        current = [v.data for v in layer(current)]
                        if k < len(layers) - 1:
                            for n, value in enumerate(current):
                                hidden_rows[k][n].append(_short(value))
                    score = current[0]
                else:
                    score = _score(model(point))
                out_row.append(None if score is None else _short(score))
            output.append(out_row)
            for k, rows in enumerate(hidden_rows):
                for n, row in enumerate(rows):
                    hidden[k][n].append(row)
    return {"output": output, "hidden": hidden}


def _charts(metrics: list[str]) -> list[dict[str, Any]]:
    """Which metrics share a chart: the losses, the accuracies, then each other number on its own."""
    losses = [key for key in metrics if key.endswith("loss")]
    accuracies = [key for key in metrics if key.endswith("accuracy")]
    charts = []
    if losses:
        charts.append({"title": "loss", "keys": losses, "percent": False})
    if accuracies:
        charts.append({"title": "accuracy", "keys": accuracies, "percent": True})
    charts += [
        {"title": key, "keys": [key], "percent": False}
        for key in metrics
        if key not in losses and key not in accuracies and key not in _NOT_CHARTED
    ]
    return charts


def _thresholds(loss_fn: Any, labels: list[float]) -> tuple[float, float]:
    """(where the output decides, where a label decides): 0 for scores and -1/+1 labels, else 0.5 (probabilities)."""
    signed = any(label < 0 for label in labels)
    scores = signed or loss_fn in (hinge_loss, binary_cross_entropy_with_logits)
    return (0.0 if scores else 0.5), (0.0 if signed else 0.5)


def _point(x: Any) -> list[float]:
    values = list(x) if isinstance(x, Sequence) or hasattr(x, "__iter__") else [x]
    return [float(v.data if isinstance(v, Value) else v) for v in values]


def _label(target: Any) -> float | None:
    if isinstance(target, Sequence) and not isinstance(target, str):
        target = target[0] if len(target) == 1 else None
    if isinstance(target, numbers.Real) and not isinstance(target, bool):
        return float(target)
    return None


def replay_data(history: Any, grid: int = 30, *, where: str = "History.save_html()") -> dict[str, Any]:
    """What the replay page shows, as plain JSON data: the records, the charts, and one frame per snapshot.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> callbacks = [nn.WeightSnapshots(1, diagnose=False)]
    >>> history = nn.fit(model, nn.mse_loss, [([1.0, 0.0], 1.0)], optimizer=sgd, epochs=1, **quiet, callbacks=callbacks)
    >>> [frame["epoch"] for frame in replay_data(history, grid=4)["frames"]]
    [0, 1]
    """
    if not history.snapshots:
        raise ValueError(
            f"{where} needs weight snapshots: train with fit(..., callbacks=[nn.WeightSnapshots(every=k)])"
        )
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise ValueError(f"{where} grid must be an int >= 2, got {grid!r}")
    model = history.model
    if model is None:
        raise ValueError(f"{where} needs the trained model: use the History that nn.fit returns")
    records = plain(list(history), "the history's records")
    metrics: list[str] = []
    for record in records:
        metrics += [key for key, value in record.items() if key not in metrics and key != "epoch" and _is_number(value)]
    inputs = [_point(x) for x, _ in history.data]
    labels = [_label(y) for _, y in history.data]
    known = [label for label in labels if label is not None]
    threshold, label_threshold = _thresholds(history.loss_fn, known)
    layers = _layers(model)
    final = model.state_dict()
    was_training = model.training
    frames = []
    try:
        model.eval()
        two_inputs = bool(inputs) and all(len(x) == 2 for x in inputs) and len(known) == len(labels)
        if two_inputs:
            with no_grad():
                two_inputs = _score(model(inputs[0])) is not None  # one output: a boundary to draw
        bounds = _bounds(inputs) if two_inputs else (0.0, 1.0, 0.0, 1.0)
        for snapshot in history.snapshots:
            model.load_state_dict(snapshot["state"])
            frame: dict[str, Any] = {"epoch": snapshot["epoch"]}
            frame["weights"] = None if layers is None else [[[w.data for w in n.w] for n in ns] for _, ns, _ in layers]
            if two_inputs:
                frame.update(snapshot_pictures(model, bounds, grid))
            diagnosis = snapshot.get("diagnosis")
            frame["diagnosed"] = diagnosis is not None
            frame["findings"] = (
                []
                if diagnosis is None
                else [f"[{f['kind']}] {f['layer']}: {f['message']}" for f in diagnosis["findings"]]
            )
            frames.append(frame)
    finally:
        model.load_state_dict(final)
        model.train(was_training)
    return plain(
        {
            "model": type(model).__name__,
            "epochs": records,
            "metrics": metrics,
            "charts": _charts(metrics),
            "layerHealth": history.layers,
            "frames": frames,
            "points": inputs if two_inputs else [],
            "labels": labels if two_inputs else [],
            "bounds": bounds,
            "threshold": threshold,
            "labelThreshold": label_threshold,
            "sizes": [] if layers is None else [len(layers[0][1][0].w), *(len(neurons) for _, neurons, _ in layers)],
            "layerNames": [] if layers is None else [name for name, _, _ in layers],
            "activations": [] if layers is None else [activation for _, _, activation in layers],
            "hiddenNames": [name for name, _, _ in layers[:-1]] if isinstance(model, MLP) and layers else [],
        },
        "the replay page's data",
    )


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def replay_page(history: Any, grid: int = 30, *, where: str = "History.save_html()") -> str:
    """The HTML of the replay page for ``history`` (needs snapshots: ``fit(..., callbacks=[WeightSnapshots(k)])``).

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> callbacks = [nn.WeightSnapshots(1, diagnose=False)]
    >>> history = nn.fit(model, nn.mse_loss, [([1.0, 0.0], 1.0)], optimizer=sgd, epochs=1, **quiet, callbacks=callbacks)
    >>> replay_page(history, grid=4).startswith("<!DOCTYPE html>")
    True
    """
    data = replay_data(history, grid, where=where)
    return render("replay", data, title=f"training replay: {data['model']}")
