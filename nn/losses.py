"""Loss functions: a batch of predictions and targets in, one scalar Value out (the mean over the batch).

Predictions are Values (or floats); targets are plain numbers. A single
prediction with a single target works too. Every loss checks that there are
as many targets as predictions.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value, dot, sum_values
from autograd import cross_entropy as _cross_entropy_node
from autograd.core.checks import quote

Scalar = Value | float

__all__ = [
    "Scalar",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l2_penalty",
    "mse_loss",
]


def _listed(given: Any, what: str, where: str) -> list[Any]:
    """A batch as a list; a lone Value or number as a list of one; anything else a TypeError naming ``where``."""
    if isinstance(given, Value | numbers.Real):
        return [given]
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise TypeError(
            f"{where}() {what} must be a Value, a number or a list of them, got {type(given).__name__} {quote(given)}"
        )
    return list(given)


def _target(target: Any, index: int, where: str) -> float:
    """Target ``index`` as a float: a plain real number (not a Value, a str or None), else a TypeError."""
    if isinstance(target, Value):
        raise TypeError(f"{where}() target {index} must be a plain number, got a Value ({quote(target)}); use .data")
    if not isinstance(target, numbers.Real):
        raise TypeError(f"{where}() target {index} must be a number, got {type(target).__name__} {quote(target)}")
    return float(target)


def _prediction(prediction: Any, index: int, where: str) -> Value:
    """Prediction ``index`` as a Value (a number becomes a leaf), else a TypeError naming ``where``."""
    if isinstance(prediction, Value):
        return prediction
    if not isinstance(prediction, numbers.Real):
        raise TypeError(
            f"{where}() prediction {index} must be a Value or a number, "
            f"got {type(prediction).__name__} {quote(prediction)}"
        )
    return Value(float(prediction))


def _pairs(predictions: Any, targets: Any, where: str) -> tuple[list[Any], list[Any]]:
    """Predictions and targets as two equally long, non-empty lists (a lone pair becomes lists of one)."""
    predictions, targets = _listed(predictions, "predictions", where), _listed(targets, "targets", where)
    if len(predictions) != len(targets):
        raise ValueError(f"{where}() got {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{where}() needs at least one prediction, got none")
    return predictions, targets


def _flatten(predictions: list[Any], targets: list[Any], where: str) -> tuple[list[Any], list[float]]:
    """Multi-output predictions (lists) paired with target lists, flattened; checks each pair's length."""
    flat_predictions: list[Any] = []
    flat_targets: list[float] = []
    for index, (prediction, target) in enumerate(zip(predictions, targets)):
        if isinstance(prediction, Value | numbers.Real):
            flat_predictions.append(prediction)
            flat_targets.append(_target(target, index, where))
            continue
        prediction = _listed(prediction, f"prediction {index}", where)
        target = _listed(target, f"target {index}", where)
        if len(prediction) != len(target):
            raise ValueError(
                f"{where}() prediction {index} has {len(prediction)} outputs but its target has {len(target)}"
            )
        flat_predictions.extend(_prediction(p, index, where) for p in prediction)
        flat_targets.extend(_target(t, index, where) for t in target)
    return flat_predictions, flat_targets


def _mean(terms: list[Value]) -> Value:
    return sum_values(terms) * (1.0 / len(terms))


def mse_loss(predictions: Any, targets: Any) -> Value:
    """Mean squared error: (1/n) sum_i (p_i - t_i)^2.

    Predictions may be scalars or lists (multi-output), paired with targets
    of the same shape; the mean is over every output.

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data   # (1 + 4) / 2
    2.5
    """
    predictions, targets = _pairs(predictions, targets, "mse_loss")
    flat_predictions, flat_targets = _flatten(predictions, targets, "mse_loss")
    flat_predictions = [_prediction(p, i, "mse_loss") for i, p in enumerate(flat_predictions)]
    differences = [p - t for p, t in zip(flat_predictions, flat_targets)]
    return _mean([d * d for d in differences])


def _check_probability(x: float, what: str, index: int, where: str) -> None:
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{where}() {what} {index} must be in [0, 1], got {quote(x)}")


