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
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value, no_grad


def _check_rate(value: object, name: str, where: str, upper: float = math.inf, closed_upper: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where} {name} must be a finite number, got {value!r}")
    inside = value < upper or (closed_upper and value == upper)
    if value < 0.0 or not inside:
        bound = f"[0, {upper}]" if closed_upper else f"[0, {upper})"
        raise ValueError(f"{where} {name} must be in {bound}, got {value!r}")
    return float(value)


def _grad(p: Value) -> float:
    g = p.grad
    return g if type(g) is float else float(g)  # a Value after backward(create_graph=True)


class Optimizer:
    """Base class: holds the parameters (each once) and the learning rate ``lr``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        unique: list[Value] = []
        seen: set[int] = set()
        for index, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}() params must be Values, item {index} is {type(p).__name__} {p!r}")
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and L2 weight decay.

    For each parameter p with gradient g, per step::

        g = g + weight_decay * p
        v = momentum * v + g        (v starts at 0; without momentum v = g)
        p = p - lr * v

    (PyTorch's update rule with dampening 0 and no Nesterov.)
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_rate(momentum, "momentum", "SGD()", upper=1.0)
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "SGD()")
        self.velocities = [0.0] * len(self.params)

    @no_grad()
    def step(self) -> None:
        """p -= lr * v, with v = momentum * v + grad + weight_decay * p."""
        lr, momentum, decay = self._lr, self.momentum, self.weight_decay
        if not momentum and not decay:  # the common case, kept to one line per parameter
            # float(): a grad may be a Value (after backward(create_graph=True)); then
            # lr * grad is one too, and float() takes its number. On a float it costs
            # less than a type check: 2,410 parameters, 128 -> 101 us (measured).
            # A grad of 0 leaves p as it is: skipped. Two in three of the digits
            # net's grads are 0 (blank pixels, relus that are off): 2,410
            # parameters, 141 -> 50 us (measured). (Only the sign of a zero p
            # with a grad of -0.0 differs from p - lr * grad, and backward never
            # leaves -0.0: grads start at 0.0, and 0.0 + -0.0 is 0.0.)
            to_float = float
            for p in self.params:
                grad = p.grad
                if grad:
                    p.data -= to_float(lr * grad)
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
        self.eps = _check_rate(eps, "eps", "Adam()")
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "Adam()")
        self.first_moments = [0.0] * len(self.params)
        self.second_moments = [0.0] * len(self.params)
        self.steps_taken = 0

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
