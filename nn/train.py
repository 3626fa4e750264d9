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

import difflib
import inspect
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from autograd import Value, no_grad
from autograd.core.checks import quote
from nn.callbacks import HOOKS, Callback, LayerStatistics, Training
from nn.compiled import CompiledStep, CompiledTraining
from nn.data import as_rng, batches, non_finite_examples
from nn.history import History
from nn.losses import binary_cross_entropy_with_logits, hinge_loss
from nn.module import Module
from nn.optim import Optimizer

__all__ = ["AccuracyFunction", "LossFunction", "count_correct", "evaluate", "fit"]

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
        raise ValueError(f"accuracy must be 'auto', None or a callable (output, target) -> bool, got {quote(accuracy)}")
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
        raise ValueError(f"fit() {name} must be an int >= {minimum}, got {type(value).__name__} {quote(value)}")
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


def _check_pairs(data: Any, name: str) -> None:
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Sequence):
        raise TypeError(f"fit() {name} must be a list of (x, y) pairs, got {type(data).__name__} {quote(data)}")
    for index, example in enumerate(data):
        if not isinstance(example, tuple | list) or len(example) != 2:
            raise TypeError(f"fit() {name} must be a list of (x, y) pairs, item {index} is {quote(example)}")


def _check_finite_examples(data: Sequence[tuple[Any, Any]], name: str) -> None:
    """Refuse an example whose input or target holds nan or inf, naming it: it would make every gradient nan."""
    for index, part, where, number in non_finite_examples(data):
        article = "an" if part == "input" else "a"
        raise ValueError(
            f"fit() {name} example {index} has {article} {part} that is not finite: {part}{where} = {quote(number)}; "
            "a nan or inf in the data turns the gradients into nan (remove or repair it)"
        )


def _checked_callbacks(callbacks: Any) -> list[Any]:
    """The callbacks as a list, each an object with fit's hooks; a TypeError naming what came instead."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, list | tuple):
        raise TypeError(
            f"fit() callbacks must be a list of callbacks, such as callbacks=[nn.StepLR(step_size=10)], "
            f"got {type(callbacks).__name__} {quote(callbacks)}"
        )
    for index, callback in enumerate(callbacks):
        if isinstance(callback, type):
            raise TypeError(
                f"fit() callbacks item {index} is the class {callback.__name__}, not a callback: "
                f"make one, such as {callback.__name__}(...)"
            )
        if isinstance(callback, Callback):
            continue
        if not any(callable(getattr(callback, hook, None)) for hook in HOOKS):
            raise TypeError(
                f"fit() callbacks item {index} is {type(callback).__name__} {quote(callback)}, not a callback: a "
                f"callback is an object with any of {', '.join(HOOKS)} (subclass nn.Callback; for a learning-rate "
                "schedule use nn.LambdaLR(lambda epoch: factor))"
            )
    return list(callbacks)


def _hooks(callbacks: Sequence[Any], name: str) -> list[Callable[..., Any]]:
    """The bound ``name`` methods of the callbacks that have one of their own (a no-op of Callback's is skipped)."""
    found = []
    for callback in callbacks:
        method = getattr(callback, name, None)
        if callable(method) and getattr(type(callback), name, None) is not getattr(Callback, name):
            found.append(method)
    return found


def _check_fit_arguments(
    model: Any, loss_fn: Any, data: Any, optimizer: Any, penalty: Any, validation_data: Any, flags: dict[str, Any]
) -> None:
    """fit()'s arguments checked at the door: what was expected, and what came instead."""
    if not isinstance(model, Module):
        raise TypeError(f"fit() needs a model (an nn.Module), got {type(model).__name__} {quote(model)}")
    if not callable(loss_fn):
        raise TypeError(f"fit() loss_fn must be a function (outputs, targets) -> Value, got {quote(loss_fn)}")
    if penalty is not None and not callable(penalty):
        raise TypeError(f"fit() penalty must be a function model -> Value or None, got {quote(penalty)}")
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"fit() {name} must be True or False, got {type(value).__name__} {quote(value)}")
    _check_pairs(data, "data")
    if not data:
        raise ValueError("fit() needs at least one training example, got none")
    if validation_data is not None:
        _check_pairs(validation_data, "validation_data")
    if optimizer is None:
        raise TypeError(
            "fit() needs an optimizer, the rule that changes the weights: "
            "fit(model, loss_fn, data, optimizer=nn.SGD(model.parameters(), lr=0.1))"
        )
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "fit() optimizer must be an nn optimizer (nn.SGD(model.parameters(), lr=...)), "
            f"got {type(optimizer).__name__} {quote(optimizer)}"
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


