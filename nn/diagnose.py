"""``diagnose(model, data)``: why a net fails, in its own numbers (vanishing gradients, dead relus, ...).

One forward and one backward pass over ``data`` (a list of ``(x, y)``
pairs, as one batch), and the model is left as it was: no weight moves and
every ``.grad`` is put back. For each layer it measures

- ``grad_norm``: sqrt(sum of grad^2) over the layer's weights and biases;
- ``grad_to_weight``: ``mean |grad| / mean |weight|`` (weights only);
- ``update_to_weight``: ``lr * ||grad|| / ||weights||``, the size of one SGD step
  relative to the weights (around 1e-3 is the usual healthy figure);
- ``dead_fraction``: for relu layers, the fraction of neurons that are off
  (output 0) for every sample, and which (``dead_neurons``);
- ``saturated_fraction``: for sigmoid and tanh layers, the fraction of outputs
  within 0.01 of the function's limits (0 and 1, or -1 and 1);
- ``mean_slope``: the mean derivative of the activation over the samples;
- ``symmetric_groups``: neurons whose incoming weights and bias are equal, so
  they compute the same function (and, if their outgoing weights are equal
  too, get the same gradient: gradient descent can never tell them apart),

and turns what is wrong into :class:`Finding` s: ``vanishing_gradients``,
``exploding_gradients``, ``dead_relu``, ``saturated``, ``symmetric_neurons``,
each with the layer, the neurons (dotted names such as
``layers.0.neurons.3``), the numbers and a sentence in plain words. Numbers
that are not finite come first: ``non_finite_weights`` (a weight or bias is
nan or inf), ``non_finite_data`` (an example's input or target is; such
examples are left out of the pass), ``non_finite_loss`` and
``non_finite_gradients`` (the pass itself made a nan or inf).

>>> import nn
>>> model = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
...                init=lambda rng, fan_in, fan_out: rng.gauss(0.0, 1.0) * 0.01, rng=0)
>>> report = nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=0.1)
>>> report.kinds()          # the textbook XOR net that stays at loss 0.25
['vanishing_gradients']
>>> report.findings[0].layer
'layers.0'
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from autograd import Value, enable_grad
from autograd.core.checks import quote
from nn.data import non_finite_examples
from nn.layers import MLP, Layer
from nn.losses import mse_loss

__all__ = ["Diagnosis", "Finding", "LayerReport", "Thresholds", "diagnose"]

#: Outputs closer than this to an activation's limit count as saturated.
SATURATION_MARGIN = 0.01
_LIMITS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Thresholds:
    """When a number becomes a finding (the defaults are the usual rules of thumb).

    >>> Thresholds().dead, Thresholds(dead=0.2).dead   # the fraction of dead neurons that makes a finding
    (0.4, 0.2)
    """

    vanishing_update: float = 1e-5  # lr * ||grad|| / ||w|| below this: a step moves the weights by < 0.001%
    exploding_update: float = 1.0  # above this: one step changes the weights by more than their size
    saturated: float = 0.5  # more than half of a hidden layer's outputs at a limit
    dead: float = 0.4  # more than 40% of a relu layer off for every sample (a few dead relus are common)
    vanishing_shrink: float = 0.01  # a hidden layer's grad/weight below 1% of the last layer's
    loss_floor: float = 1e-3  # below this loss a small gradient means "done", not "stuck"
    equal_tolerance: float = 1e-12  # weights this close (relative) count as equal


@dataclass
class Finding:
    """One thing wrong: ``kind``, where (``layer``, ``neurons``), the ``numbers`` behind it, and ``message``.

    >>> import nn
    >>> report = diagnose(nn.MLP(2, [3, 1], rng=0), [([1.0, 2.0], 1.0)], lr=100.0)
    >>> all(isinstance(f, Finding) and f.message for f in report.findings)
    True
    """

    kind: str
    layer: str
    neurons: list[str]
    numbers: dict[str, float]
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.layer}: {self.message}"


@dataclass
class LayerReport:
    """The measurements of one layer (see the module docstring for each number).

    >>> import nn
    >>> layer = diagnose(nn.MLP(2, [3, 1], rng=0), [([1.0, 2.0], 1.0)]).layers[0]
    >>> layer.size, layer.activation
    (3, 'relu')
    """

    name: str
    activation: str
    size: int
    grad_norm: float
    grad_to_weight: float
    update_to_weight: float
    mean_abs_weight: float
    mean_slope: float | None
    dead_fraction: float | None
    dead_neurons: list[str] = field(default_factory=list)
    saturated_fraction: float | None = None
    symmetric_groups: list[list[str]] = field(default_factory=list)


@dataclass
class Diagnosis:
    """What :func:`diagnose` found: ``layers`` (one :class:`LayerReport` each), ``findings``, ``loss``, ``lr``.

    ``str(diagnosis)`` is a table and the findings in words; in a notebook it
    shows as an HTML table; :meth:`to_dict` is plain JSON-ready data.

    >>> import nn
    >>> report = diagnose(nn.MLP(2, [3, 1], rng=0), [([1.0, 2.0], 1.0)])
    >>> isinstance(report.loss, float), isinstance(report.findings, list)
    (True, True)
    """

    loss: float
    lr: float
    layers: list[LayerReport]
    findings: list[Finding]
    output_spread: float  # max - min of the outputs over the samples

    def kinds(self) -> list[str]:
        """The kinds of the findings, in order (``[]`` for a healthy net)."""
        return [finding.kind for finding in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (numbers, strings, lists, dicts): ``json.dumps`` takes it as it is."""
        return _finite(asdict(self))

    def table(self) -> list[list[str]]:
        """The per-layer table: a header row, then one row of formatted numbers per layer."""
        rows = [["layer", "activation", "|grad|", "grad/weight", "update/weight", "dead", "saturated", "equal"]]
        for layer in self.layers:
            rows.append(
                [
                    layer.name,
                    layer.activation,
                    f"{layer.grad_norm:.2e}",
                    f"{layer.grad_to_weight:.2e}",
                    f"{layer.update_to_weight:.2e}",
                    "-" if layer.dead_fraction is None else f"{layer.dead_fraction:.0%}",
                    "-" if layer.saturated_fraction is None else f"{layer.saturated_fraction:.0%}",
                    str(sum(len(group) for group in layer.symmetric_groups)) if layer.symmetric_groups else "-",
                ]
            )
        return rows

    def __str__(self) -> str:
        rows = self.table()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [f"diagnosis: loss {self.loss:.6g}, lr {self.lr:g}"]
        lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        if not self.findings:
            lines.append("no findings: the gradients flow and every neuron is alive")
        for finding in self.findings:
            lines.append(f"- {finding}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = self.table()
        head = "".join(f"<th>{html.escape(cell)}</th>" for cell in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
        items = "".join(
            f"<li><b>{html.escape(f.kind)}</b> ({html.escape(f.layer)}): {html.escape(f.message)}</li>"
            for f in self.findings
        )
        verdict = f"<ul>{items}</ul>" if items else "<p>no findings: the gradients flow and every neuron is alive</p>"
        return (
            f"<p>diagnosis: loss {self.loss:.6g}, lr {self.lr:g}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{verdict}"
        )


def _finite(data: Any) -> Any:
    """JSON has no inf or nan: they become None."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def _layers_of(model: Any) -> list[tuple[str, Layer]]:
    if isinstance(model, MLP):
        return [(f"layers.{i}", layer) for i, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [("", model)]
    raise TypeError(f"diagnose() needs an nn.MLP or an nn.Layer, got {type(model).__name__} {quote(model)}")


def _neuron_name(layer_name: str, index: int) -> str:
    return f"{layer_name}.neurons.{index}" if layer_name else f"neurons.{index}"


def _norm(numbers: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in numbers))


def _mean_abs(numbers: Sequence[float]) -> float:
    return sum(abs(x) for x in numbers) / len(numbers) if numbers else 0.0


def _slope(activation: str, out: float) -> float | None:
    if activation == "sigmoid":
        return out * (1.0 - out)
    if activation == "tanh":
        return 1.0 - out * out
    if activation == "relu":
        return 1.0 if out > 0.0 else 0.0
    if activation == "linear":
        return 1.0
    return None


def _equal(a: Sequence[float], b: Sequence[float], tolerance: float) -> bool:
    return all(x == y or abs(x - y) <= tolerance * max(abs(x), abs(y)) for x, y in zip(a, b))


def _groups(rows: list[list[float]], tolerance: float) -> list[list[int]]:
    """Indices of rows that are equal to each other (groups of two or more), in order."""
    groups: list[list[int]] = []
    for i, row in enumerate(rows):
        for group in groups:
            if _equal(rows[group[0]], row, tolerance):
                group.append(i)
                break
        else:
            groups.append([i])
    return [group for group in groups if len(group) > 1]


def diagnose(
    model: MLP | Layer,
    data: Sequence[tuple[Any, Any]],
    loss: Callable[[list[Any], list[Any]], Value] = mse_loss,
    lr: float = 0.1,
    thresholds: Thresholds | None = None,
) -> Diagnosis:
    """One forward and backward pass of ``loss`` over ``data``, measured layer by layer; the model is unchanged.

    ``lr`` is the learning rate the update-to-weight ratio is computed for
    (``lr * ||grad|| / ||weights||``: what one plain SGD step would do).
    ``thresholds`` decides when a number becomes a finding. Returns a
    :class:`Diagnosis`; ``diagnosis.findings`` is empty for a healthy net.

    >>> import nn
    >>> report = diagnose(nn.MLP(2, [3, 1], rng=0), [([1.0, 2.0], 1.0), ([0.0, -1.0], 0.0)])
    >>> [layer.name for layer in report.layers]
    ['layers.0', 'layers.1']
    """
    layers = _layers_of(model)
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        raise TypeError(f"diagnose() data must be a list of (x, y) pairs, got {type(data).__name__} {quote(data)}")
    if not data:
        raise ValueError("diagnose() needs at least one (x, y) example, got none")
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not lr > 0 or not math.isfinite(lr):
        raise ValueError(f"diagnose() lr must be a positive number, got {type(lr).__name__} {quote(lr)}")
    if thresholds is not None and not isinstance(thresholds, Thresholds):
        raise TypeError(f"diagnose() thresholds must be an nn.diagnose.Thresholds, got {quote(thresholds)}")
    limits = thresholds or Thresholds()
    first = _non_finite_findings(layers, data)
    bad = {index for index, *_ in non_finite_examples(data)}
    kept = [example for index, example in enumerate(data) if index not in bad] if bad else data
    try:
        return _diagnose(model, layers, kept, loss, float(lr), limits, first)
    except (ValueError, ArithmeticError):
        if not first:
            raise
        # the nan weights made the loss refuse its inputs (a probability of nan): the findings say why
        return Diagnosis(loss=math.nan, lr=float(lr), layers=[], findings=first, output_spread=math.nan)


def _non_finite_findings(layers: list[tuple[str, Layer]], data: Sequence[tuple[Any, Any]]) -> list[Finding]:
    """A finding for each layer holding a weight or bias that is nan or inf, and one for the data's bad examples."""
    findings = []
    for name, layer in layers:
        bad = [
            (_neuron_name(name, j), f"{_neuron_name(name, j)}.{part}", value)
            for j, neuron in enumerate(layer.neurons)
            for part, value in [*((f"w.{i}", w.data) for i, w in enumerate(neuron.w)), ("b", _bias(neuron))]
            if not math.isfinite(value)
        ]
        if bad:
            shown = ", ".join(f"{where} = {value!r}" for _, where, value in bad[:3])
            more = f" and {len(bad) - 3:,} more" if len(bad) > 3 else ""
            findings.append(
                Finding(
                    "non_finite_weights",
                    name,
                    list(dict.fromkeys(neuron for neuron, _, _ in bad)),
                    {"count": float(len(bad))},
                    f"{len(bad):,} {'weight is' if len(bad) == 1 else 'weights are'} not finite ({shown}{more}): "
                    "every output and gradient that passes "
                    "through them is nan or inf, so nothing else can be measured there. A step with a learning rate "
                    "far too large or with nan gradients put them there: load the last good weights or start again.",
                )
            )
    examples = list(non_finite_examples(data))
    if examples:
        index, part, where, number = examples[0]
        more = f" and {len(examples) - 1:,} more examples" if len(examples) > 1 else ""
        findings.append(
            Finding(
                "non_finite_data",
                "data",
                [],
                {"examples": float(len(examples)), "first": float(index)},
                f"example {index}'s {part}{where} is {quote(number)}{more}: a nan or inf in the data turns every "
                "gradient into nan (fit refuses such data). They are left out of this diagnosis: remove or repair "
                "them.",
            )
        )
    return findings


def _bias(neuron: Any) -> float:
    return 0.0 if neuron.b is None else neuron.b.data


def _diagnose(
    model: MLP | Layer,
    layers: list[tuple[str, Layer]],
    data: Sequence[tuple[Any, Any]],
    loss: Callable[[list[Any], list[Any]], Value],
    lr: float,
    limits: Thresholds,
    first: list[Finding],
) -> Diagnosis:
    """The pass and the measurements; ``first`` are the findings about numbers that are not finite."""
    if not data:
        return Diagnosis(loss=math.nan, lr=lr, layers=[], findings=first, output_spread=math.nan)
    parameters = model.parameters()
    saved_grads = [p.grad for p in parameters]
    try:
        with enable_grad():
            outputs_by_layer: list[list[list[float]]] = [[] for _ in layers]
            outputs = []
            for x, _ in data:
                current: Any = x
                for k, (_, layer) in enumerate(layers):
                    current = layer(current)
                    outputs_by_layer[k].append([v.data for v in current])
                single = len(current) == 1 and isinstance(model, MLP)
                outputs.append(current[0] if single else current)
            value = loss(outputs, [y for _, y in data])
            for p in parameters:
                p.grad = 0.0
            value.backward()
        grads = {p: (p.grad.data if isinstance(p.grad, Value) else p.grad) for p in parameters}
    finally:
        for p, grad in zip(parameters, saved_grads):
            p.grad = grad
    reports = [
        _layer_report(
            name, layer, outputs_by_layer[k], grads, lr, limits, layers[k + 1][1] if k + 1 < len(layers) else None
        )
        for k, (name, layer) in enumerate(layers)
    ]
    last = outputs_by_layer[-1]
    spread = max(max(row) - min(row) for row in zip(*last)) if len(last) > 1 else 0.0
    constant = _constant_loss(loss, outputs, [y for _, y in data])
    findings = first + _findings(reports, spread, value.data, constant, limits)
    if not first and not math.isfinite(value.data):
        findings.insert(
            0,
            Finding(
                "non_finite_loss",
                layers[-1][0],
                [],
                {"loss": value.data},
                f"the loss is {value.data!r} although every weight and input is finite: an activation or the loss "
                "overflowed (inputs of a large size, or a log of 0). Scale the inputs to about [-1, 1].",
            ),
        )
    elif not first:
        findings[:0] = [
            Finding(
                "non_finite_gradients",
                report.name,
                [],
                {"grad_norm": report.grad_norm},
                f"the gradient of this layer is not finite (norm {report.grad_norm!r}) although the loss is "
                f"{value.data:.4g}: a derivative overflowed or was taken where it is infinite (a square root or "
                "log at 0). A step with it would write nan into the weights.",
            )
            for report in reports
            if not math.isfinite(report.grad_norm)
        ]
    return Diagnosis(loss=value.data, lr=lr, layers=reports, findings=findings, output_spread=spread)


def _layer_report(
    name: str,
    layer: Layer,
    outputs: list[list[float]],
    grads: dict[Value, float],
    lr: float,
    limits: Thresholds,
    following: Layer | None,
) -> LayerReport:
    activation = layer.activation if isinstance(layer.activation, str) else "custom"
    weights = [w for neuron in layer.neurons for w in neuron.w]
    params = weights + [neuron.b for neuron in layer.neurons if neuron.b is not None]
    weight_grads = [grads[w] for w in weights]
    all_grads = [grads[p] for p in params]
    weight_norm = _norm([w.data for w in weights])
    grad_norm = _norm(all_grads)
    mean_abs_weight = _mean_abs([w.data for w in weights])
    slopes = [_slope(activation, out) for row in outputs for out in row]
    mean_slope = None if None in slopes else sum(slopes) / len(slopes)  # type: ignore[arg-type]
    report = LayerReport(
        name=name,
        activation=activation,
        size=len(layer.neurons),
        grad_norm=grad_norm,
        grad_to_weight=_mean_abs(weight_grads) / mean_abs_weight if mean_abs_weight > 0 else math.inf,
        update_to_weight=lr * grad_norm / weight_norm if weight_norm > 0 else math.inf,
        mean_abs_weight=mean_abs_weight,
        mean_slope=mean_slope,
        dead_fraction=None,
    )
    if activation == "relu":
        dead = [j for j in range(len(layer.neurons)) if all(row[j] == 0.0 for row in outputs)]
        report.dead_fraction = len(dead) / len(layer.neurons)
        report.dead_neurons = [_neuron_name(name, j) for j in dead]
    if activation in _LIMITS:
        low, high = _LIMITS[activation]
        near = sum(
            1 for row in outputs for out in row if out - low < SATURATION_MARGIN or high - out < SATURATION_MARGIN
        )
        report.saturated_fraction = near / (len(outputs) * len(layer.neurons))
    rows = [[*(w.data for w in neuron.w), 0.0 if neuron.b is None else neuron.b.data] for neuron in layer.neurons]
    report.symmetric_groups = [
        [_neuron_name(name, j) for j in group] for group in _groups(rows, limits.equal_tolerance)
    ]
    return report


def _constant_loss(loss: Callable, outputs: list[Any], targets: list[Any]) -> float | None:
    """The loss of answering every input with the mean output (one output neuron only), else None."""
    if not all(isinstance(out, Value) for out in outputs):
        return None
    mean = sum(out.data for out in outputs) / len(outputs)
    try:
        return loss([Value(mean) for _ in outputs], targets).data
    except (TypeError, ValueError):
        return None


def _why_small(k: int, reports: list[LayerReport], spread: float, loss: float, constant: float | None) -> str:
    """The reasons a layer's gradient is small, each from the net's own numbers."""
    reasons = []
    layer = reports[k]
    if layer.dead_fraction:
        reasons.append(f"{layer.dead_fraction:.0%} of its relus are off for every sample and pass no gradient")
    for following in reports[k + 1 :]:
        reasons.append(
            f"on its way back the gradient is multiplied by {following.name}'s weights (mean |w| "
            f"{following.mean_abs_weight:.2g})"
            + (f" and {following.activation}'s slope (mean {following.mean_slope:.2g})" if following.mean_slope else "")
        )
    if layer.mean_slope is not None and layer.activation in _LIMITS:
        most = 0.25 if layer.activation == "sigmoid" else 1.0
        reasons.append(f"its own {layer.activation} slope averages {layer.mean_slope:.2g} (at most {most:g})")
    if constant is not None and spread < 0.01 and abs(loss - constant) <= 0.01 * max(abs(constant), 1e-12):
        reasons.append(
            f"the output is almost the same for every input (spread {spread:.2g}) and the loss {loss:.4g} is that "
            f"of the best constant answer ({constant:.4g}): the samples' pulls on the weights nearly cancel"
        )
    return "; ".join(reasons)


def _findings(
    reports: list[LayerReport], spread: float, loss: float, constant: float | None, limits: Thresholds
) -> list[Finding]:
    findings: list[Finding] = []
    last = reports[-1]
    for k, layer in enumerate(reports):
        hidden = k < len(reports) - 1
        if layer.dead_fraction is not None and layer.dead_fraction > limits.dead:
            findings.append(
                Finding(
                    "dead_relu",
                    layer.name,
                    list(layer.dead_neurons),
                    {"dead_fraction": layer.dead_fraction, "dead": float(len(layer.dead_neurons))},
                    f"{len(layer.dead_neurons)} of {layer.size} relu neurons are off for every sample "
                    f"({', '.join(layer.dead_neurons)}): their gradient is 0, so they never learn again. "
                    "A smaller learning rate, He initialization or leaky_relu keeps them alive.",
                )
            )
        if hidden and layer.saturated_fraction is not None and layer.saturated_fraction > limits.saturated:
            findings.append(
                Finding(
                    "saturated",
                    layer.name,
                    [],
                    {"saturated_fraction": layer.saturated_fraction, "mean_slope": layer.mean_slope or 0.0},
                    f"{layer.saturated_fraction:.0%} of its {layer.activation} outputs are within "
                    f"{SATURATION_MARGIN} of the limits, where the slope is almost 0 (mean "
                    f"{layer.mean_slope:.2g}): the gradient dies there. Smaller initial weights or inputs scaled "
                    "to about [-1, 1] help.",
                )
            )
        for group in layer.symmetric_groups:
            findings.append(
                Finding(
                    "symmetric_neurons",
                    layer.name,
                    list(group),
                    {"size": float(len(group))},
                    f"{', '.join(group)} have equal weights and bias: they compute the same function, get the same "
                    "gradient if their outgoing weights are equal too, and so stay equal forever (the symmetry is "
                    "never broken). Start from random weights.",
                )
            )
        if loss <= limits.loss_floor or not math.isfinite(layer.update_to_weight):
            continue
        shrink = layer.grad_to_weight / last.grad_to_weight if last.grad_to_weight > 0 else None
        tiny = layer.update_to_weight < limits.vanishing_update
        shrinks = hidden and shrink is not None and shrink < limits.vanishing_shrink
        if tiny or shrinks:
            numbers = {"update_to_weight": layer.update_to_weight, "grad_norm": layer.grad_norm}
            told = f"one SGD step would change its weights by {layer.update_to_weight:.2g} of their size"
            if shrink is not None and hidden:
                numbers["shrink"] = shrink
                told += f", and its mean |grad|/|w| is {shrink:.2g} times {last.name}'s"
            findings.append(
                Finding(
                    "vanishing_gradients",
                    layer.name,
                    [],
                    numbers,
                    f"the gradient has all but vanished: {told}, while the loss is still {loss:.4g}. Why: "
                    + _why_small(k, reports, spread, loss, constant)
                    + ".",
                )
            )
        elif layer.update_to_weight > limits.exploding_update:
            findings.append(
                Finding(
                    "exploding_gradients",
                    layer.name,
                    [],
                    {"update_to_weight": layer.update_to_weight, "grad_norm": layer.grad_norm},
                    f"one SGD step would change its weights by {layer.update_to_weight:.2g} times their size "
                    f"(gradient norm {layer.grad_norm:.3g}): the loss will jump around or blow up, and relus die. "
                    "Lower the learning rate (about 1e-3 of the weights per step is the usual figure).",
                )
            )
    return findings
