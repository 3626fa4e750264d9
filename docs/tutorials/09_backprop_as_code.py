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
# # 9. Backprop as code: your network's backward pass, written out
#
# `explain` shows backpropagation as a table: one row per application of the
# chain rule, `parent.grad += local derivative * upstream grad`. This notebook
# shows the same backward pass as **code**: `autograd.compile` runs your
# function once with the engine, watches every operation, and writes the
# Python of its forward pass, then of its backward pass, one chain-rule line
# per edge, in the order the engine runs them. The lines come from the op
# table: each op's forward rule and local derivative are written once, in
# its entry, and the compiler copies them in.
#
# The code is not a picture of the computation: it *is* the computation.
# It gives the engine's numbers bit for bit, and it runs at the speed of
# hand-written Python, because it is hand-written-style Python: lists of
# floats, no graph.
#
# In this tutorial you will:
#
# - read the textbook neuron's compiled backward pass line by line, beside
#   `explain`'s table of the same chain-rule steps and a picture of its graph;
# - read a small network's compiled training step: forward, loss, backward
#   and the SGD update, each layer one line;
# - see the compiled step give the eager engine's weights to the last bit,
#   faster;
# - see what the compiler refuses, and why;
# - write a backward pass yourself and check it.

# %%
import time

import autograd
import nn
from autograd import TraceError, Value
from autograd.explain import explain
from autograd.practice import check_gradients
from autograd.viz import draw

# %% [markdown]
# ## The textbook neuron
#
# `y = tanh(w x + b)` at `w = -3`, `x = 2`, `b = 6.5`: the neuron every
# backprop tutorial works through by hand. First the engine's own account,
# with `explain`:

# %%
w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.5, label="b")
n = w * x + b
n.label = "n"
y = n.tanh()
y.label = "y"
explain(y)

# %% [markdown]
# Now the same neuron as a function of three numbers, compiled. Calling it
# gives the value and the gradient of each input; `source` is the code it
# runs.


# %%
def neuron(w, x, b):
    n = w * x + b
    n.label = "n"
    return n.tanh()


compiled = autograd.compile(neuron)
value, (dw, dx, db) = compiled(-3.0, 2.0, 6.5)
print("value", value, " dy/dw", dw, " dy/dx", dx, " dy/db", db)
compiled.source

# %% [markdown]
# Read it beside the table above:
#
# - The arguments are numbered (`x0` is `w`, `x1` is `x`, `x2` is `b`): your
#   names appear only in comments, never as code.
# - **Forward**, in the order the values were made: `v1 = x0 * x1` is the
#   table's `n1 = w * x`, `v2 = v1 + x2` is `n`, `v3 = tanh(v2)` is `y`.
# - **Backward** starts with the seed, `g_v3 = 1.0`: the table's
#   `start: y.grad = 1.0`. A name `g_v` is "d y / d v", the gradient so far.
# - `g_v2 = (1.0 - v3 * v3) * g_v3` is step 1, `y -> n`: the local
#   derivative of tanh, written from its output as its op entry says
#   (`1 - tanh(x)^2`), times the upstream gradient. That is 0.7864 * 1.0.
# - `g_v1 = g_v2` and `g_x2 += g_v2` are steps 2 and 3: an addition passes
#   its upstream gradient to both operands unchanged (local derivative 1,
#   so the code writes no `1.0 *`).
# - `g_x0 += x1 * g_v1` and `g_x1 += x0 * g_v1` are steps 4 and 5: the
#   local derivative of `a * b` with respect to `a` is `b`, and the other way
#   round. The gradients of the inputs start at 0 and add up, as the
#   engine's leaves do.
#
# Same numbers, from both:

# %%
y.backward()
for name, leaf, compiled_grad in (("w", w, dw), ("x", x, dx), ("b", b, db)):
    print(f"d y / d {name}:  engine {leaf.grad!r:<22}  compiled {compiled_grad!r}")

# %% [markdown]
# The graph, with the grads the engine found: each arrow of the picture is
# one line of the code's backward pass, read from the right.

# %%
draw(y)

# %% [markdown]
# ## A network's training step
#
# `nn.compile(model, loss_fn, optimizer)` compiles a whole training step:
# forward through the model, the loss, backward, and the optimizer's
# update. Here is a small tanh network, 2 inputs -> 2 hidden -> 1 output,
# trained on the squared error of one example.