def _grad_number(p: Value) -> float:
    grad = p.grad
    return grad if type(grad) is float else (grad.data if isinstance(grad, Value) else float(grad))


def _check_gradients(model: Module, params: list[Value], epoch: int, epochs: int, batch: int, batches: int) -> None:
    """Stop before the update when a gradient is not finite, naming the epoch, the batch and the parameter.

    One pass: the sum of finite numbers is finite unless it overflows; only then, or when the sum is not
    finite, is each gradient looked at. (A list and ``sum`` cost about 220 instructions a parameter, against
    340 for ``sum(map(attrgetter("grad"), ...))`` and 240 for a loop that adds: measured with callgrind.)
    """
    total = sum([p.grad for p in params])
    if type(total) is float and math.isfinite(total):
        return
    bad = [p for p in params if not math.isfinite(_grad_number(p))]
    if not bad:
        return  # finite gradients whose sum overflowed
    names = {id(p): name for name, p in model.named_parameters()}
    first = bad[0]
    raise FloatingPointError(
        f"fit(): in epoch {epoch + 1} of {epochs}, batch {batch + 1} of {batches}, the gradient of "
        f"{names.get(id(first), 'a parameter')} is {_grad_number(first)!r} ({len(bad):,} of {len(params):,} "
        "gradients are not finite); training stopped before the update, so every weight is as the previous step "
        "left it (is the learning rate too large, or does the model take a log or square root at 0?)"
    )


#: What each keyword fit() no longer takes became: training is extended by callbacks only.
_REPLACED_KEYWORDS = {
    "lr_schedule": "callbacks=[nn.LambdaLR(lambda epoch: factor)] (or nn.StepLR, nn.CosineAnnealingLR)",
    "on_epoch_end": "callbacks=[a Callback whose on_epoch_end(training) does it] (see nn.Callback)",
    "record_layers": "callbacks=[nn.LayerStatistics()]",
}


def _unknown_keyword(name: str) -> TypeError:
    """fit()'s error for a keyword it does not take: what replaced it, or the keyword it most resembles."""
    if name in _REPLACED_KEYWORDS:
        return TypeError(f"fit() no longer takes {name}: pass {_REPLACED_KEYWORDS[name]}")
    known = [p for p in inspect.signature(fit).parameters if p != "unknown"]
    close = difflib.get_close_matches(name, known, n=1)
    guess = f"; did you mean {close[0]!r}?" if close else f"; fit() takes {', '.join(known)}"
    return TypeError(f"fit() got an unexpected keyword argument {quote(name)}{guess}")


