"""Callbacks for :func:`nn.fit`: learning-rate schedules, early stopping, checkpoints, weight snapshots.

A callback is an object with any of these methods (:class:`Callback` has
them all, doing nothing); ``training`` is the :class:`Training` under way::

    on_train_begin(training)
    on_epoch_begin(epoch, training)          # epoch counted from 0; set training.optimizer.lr here
    on_epoch_end(epoch, record, training)    # record: the epoch's dict in the history
    on_train_end(training)

Setting ``training.stop = True`` ends training after the current epoch.
The meanings are PyTorch's (``StepLR``, ``CosineAnnealingLR``) and Keras'
(``EarlyStopping``, ``ModelCheckpoint``):

>>> import nn
>>> model = nn.MLP(2, [4, 1], rng=0)
>>> history = nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1),
...                  epochs=4, progress=False, callbacks=[nn.StepLR(step_size=2, gamma=0.5)])
>>> [round(record["lr"], 3) for record in history]
[0.1, 0.1, 0.05, 0.05]
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Callback",
    "CosineAnnealingLR",
    "EarlyStopping",
    "ModelCheckpoint",
    "StepLR",
    "Training",
    "WeightSnapshots",
]


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

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        """After epoch ``epoch``, with its record (loss, accuracy, lr, val_loss, ...)."""

    def on_train_end(self, training: Training) -> None:
        """After the last epoch (also after an early stop)."""


def _positive(value: object, name: str, where: str, integer: bool = False) -> Any:
    kinds = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0 or not math.isfinite(value):
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{where}() {name} must be {what}, got {value!r}")
    return value


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
        self.gamma = _positive(gamma, "gamma", "StepLR")
        self.initial_lr: float | None = None

    def on_train_begin(self, training: Training) -> None:
        self.initial_lr = training.optimizer.lr

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
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
        if isinstance(eta_min, bool) or not isinstance(eta_min, int | float) or not 0 <= eta_min < math.inf:
            raise ValueError(f"CosineAnnealingLR() eta_min must be a number >= 0, got {eta_min!r}")
        self.eta_min = float(eta_min)
        self.initial_lr: float | None = None

    def on_train_begin(self, training: Training) -> None:
        self.initial_lr = training.optimizer.lr

    def on_epoch_begin(self, epoch: int, training: Training) -> None:
        period = self.T_max or max(training.epochs, 1)
        phase = math.cos(math.pi * min(epoch, period) / period)
        training.optimizer.lr = self.eta_min + (self.initial_lr - self.eta_min) * (1.0 + phase) / 2.0


def _monitored(record: dict[str, float], monitor: str, where: str) -> float:
    if monitor not in record:
        raise ValueError(
            f"{where} monitors {monitor!r}, which this training does not record (it records {sorted(record)}); "
            "pass validation_data to fit() for 'val_loss'"
        )
    return record[monitor]


class EarlyStopping(Callback):
    """Stop once the best ``monitor`` (validation loss by default) is ``patience`` epochs old, as Keras.

    An epoch improves on the best when its value is below best - ``min_delta``.
    ``restore_best_weights=True`` puts back the weights of the best epoch at
    the end. ``stopped_epoch`` (1-based, 0 if never stopped) and ``best_epoch`` tell what happened.

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
        self, patience: int = 0, monitor: str = "val_loss", min_delta: float = 0.0, restore_best_weights: bool = False
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping() patience must be an int >= 0, got {patience!r}")
        self.patience = patience
        self.monitor = monitor
        self.min_delta = float(min_delta)
        self.restore_best_weights = restore_best_weights
        self.best = math.inf
        self.best_epoch = 0
        self.stopped_epoch = 0
        self._best_state: dict | None = None

    def on_train_begin(self, training: Training) -> None:
        if self.monitor.startswith("val_") and not training.validation_data:
            raise ValueError(f"EarlyStopping(monitor={self.monitor!r}) needs fit(..., validation_data=...)")
        self.best, self.best_epoch, self.stopped_epoch, self._best_state = math.inf, 0, 0, None

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        value = _monitored(record, self.monitor, "EarlyStopping")
        if value < self.best - self.min_delta:
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
    """Save the model (``model.save``: JSON, written atomically) each time ``monitor`` reaches a new best.

    ``monitor`` is ``"val_loss"`` by default, ``"loss"`` without validation
    data. ``best`` and ``best_epoch`` say what the file holds.

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

    def __init__(self, path: str | os.PathLike[str], monitor: str | None = None) -> None:
        self.path = os.fspath(path)
        self.monitor = monitor
        self.best = math.inf
        self.best_epoch = 0

    def on_train_begin(self, training: Training) -> None:
        if self.monitor is None:
            self.monitor = "val_loss" if training.validation_data else "loss"
        self.best, self.best_epoch = math.inf, 0

    def on_epoch_end(self, epoch: int, record: dict[str, float], training: Training) -> None:
        value = _monitored(record, self.monitor or "loss", "ModelCheckpoint")
        if value < self.best:
            self.best, self.best_epoch = value, epoch + 1
            training.model.save(self.path)


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
        self.diagnose = diagnose
        self.diagnose_samples = _positive(diagnose_samples, "diagnose_samples", "WeightSnapshots", integer=True)

    def _take(self, epoch: int, training: Training) -> None:
        from nn.diagnose import diagnose
        from nn.layers import MLP, Layer

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
