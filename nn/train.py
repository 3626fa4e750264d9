"""``fit`` and ``evaluate``: the usual training loop, with a tqdm progress bar, written once.

A script that writes its own loop is just as welcome; ``fit`` does nothing
that loop could not::

    for epoch in range(epochs):
        for batch in batches(train, 32, shuffle=True, rng=rng):
            outputs = [model(x) for x, _ in batch]
            loss = cross_entropy(outputs, [y for _, y in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

tqdm is imported only when a progress bar is wanted (``progress=True``); if
it is missing, a warning says how to install it and training goes on without one.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd import Value, no_grad
from nn.callbacks import Callback, Training
from nn.data import as_rng, batches
from nn.history import History
from nn.layers import MLP, Layer
from nn.losses import binary_cross_entropy_with_logits, hinge_loss
from nn.module import Module
from nn.optim import Optimizer

__all__ = [
    "DEAD_SAMPLES",
    "AccuracyFunction",
    "LossFunction",
    "count_correct",
    "dead_fractions",
    "evaluate",
    "fit",
    "layer_parameters",
]

LossFunction = Callable[[list[Any], list[Any]], Value]
#: ``accuracy(output, target) -> bool``: whether one prediction is right.
AccuracyFunction = Callable[[Any, Any], bool]

#: Losses whose predictions are raw scores (positive means class 1), not probabilities.
_SCORE_LOSSES = (hinge_loss, binary_cross_entropy_with_logits)


def _argmax(values: Sequence[Value | float]) -> int:
    data = [v.data if isinstance(v, Value) else float(v) for v in values]
    return max(range(len(data)), key=data.__getitem__)


def count_correct(
    outputs: Sequence[Any],
    targets: Sequence[Any],
    accuracy: str | AccuracyFunction = "auto",
    loss_fn: LossFunction | None = None,
) -> int:
    """How many outputs are right.

    With ``accuracy="auto"``:

    - a list output (several classes) is right when its largest entry is at
      the target class index (or, for a list target such as a one-hot vector,
      at the target's largest entry);
    - a single output is a yes/no prediction: "yes" when it exceeds 0 (for
      ``hinge_loss``, ``binary_cross_entropy_with_logits``, or when some target
      is negative, as with -1/+1 labels) or 0.5 (probabilities); the target is
      "yes" when it exceeds 0.5, or 0 for -1/+1 labels.

    A callable ``accuracy(output, target) -> bool`` decides instead.

    >>> count_correct([[0.1, 0.9], [0.8, 0.2]], [1, 1])  # argmax 1 is right, argmax 0 is not
    1
    """
    if callable(accuracy):
        return sum(1 for output, target in zip(outputs, targets) if accuracy(output, target))
    if accuracy != "auto":
        raise ValueError(f"accuracy must be 'auto', None or a callable (output, target) -> bool, got {accuracy!r}")
    signed = any(not isinstance(t, Sequence) and t < 0 for t in targets)
    threshold = 0.0 if (loss_fn in _SCORE_LOSSES or signed) else 0.5
    target_threshold = 0.0 if signed else 0.5
    correct = 0
    for output, target in zip(outputs, targets):
        if isinstance(output, Value | int | float):
            score = output.data if isinstance(output, Value) else float(output)
            correct += (score > threshold) == (target > target_threshold)
        else:
            if isinstance(target, Sequence):  # one-hot (or any score) targets: compare the winners
                correct += _argmax(output) == _argmax(target)
            else:
                correct += _argmax(output) == target
    return correct


def _check_count(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"fit() {name} must be an int >= {minimum}, got {value!r}")
    return value


def evaluate(
    model: Callable[[Any], Any],
    loss_fn: LossFunction,
    data: Sequence[tuple[Any, Any]],
    accuracy: str | AccuracyFunction | None = "auto",
    batch_size: int = 256,
) -> dict[str, float]:
    """Mean loss (and accuracy, unless ``accuracy=None``) over ``data``, without recording a graph.

    A Module is put in evaluation mode for the run and restored afterwards.
    Returns ``{"loss": ..., "accuracy": ...}``.

    >>> import nn
    >>> evaluate(lambda x: x[0], nn.mse_loss, [([1.0], 1.0), ([2.0], 0.0)], accuracy=None)  # (0 + 4) / 2
    {'loss': 2.0}
    """
    if not data:
        raise ValueError("evaluate() needs at least one example, got none")
    was_training = model.training if isinstance(model, Module) else None
    if isinstance(model, Module):
        model.eval()
    try:
        total_loss = 0.0
        correct = 0
        with no_grad():
            for batch in batches(data, batch_size):
                inputs = [x for x, _ in batch]
                targets = [y for _, y in batch]
                outputs = [model(x) for x in inputs]
                total_loss += loss_fn(outputs, targets).data * len(batch)
                if accuracy is not None:
                    correct += count_correct(outputs, targets, accuracy, loss_fn)
    finally:
        if isinstance(model, Module) and was_training is not None:
            model.train(was_training)
    result = {"loss": total_loss / len(data)}
    if accuracy is not None:
        result["accuracy"] = correct / len(data)
    return result


#: The dead-relu fraction fit records is measured on at most this many training examples, evenly spread.
DEAD_SAMPLES = 256


def _grad_number(p: Value) -> float:
    grad = p.grad
    return grad.data if isinstance(grad, Value) else grad


def layer_parameters(model: Any) -> list[tuple[str, list[Value]]]:
    """``[(layer name, its weights and biases)]`` for an MLP (``layers.0``, ...) or a Layer; [] otherwise.

    >>> import nn
    >>> [(name, len(p)) for name, p in layer_parameters(nn.MLP(2, [3, 1], rng=0))]  # 3 * (2 + 1), 1 * (3 + 1)
    [('layers.0', 9), ('layers.1', 4)]
    """
    if isinstance(model, MLP):
        return [(f"layers.{i}", layer.parameters()) for i, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [("layer", model.parameters())]
    return []


def dead_fractions(model: Any, inputs: Sequence[Any]) -> dict[str, float]:
    """For each relu layer of an MLP: the fraction of its neurons whose output is 0 for every input.

    >>> import nn
    >>> dead_fractions(nn.MLP(2, [3, 1], activation="relu", rng=0), [[1.0, 2.0], [-1.0, 0.5]])
    {'layers.0': ...}
    """
    if not isinstance(model, MLP) or not any(layer.activation == "relu" for layer in model.layers[:-1]):
        return {}
    alive = [[False] * layer.nout for layer in model.layers]
    with no_grad():
        for x in inputs:
            current: Any = x
            for k, layer in enumerate(model.layers):
                current = [v.data for v in layer(current)]
                if layer.activation == "relu":
                    flags = alive[k]
                    for j, out in enumerate(current):
                        if out != 0.0:
                            flags[j] = True
    return {
        f"layers.{k}": flags.count(False) / len(flags)
        for k, (layer, flags) in enumerate(zip(model.layers, alive))
        if layer.activation == "relu"
    }


def _check_pairs(data: Any, name: str) -> None:
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Sequence):
        raise TypeError(f"fit() {name} must be a list of (x, y) pairs, got {type(data).__name__}: {data!r:.60}")
    for index, example in enumerate(data):
        if not isinstance(example, tuple | list) or len(example) != 2:
            raise TypeError(f"fit() {name} must be a list of (x, y) pairs, item {index} is {example!r:.60}")


def _check_fit_arguments(
    model: Any, loss_fn: Any, data: Any, optimizer: Any, penalty: Any, validation_data: Any
) -> None:
    """fit()'s arguments checked at the door: what was expected, and what came instead."""
    if not isinstance(model, Module):
        raise TypeError(f"fit() needs a model (an nn.Module), got {type(model).__name__}: {model!r:.60}")
    if not callable(loss_fn):
        raise TypeError(f"fit() loss_fn must be a function (outputs, targets) -> Value, got {loss_fn!r:.60}")
    if penalty is not None and not callable(penalty):
        raise TypeError(f"fit() penalty must be a function model -> Value or None, got {penalty!r:.60}")
    _check_pairs(data, "data")
    if not data:
        raise ValueError("fit() needs at least one training example, got none")
    if validation_data is not None:
        _check_pairs(validation_data, "validation_data")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit() optimizer must be an nn optimizer (nn.SGD(model.parameters(), lr=...)), got {optimizer!r:.60}"
        )
    held = {id(p) for p in optimizer.params}
    if not any(id(p) in held for p in model.parameters()):
        raise ValueError(
            f"fit() the optimizer holds none of this model's parameters (was it made for another model?): "
            f"make it with {type(optimizer).__name__}(model.parameters(), ...)"
        )