# %%
model = nn.MLP(2, [2, 1], activation="tanh", rng=0)
optimizer = nn.SGD(model.parameters(), lr=0.1)
step = nn.compile(model, nn.mse_loss, optimizer)
example = ([1.0, -2.0], 0.5)
loss = step([example])  # one training step: the model's weights are updated
print("loss before the step:", loss)
step.source

# %% [markdown]
# Read it from the top:
#
# - `(x, y), = batch`: the one example, its input list and its target.
# - **Each layer is one line.** `z1 = [sum(map(mul, row, x), b) for row, b in
#   zip(W0, B0)]` computes every neuron's `w . x + b`: `W0` holds the first
#   layer's weights, one row per neuron, `B0` their biases. This is the
#   `dot` op's template, mapped over the rows. `a1 = [tanh(z) for z in z1]`
#   applies the activation to the whole layer.
# - The loss, `(p - t)^2` averaged over the batch, is written op by op, then
#   `loss = v9`. If it is not finite, the step stops before any weight
#   changes.
# - **Backward**, in the engine's order: the mean (`v9 = v8 * 1.0`, so
#   `g_v8 = g_v9`) and the sum, then the square. `v6 * v6` has two edges
#   into the same value, so its gradient gets two lines,
#   `d(a*b)/da = b` and `d(a*b)/db = a`, added in turn.
# - The output layer's backward: its one neuron's gradient is
#   `d0 = g_z2[0]`, and `g_a1 = [0.0 + w * d0 for w in W1[0]]` gives each
#   of its inputs `x_i` the gradient `w_i d`: the dot's local derivative
#   with respect to an input is its weight. (With more output neurons, each
#   input adds `w_ji d_j` over every row `j`.)
# - The tanh layer's backward is one list,
#   `g_z1 = [(1.0 - o * o) * g for z, o, g in zip(z1, a1, g_a1)]`: tanh's
#   local derivative again, from its output `o`, times the upstream
#   gradient `g`.
# - **The update** reads `d`, the gradient of each neuron's `w . x + b`:
#   `d loss / d w_ji = d_j x_i` (the dot's local derivative with respect to a
#   weight is its input), and plain SGD moves each weight by
#   `lr * (xi * d)`, in that order of operations, as the engine's
#   `optimizer.step()` does, so the numbers agree to the last bit.
#
# `explain` lists the same chain-rule steps, one per row. Build the same
# loss eagerly, from the same starting weights, and find the code's lines in
# it: steps 3 and 4 are the square's two edges, steps 6 to 10 the output
# layer's row, steps 11 and 15 the tanh layer, and the rows into `w0#2`,
# `w1#2`, `b#1` are the first neuron's update.

# %%
twin = nn.MLP(2, [2, 1], activation="tanh", rng=0)
twin_loss = nn.mse_loss([twin(example[0])], [example[1]])
explain(twin_loss)

# %% [markdown]
# ## The same numbers, at the speed of hand-written Python
#
# Train two copies of a digits-sized network side by side, one with the
# eager engine and one compiled, and compare every weight after a few
# steps, then the time of each.

# %%


