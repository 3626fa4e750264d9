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
# # 8. Practise backprop: do the steps, and be told where they go wrong
#
# Watching the chain rule is one thing; doing it is another. This notebook
# has you compute gradients by hand and checks them against the engine's own
# backward pass: first all at once (`check_gradients`), then one edge at a
# time (`Exercise`). Then it shows why a gradient is a *sum over paths*, and
# why reverse mode (backprop) beats forward mode for a loss of many weights.
#
# In this tutorial you will:
#
# - hand in your gradients for a whole graph and be told where they go wrong;
# - answer backward's questions one edge at a time, in a notebook or on a
#   page;
# - count the paths from a weight to the loss, and see why their products
#   add up to the gradient;
# - compare forward mode with reverse mode.

# %%
from autograd import Value, jvp
from autograd.explain import compare_modes, explain, paths
from autograd.practice import Exercise, check_gradients

x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
n = w * x + b
n.label = "n"
y = n.tanh()
y.label = "y"
y

# %% [markdown]
# ## Try it yourself: check your gradients
#
# Work out `d y / d value` for any of the values, on paper, and hand them
# in: as numbers rounded the way you would write them (`0.786`: at least 3
# significant digits, right when within one unit of the last digit), or as
# the arithmetic you did, in quotes (`"1 - 0.4621**2"`). The answers below
# pretend to have made the classic mistake: taking the derivative of
# `tanh(x)` as `1 - x^2` instead of `1 - tanh(x)^2`. Replace them with yours.

# %%
my_answers = {"y": 1, "n": "1 - 0.5**2", "w": "2 * (1 - 0.5**2)"}
report = check_gradients(y, my_answers)
report

# %% [markdown]
# The report names the first wrong value in the order backward reaches it,
# gives the right number and the chain-rule line that makes it. `w` is wrong
# too, but it follows from your `n`: fix `n` first.

# %%
print(report)

# %% [markdown]
# ## Try it yourself: one step at a time
#
# `Exercise` walks the same backward pass edge by edge. Each question names
# the edge and asks for the local derivative, then the contribution.
# In a notebook, read `prompt` and call `answer`; on a terminal,
# `exercise.run()` asks with `input()` (or `glassgrad practice "..."`).

# %%
exercise = Exercise(y)
print(exercise.prompt)
print(exercise.answer(0.75).message)  # 1 - x^2 again: the hint is the formula

# %%
print(exercise.answer(1 - 0.5**2).message)  # wrong twice: the exercise shows the value

# %%
print(exercise.prompt)
print(exercise.answer("0.786").message)  # rounded to 3 significant digits is right
exercise.score

# %% [markdown]
# The same exercise as a page: the graph, the question for each step, a box
# for your answer. Enter checks it; a wrong answer shows the formula, a right
# one reveals the step and moves on. It works here, and from a file:
# `autograd.explain.save_html(y, "practice.html", practice=True)`, or
# `glassgrad html "tanh(w*x + b)" w=-3 x=2 b=6.5 -o practice.html --practice`
# on the command line.

# %%
from autograd.explain import step_through

step_through(y, practice=True)

# %% [markdown]
# ## A gradient is a sum over paths
#
# When a value is used twice its grad gets two contributions. In
# `b = a + a; c = b * b` there are two edges from `a` to `b` and two from `b`
# to `c`: four paths, each with product 1 · b. Their sum is `a.grad`.

# %%
a = Value(3.0, label="a")
b2 = a + a
b2.label = "b"
c = b2 * b2
c.label = "c"
found = paths(c, a)
found

# %%
c.backward()
print("a.grad =", a.grad, "  the sum over the paths =", found.total)

# %% [markdown]
# The count and the sum are computed by dynamic programming over the graph,
# not by listing the paths, so they stay exact when there are far too many to
# list: 2^100 paths here, only 3 listed.

# %%
z = Value(0.5, label="z")
top = z
for _ in range(100):
    top = top + top
many = paths(top, z, limit=3)
print(many.count == 2**100, many.total)

# %% [markdown]
# `draw(c, highlight=found[1])` (from `autograd.viz`) draws the graph with one
# path marked, as the next cell does when Graphviz is installed.

# %%
import shutil

from autograd.viz import draw

picture = draw(c, highlight=found[1]) if shutil.which("dot") else None
picture

# %% [markdown]
# ## Forward mode beside reverse mode
#
# `jvp` pushes a direction forward through the graph with dual numbers,
# using the same local derivatives as backward. One forward pass gives the
# derivative along one direction; one backward pass gives the derivative
# with respect to every input at once.

# %%
value, slope = jvp(lambda x, w: (w * x).tanh(), [2.0, -3.0], [1.0, 0.0])
print(value, slope)

# %%
print(compare_modes(lambda *weights: sum(weights, Value(0.0)).tanh(), *[0.1] * 20))

# %% [markdown]
# Twenty inputs, one output: forward mode needs twenty passes, backprop one.
# That is why neural networks are trained with backprop. With one input and
# many outputs it is the other way round.

# %%
print(compare_modes(lambda t: [t.tanh(), t.exp(), t.sin(), t * t], 0.3))

# %% [markdown]
# To watch the steps you have just practised, `explain(y)` prints every one.

# %%
steps = explain(y)

# %% [markdown]
# ## What you have learned
#
# - `check_gradients` finds your first wrong gradient and shows the
#   chain-rule line that makes the right one; `Exercise` and the practice
#   page ask one edge at a time.
# - A gradient is the sum, over every path from the value to the output, of
#   the product of the local derivatives along it.
# - Backprop gets every input's derivative in one backward pass; forward
#   mode needs one pass per input.
#
# Back to the start: [one neuron](01_one_neuron.ipynb), or on to the
# [user guide](../guide/engine.md).