def _progress_bar(total: int, enabled: bool, description: str) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn(
            'fit(progress=True) needs tqdm for its progress bar: pip install "glassgrad[demos]"; '
            "training without one (progress=False silences this)",
            stacklevel=3,
        )
        return None
    return tqdm(total=total, desc=description, unit="batch", dynamic_ncols=True)


def fit(
    model: Module,
    loss_fn: LossFunction,
    data: Sequence[tuple[Any, Any]],
    *,
    optimizer: Optimizer,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    rng: Any = None,
    penalty: Callable[[Module], Value] | None = None,
    validation_data: Sequence[tuple[Any, Any]] | None = None,
    accuracy: str | AccuracyFunction | None = "auto",
    lr_schedule: Callable[[int], float] | None = None,
    progress: bool = True,
    on_epoch_end: Callable[[dict[str, float]], None] | None = None,
    callbacks: Sequence[Callback] | None = None,
    record_layers: bool = True,
) -> History:
    """Train ``model`` on ``data`` (a list of ``(x, y)`` examples) for ``epochs`` passes of minibatches.

    Each step: outputs = [model(x) for the batch], loss = loss_fn(outputs,
    targets) (+ ``penalty(model)``, e.g. ``lambda m: l2_penalty(m.parameters(), 1e-4)``),
    ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.

    - ``rng`` (a ``random.Random``, an int seed, or None for ``Random(0)``)
      shuffles the examples each epoch; same seed, same training.
    - ``lr_schedule(epoch)`` (epoch counted from 0) sets ``optimizer.lr`` before each epoch.
    - ``accuracy``: see :func:`count_correct`; ``None`` for regression.
    - ``progress=True`` shows a tqdm bar with the running loss and accuracy.
    - ``callbacks``: objects with ``on_train_begin``/``on_epoch_begin``/
      ``on_epoch_end``/``on_train_end`` (see :mod:`nn.callbacks`: ``StepLR``,
      ``CosineAnnealingLR``, ``EarlyStopping``, ``ModelCheckpoint``,
      ``WeightSnapshots``), called after ``lr_schedule`` and ``on_epoch_end``.
    - ``record_layers``: for an MLP, record each layer's gradient norm and
      dead-relu fraction per epoch in ``history.layers`` (the fraction is measured
      over up to 256 training examples, evenly spread: all of them for small sets).

    A loss that is not finite (the model diverged) stops training with a
    ``FloatingPointError`` before the step that would spread it to the weights.

    Returns the :class:`nn.History`: a list of one dict per epoch with ``epoch``, ``loss`` (mean
    data loss over the epoch's batches, without the penalty), ``accuracy``,
    ``lr``, ``seconds`` and, with ``validation_data``, ``val_loss`` and
    ``val_accuracy``. The model is left in the mode (train/eval) it was in.

    >>> import nn
    >>> model = nn.MLP(2, [1], activation="linear", rng=0)
    >>> data = [([0.0, 1.0], 1.0), ([1.0, 0.0], -1.0)]
    >>> optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> history = fit(model, nn.mse_loss, data, optimizer=optimizer, epochs=20, rng=0, progress=False, accuracy=None)
    >>> history[-1]["loss"] < history[0]["loss"]
    True
    """
    _check_count(epochs, "epochs", 0)
    _check_count(batch_size, "batch_size", 1)
    _check_fit_arguments(model, loss_fn, data, optimizer, penalty, validation_data)
    if accuracy is not None and accuracy != "auto" and not callable(accuracy):
        raise ValueError(
            f"fit() accuracy must be 'auto', None or a callable (output, target) -> bool, got {accuracy!r}"
        )
    rng = as_rng(rng, "fit()")
    batches_per_epoch = -(-len(data) // batch_size)
    history = History()
    history.model, history.data, history.loss_fn = model, list(data), loss_fn
    callbacks = list(callbacks or ())
    training = Training(model, optimizer, loss_fn, data, validation_data, history, epochs)
    watched = layer_parameters(model) if record_layers else []
    was_training = model.training
    bar = _progress_bar(epochs * batches_per_epoch, progress, f"training {type(model).__name__}")
    try:
        for callback in callbacks:
            callback.on_train_begin(training)
        for epoch in range(epochs):
            model.train()
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            for callback in callbacks:
                callback.on_epoch_begin(epoch, training)
            norm_totals = [0.0] * len(watched)
            started = time.perf_counter()
            total_loss = 0.0
            correct = 0
            seen = 0
            for batch in batches(data, batch_size, shuffle=shuffle, rng=rng):
                targets = [y for _, y in batch]
                outputs = [model(x) for x, _ in batch]
                loss = loss_fn(outputs, targets)
                if not isinstance(loss, Value):
                    raise TypeError(
                        f"fit() loss_fn must return a Value (the batch's loss), {loss_fn!r} returned "
                        f"{type(loss).__name__}: {loss!r:.60}"
                    )
                objective = loss + penalty(model) if penalty is not None else loss
                if not math.isfinite(objective.data):  # stop before a step spreads inf/nan into every weight
                    raise FloatingPointError(
                        f"fit(): the loss became {objective.data!r} in epoch {epoch + 1}; "
                        f"the model has diverged (is the learning rate, {optimizer.lr!r}, too large?)"
                    )
                optimizer.zero_grad()
                objective.backward()
                for k, (_, params) in enumerate(watched):
                    norm_totals[k] += math.sqrt(sum(_grad_number(p) ** 2 for p in params))
                optimizer.step()
                seen += len(batch)
                total_loss += loss.data * len(batch)
                if accuracy is not None:
                    correct += count_correct(outputs, targets, accuracy, loss_fn)
                if bar is not None:
                    postfix = {"epoch": f"{epoch + 1}/{epochs}", "loss": f"{total_loss / seen:.4f}"}
                    if accuracy is not None:
                        postfix["acc"] = f"{correct / seen:.3f}"
                    bar.set_postfix(postfix, refresh=False)
                    bar.update(1)
            record: dict[str, float] = {"epoch": epoch + 1, "loss": total_loss / seen}
            if accuracy is not None:
                record["accuracy"] = correct / seen
            record["lr"] = optimizer.lr
            record["seconds"] = time.perf_counter() - started
            if validation_data:
                validation = evaluate(model, loss_fn, validation_data, accuracy)
                record["val_loss"] = validation["loss"]
                if accuracy is not None:
                    record["val_accuracy"] = validation["accuracy"]
            history.append(record)
            if watched:
                steps = -(-seen // batch_size)
                dead = dead_fractions(model, [x for x, _ in data[:: -(-len(data) // DEAD_SAMPLES)]])
                history.layers.append(
                    {
                        name: {"grad_norm": total / steps, "dead_fraction": dead.get(name)}
                        for (name, _), total in zip(watched, norm_totals)
                    }
                )
            if on_epoch_end is not None:
                on_epoch_end(record)
            for callback in callbacks:
                callback.on_epoch_end(epoch, record, training)
            if training.stop:
                break
        for callback in callbacks:
            callback.on_train_end(training)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
    return history
