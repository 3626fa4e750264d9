"""Optimizers: SGD (with momentum and weight decay) and Adam.

An optimizer holds a list of parameters (leaf Values). ``step()`` reads each
``p.grad`` and changes ``p.data`` in place, under ``no_grad`` and in plain
float arithmetic, so it records no graph. ``zero_grad()`` sets every ``p.grad`` to 0.0.

Its hyperparameters live in one mapping, ``optimizer.defaults`` (as
PyTorch's), each checked by the one rule its class declares in ``SETTINGS``,
whether it comes from the constructor, an assignment or a saved file. Each is
also an attribute: ``optimizer.lr`` reads ``defaults["lr"]``, and setting it
(a schedule) checks the new value::

    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(10):
        optimizer.lr = 0.1 * 0.9**epoch
        ...

An optimizer's state (its hyperparameters, SGD's momentum buffers, Adam's
moments and step count) is a dict of numbers: ``state_dict()`` and
``load_state_dict()``, ``save(path)`` and ``load(path)`` (JSON, as models), so
a run resumes exactly where it stopped::

    model.save("model.json"); optimizer.save("optimizer.json")
    # later, in another process:
    model = nn.load("model.json")
    optimizer = Adam(model.parameters()).load("optimizer.json")
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from autograd import Value, no_grad
from autograd.core.checks import quote
from autograd.core.checks import real_or_none as _real
from nn import serialization
from nn.serialization import DEFAULT_MAX_BYTES, listing, shown_path

__all__ = ["SGD", "Adam", "Optimizer", "Setting"]

OptimizerType = TypeVar("OptimizerType", bound="Optimizer")


@dataclass(frozen=True)
class Setting:
    """The rule of one hyperparameter: a finite real number in ``[0, upper)`` (or ``[0, upper]``, or ``> 0``).

    ``pair`` names the two items of a setting that is a pair of such numbers (Adam's ``betas``).

    >>> Setting(upper=1.0).check(0.9, "momentum", "SGD()")
    0.9
    >>> Setting(upper=1.0).check(1.5, "momentum", "SGD()")
    Traceback (most recent call last):
      ...
    ValueError: SGD() momentum must be in [0, 1.0), got 1.5
    """

    upper: float = math.inf
    closed_upper: bool = False
    positive: bool = False
    pair: tuple[str, str] | None = None

    def check(self, value: object, name: str, where: str) -> Any:
        """``value`` as the float (or pair of floats) the optimizer keeps; a ValueError naming ``name`` otherwise."""
        if self.pair is None:
            return self._number(value, name, where)
        if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
            raise ValueError(f"{where} {name} must be a pair ({', '.join(self.pair)}), got {quote(value)}")
        return tuple(self._number(item, item_name, where) for item, item_name in zip(value, self.pair))

    def _number(self, value: object, name: str, where: str) -> float:
        number = _real(value)
        if number is None or not math.isfinite(number):
            raise ValueError(f"{where} {name} must be a finite number, got {type(value).__name__} {quote(value)}")
        if self.positive and not number > 0.0:
            raise ValueError(f"{where} {name} must be > 0, got {quote(value)}")
        inside = number < self.upper or (self.closed_upper and number == self.upper)
        if number < 0.0 or not inside:
            bound = f"[0, {self.upper}]" if self.closed_upper else f"[0, {self.upper})"
            raise ValueError(f"{where} {name} must be in {bound}, got {quote(value)}")
        return number


#: A learning rate, a weight decay: any finite number >= 0.
RATE = Setting()


def _finite_numbers(state: Mapping[str, Any], key: str, count: int, problems: list[str]) -> list[float]:
    """``state[key]`` as ``count`` floats, each finite; what is wrong goes into ``problems``."""
    given = state.get(key)
    if not isinstance(given, list | tuple):
        problems.append(f"{key}: expected a list of {count} numbers, got {type(given).__name__} {quote(given)}")
        return []
    if len(given) != count:
        problems.append(f"{key}: expected {count:,} numbers (one per parameter), got {len(given):,}")
        return []
    numbers_ = [_real(x) for x in given]
    for index, (x, number) in enumerate(zip(given, numbers_)):
        if number is None or not math.isfinite(number):
            problems.append(f"{key}[{index}]: expected a finite number, got {type(x).__name__} {quote(x)}")
            return []
    return numbers_  # type: ignore[return-value]


def _finite(x: object) -> bool:
    number = _real(x)
    return number is not None and math.isfinite(number)


def _grad(p: Value) -> float:
    g = p.grad
    return g if type(g) is float else g.data  # a Value after backward(create_graph=True)


class Optimizer:
    """Base class: holds the parameters (each once) and the hyperparameters (``defaults``, checked by ``SETTINGS``).

    A subclass declares ``SETTINGS`` (each hyperparameter's :class:`Setting`),
    ``BUFFERS`` (per-parameter lists of floats, starting at 0.0) and
    ``COUNTERS`` (ints starting at 0), passes its constructor's keywords on to
    ``Optimizer.__init__``, and writes ``step``: the state dict, loading,
    saving and the checks come from these declarations.

    >>> from autograd import Value
    >>> w = Value(1.0); opt = SGD([w, w], lr=0.1)
    >>> len(opt.params), opt.defaults    # each parameter once
    (1, {'lr': 0.1, 'momentum': 0.0, 'weight_decay': 0.0})
    """

    #: Each hyperparameter and its rule; the constructor's signature gives the defaults.
    SETTINGS: ClassVar[dict[str, Setting]] = {"lr": RATE}
    #: Per-parameter buffers a state dict carries (one float per parameter, in ``params`` order).
    BUFFERS: ClassVar[tuple[str, ...]] = ()
    #: Counters (ints >= 0) a state dict carries (Adam's ``steps_taken``, the t of its bias corrections).
    COUNTERS: ClassVar[tuple[str, ...]] = ()

    lr: float  # the learning rate (``defaults["lr"]``); set it between steps to follow a schedule
    defaults: dict[str, Any]

    def __init__(self, params: Iterable[Value], **settings: Any) -> None:
        name = type(self).__name__
        if callable(getattr(params, "parameters", None)):  # a Module
            raise TypeError(
                f"{name}() takes the parameters, not the model: pass model.parameters(), got {type(params).__name__}"
            )
        if isinstance(params, Value | str | bytes) or not isinstance(params, Iterable):
            raise TypeError(
                f"{name}() params must be an iterable of Values, got {type(params).__name__} {quote(params)}"
            )
        unique: list[Value] = []
        seen: set[int] = set()
        for index, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}() params must be Values, item {index} is {type(p).__name__} {quote(p)}")
            if p.op:
                raise TypeError(
                    f"{name}() params must be leaf Values (parameters), item {index} was computed by {p.op!r}: "
                    f"{quote(p)}; an update to it would be lost the next time it is computed"
                )
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{name}() got an empty parameter list")
        self.params = unique
        self.defaults = self.checked_settings(settings, f"{name}()")
        for buffer in self.BUFFERS:
            setattr(self, buffer, [0.0] * len(unique))
        for counter in self.COUNTERS:
            setattr(self, counter, 0)

    @classmethod
    def checked_settings(cls, given: Mapping[str, Any], where: str) -> dict[str, Any]:
        """Every hyperparameter in ``given``, checked by its rule: the one place a setting is validated."""
        unknown = [key for key in given if key not in cls.SETTINGS]
        if unknown:
            raise TypeError(f"{where} has no setting {listing(unknown)}; its settings are {listing(cls.SETTINGS)}")
        missing = [key for key in cls.SETTINGS if key not in given]
        if missing:
            raise TypeError(f"{where} needs the settings {listing(missing)}")
        return {key: rule.check(given[key], key, where) for key, rule in cls.SETTINGS.items()}

    def __getattr__(self, name: str) -> Any:
        """``optimizer.momentum`` and the like: the hyperparameter's value in ``defaults``."""
        if name in type(self).SETTINGS and "defaults" in self.__dict__:
            return self.__dict__["defaults"][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """``optimizer.lr = 0.05``: a hyperparameter is set in ``defaults``, checked by its rule."""
        rule = type(self).SETTINGS.get(name)
        if rule is not None and "defaults" in self.__dict__:
            self.defaults[name] = rule.check(value, name, f"{type(self).__name__}()")
        else:
            object.__setattr__(self, name, value)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its grad."""
        raise NotImplementedError

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain numbers: its type, parameter count, settings and buffers.

        Parameters are matched by position (the order of ``params``, which is
        ``model.parameters()``'s order), as PyTorch does. The lists are copies.

        >>> SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9).state_dict()
        {'type': 'SGD', 'parameters': 2, 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.0, 'velocities': [0.0, 0.0]}
        """
        state: dict[str, Any] = {"type": type(self).__name__, "parameters": len(self.params)}
        state.update({key: list(v) if isinstance(v, tuple) else v for key, v in self.defaults.items()})
        state.update({buffer: list(getattr(self, buffer)) for buffer in self.BUFFERS})
        state.update({counter: getattr(self, counter) for counter in self.COUNTERS})
        return state

    def load_state_dict(self: OptimizerType, state: Mapping[str, Any]) -> OptimizerType:
        """Restore a state from :meth:`state_dict`, settings included (``lr``: set it after to change it); returns self.

        All or nothing: the type, the parameter count, every setting (by its
        rule) and every buffer number (finite) are checked first; any problem
        is a ValueError listing them, and nothing changes.
        """
        name = type(self).__name__
        where = f"{name}.load_state_dict()"
        if not isinstance(state, Mapping):
            raise ValueError(f"{where} needs a mapping, got {type(state).__name__}")
        problems: list[str] = []
        expected = {"type", "parameters", *self.SETTINGS, *self.BUFFERS, *self.COUNTERS}
        if state.get("type") != name:
            problems.append(f"the state is of type {quote(state.get('type'))}, this optimizer is {name}")
        if state.get("parameters") != len(self.params):
            problems.append(
                f"the state is for {quote(state.get('parameters'))} parameters, this optimizer has {len(self.params)}"
            )
        missing, extra = sorted(expected - set(state)), [key for key in state if key not in expected]
        if missing:
            problems.append(f"missing keys: {listing(missing)}")
        if extra:
            problems.append(f"unexpected keys: {listing(extra)}")
        if problems:
            raise ValueError(f"{where} failed, nothing was changed:\n  " + "\n  ".join(problems))
        buffers = {key: _finite_numbers(state, key, len(self.params), problems) for key in self.BUFFERS}
        counters = {}
        for key in self.COUNTERS:
            value = state[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{key}: expected a count (an int >= 0), got {type(value).__name__} {quote(value)}")
            counters[key] = value
        settings: dict[str, Any] = {}
        for key, rule in self.SETTINGS.items():
            try:
                settings[key] = rule.check(state[key], key, f"{name}()")
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValueError(f"{where} failed, nothing was changed:\n  " + "\n  ".join(problems))
        self.defaults.update(settings)
        for key, restored in buffers.items():
            getattr(self, key)[:] = restored
        for key, value in counters.items():
            setattr(self, key, value)
        return self

    def save(self, path: str | os.PathLike[str] | bytes) -> None:
        """Write :meth:`state_dict` to ``path`` as JSON, whole or not at all (:func:`autograd.files.write_file`).

        A buffer that is not finite (the run diverged) is a ValueError naming it, and nothing is written.

        >>> import nn, tempfile, os, json
        >>> opt = nn.SGD(nn.Neuron(2, rng=0).parameters(), lr=0.1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     opt.save(os.path.join(folder, "o.json"))
        ...     json.load(open(os.path.join(folder, "o.json")))["state"]["lr"]
        0.1
        """
        state = self.state_dict()
        for key in self.BUFFERS:
            bad = next((i for i, x in enumerate(state[key]) if not _finite(x)), None)
            if bad is not None:
                raise ValueError(
                    f"save() cannot write {key}[{bad}] = {quote(state[key][bad])}: it is not finite; "
                    "nothing was written"
                )
        document = {
            "format": serialization.OPTIMIZER_FORMAT,
            "version": serialization.OPTIMIZER_VERSION,
            "optimizer": type(self).__name__,
            "state": state,
        }
        serialization.write_document(path, document, what="save()")

    def load(
        self: OptimizerType, path: str | os.PathLike[str] | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> OptimizerType:
        """Read a state saved by :meth:`save` into this optimizer, all or nothing; returns self.

        The whole file is checked first (its format, version and keys, then the
        state as :meth:`load_state_dict` checks it); any problem is a ValueError
        naming the file. The file is read through :func:`autograd.files.read_file`:
        a regular file of at most ``max_bytes`` bytes.

        >>> import nn, tempfile, os
        >>> params = nn.Neuron(2, rng=0).parameters()
        >>> a, b = nn.SGD(params, lr=0.1), nn.SGD(params, lr=0.5)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     a.save(os.path.join(folder, "o.json")); _ = b.load(os.path.join(folder, "o.json"))
        >>> b.lr
        0.1
        """
        document = serialization.read_document(path, kind="optimizer", what="load()", max_bytes=max_bytes)
        where = f"load({shown_path(path)})"
        serialization.check_optimizer_document(document, where)
        if "optimizer" in document and document["optimizer"] != document["state"].get("type"):
            raise ValueError(
                f"{where}: 'optimizer' is {quote(document['optimizer'])} but the state's type is "
                f"{quote(document['state'].get('type'))}"
            )
        try:
            self.load_state_dict(document["state"])
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        return self

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.defaults.items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and L2 weight decay.

    For each parameter p with gradient g, per step::

        g = g + weight_decay * p
        v = momentum * v + g        (v starts at 0; without momentum v = g)
        p = p - lr * v

    (PyTorch's update rule with dampening 0 and no Nesterov.)

    >>> from autograd import Value
    >>> w = Value(1.0); opt = SGD([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); w.data   # w - lr * 2w
    0.8
    """

    SETTINGS: ClassVar[dict[str, Setting]] = {"lr": RATE, "momentum": Setting(upper=1.0), "weight_decay": RATE}
    BUFFERS = ("velocities",)

    velocities: list[float]

    def __init__(
        self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay)

    @no_grad()
    def step(self) -> None:
        """p -= lr * v, with v = momentum * v + grad + weight_decay * p."""
        settings = self.defaults
        lr, momentum, decay = settings["lr"], settings["momentum"], settings["weight_decay"]
        if not momentum and not decay:  # the common case, kept to one line per parameter
            # A grad may be a Value (after backward(create_graph=True)): its number is used.
            # A grad of 0 leaves p as it is: skipped. Two in three of the digits
            # net's grads are 0 (blank pixels, relus that are off): 2,410
            # parameters, 141 -> 50 us (measured). (Only the sign of a zero p
            # with a grad of -0.0 differs from p - lr * grad, and backward never
            # leaves -0.0: grads start at 0.0, and 0.0 + -0.0 is 0.0.)
            for p in self.params:
                grad = p.grad
                if grad:
                    p.data -= lr * (grad if type(grad) is float else grad.data)
            return
        velocities = self.velocities
        for i, p in enumerate(self.params):
            g = _grad(p) + decay * p.data
            v = momentum * velocities[i] + g
            velocities[i] = v
            p.data -= lr * v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), with optional L2 weight decay added to the gradient.

    For each parameter p with gradient g, at step t = 1, 2, ...::

        g     = g + weight_decay * p
        m     = beta1 * m + (1 - beta1) * g          (m, v start at 0)
        v     = beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t)
        v_hat = v / (1 - beta2^t)
        p     = p - lr * m_hat / (sqrt(v_hat) + eps)

    >>> from autograd import Value
    >>> w = Value(1.0); opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)   # the first step is lr * sign(grad)
    0.9
    """

    SETTINGS: ClassVar[dict[str, Setting]] = {
        "lr": RATE,
        "betas": Setting(upper=1.0, pair=("beta1", "beta2")),
        "eps": Setting(positive=True),
        "weight_decay": RATE,
    }
    BUFFERS = ("first_moments", "second_moments")
    COUNTERS = ("steps_taken",)

    first_moments: list[float]
    second_moments: list[float]
    steps_taken: int

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    @no_grad()
    def step(self) -> None:
        """One Adam update of every parameter (see the class docstring for the formulas)."""
        self.steps_taken += 1
        t = self.steps_taken
        settings = self.defaults
        beta1, beta2 = settings["betas"]
        lr, eps, decay = settings["lr"], settings["eps"], settings["weight_decay"]
        first_correction = 1.0 - beta1**t
        second_correction = 1.0 - beta2**t
        m, v = self.first_moments, self.second_moments
        for i, p in enumerate(self.params):
            g = _grad(p)
            if decay:
                g += decay * p.data
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat = m[i] / first_correction
            v_hat = v[i] / second_correction
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)
