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
# # 3. From a neuron to an MLP: OR, XOR and two moons
#
# One neuron draws one straight line through its input space. That is enough
# for OR, not for XOR; a hidden layer is. This notebook trains all three with
# `nn`, looks at why the textbook's XOR network never leaves a loss of 0.25,
# fixes it, and ends with a curved decision boundary on two moons.
#
# In this tutorial you will:
#
# - train a single neuron with `nn.fit` and see what a training loop does;
# - backpropagate one training example through a neuron and its loss by
#   hand, and take one step of gradient descent yourself;
# - see why a network can get stuck, in numbers, and fix it;
# - draw the curved boundary a hidden layer can learn.
#
# Every model takes `rng=` an integer, so each run gives the same numbers.

# %%
import sys

import matplotlib

if "ipykernel" not in sys.modules:  # run as a plain script: draw with Agg, no display needed
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # in Jupyter the figures show inline

import nn
from autograd import no_grad
from nn import data

# %% [markdown]
# ## OR: one sigmoid neuron
#
# `nn.MLP(2, [1], ...)` is a single neuron: sigmoid(w . x + b). OR is
# linearly separable, so gradient descent on the binary cross-entropy finds
# weights that put (0, 0) on one side of a line and the other three inputs
# on the other.

# %%
or_rows = data.or_gate()
neuron = nn.MLP(2, [1], output_activation="sigmoid", rng=0)
history = nn.fit(
    neuron,
    nn.binary_cross_entropy,
    or_rows,
    optimizer=nn.SGD(neuron.parameters(), lr=1.0),
    epochs=200,
    batch_size=len(or_rows),
    shuffle=False,
    progress=False,
)
for x, target in or_rows:
    print(x, "->", round(neuron(x).data, 3), "target", target)
print("final loss", round(history[-1]["loss"], 4), "accuracy", history[-1]["accuracy"])

# %% [markdown]
# `nn.fit` repeated one thing 200 times: run the examples forward, measure
# the loss, `backward()` to get every weight's gradient, and move each weight
# a small step against its gradient (`w -= lr * w.grad`). Here is that one
# step, by hand, for one example.
#
# ## Try it yourself: one step of training by hand
#
# A sigmoid neuron with `w1 = 0.5`, `w2 = -0.5`, `b = 0` sees the example
# `x = (1, 0)` with target 1, and is scored with the squared error:
#
# `z = w1 x1 + w2 x2 + b`, `p = sigmoid(z)`, `loss = (p - 1)^2`.
#
# On paper: `z = 0.5`, `p = sigmoid(0.5) = 0.6225`. Now work backwards:
#
# 1. `d loss / d p = 2 (p - 1)`;
# 2. `d loss / d z = (d loss / d p) * sigmoid'(z)`, where
#    `sigmoid'(z) = p (1 - p)`;
# 3. `d loss / d w1 = (d loss / d z) x1`, `d loss / d w2 = (d loss / d z) x2`,
#    `d loss / d b = d loss / d z`.
#
# Put your numbers in `my_answers` and run the cell (3 or 4 significant
# digits are plenty). The numbers there now forget the sigmoid's derivative
# in step 2; replace them with yours.

# %%
from autograd import Value
from autograd.practice import check_gradients

w1, w2, b = Value(0.5, label="w1"), Value(-0.5, label="w2"), Value(0.0, label="b")
x1, x2, target = 1.0, 0.0, 1.0
z = w1 * x1 + w2 * x2 + b
z.label = "z"
p = z.sigmoid()
p.label = "p"
loss = (p - target) ** 2
loss.label = "loss"

my_answers = {"loss": 1.0, "z": -0.755, "w1": -0.755, "w2": 0.0, "b": -0.755}  # replace with your numbers
check_gradients(loss, my_answers)

# %% [markdown]
# With the right gradients, one step of gradient descent with learning rate
# 1 moves each weight against its gradient, and the loss on this example
# goes down. `w2` does not move: its input was 0, so it had no part in the
# error.

# %%
loss.backward()
print(f"loss before the step: {loss.data:.4f}")
for weight in (w1, w2, b):
    weight.data -= 1.0 * weight.grad
p_after = (w1 * x1 + w2 * x2 + b).sigmoid()
print(f"weights after: w1 = {w1.data:.4f}, w2 = {w2.data:.4f}, b = {b.data:.4f}")
print(f"loss after the step: {(p_after.data - target) ** 2:.4f}")

# %% [markdown]
# ## XOR: the textbook network, stuck at 0.25
#
# The textbook's XOR network: 2 inputs, 4 hidden neurons, 1 output, sigmoid
# everywhere, **no biases**, weights drawn from N(0, 1) * 0.01, learning
# rate 0.1, 1000 epochs of full-batch gradient descent on the squared error.


# %%
def small_normal(rng, fan_in, fan_out):
    """The textbook's initial weights: a standard normal draw times 0.01."""
    return rng.gauss(0.0, 1.0) * 0.01


xor_rows = data.xor()


def train_xor(model, lr, epochs=1000):
    """Full-batch gradient descent on the mean squared error; returns the loss after each epoch."""
    history = nn.fit(
        model,
        nn.mse_loss,
        xor_rows,
        optimizer=nn.SGD(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=len(xor_rows),
        shuffle=False,
        accuracy=None,
        progress=False,
    )
    return [record["loss"] for record in history]


textbook = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False, init=small_normal, rng=0)
textbook_losses = train_xor(textbook, lr=0.1)
for epoch in range(100, 1001, 100):
    print(f"epoch {epoch:4d}  loss {textbook_losses[epoch - 1]:.4f}")