def eager_step(model, optimizer, batch):
    outputs = [model(x) for x, _ in batch]
    loss = nn.cross_entropy(outputs, [y for _, y in batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data


examples = [([((i * 7 + j * 3) % 17) / 16.0 for j in range(64)], i % 10) for i in range(60)]
eager_model = nn.MLP(64, [32, 10], rng=1)
compiled_model = nn.MLP(64, [32, 10], rng=1)
eager_optimizer = nn.SGD(eager_model.parameters(), lr=0.01)
compiled_optimizer = nn.SGD(compiled_model.parameters(), lr=0.01)
digits_step = nn.compile(compiled_model, nn.cross_entropy, compiled_optimizer)
digits_step([examples[0]])  # the first call traces and writes the code

start = time.perf_counter()
for example_ in examples:
    eager_step(eager_model, eager_optimizer, [example_])
eager_seconds = time.perf_counter() - start
start = time.perf_counter()
for example_ in examples:
    digits_step([example_])
compiled_seconds = time.perf_counter() - start

eager_model_again = nn.MLP(64, [32, 10], rng=1)  # a third copy: the compiled one took one more step
eager_optimizer_again = nn.SGD(eager_model_again.parameters(), lr=0.01)
for example_ in [examples[0], *examples]:
    eager_step(eager_model_again, eager_optimizer_again, [example_])
largest = max(abs(p.data - q.data) for p, q in zip(eager_model_again.parameters(), compiled_model.parameters()))
print("largest weight difference after 61 steps:", largest)
eager_us, compiled_us = (seconds * 1e6 / len(examples) for seconds in (eager_seconds, compiled_seconds))
print(f"eager: {eager_us:.0f} us per step, compiled: {compiled_us:.0f} us per step")

# %% [markdown]
# The difference is 0.0: not close, identical. The compiled step adds every
# gradient's contributions in the order the engine adds them (floating-point
# addition is not associative, so the order matters to the last bit).
#
# `nn.fit(model, loss_fn, data, optimizer=..., compile=True)` trains through
# the same code, keeping the weights as plain floats between steps and
# writing them into the model before anything of yours can look at them. From
# a terminal, `glassgrad code "tanh(w*x + b)" w=-3 x=2 b=6.5` prints the
# neuron's code.
#
# ## What the compiler cannot see, it refuses
#
# The code is written once, from one call's operations. A choice your code
# makes by looking at a number (an `if` on a value) would be frozen into it
# and be wrong on the next call, so the compiler refuses it, and names the
# line:


# %%
def clipped(x):
    if x > 1.0:  # a branch on one call's number
        return x * 0.5
    return x


try:
    autograd.compile(clipped)(2.0)
except TraceError as error:
    print(str(error).replace(error.where[0], "this cell") if error.where else error)

# %% [markdown]
# Write the choice with ops instead (`relu`, `abs`, a smooth function), or
# pass `fallback=True` to run such a function with the eager engine. A
# training step refuses, by name, a batch of another size, inputs that are
# not finite numbers, a class index out of range, and a model whose graph
# changes from one example to the next.
#
# ## Try it yourself
#
# Here is a neuron with a sigmoid, `y = sigmoid(w x + b)` at `w = 0.5`,
# `x = 2`, `b = -1`. Write its backward pass as the compiler would: the
# sigmoid's local derivative is `out * (1 - out)`, then the chain rule
# through `+` and `*`. Put your gradients below (numbers, or the arithmetic
# in quotes) and check them; then compile it and compare your lines with
# the code's. The answers below take the sigmoid's derivative as `out`,
# a classic slip: fix them.

# %%
w2, x2, b2 = Value(0.5, label="w"), Value(2.0, label="x"), Value(-1.0, label="b")
z2 = w2 * x2 + b2
z2.label = "z"
y2 = z2.sigmoid()
y2.label = "y"
my_answers = {"y": 1, "z": "0.5", "w": "2 * 0.5", "x": "0.5 * 0.5", "b": "0.5"}
check_gradients(y2, my_answers)

# %%
sigmoid_neuron = autograd.compile(lambda w, x, b: (w * x + b).sigmoid())
sigmoid_neuron(0.5, 2.0, -1.0)
sigmoid_neuron.source

# %% [markdown]
# More to try:
#
# - Compile `lambda x: x.relu()`: its backward line has a condition,
#   because an off relu passes nothing back.
# - Change the network above to `activation="relu"`: the layer and its relu
#   become one line, and the backward skips the neurons that are off.
# - Use `nn.Adam(model.parameters(), lr=0.01)` as the optimizer and read the
#   update: the moments `m` and `v` are lists beside the weights.
# - Train on a batch of 4 examples: the code gains a loop over the examples,
#   and the update sums `d_j x_i` over them.
#
# ## What you have learned
#
# - The backward pass is code: one line per edge of the graph,
#   `gradient += local derivative * upstream gradient`, in the engine's
#   order. `explain`'s table and the compiled source say the same thing.
# - Each op says its forward rule and its local derivative once, in its
#   entry of the op table; the compiler copies them into the code (a layer
#   becomes one line over its rows).
# - A training step is forward, loss, backward, update, all of it plain
#   Python over lists of floats: the engine's numbers bit for bit, at the
#   speed of hand-written Python.
# - Code written once cannot follow choices made on one call's numbers:
#   those are refused, with the line that made them.
