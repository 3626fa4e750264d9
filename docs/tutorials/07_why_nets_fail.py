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
# # 7. Why nets fail, in their own numbers
#
# The textbooks say it in words: sigmoids saturate and their gradients
# vanish, a relu can die, a net started with equal weights never breaks its
# symmetry, too large a learning rate blows up. `nn.diagnose` measures each
# of these on *your* net, in one forward and backward pass that leaves the
# model as it was, and `autograd.detect_anomaly()` stops at the first op
# that makes an inf or a nan.
#
# In this tutorial you will:
#
# - diagnose the stuck XOR net and see each fix change the numbers;
# - kill relus with too large a learning rate, and find them by name;
# - predict what a dead relu passes back, and check your prediction;
# - replay a healthy training run epoch by epoch;
# - catch the first inf or nan where it is made.

# %%
import nn
from autograd import AnomalyError, Value, detect_anomaly

# %% [markdown]
# ## The XOR net that stays at loss 0.25
#
# Sigmoid everywhere, no biases, weights drawn from N(0, 1) * 0.01: every
# sigmoid sits at its midpoint, the output is 0.5 for every input, and the
# mean squared error is 0.25, the best a constant answer can do.


# %%
def tiny(rng, fan_in, fan_out):
    return rng.gauss(0.0, 1.0) * 0.01


stuck = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", bias=False, init=tiny, rng=0)
report = nn.diagnose(stuck, nn.xor(), loss=nn.mse_loss, lr=0.1)
print(report)

# %% [markdown]
# The first layer's step is about 1e-5 of its weights: 1000 steps move it by
# a hundredth of its size. The finding says why: the gradient reaching
# `layers.0` is multiplied by `layers.1`'s weights (about 0.01) and by the
# sigmoid's slope (0.25 at most), and the four rows' pulls cancel. Each fix
# changes one of those numbers:

# %%
fixes: dict[str, dict] = {
    "the stuck net": {},
    "uniform(-1, 1) weights": {"init": "uniform"},
    "tanh hidden, biases, uniform": {"activation": "tanh", "bias": True, "init": "uniform"},
}
for title, change in fixes.items():
    options = {"activation": "sigmoid", "output_activation": "sigmoid", "bias": False, "init": tiny, **change}
    model = nn.MLP(2, [4, 1], rng=0, **options)
    found = nn.diagnose(model, nn.xor(), loss=nn.mse_loss, lr=0.1)
    first, last = found.layers
    print(
        f"{title:<30} step/weight {first.update_to_weight:.1e}  "
        f"shrink {first.grad_to_weight / last.grad_to_weight:.3f}  findings {found.kinds()}"
    )

# %% [markdown]
# ## Dead relus after too large a learning rate
#
# A relu neuron whose `w . x + b` is negative for every example passes no
# gradient back, so nothing ever switches it on again. A rate of 10 kills
# most of them; the diagnosis names them.

# %%
points = nn.moons(60, 0.1, rng=3, signed_labels=True)
model = nn.MLP(2, [16, 16, 1], rng=0)
nn.fit(model, nn.hinge_loss, points, optimizer=nn.SGD(model.parameters(), lr=10.0), epochs=5, progress=False)
report = nn.diagnose(model, points, loss=nn.hinge_loss, lr=10.0)
for finding in report.findings:
    print(finding.kind, finding.layer, finding.neurons[:4], "...")

# %% [markdown]
# ## Try it yourself: what does a dead relu pass back?
#
# One relu neuron, `h = relu(w x + b)`, with `w = -2`, `b = 1`, on the
# input `x = 1.5`. On paper: its sum `w x + b`, its output `h`, and then the
# gradients `d h / d w` and `d h / d b`. Remember that `relu(s) = max(0, s)`
# has slope 1 where `s > 0` and slope 0 where `s < 0`.
#
# Put your numbers in `my_answers` and run the cell. The attempt there now
# forgot the relu; replace it with yours.

# %%
from autograd.practice import check_gradients

w, b = Value(-2.0, label="w"), Value(1.0, label="b")
h = (w * 1.5 + b).relu()
h.label = "h"

my_answers = {"h": 1.0, "w": 1.5, "b": 1.0}  # replace with your numbers
check_gradients(h, my_answers)

# %% [markdown]
# Whatever the loss asks of `h`, a relu whose sum is negative answers with
# a gradient of 0 for every weight behind it. If that holds for every
# example, the weights never change again: the neuron is dead.

# %% [markdown]
# ## Equal weights never break their symmetry

# %%
model = nn.MLP(2, [3, 1], activation="tanh", rng=0)
for p in model.parameters():
    p.data = 0.5
print([f.neurons for f in nn.diagnose(model, nn.xor()).findings])

# %% [markdown]
# ## A healthy net has nothing to report, and its training can be replayed
#
# `fit` returns a `History`: the loss, accuracy and learning rate per epoch,
# each layer's gradient norm and dead fraction, and, with
# `nn.WeightSnapshots`, the weights every few epochs.

# %%
points = nn.moons(100, 0.1, rng=1, signed_labels=True)
model = nn.MLP(2, [16, 16, 1], rng=1)
history = nn.fit(
    model,
    nn.hinge_loss,
    points,
    optimizer=nn.SGD(model.parameters(), lr=0.5),
    epochs=30,
    batch_size=100,
    shuffle=False,
    progress=False,
    callbacks=[nn.WeightSnapshots(every=10), nn.StepLR(step_size=10, gamma=0.5)],
)
print(f"final loss {history[-1]['loss']:.4f}; learning rate every 10 epochs: {history.column('lr')[::10]}")
print(nn.diagnose(model, points, loss=nn.hinge_loss, lr=0.5))

# %% [markdown]
# The replay of this run: move the slider over the epochs to see the loss
# fall, the decision boundary take shape and the weights change.
# `history.replay()` shows the page here, inside the notebook;
# `history.save_html("moons-training.html")` writes the same page to a file
# you can open in any browser.

# %%
history.replay()

# %% [markdown]
# ## The first inf or nan, caught where it is made

# %%
w = [Value(1e308, label="w0"), Value(-1e308, label="w1")]
try:
    with detect_anomaly():
        z = nn.Neuron(2, activation="linear", rng=0)
        z.w = w
        z([10.0, 10.0])
except AnomalyError as error:
    print(error)

x = Value(0.0, label="x")
try:
    with detect_anomaly():
        (x.sqrt() * 2.0).backward()
except AnomalyError as error:
    print(error)
print("x.grad =", x.grad)

# %% [markdown]
# ## What you have learned
#
# - A stuck net says why in its own numbers: `nn.diagnose` measures the
#   gradient reaching each layer, dead relus and saturated sigmoids.
# - A relu whose sum is negative passes no gradient back.
# - `fit`'s `History` keeps the run, and its replay shows it epoch by epoch.
# - `detect_anomaly()` names the first op that makes an inf or a nan.
#
# Next: [practise backprop](08_practice_backprop.ipynb).