print("outputs:", [round(textbook(x).data, 4) for x, _ in xor_rows])

# %% [markdown]
# ### Why it is stuck
#
# With weights of about 0.01 every hidden pre-activation is about 0, so every
# hidden neuron outputs sigmoid(0) = 0.5, and so does the output neuron, for
# all four inputs. Answering 0.5 to targets 0, 1, 1, 0 costs
# (0.5^2 + 0.5^2 + 0.5^2 + 0.5^2) / 4 = **0.25**, which is exactly the loss
# we see.
#
# And the gradient there almost vanishes:
#
# - The output's error is +0.5 for two rows and -0.5 for the other two. The
#   hidden neurons give nearly the same activation (0.5) for every row, so the
#   four rows' pulls on each output weight nearly cancel.
# - The first layer's gradients pass through the output weights, which are
#   about 0.01, and through two sigmoid derivatives of at most 0.25 each. They
#   are tiny too, so the hidden neurons never become different from one
#   another.
#
# Without biases there is also no way to move a neuron's threshold. The
# gradients at the start, compared with a network drawn with weights of a
# normal size, show how small they are:


# %%
def first_gradients(model):
    """The largest |gradient| of the loss, per layer, at the model's current weights."""
    loss = nn.mse_loss([model(x) for x, _ in xor_rows], [t for _, t in xor_rows])
    model.zero_grad()
    loss.backward()
    return [max(abs(p.grad) for p in layer.parameters()) for layer in model.layers]


fresh_textbook = nn.MLP(
    2, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False, init=small_normal, rng=0
)
fresh_uniform = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False, init="uniform", rng=0)
tiny = first_gradients(fresh_textbook)
normal = first_gradients(fresh_uniform)
print("largest |grad| per layer, N(0,1)*0.01 weights:", [f"{g:.1e}" for g in tiny])
print("largest |grad| per layer, U(-1,1) weights:    ", [f"{g:.1e}" for g in normal])

# %% [markdown]
# ### A fix
#
# Three changes together make the same 2-4-1 network learn XOR: weights of a
# normal size (uniform on [-1, 1]), biases, and tanh hidden neurons (they are
# centred on 0, so a hidden neuron's output can be negative). A larger
# learning rate (0.5) makes it learn within the same 1000 epochs.

# %%
fixed = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", init="uniform", rng=0)
fixed_losses = train_xor(fixed, lr=0.5)
predictions = [fixed(x).data for x, _ in xor_rows]
print("final loss", round(fixed_losses[-1], 4))
print("outputs:", [round(p, 3) for p in predictions], "targets:", [t for _, t in xor_rows])

# %%
figure, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, 1001), textbook_losses, label="textbook: sigmoid, no biases, N(0,1)*0.01, lr 0.1")
ax.plot(range(1, 1001), fixed_losses, label="fixed: tanh hidden, biases, U(-1,1), lr 0.5")
ax.axhline(0.25, color="0.6", linestyle=":", linewidth=1)
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_title("XOR with a 2-4-1 MLP")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Two moons: a curved boundary
#
# Two interleaving half circles cannot be split by a line. A 2-16-16-1 MLP
# with relu hidden layers and a linear output gives each point a score whose
# sign is the class; it is trained with the hinge loss plus a small L2
# penalty, as in micrograd's demo (with -1 / +1 labels).

# %%
points = data.moons(100, noise=0.1, rng=0, signed_labels=True)
model = nn.MLP(2, [16, 16, 1], rng=0)
history = nn.fit(
    model,
    nn.hinge_loss,
    points,
    optimizer=nn.SGD(model.parameters(), lr=0.1),
    epochs=100,
    batch_size=len(points),
    shuffle=False,
    penalty=lambda m: nn.l2_penalty(m.parameters(), 1e-4),
    progress=False,
)
held_out = data.moons(200, noise=0.1, rng=1, signed_labels=True)
test = nn.evaluate(model, nn.hinge_loss, held_out)
print(f"training accuracy {history[-1]['accuracy']:.1%}, held-out accuracy {test['accuracy']:.1%}")

# %% [markdown]
# The decision boundary is where the score changes sign. Scoring a grid of
# points under `no_grad` (nothing is recorded, so it is quick) and shading by
# the sign draws it.

# %%
size = 40
xs = [-1.6 + 4.2 * i / (size - 1) for i in range(size)]
ys = [-1.1 + 2.7 * j / (size - 1) for j in range(size)]
with no_grad():
    scores = [[model([x, y]).data for x in xs] for y in ys]

figure, ax = plt.subplots(figsize=(5.5, 4))
ax.contourf(xs, ys, scores, levels=[-1e9, 0.0, 1e9], colors=["#f4c7c3", "#c6dbef"])
ax.contour(xs, ys, scores, levels=[0.0], colors="k", linewidths=1)
for label, colour in ((-1, "#d62728"), (1, "#1f77b4")):
    ax.scatter(
        [p[0] for p, t in points if t == label], [p[1] for p, t in points if t == label], s=14, c=colour, label=label
    )
ax.set_title("two moons: the MLP's decision boundary")
ax.legend(title="label", fontsize=8)
plt.show()

# %% [markdown]
# ## What you have learned
#
# - Training is a loop of forward, loss, `backward()` and a small step of
#   every weight against its gradient; `nn.fit` runs it for you.
# - One neuron draws a straight line; a hidden layer bends it.
# - A network whose gradients are tiny at the start stays stuck: weights of a
#   normal size, biases and a centred activation fix the textbook's XOR net.
#
# Next: [handwritten digits with softmax and cross-entropy](04_digits.ipynb).
