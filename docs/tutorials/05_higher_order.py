# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Derivatives of derivatives, and Newton's method
#
# `backward()` fills each leaf's `grad` with a number. To differentiate a
# derivative we need the derivative itself as a graph, and
# `backward(create_graph=True)` builds exactly that: each local derivative
# is rebuilt from `Value`s, with the same op table the forward pass uses.
# `autograd.grad` and `autograd.hessian` wrap it as functions.
#
# In this tutorial you will:
#
# - take derivatives of any order with `grad(grad(f))`;
# - see what `backward(create_graph=True)` builds;
# - compute a gradient and a Hessian by hand and check them;
# - use second derivatives in Newton's method, and see it beat gradient
#   descent.

# %%
import math

from autograd import Value, grad, hessian

# %% [markdown]
# ## `grad`, to any order
#
# `grad(f)` is the function x -> f'(x). Because it returns Values when it is
# given Values, it composes: `grad(grad(f))` is f'', and so on. For
# f(x) = x^3 at x = 2: f' = 3x^2 = 12, f'' = 6x = 12, f''' = 6.


# %%
def cube(x):
    return x**3


first = grad(cube)
second = grad(grad(cube))
third = grad(grad(grad(cube)))
print(first(2.0), second(2.0), third(2.0))

# %% [markdown]
# The derivatives of sin cycle through cos, -sin, -cos, sin. Four `grad`s
# bring us back to where we started:

# %%
derivatives = [lambda x: x.sin()]
for _ in range(4):
    derivatives.append(grad(derivatives[-1]))
x0 = 0.7
values = [derivatives[0](Value(x0)).data] + [d(x0) for d in derivatives[1:]]
expected = [math.sin(x0), math.cos(x0), -math.sin(x0), -math.cos(x0), math.sin(x0)]
print("grad, 0 to 4 times:", [round(v, 6) for v in values])
print("sin, cos, -sin, -cos, sin:", [round(v, 6) for v in expected])

# %% [markdown]
# ## What `create_graph=True` does
#
# The same second derivative by hand: after `y.backward(create_graph=True)`,
# `x.grad` is a Value (3x^2 as a graph) and can be differentiated again.

# %%
x = Value(2.0, label="x")
y = x**3
y.backward(create_graph=True)
dy_dx = x.grad
print("dy/dx =", dy_dx.data, "- a Value:", isinstance(dy_dx, Value))
x.grad = 0.0  # start the second pass from a clean leaf
dy_dx.backward()
print("d2y/dx2 =", x.grad)

# %% [markdown]
# ## Hessians
#
# For a function of several variables, `hessian(f)` gives the matrix of
# second derivatives H[i][j] = d^2 f / (dx_i dx_j). For
# f(x, y) = x y + x^2: d^2f/dx^2 = 2, d^2f/dx dy = 1, d^2f/dy^2 = 0.

# %%
H = hessian(lambda x, y: x * y + x**2)(1.0, 2.0)
print(H)

# %% [markdown]
# ## Try it yourself
#
# Take `g(x, y) = x^2 y + y^3` at `x = 1`, `y = 2` (so `g = 10`). On paper:
#
# 1. the gradient: `d g / d x = 2 x y` and `d g / d y = x^2 + 3 y^2`;
# 2. the Hessian: `[[d2g/dx2, d2g/dx dy], [d2g/dy dx, d2g/dy2]]`, each the
#    derivative of a line of step 1.
#
# Put your gradient in `my_gradient` and run the cell: `check_gradients`
# checks it against backward. The numbers there now are an attempt that
# differentiated `y^3` as `y^2`; replace them with yours.

# %%
from autograd.practice import check_gradients

gx, gy = Value(1.0, label="x"), Value(2.0, label="y")
g = gx**2 * gy + gy**3
g.label = "g"

my_gradient = {"x": 4.0, "y": 5.0}  # replace with your numbers
check_gradients(g, my_gradient)

# %% [markdown]
# And your Hessian, compared entry by entry with `hessian`:

