"""Callbacks for :func:`nn.fit`: the one way to extend training (schedules, early stopping, checkpoints, records).

A callback is an object with any of these methods (:class:`Callback` has
them all, doing nothing); ``training`` is the :class:`Training` under way::

    on_train_begin(training)
    on_epoch_begin(epoch, training)                 # epoch counted from 0; set training.optimizer.lr here
    on_batch_end(epoch, batch, record, training)    # after each step; record: {"batch", "size", "loss"}
    on_epoch_end(epoch, record, training)           # record: the epoch's dict in the history
    on_train_end(training)

Setting ``training.stop = True`` ends training after the current epoch.
The meanings are PyTorch's (``StepLR``, ``CosineAnnealingLR``, ``LambdaLR``)
and Keras' (``EarlyStopping``, ``ModelCheckpoint``). :class:`LayerStatistics`
(each layer's gradient norm and dead relus, into ``history.layers``) runs in
every ``fit``; :class:`WeightSnapshots` keeps the weights for the replay page.

>>> import nn
>>> model = nn.MLP(2, [4, 1], rng=0)
>>> history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1),
...                  epochs=4, progress=False, callbacks=[nn.StepLR(step_size=2, gamma=0.5)])
>>> [round(record["lr"], 3) for record in history]
[0.1, 0.1, 0.05, 0.05]
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value, no_grad
from autograd.core.checks import quote
from autograd.core.checks import real_or_none as _real
from autograd.files import check_writable
from nn.diagnose import diagnose
from nn.layers import MLP, Layer

__all__ = [
    "DEAD_SAMPLES",
    "HOOKS",
    "MONITORS",
    "Callback",
    "CosineAnnealingLR",
    "EarlyStopping",
    "LambdaLR",
    "LayerStatistics",
    "ModelCheckpoint",
    "StepLR",
    "Training",
    "WeightSnapshots",
    "dead_fractions",
    "layer_parameters",
]

#: The methods fit calls on a callback, in the order of a run.
HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")
#: What fit records per epoch that a callback can watch (``val_*`` with validation data, accuracies unless
#: ``accuracy=None``).
MONITORS = ("loss", "accuracy", "val_loss", "val_accuracy")


@dataclass
class Training:
    """What a callback sees: the model, the optimizer, the loss, the data, the history so far, and ``stop``.

    >>> import nn
    >>> class Seen(Callback):
    ...     def on_train_begin(self, training): print(training.epochs, training.stop)
    >>> model = nn.Neuron(1, rng=0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> _ = nn.fit(model, nn.mse_loss, [([1.0], 1.0)], optimizer=sgd, epochs=3, **quiet, callbacks=[Seen()])
    3 False
    """

    model: Any
    optimizer: Any
    loss_fn: Any
    data: Any
    validation_data: Any
    history: Any
    epochs: int
    stop: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Callback:
    """The hooks :func:`nn.fit` calls; each does nothing here. Subclass and override the ones you need.

    >>> import nn
    >>> class Stop(Callback):
    ...     def on_epoch_end(self, epoch, record, training): training.stop = True
    >>> model = nn.Neuron(1, rng=0); data = [([1.0], 1.0)]
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> len(nn.fit(model, nn.mse_loss, data, optimizer=sgd, epochs=5, **quiet, callbacks=[Stop()]))
    1
    """

    def on_train_begin(self, training: Training) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        """Before epoch ``epoch`` (from 0)."""

    def on_batch_end(self, epoch: int, batch: int, record: dict[str, float], training: Training) -> None:
        """After the step on batch ``batch`` (from 0) of epoch ``epoch``; the gradients are still on the parameters.

        ``record`` holds ``batch`` (from 1), ``size`` (its examples) and ``loss`` (its data loss).
        """

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        """After epoch ``epoch``, with its record (loss, accuracy, lr, val_loss, ...)."""

    def on_train_end(self, training: Training) -> None:
        """After the last epoch (also after an early stop)."""


# ---------------------------------------------------------------- argument checks
def _positive(value: object, name: str, where: str, integer: bool = False) -> Any:
    number = _real(value)
    if number is None or (integer and not isinstance(value, int)) or not 0 < number < math.inf:
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{where}() {name} must be {what}, got {type(value).__name__} {quote(value)}")
    return value if integer else number


def _flag(value: object, name: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}() {name} must be True or False, got {type(value).__name__} {quote(value)}")
    return value


def _check_monitor(monitor: object, where: str) -> str:
    if not isinstance(monitor, str) or monitor not in MONITORS:
        close = difflib.get_close_matches(monitor, MONITORS, n=1) if isinstance(monitor, str) else []
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{where}() monitor must be one of {', '.join(map(repr, MONITORS))}, "
            f"got {type(monitor).__name__} {quote(monitor)}{guess}"
        )
    return monitor


def _check_mode(mode: object, monitor: str, where: str) -> str:
    """``"min"`` or ``"max"``: ``"auto"`` is ``"max"`` for an accuracy and ``"min"`` for a loss (Keras' rule)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}() mode must be 'auto', 'min' or 'max', got {type(mode).__name__} {quote(mode)}")
    if mode == "auto":
        return "max" if "accuracy" in monitor else "min"
    return mode  # type: ignore[return-value]


def _monitored(record: dict[str, float], monitor: str, where: str) -> float:
    if monitor not in record:
        hint = "pass validation_data to fit()" if monitor.startswith("val_") else "fit(accuracy=None) records none"
        raise ValueError(
            f"{where} monitors {monitor!r}, which this training does not record "
            f"(it records {quote(sorted(record))}); {hint}"
        )
    return record[monitor]


# ---------------------------------------------------------------- learning-rate schedules
class StepLR(Callback):
    """lr = initial lr * gamma ** (epoch // step_size): the rate times ``gamma`` every ``step_size`` epochs.

    >>> import nn
    >>> model = nn.Neuron(1, rng=0); optimizer = nn.SGD(model.parameters(), lr=1.0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> callbacks = [StepLR(2, gamma=0.5)]
    >>> _ = nn.fit(model, nn.mse_loss, [([1.0], 1.0)], optimizer=optimizer, epochs=3, **quiet, callbacks=callbacks)
    >>> optimizer.lr   # epoch 2: 1.0 * 0.5 ** (2 // 2)
    0.5
    """

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _positive(step_size, "step_size", "StepLR", integer=True)
        self.gamma = float(_positive(gamma, "gamma", "StepLR"))
        self.initial_lr: float | None = None

    def on_train_begin(self, training: Training) -> None:
        self.initial_lr = training.optimizer.lr

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        assert self.initial_lr is not None
        training.optimizer.lr = self.initial_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(Callback):
    """lr = eta_min + (initial - eta_min) (1 + cos(pi epoch / T_max)) / 2, as PyTorch's (epoch from 0).

    ``T_max`` defaults to the number of epochs, so the rate falls from the
    initial one to ``eta_min`` over the whole run.

    >>> import nn
    >>> model = nn.Neuron(1, rng=0); optimizer = nn.SGD(model.parameters(), lr=1.0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> callbacks = [CosineAnnealingLR(T_max=2)]
    >>> _ = nn.fit(model, nn.mse_loss, [([1.0], 1.0)], optimizer=optimizer, epochs=2, **quiet, callbacks=callbacks)
    >>> optimizer.lr   # epoch 1: (1 + cos(pi / 2)) / 2
    0.5
    """

    def __init__(self, T_max: int | None = None, eta_min: float = 0.0) -> None:  # noqa: N803 - PyTorch's name
        self.T_max = None if T_max is None else _positive(T_max, "T_max", "CosineAnnealingLR", integer=True)
        number = _real(eta_min)
        if number is None or not 0 <= number < math.inf:
            raise ValueError(
                f"CosineAnnealingLR() eta_min must be a number >= 0, got {type(eta_min).__name__} {quote(eta_min)}"
            )
        self.eta_min = number
        self.initial_lr: float | None = None

    def on_train_begin(self, training: Training) -> None:
        self.initial_lr = training.optimizer.lr

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        assert self.initial_lr is not None
        period = self.T_max or max(training.epochs, 1)
        phase = math.cos(math.pi * min(epoch, period) / period)
        training.optimizer.lr = self.eta_min + (self.initial_lr - self.eta_min) * (1.0 + phase) / 2.0


class LambdaLR(Callback):
    """lr = initial lr * lr_lambda(epoch), as PyTorch's (epoch from 0): any schedule, as a function.

    >>> import nn
    >>> model = nn.Neuron(1, rng=0); optimizer = nn.SGD(model.parameters(), lr=1.0)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> callbacks = [LambdaLR(lambda epoch: 1.0 / (epoch + 1))]
    >>> data = [([1.0], 1.0)]
    >>> history = nn.fit(model, nn.mse_loss, data, optimizer=optimizer, epochs=3, **quiet, callbacks=callbacks)
    >>> [round(record["lr"], 4) for record in history]
    [1.0, 0.5, 0.3333]
    """

    def __init__(self, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda) or isinstance(lr_lambda, type):
            raise TypeError(
                "LambdaLR() lr_lambda must be a function epoch -> factor of the initial learning rate "
                f"(such as lambda epoch: 0.95 ** epoch), got {type(lr_lambda).__name__} {quote(lr_lambda)}"
            )
        self.lr_lambda = lr_lambda
        self.initial_lr: float | None = None

    def on_train_begin(self, training: Training) -> None:
        self.initial_lr = training.optimizer.lr

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        assert self.initial_lr is not None
        factor = self.lr_lambda(epoch)
        number = _real(factor)
        if number is None or not 0 <= number < math.inf:
            raise ValueError(
                f"LambdaLR: lr_lambda({epoch}) returned {type(factor).__name__} {quote(factor)}; it must return a "
                "finite number >= 0, the factor of the initial learning rate"
            )
        training.optimizer.lr = self.initial_lr * number


# ---------------------------------------------------------------- stopping and checkpoints
class EarlyStopping(Callback):
    """Stop once the best ``monitor`` (validation loss by default) is ``patience`` epochs old, as Keras.

    An epoch improves on the best when its value is below best - ``|min_delta|``
    (above best + ``|min_delta|`` for an accuracy: ``mode="auto"`` decides by
    the name, ``"min"`` or ``"max"`` say it). A value that is nan never
    improves. ``restore_best_weights=True`` puts back the weights of the best
    epoch at the end. ``stopped_epoch`` (1-based, 0 if never stopped) and
    ``best_epoch`` tell what happened. ``monitor`` is one of :data:`MONITORS`.

    >>> import nn
    >>> model = nn.Neuron(1, rng=0); data = [([1.0], 1.0)]
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.0)
    >>> callbacks = [EarlyStopping(patience=1)]
    >>> history = nn.fit(
    ...     model, nn.mse_loss, data, optimizer=sgd, epochs=10, **quiet, validation_data=data, callbacks=callbacks
    ... )
    >>> len(history)   # lr 0: the loss never improves after epoch 1
    2
    """

    def __init__(
        self,
        patience: int = 0,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
        mode: str = "auto",
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(
                f"EarlyStopping() patience must be an int >= 0, got {type(patience).__name__} {quote(patience)}"
            )
        delta = _real(min_delta)
        if delta is None or not math.isfinite(delta):
            raise ValueError(
                f"EarlyStopping() min_delta must be a finite number, got {type(min_delta).__name__} {quote(min_delta)}"
            )
        self.patience = patience
        self.monitor = _check_monitor(monitor, "EarlyStopping")
        self.mode = _check_mode(mode, self.monitor, "EarlyStopping")
        self.min_delta = abs(delta)
        self.restore_best_weights = _flag(restore_best_weights, "restore_best_weights", "EarlyStopping")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.stopped_epoch = 0
        self._best_state: dict | None = None

    def _improves(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, training: Training) -> None:
        if self.monitor.startswith("val_") and not training.validation_data:
            raise ValueError(f"EarlyStopping(monitor={self.monitor!r}) needs fit(..., validation_data=...)")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch, self.stopped_epoch, self._best_state = 0, 0, None

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        value = _monitored(record, self.monitor, "EarlyStopping")
        if self._improves(value):
            self.best, self.best_epoch = value, epoch + 1
            if self.restore_best_weights:
                self._best_state = training.model.state_dict()
        elif epoch + 1 - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch + 1
            training.stop = True

    def on_train_end(self, training: Training) -> None:
        if self.restore_best_weights and self._best_state is not None:
            training.model.load_state_dict(self._best_state)


class ModelCheckpoint(Callback):
    """Save the model (``model.save``: JSON, whole or not at all) each time ``monitor`` reaches a new best.

    ``monitor`` is ``"val_loss"`` by default, ``"loss"`` without validation
    data; ``mode`` as :class:`EarlyStopping`'s. ``best`` and ``best_epoch``
    say what the file holds. ``path`` must name a regular file (or a new
    one) in a folder that exists: anything else is refused when training
    begins, not after the first epoch.

    >>> import nn, tempfile, os
    >>> model = nn.Neuron(1, rng=0); data = [([1.0], 1.0)]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "best.json")
    ...     quiet = dict(rng=0, progress=False, accuracy=None)
    ...     sgd = nn.SGD(model.parameters(), lr=0.1)
    ...     callbacks = [ModelCheckpoint(path, monitor="loss")]
    ...     _ = nn.fit(model, nn.mse_loss, data, optimizer=sgd, epochs=2, **quiet, callbacks=callbacks)
    ...     os.path.exists(path)
    True
    """

    def __init__(self, path: str | os.PathLike[str] | bytes, monitor: str | None = None, mode: str = "auto") -> None:
        if not isinstance(path, str | bytes | os.PathLike):
            raise TypeError(
                f"ModelCheckpoint() path must be a file path (str or os.PathLike), got {type(path).__name__}"
            )
        self.path = os.fsdecode(path)
        self.monitor = None if monitor is None else _check_monitor(monitor, "ModelCheckpoint")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint() mode must be 'auto', 'min' or 'max', got {quote(mode)}")
        self.mode = mode
        self.best = math.inf
        self.best_epoch = 0

    def on_train_begin(self, training: Training) -> None:
        check_writable(self.path, what="ModelCheckpoint()")
        monitor = self.monitor or ("val_loss" if training.validation_data else "loss")
        if monitor.startswith("val_") and not training.validation_data:
            raise ValueError(f"ModelCheckpoint(monitor={monitor!r}) needs fit(..., validation_data=...)")
        self.monitor = monitor
        self._direction = _check_mode(self.mode, monitor, "ModelCheckpoint")
        self.best, self.best_epoch = (math.inf if self._direction == "min" else -math.inf), 0

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        value = _monitored(record, self.monitor or "loss", "ModelCheckpoint")
        better = value < self.best if self._direction == "min" else value > self.best
        if better:
            self.best, self.best_epoch = value, epoch + 1
            training.model.save(self.path)


# ---------------------------------------------------------------- records
class WeightSnapshots(Callback):
    """Keep the weights (and a :func:`nn.diagnose` report) before training and every ``every`` epochs.

    They go to ``history.snapshots``: one dict per snapshot with ``epoch`` (0
    = before training), ``state`` (the model's state dict) and ``diagnosis``
    (its ``to_dict()``, or None when the model is not an MLP). The last epoch
    is always kept. ``history.save_html`` replays them.
    ``diagnose_samples`` caps the examples each diagnosis reads.

    >>> import nn
    >>> model = nn.MLP(1, [2, 1], rng=0); snapshots = WeightSnapshots(every=1, diagnose=False)
    >>> quiet = dict(rng=0, progress=False, accuracy=None)
    >>> sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> history = nn.fit(model, nn.mse_loss, [([1.0], 1.0)], optimizer=sgd, epochs=2, **quiet, callbacks=[snapshots])
    >>> len(history.snapshots)   # before training, then after each epoch
    3
    """

    def __init__(self, every: int = 1, diagnose: bool = True, diagnose_samples: int = 200) -> None:
        self.every = _positive(every, "every", "WeightSnapshots", integer=True)
        self.diagnose = _flag(diagnose, "diagnose", "WeightSnapshots")
        self.diagnose_samples = _positive(diagnose_samples, "diagnose_samples", "WeightSnapshots", integer=True)

    def _take(self, epoch: int, training: Training) -> None:
        snapshots = training.history.snapshots
        if snapshots and snapshots[-1]["epoch"] == epoch:
            return
        diagnosis = None
        if self.diagnose and isinstance(training.model, MLP | Layer):
            sample = list(training.data)[: self.diagnose_samples]
            diagnosis = diagnose(training.model, sample, loss=training.loss_fn, lr=training.optimizer.lr).to_dict()
        snapshots.append({"epoch": epoch, "state": training.model.state_dict(), "diagnosis": diagnosis})

    def on_train_begin(self, training: Training) -> None:
        training.history.snapshots.clear()
        self._take(0, training)

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        if (epoch + 1) % self.every == 0:
            self._take(epoch + 1, training)

    def on_train_end(self, training: Training) -> None:
        if training.history:
            self._take(int(training.history[-1]["epoch"]), training)


#: The dead-relu fraction :class:`LayerStatistics` records is measured on at most this many training examples.
DEAD_SAMPLES = 256


def _grad_number(p: Value) -> float:
    grad = p.grad
    return grad if type(grad) is float else (grad.data if isinstance(grad, Value) else float(grad))


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


class LayerStatistics(Callback):
    """Per layer of an MLP (or a Layer), per epoch: the gradient norm and the dead relus, into ``history.layers``.

    Each epoch appends ``{layer name: {"grad_norm": ..., "dead_fraction": ...}}``:
    the mean over the epoch's steps of sqrt(sum grad^2) over the layer's
    weights and biases, and the fraction of its relu neurons that are off for
    every one of up to ``samples`` training examples (evenly spread; all of
    them for a small set) at the end of the epoch, None for a layer without
    relus. :func:`nn.fit` runs one unless its ``callbacks`` hold one already
    (pass your own to read another number of examples); it records nothing for
    a model that is neither an MLP nor a Layer.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], rng=0); sgd = nn.SGD(model.parameters(), lr=0.1)
    >>> history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=sgd, epochs=2, progress=False,
    ...                  callbacks=[LayerStatistics(samples=2)])
    >>> sorted(history.layers[-1]["layers.0"])
    ['dead_fraction', 'grad_norm']
    """

    def __init__(self, samples: int = DEAD_SAMPLES) -> None:
        self.samples = _positive(samples, "samples", "LayerStatistics", integer=True)
        self._watched: list[tuple[str, list[Value]]] = []
        self._totals: list[float] = []
        self._steps = 0

    def on_train_begin(self, training: Training) -> None:
        self._watched = layer_parameters(training.model)
        training.history.layers.clear()

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        self._totals = [0.0] * len(self._watched)
        self._steps = 0

    def on_batch_end(self, epoch: int, batch: int, record: dict[str, float], training: Training) -> None:
        totals = self._totals
        for k, (_, params) in enumerate(self._watched):
            grads = [p.grad for p in params]
            try:
                totals[k] += math.hypot(*grads)
            except TypeError:  # a grad that is a Value (backward(create_graph=True)): its number
                totals[k] += math.hypot(*map(_grad_number, params))
        self._steps += 1

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        if not self._watched:
            return
        data = training.data
        dead = dead_fractions(training.model, [x for x, _ in data[:: -(-len(data) // self.samples)]])
        steps = max(self._steps, 1)
        training.history.layers.append(
            {
                name: {"grad_norm": total / steps, "dead_fraction": dead.get(name)}
                for (name, _), total in zip(self._watched, self._totals)
            }
        )
