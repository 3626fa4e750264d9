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

# %%
import math
import tempfile
from pathlib import Path

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
assert report.kinds() == ["vanishing_gradients"]

# %% [markdown]
# The first layer's step is about 1e-5 of its weights: 1000 steps move it by
# a hundredth of its size. The finding says why: the gradient reaching
# `layers.0` is multiplied by `layers.1`'s weights (about 0.01) and by the
# sigmoid's slope (0.25 at most), and the four rows' pulls cancel. Each fix
# changes one of those numbers:

# %%
fixes = {
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
assert "dead_relu" in report.kinds()

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
# `nn.WeightSnapshots`, the weights every few epochs. `history.save_html`
# writes a page with a slider over those snapshots.

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
print(history[-1]["loss"], history.column("lr")[::10], history.layers[-1])
assert nn.diagnose(model, points, loss=nn.hinge_loss, lr=0.5).findings == []
folder = Path(tempfile.mkdtemp())  # the page: open it in a browser
page = history.save_html(folder / "moons-training.html")
print("wrote", page, page.stat().st_size // 1024, "kB")

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
assert math.isinf(x.grad)