# %%
my_hessian = [[4.0, 2.0], [2.0, 4.0]]  # replace with your numbers
engine_hessian = hessian(lambda x, y: x**2 * y + y**3)(1.0, 2.0)
for row, (mine, engine) in enumerate(zip(my_hessian, engine_hessian)):
    verdict = "right" if mine == engine else f"not quite: the engine says {engine}"
    print(f"row {row}: yours {mine}, {verdict}")

# %% [markdown]
# ## Newton's method
#
# Gradient descent steps downhill by a fixed fraction of the slope. Newton's
# method also uses the curvature: near a minimum f looks like a parabola, and
# it jumps straight to that parabola's bottom, x <- x - f'(x) / f''(x). Close
# to the answer it doubles the number of correct digits at each step.
#
# Minimise f(x) = e^x - 2x, whose minimum is at x = ln 2 (where
# f'(x) = e^x - 2 = 0), from x = 2, both ways, until |f'(x)| < 1e-8.


# %%
def f(x):
    return x.exp() - 2.0 * x


df = grad(f)
d2f = grad(grad(f))


def newton(x, tolerance=1e-8, max_steps=100):
    for step in range(max_steps):
        if abs(df(x)) < tolerance:
            return x, step
        x = x - df(x) / d2f(x)
    raise RuntimeError("Newton's method did not converge")


def gradient_descent(x, lr=0.1, tolerance=1e-8, max_steps=10_000):
    for step in range(max_steps):
        if abs(df(x)) < tolerance:
            return x, step
        x = x - lr * df(x)
    raise RuntimeError("gradient descent did not converge")


newton_x, newton_steps = newton(2.0)
descent_x, descent_steps = gradient_descent(2.0)
print(f"Newton:           x = {newton_x:.12f} after {newton_steps} steps")
print(f"gradient descent: x = {descent_x:.12f} after {descent_steps} steps")
print(f"ln 2            =     {math.log(2):.12f}")


# %% [markdown]
# How fast each one closes in: the distance to the minimum after each step,
# on a logarithmic scale. Gradient descent gains the same fraction of a
# digit at every step, a straight line; Newton's line bends down ever more
# steeply, as the number of correct digits doubles.

# %%
import sys

import matplotlib

if "ipykernel" not in sys.modules:  # run as a plain script: draw with Agg, no display needed
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # in Jupyter the figures show inline


def distances(step, x, count):
    """|x - ln 2| after each of count steps of x <- step(x)."""
    found = []
    for _ in range(count):
        x = step(x)
        found.append(max(abs(x - math.log(2)), 1e-17))
    return found


figure, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogy(range(1, 7), distances(lambda x: x - df(x) / d2f(x), 2.0, 6), "o-", label="Newton")
ax.semilogy(range(1, 61), distances(lambda x: x - 0.1 * df(x), 2.0, 60), ".-", label="gradient descent, lr 0.1")
ax.set_xlabel("step")
ax.set_ylabel("|x - ln 2|")
ax.set_title("minimising e^x - 2x from x = 2")
ax.legend()
plt.show()

# %% [markdown]
# ## Newton's method in two dimensions
#
# With several variables the step solves H d = g for d and moves
# x <- x - d. Rosenbrock's function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2
# has its minimum at (1, 1) at the bottom of a long curved valley, where
# gradient descent crawls. For a 2x2 system the solve is one line.


# %%
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


gradient_of = grad(rosenbrock, argnums=(0, 1))
hessian_of = hessian(rosenbrock)

point = [-1.2, 1.0]
steps = 0
while math.hypot(*gradient_of(*point)) >= 1e-10 and steps < 50:
    steps += 1
    gx, gy = gradient_of(*point)
    (a, b), (c, d) = hessian_of(*point)
    det = a * d - b * c
    point = [point[0] - (d * gx - b * gy) / det, point[1] - (a * gy - c * gx) / det]
print(f"minimum near ({point[0]:.10f}, {point[1]:.10f}) after {steps} Newton steps")

# %% [markdown]
# ## What you have learned
#
# - `backward(create_graph=True)` builds the derivative as a graph, so it
#   can be differentiated again: `grad(grad(f))`, `hessian(f)`.
# - Newton's method divides the slope by the curvature and reaches a
#   minimum in a handful of steps where gradient descent needs hundreds.
#
# Next: [models that travel](06_models_that_travel.ipynb).
