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
# # 1. One neuron, by hand and by the engine
#
# A neuron takes some inputs, multiplies each by a weight, adds them up and
# adds a bias: `out = w . x + b`. This notebook computes that by hand with
# plain Python numbers, then with glassgrad's `Value`s, which remember how
# each number was made, and then walks the chain rule backwards through a
# small neuron one step at a time.
#
# The numbers come from the worked examples of a well-known "neural networks
# from scratch" text (we call it *the textbook* below). Every result is checked
# with an `assert`, so if a number here ever changes, the notebook fails in CI.

# %%
from autograd import Value, dot
from autograd.explain import explain

TOLERANCE = 1e-9


def close(a, b):
    """True when two numbers agree to within TOLERANCE."""
    return abs(a - b) < TOLERANCE


# %% [markdown]
# ## One neuron by hand
#
# Four inputs, four weights, one bias. The output is the weighted sum plus the
# bias: 1(0.2) + 2(0.8) + 3(-0.5) + 2.5(1.0) + 2 = 4.8.

# %%
inputs = [1.0, 2.0, 3.0, 2.5]
weights = [0.2, 0.8, -0.5, 1.0]
bias = 2.0

output = sum(x * w for x, w in zip(inputs, weights)) + bias
print(output)
assert abs(output - 4.8) < 1e-9

# %% [markdown]
# ## The same neuron with Values
#
# Wrapping each number in a `Value` gives the same result, and the result now
# knows which operations produced it. Here every multiply and add is its own
# node; `autograd.dot` does the whole `w . x + b` as one node, which is what
# `nn` uses because it is faster.

# %%
xs = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
ws = [Value(w, label=f"w{i}") for i, w in enumerate(weights)]
b = Value(bias, label="b")

out = xs[0] * ws[0] + xs[1] * ws[1] + xs[2] * ws[2] + xs[3] * ws[3] + b
fused = dot(ws, xs, b)
print(out.data, fused.data)
assert abs(out.data - 4.8) < 1e-9
assert abs(fused.data - 4.8) < 1e-9

# %% [markdown]
# ## A layer of three neurons
#
# A layer is several neurons reading the same inputs. Each row below is one
# neuron's weights. These are the rows of the textbook's layer example, and
# its printed output is `[4.8, 1.21, 3.465]`.

# %%
layer_weights = [
    [0.2, 0.8, -0.5, 1.0],
    [0.5, -0.91, 0.26, -0.5],
    [-0.26, 0.27, 0.17, 0.87],
]
layer_biases = [2.0, 3.0, 0.5]


def layer(rows, biases, x):
    """One output per neuron: the dot product of its weight row with x, plus its bias."""
    return [sum(w * xi for w, xi in zip(row, x)) + b for row, b in zip(rows, biases)]


layer_output = layer(layer_weights, layer_biases, inputs)
print(layer_output)
for got, expected in zip(layer_output, [4.8, 1.21, 3.465]):
    assert abs(got - expected) < 1e-9

# %% [markdown]
# ## A batch of three samples
#
# Feeding three samples at once gives one row of outputs per sample. The
# textbook's batch example writes the third neuron's second weight as
# **-0.27**, where its layer example above had **+0.27**. We keep each example
# exactly as the text prints it rather than "correcting" one of them: they are
# simply two different weight sets, and each printed result is right for its
# own weights. With -0.27 the first sample's third output is 2.385 instead of
# 3.465 (the difference is 2 x 0.54 = 1.08: the input 2 times the change of
# the weight, 0.54).

# %%
batch = [
    [1.0, 2.0, 3.0, 2.5],
    [2.0, 5.0, -1.0, 2.0],
    [-1.5, 2.7, 3.3, -0.8],
]
batch_weights = [
    [0.2, 0.8, -0.5, 1.0],
    [0.5, -0.91, 0.26, -0.5],
    [-0.26, -0.27, 0.17, 0.87],
]
batch_biases = [2.0, 3.0, 0.5]

layer1_outputs = [layer(batch_weights, batch_biases, sample) for sample in batch]
expected_layer1 = [
    [4.8, 1.21, 2.385],
    [8.9, -1.81, 0.2],
    [1.41, 1.051, 0.026],
]
for row in layer1_outputs:
    print([round(v, 6) for v in row])
for got_row, expected_row in zip(layer1_outputs, expected_layer1):
    for got, expected in zip(got_row, expected_row):
        assert abs(got - expected) < 1e-9
assert close(layer1_outputs[0][2] - layer_output[2], 2 * (-0.27 - 0.27))

