"""Optimizers: SGD (with momentum and weight decay) and Adam.

An optimizer holds a list of parameters (leaf Values). ``step()`` reads each
``p.grad`` and changes ``p.data`` in place, under ``no_grad`` and in plain
float arithmetic, so it records no graph. ``zero_grad()`` sets every ``p.grad`` to 0.0. The
learning rate is the attribute ``lr`` and can be changed between steps (a
schedule)::

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
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from autograd import Value, no_grad
from nn import serialization

__all__ = ["SGD", "Adam", "Optimizer"]

OptimizerType = TypeVar("OptimizerType", bound="Optimizer")


def _check_rate(
    value: object, name: str, where: str, upper: float = math.inf, closed_upper: bool = False, positive: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{where} {name} must be a finite number, got {value!r}")
    if positive and not value > 0.0:
        raise ValueError(f"{where} {name} must be > 0, got {value!r}")
    inside = value < upper or (closed_upper and value == upper)
    if value < 0.0 or not inside:
        bound = f"[0, {upper}]" if closed_upper else f"[0, {upper})"
        raise ValueError(f"{where} {name} must be in {bound}, got {value!r}")
    return float(value)


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _finite_numbers(state: Mapping[str, Any], key: str, count: int, problems: list[str]) -> list[float]:
    """``state[key]`` as ``count`` floats, each finite; what is wrong goes into ``problems``."""
    given = state.get(key)
    if not isinstance(given, list | tuple):
        problems.append(f"{key}: expected a list of {count} numbers, got {type(given).__name__} {given!r:.40}")
        return []
    if len(given) != count:
        problems.append(f"{key}: expected {count} numbers (one per parameter), got {len(given)}")
        return []
    bad = [i for i, x in enumerate(given) if not _is_number(x) or not math.isfinite(x)]
    if bad:
        problems.append(f"{key}[{bad[0]}]: expected a finite number, got {given[bad[0]]!r}")
        return []
    return [float(x) for x in given]


def _grad(p: Value) -> float:
    g = p.grad
    return g if type(g) is float else g.data  # a Value after backward(create_graph=True)


class Optimizer:
    """Base class: holds the parameters (each once) and the learning rate ``lr``.

    >>> from autograd import Value
    >>> w = Value(1.0); opt = SGD([w, w], lr=0.1)
    >>> len(opt.params)    # each parameter once
    1
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        if callable(getattr(params, "parameters", None)):  # a Module
            raise TypeError(f"{name}() takes the parameters, not the model: pass model.parameters(), got {params!r}")
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{name}() params must be an iterable of Values, got {type(params).__name__}: {params!r}")
        unique: list[Value] = []
        seen: set[int] = set()
        for index, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}() params must be Values, item {index} is {type(p).__name__} {p!r}")
            if p.op:
                raise TypeError(
                    f"{name}() params must be leaf Values (parameters), item {index} was computed by {p.op!r}: "
                    f"{p!r}; an update to it would be lost the next time it is computed"
                )
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{name}() got an empty parameter list")
        self.params = unique
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate; set it between steps to follow a schedule."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _check_rate(value, "lr", f"{type(self).__name__}()")

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its grad."""
        raise NotImplementedError

    # ------------------------------------------------------------ state
    def _hyperparameters(self) -> dict[str, Any]:
        """The settings a state dict carries (``lr`` and each subclass's own), by name."""
        return {"lr": self.lr}

    def _buffers(self) -> dict[str, list[float]]:
        """The per-parameter lists a state dict carries (one number per parameter, in ``params`` order)."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain numbers: its type, parameter count, settings and buffers.

        Parameters are matched by position (the order of ``params``, which is
        ``model.parameters()``'s order), as PyTorch does. The lists are copies.

        >>> SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9).state_dict()
        {'type': 'SGD', 'parameters': 2, 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.0, 'velocities': [0.0, 0.0]}
        """
        state: dict[str, Any] = {"type": type(self).__name__, "parameters": len(self.params)}
        state.update(self._hyperparameters())
        state.update({name: list(buffer) for name, buffer in self._buffers().items()})
        state.update({name: getattr(self, name) for name in self._counters()})
        return state

    def load_state_dict(self: OptimizerType, state: Mapping[str, Any]) -> OptimizerType:
        """Restore a state from :meth:`state_dict`, settings included (``lr``: set it after to change it); returns self.

        All or nothing: the type, the parameter count, every setting (as the
        constructor checks it) and every buffer number (finite) are checked
        first; any problem is a ValueError listing them, and nothing changes.
        """
        name = type(self).__name__
        if not isinstance(state, Mapping):
            raise ValueError(f"{name}.load_state_dict() needs a mapping, got {type(state).__name__}")
        problems: list[str] = []
        expected = {"type", "parameters", *self._hyperparameters(), *self._buffers(), *self._counters()}
        if state.get("type") != name:
            problems.append(f"the state is of type {state.get('type')!r}, this optimizer is {name}")
        if state.get("parameters") != len(self.params):
            problems.append(
                f"the state is for {state.get('parameters')!r} parameters, this optimizer has {len(self.params)}"
            )
        missing, extra = sorted(expected - set(state)), sorted(str(key) for key in set(state) - expected)
        if missing:
            problems.append(f"missing keys: {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected keys: {', '.join(extra)}")
        if problems:
            raise ValueError(f"{name}.load_state_dict() failed, nothing was changed:\n  " + "\n  ".join(problems))
        buffers = {key: _finite_numbers(state, key, len(self.params), problems) for key in self._buffers()}
        counters = {}
        for key in self._counters():
            value = state[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{key}: expected a count (an int >= 0), got {value!r}")
            counters[key] = value
        restore = {key: state[key] for key in self._hyperparameters()}
        try:
            self._check_hyperparameters(restore)
        except ValueError as error:
            problems.append(str(error))
        if problems:
            raise ValueError(f"{name}.load_state_dict() failed, nothing was changed:\n  " + "\n  ".join(problems))
        self._set_hyperparameters(restore)
        for key, restored in buffers.items():
            self._buffers()[key][:] = restored
        for key, value in counters.items():
            setattr(self, key, value)
        return self

    def _counters(self) -> tuple[str, ...]:
        """Names of int attributes a state dict carries (Adam's ``steps_taken``, the t of its bias corrections)."""
        return ()

    def _check_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Raise ValueError if ``values`` (from a state dict) are not settings the constructor accepts."""
        _check_rate(values["lr"], "lr", f"{type(self).__name__}()")

    def _set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        self.lr = values["lr"]

    def save(self, path: str | os.PathLike[str] | bytes) -> None:
        """Write :meth:`state_dict` to ``path`` as JSON, atomically: see :func:`nn.serialization.save_optimizer`."""
        serialization.save_optimizer(self, path)

    def load(self: OptimizerType, path: str | os.PathLike[str] | bytes) -> OptimizerType:
        """Read a state saved by :meth:`save` into this optimizer, all or nothing; returns self."""
        serialization.load_optimizer_into(self, path)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


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

    def __init__(
        self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_rate(momentum, "momentum", "SGD()", upper=1.0)
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "SGD()")
        self.velocities = [0.0] * len(self.params)

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}

    def _buffers(self) -> dict[str, list[float]]:
        return {"velocities": self.velocities}

    def _check_hyperparameters(self, values: Mapping[str, Any]) -> None:
        super()._check_hyperparameters(values)
        _check_rate(values["momentum"], "momentum", "SGD()", upper=1.0)
        _check_rate(values["weight_decay"], "weight_decay", "SGD()")

    def _set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        super()._set_hyperparameters(values)
        self.momentum = float(values["momentum"])
        self.weight_decay = float(values["weight_decay"])

    @no_grad()
    def step(self) -> None:
        """p -= lr * v, with v = momentum * v + grad + weight_decay * p."""
        lr, momentum, decay = self._lr, self.momentum, self.weight_decay
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

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"Adam() betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_rate(betas[0], "beta1", "Adam()", upper=1.0),
            _check_rate(betas[1], "beta2", "Adam()", upper=1.0),
        )
        self.eps = _check_rate(eps, "eps", "Adam()", positive=True)
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "Adam()")
        self.first_moments = [0.0] * len(self.params)
        self.second_moments = [0.0] * len(self.params)
        self.steps_taken = 0

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": list(self.betas), "eps": self.eps, "weight_decay": self.weight_decay}

    def _buffers(self) -> dict[str, list[float]]:
        return {"first_moments": self.first_moments, "second_moments": self.second_moments}

    def _counters(self) -> tuple[str, ...]:
        return ("steps_taken",)

    def _check_hyperparameters(self, values: Mapping[str, Any]) -> None:
        super()._check_hyperparameters(values)
        betas = values["betas"]
        if not isinstance(betas, list | tuple) or len(betas) != 2:
            raise ValueError(f"Adam() betas must be a pair (beta1, beta2), got {betas!r}")
        _check_rate(betas[0], "beta1", "Adam()", upper=1.0)
        _check_rate(betas[1], "beta2", "Adam()", upper=1.0)
        _check_rate(values["eps"], "eps", "Adam()", positive=True)
        _check_rate(values["weight_decay"], "weight_decay", "Adam()")

    def _set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        super()._set_hyperparameters(values)
        self.betas = (float(values["betas"][0]), float(values["betas"][1]))
        self.eps = float(values["eps"])
        self.weight_decay = float(values["weight_decay"])

    @no_grad()
    def step(self) -> None:
        """One Adam update of every parameter (see the class docstring for the formulas)."""
        self.steps_taken += 1
        t = self.steps_taken
        beta1, beta2 = self.betas
        lr, eps, decay = self._lr, self.eps, self.weight_decay
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