def binary_cross_entropy(probabilities: Any, targets: Any) -> Value:
    """-(1/n) sum_i [t_i log p_i + (1 - t_i) log(1 - p_i)], for probabilities p_i in [0, 1].

    No clamping: a probability outside [0, 1] is a ValueError, and so is a
    certain wrong answer (p = 0 with t > 0, or p = 1 with t < 1), whose loss
    is infinite. Terms with a zero weight are left out, so p = 1 with t = 1
    is a loss of 0. For raw scores use
    :func:`binary_cross_entropy_with_logits`, which is stable.

    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]).data, 4)  # -(log 0.9 + log 0.8) / 2
    0.1643
    """
    probabilities, targets = _pairs(probabilities, targets, "binary_cross_entropy")
    terms: list[Any] = []
    for index, (p, t) in enumerate(zip(probabilities, targets)):
        p = _prediction(p, index, "binary_cross_entropy")
        p_data, t = p.data, _target(t, index, "binary_cross_entropy")
        _check_probability(p_data, "probability", index, "binary_cross_entropy")
        _check_probability(t, "target", index, "binary_cross_entropy")
        if (p_data == 0.0 and t > 0.0) or (p_data == 1.0 and t < 1.0):
            raise ValueError(
                f"binary_cross_entropy() probability {index} is {p_data!r} with target {t!r}: the loss is infinite; "
                "use binary_cross_entropy_with_logits on raw scores for a stable loss"
            )
        term: Any = 0.0
        if t != 0.0:
            term = term + t * p.log()
        if t != 1.0:
            term = term + (1.0 - t) * (1.0 - p).log()
        terms.append(-term)
    values = [term if isinstance(term, Value) else Value(term) for term in terms]
    return _mean(values)


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Value:
    """Binary cross-entropy of sigmoid(z_i) against t_i, computed stably from the logits z_i.

    loss_i = softplus(z_i) - t_i z_i = log(1 + e^z_i) - t_i z_i, which equals
    -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))] and never overflows
    (softplus is computed as max(z, 0) + log1p(e^-|z|)). Targets in [0, 1].

    >>> round(binary_cross_entropy_with_logits([0.0], [1]).data, 4)  # log(1 + e^0) = log 2
    0.6931
    """
    logits, targets = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    terms = []
    for index, (z, t) in enumerate(zip(logits, targets)):
        t = _target(t, index, "binary_cross_entropy_with_logits")
        _check_probability(t, "target", index, "binary_cross_entropy_with_logits")
        z = _prediction(z, index, "binary_cross_entropy_with_logits")
        terms.append(z.softplus() - t * z)
    return _mean(terms)


def cross_entropy(logits: Any, targets: Any) -> Value:
    """Softmax cross-entropy from logits: -log softmax(z)_t = logsumexp(z) - z_t, one stable node per sample.

    One sample: ``cross_entropy([z_0, ..., z_k], t)`` with ``t`` a class index.
    A batch: ``cross_entropy([logits_1, ..., logits_n], [t_1, ..., t_n])``, the mean.
    d/dz_j = softmax(z)_j - [j == t]. A class index out of range is a ValueError.

    >>> round(cross_entropy([[0.0, 0.0]], [1]).data, 4)  # logsumexp(0, 0) - 0 = log 2
    0.6931
    """
    if type(targets) is int or (isinstance(targets, numbers.Integral) and not isinstance(targets, bool)):
        return _single_cross_entropy(logits, targets, 0)
    logits, targets = _listed(logits, "logits", "cross_entropy"), _listed(targets, "targets", "cross_entropy")
    if len(logits) != len(targets):
        raise ValueError(f"cross_entropy() got {len(logits)} samples of logits but {len(targets)} targets")
    if not logits:
        raise ValueError("cross_entropy() needs at least one sample, got none")
    return _mean([_single_cross_entropy(z, t, i) for i, (z, t) in enumerate(zip(logits, targets))])


def _single_cross_entropy(logits: Sequence[Scalar], target: Any, index: int) -> Value:
    if isinstance(logits, Value | numbers.Real):
        raise ValueError(f"cross_entropy() sample {index} needs a list of logits (one per class), got {quote(logits)}")
    if type(target) is not int and (isinstance(target, bool) or not isinstance(target, numbers.Integral)):
        raise ValueError(
            f"cross_entropy() target {index} must be a class index (int), got {type(target).__name__} {quote(target)}"
        )
    if not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy() target {index} is class {target}, out of range for {len(logits)} classes")
    return _cross_entropy_node(logits, int(target))


def hinge_loss(scores: Any, targets: Any) -> Value:
    """The max-margin loss: (1/n) sum_i relu(1 - y_i s_i), labels y_i in {-1, +1}.

    A sample on the right side with margin at least 1 costs nothing.

    >>> hinge_loss([0.5, -2.0], [1, -1]).data  # (relu(1 - 0.5) + relu(1 - 2)) / 2
    0.25
    """
    scores, targets = _pairs(scores, targets, "hinge_loss")
    terms = []
    for index, (s, y) in enumerate(zip(scores, targets)):
        y = _target(y, index, "hinge_loss") if not isinstance(y, bool) else y
        if y not in (-1.0, 1.0) or isinstance(y, bool):
            raise ValueError(f"hinge_loss() label {index} must be -1 or +1, got {quote(y)}")
        s = _prediction(s, index, "hinge_loss")
        terms.append((1.0 - y * s).relu())
    return _mean(terms)


def l2_penalty(params: Sequence[Value], alpha: float) -> Value:
    """alpha * sum_i p_i^2, as one dot node (d/dp_i = 2 alpha p_i); add it to a loss to keep weights small.

    >>> l2_penalty([Value(1.0), Value(-2.0)], 0.5).data
    2.5
    """
    params = list(params)
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool):
        raise ValueError(f"l2_penalty() alpha must be a number, got {type(alpha).__name__} {quote(alpha)}")
    for index, p in enumerate(params):
        if not isinstance(p, Value):
            raise ValueError(f"l2_penalty() params must be Values, item {index} is {type(p).__name__} {quote(p)}")
    return dot(params, params) * float(alpha)