# %% [markdown]
# ## Two layers
#
# The batch's outputs go through a second layer of three neurons. Here the
# textbook stores the weights the other way round: it computes
# `np.dot(layer1_outputs, weights2)`, so **row i of `weights2` holds the
# weights leaving input i**, and each neuron's weights are a *column*. Read
# with that convention, neuron j's output for a sample h is
# `sum_i h[i] * weights2[i][j] + biases2[j]`. (Reading the rows as neurons
# instead, as the first layer does, gives different numbers: that would be
# `np.dot(layer1_outputs, weights2.T)`.)

# %%
weights2 = [
    [0.1, -0.14, 0.5],
    [-0.5, 0.12, -0.33],
    [-0.44, 0.73, -0.13],
]
biases2 = [-1.0, 2.0, -0.5]


def layer_by_columns(columns, biases, h):
    """Neuron j's weights are column j: out[j] = sum_i h[i] * columns[i][j] + biases[j]."""
    return [sum(h[i] * columns[i][j] for i in range(len(h))) + biases[j] for j in range(len(biases))]


layer2_outputs = [layer_by_columns(weights2, biases2, h) for h in layer1_outputs]
expected_layer2 = [
    [-2.1744, 3.21425, 1.19065],
    [0.707, 0.6828, 4.5213],
    [-1.39594, 1.9477, -0.14521],
]
for row in layer2_outputs:
    print([round(v, 6) for v in row])
for got_row, expected_row in zip(layer2_outputs, expected_layer2):
    for got, expected in zip(got_row, expected_row):
        assert abs(got - expected) < 1e-9

# %% [markdown]
# ## Which way does each weight push the output?
#
# Backpropagation answers: for every input, weight and bias, how much does
# the output change per unit change of it? For `out = w . x + b` the answer
# is simple: d out / d w_i = x_i, d out / d x_i = w_i and d out / d b = 1.
# `out.backward()` computes all of them at once. It starts from
# d out / d out = 1 (the gradient backward is seeded with) and walks the
# graph from the output back to the leaves.

# %%
out.backward()
print("d out / dw:", [w.grad for w in ws])
print("d out / dx:", [x.grad for x in xs])
print("d out / db:", b.grad)
assert [w.grad for w in ws] == inputs
assert [x.grad for x in xs] == weights
assert b.grad == 1.0

# %% [markdown]
# ## The chain rule, step by step
#
# A real neuron squashes its sum with an activation. Take
# `y = tanh(w x + b)` with x = 2, w = -3, b = 6.5, so the sum is
# n = -6 + 6.5 = 0.5 and y = tanh(0.5).
#
# Backward applies the chain rule one edge at a time, from the output down:
#
# 1. d y / d y = 1;
# 2. d y / d n = 1 - tanh(n)^2 = 1 - y^2 (the derivative of tanh);
# 3. n = w x + b, so d n / d w = x, d n / d x = w, d n / d b = 1, and each
#    leaf's gradient is (d y / d n) times that local derivative.
#
# First by hand, with plain floats:

# %%
import math

x_value, w_value, b_value = 2.0, -3.0, 6.5
n_value = w_value * x_value + b_value
y_value = math.tanh(n_value)
dy_dn = 1 - y_value**2
by_hand = {"x": dy_dn * w_value, "w": dy_dn * x_value, "b": dy_dn * 1.0}
print(f"n = {n_value}, y = {y_value:.6f}, dy/dn = {dy_dn:.6f}")
print({name: round(g, 6) for name, g in by_hand.items()})
assert close(n_value, 0.5)
assert close(y_value, 0.46211715726000974)

# %% [markdown]
# Then by the engine. The gradients agree with the hand computation.

# %%
x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.5, label="b")
y = (w * x + b).tanh()
y.label = "y"
y.backward()
print({"x": x.grad, "w": w.grad, "b": b.grad})
assert close(y.data, y_value)
assert close(x.grad, by_hand["x"])
assert close(w.grad, by_hand["w"])
assert close(b.grad, by_hand["b"])

# %% [markdown]
# ## Watching backward: `explain`
#
# `autograd.explain.explain` prints the forward pass, then every chain-rule
# step in the order the engine applies it: the edge, the local derivative
# with its formula, the upstream gradient, their product (the contribution)
# and the parent's gradient before and after. It runs its own backward pass,
# so we give it a fresh copy of the neuron. It also returns the steps.

# %%
x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.5, label="b")
y = (w * x + b).tanh()
y.label = "y"
steps = explain(y)

# %% [markdown]
# The last step written to each leaf leaves it with the same gradient the
# hand computation found.

# %%
final = {step.parent_name: step.parent_grad_after for step in steps}
print({name: final[name] for name in ("x", "w", "b")})
for name in ("x", "w", "b"):
    assert close(final[name], by_hand[name])