def fit(
    model: Module,
    loss_fn: LossFunction,
    data: Sequence[tuple[Any, Any]],
    *,
    optimizer: Optimizer | None = None,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    rng: Any = None,
    penalty: Callable[[Module], Value] | None = None,
    validation_data: Sequence[tuple[Any, Any]] | None = None,
    accuracy: str | AccuracyFunction | None = "auto",
    progress: bool = True,
    callbacks: Sequence[Callback] | None = None,
    compile: bool | CompiledStep = False,  # noqa: A002 - as nn.compile
    **unknown: NoReturn,
) -> History:
    """Train ``model`` on ``data`` (a list of ``(x, y)`` examples) for ``epochs`` passes of minibatches.

    Each step: outputs = [model(x) for the batch], loss = loss_fn(outputs,
    targets) (+ ``penalty(model)``, e.g. ``lambda m: l2_penalty(m.parameters(), 1e-4)``),
    ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.

    - ``optimizer``: the rule that changes the weights, such as
      ``nn.SGD(model.parameters(), lr=0.1)`` (required).
    - ``rng`` (a ``random.Random``, an int seed, or None for ``Random(0)``)
      shuffles the examples each epoch; same seed, same training.
    - ``accuracy``: see :func:`count_correct`; ``None`` for regression.
    - ``progress=True`` shows a tqdm bar with the running loss and accuracy.
    - ``callbacks``: everything else, as objects with ``on_train_begin``,
      ``on_epoch_begin``, ``on_batch_end``, ``on_epoch_end``, ``on_train_end``
      (see :mod:`nn.callbacks`): a learning-rate schedule (``StepLR``,
      ``CosineAnnealingLR``, ``LambdaLR``), ``EarlyStopping``,
      ``ModelCheckpoint``, ``WeightSnapshots``, or your own
      :class:`nn.Callback`. A :class:`nn.LayerStatistics` runs first unless
      the list holds one: for an MLP or a Layer it records each layer's
      gradient norm and dead-relu fraction per epoch in ``history.layers``.
    - ``compile=True`` trains through :func:`nn.compile`'s generated code
      (the same weights as without, bit for bit, at about the speed of
      hand-written Python), keeping the weights as floats between steps and
      writing them into the model before every callback, evaluation,
      progress report (every 0.1 s at most) and its return. It keeps no
      gradients, so it records no ``history.layers`` (a LayerStatistics is
      refused); what it cannot compile is refused, naming why. A step
      made by ``nn.compile(model, loss_fn, optimizer, penalty=penalty)`` may
      be passed instead of True: its code is used again.

    Nothing that is not finite reaches a weight: an input or target that is
    nan or inf is refused before training, naming the example; a step whose
    loss or gradients are not finite stops training with a
    ``FloatingPointError`` naming the epoch and the batch, before the update.

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
    if unknown:
        raise _unknown_keyword(next(iter(unknown)))
    _check_count(epochs, "epochs", 0)
    _check_count(batch_size, "batch_size", 1)
    _check_fit_arguments(
        model, loss_fn, data, optimizer, penalty, validation_data, {"shuffle": shuffle, "progress": progress}
    )
    assert optimizer is not None
    if accuracy is not None and accuracy != "auto" and not callable(accuracy):
        raise ValueError(
            f"fit() accuracy must be 'auto', None or a callable (output, target) -> bool, got {quote(accuracy)}"
        )
    callbacks = _checked_callbacks(callbacks)
    compiled = CompiledTraining.for_fit(model, loss_fn, optimizer, penalty, compile) if compile is not False else None
    if compiled is not None and any(isinstance(callback, LayerStatistics) for callback in callbacks):
        raise ValueError("fit(compile=True) keeps no gradients, which LayerStatistics reads: train without compile")
    if compiled is None and not any(isinstance(callback, LayerStatistics) for callback in callbacks):
        callbacks.insert(0, LayerStatistics())
    _check_finite_examples(data, "data")
    if validation_data is not None:
        _check_finite_examples(validation_data, "validation_data")
    rng = as_rng(rng, "fit()")
    batches_per_epoch = -(-len(data) // batch_size)
    history = History()
    history.model, history.data, history.loss_fn = model, list(data), loss_fn
    training = Training(model, optimizer, loss_fn, history.data, validation_data, history, epochs)
    train_begin, epoch_begin, batch_end, epoch_end, train_end = (_hooks(callbacks, hook) for hook in HOOKS)
    params = optimizer.params
    was_training = model.training
    bar = _progress_bar(epochs * batches_per_epoch, progress, f"training {type(model).__name__}")
    shown, reported = 0, time.perf_counter()  # batches on the bar, and when (compile=True: every 0.1 s at most)
    try:
        for hook in train_begin:
            hook(training)
        for epoch in range(epochs):
            model.train()
            if compiled is not None and epoch_begin:
                compiled.write()
            for hook in epoch_begin:
                hook(epoch, training)
            if compiled is not None:
                compiled.read()
            started = time.perf_counter()
            total_loss = 0.0
            correct = 0
            seen = 0
            for number, batch in enumerate(batches(data, batch_size, shuffle=shuffle, rng=rng)):
                targets = [y for _, y in batch]
                if compiled is not None:
                    try:
                        loss_value, outputs = compiled.step(batch, outputs=accuracy is not None)
                    except FloatingPointError as error:
                        raise FloatingPointError(
                            f"fit(compile=True): in epoch {epoch + 1} of {epochs}, batch {number + 1} of "
                            f"{batches_per_epoch}: {error}; training stopped before the update (is the learning "
                            f"rate, {optimizer.lr!r}, too large?)"
                        ) from None
                else:
                    outputs = [model(x) for x, _ in batch]
                    loss = loss_fn(outputs, targets)
                    if not isinstance(loss, Value):
                        raise TypeError(
                            f"fit() loss_fn must return a Value (the batch's loss), {quote(loss_fn)} returned "
                            f"{type(loss).__name__} {quote(loss)}"
                        )
                    objective = loss + penalty(model) if penalty is not None else loss
                    if not math.isfinite(objective.data):  # stop before a step spreads inf/nan into every weight
                        raise FloatingPointError(
                            f"fit(): in epoch {epoch + 1} of {epochs}, batch {number + 1} of {batches_per_epoch}, the "
                            f"loss became {objective.data!r}; the model has diverged (is the learning rate, "
                            f"{optimizer.lr!r}, too large?); training stopped before the update"
                        )
                    optimizer.zero_grad()
                    objective.backward()
                    _check_gradients(model, params, epoch, epochs, number, batches_per_epoch)
                    optimizer.step()
                    loss_value = loss.data
                seen += len(batch)
                total_loss += loss_value * len(batch)
                if compiled is not None and batch_end:
                    compiled.write()
                for hook in batch_end:
                    hook(epoch, number, {"batch": number + 1, "size": len(batch), "loss": loss_value}, training)
                if compiled is not None and batch_end:
                    compiled.read()
                if accuracy is not None:
                    correct += count_correct(outputs, targets, accuracy, loss_fn)
                done = epoch * batches_per_epoch + number + 1
                if bar is not None and (
                    compiled is None or number + 1 == batches_per_epoch or time.perf_counter() - reported > 0.1
                ):
                    if compiled is not None:  # the weights are in the model whenever the bar shows
                        compiled.write()
                    postfix = {"epoch": f"{epoch + 1}/{epochs}", "loss": f"{total_loss / seen:.4f}"}
                    if accuracy is not None:
                        postfix["acc"] = f"{correct / seen:.3f}"
                    bar.set_postfix(postfix, refresh=False)
                    bar.update(done - shown)
                    shown, reported = done, time.perf_counter()
            record: dict[str, float] = {"epoch": epoch + 1, "loss": total_loss / seen}
            if accuracy is not None:
                record["accuracy"] = correct / seen
            record["lr"] = optimizer.lr
            record["seconds"] = time.perf_counter() - started
            if compiled is not None:
                compiled.write()
            if validation_data:
                validation = evaluate(model, loss_fn, validation_data, accuracy)
                record["val_loss"] = validation["loss"]
                if accuracy is not None:
                    record["val_accuracy"] = validation["accuracy"]
            history.append(record)
            for hook in epoch_end:
                hook(epoch, record, training)
            if compiled is not None:
                compiled.read()
            if training.stop:
                break
        for hook in train_end:
            hook(training)
    finally:
        if compiled is not None:
            compiled.write()
        if bar is not None:
            bar.close()
        model.train(was_training)
    return history
