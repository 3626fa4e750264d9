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
# # 6. Models that travel: save, load, and out to PyTorch and ONNX
#
# A network trained in glassgrad is small and slow, and that is the point: you
# can watch every step. But the day comes when you want it somewhere else: in a
# file you can load next week without remembering how you built it, in PyTorch
# to train on a GPU, or in an ONNX runtime to serve it. This notebook takes one
# small model through all three, and checks at every stop that it still
# computes the same numbers.
#
# In this tutorial you will:
#
# - save a model to a file that says what it holds, and load it back;
# - stop a training run and resume it exactly;
# - take the model to PyTorch and back, and to ONNX, checking the numbers at
#   each stop;
# - work out one gradient by hand and see glassgrad and PyTorch agree with
#   you.
#
# The PyTorch and ONNX parts need PyTorch and ONNX Runtime, which the
# `notebook` and `docs` extras install (or `pip install "glassgrad[torch]"`
# and `pip install "glassgrad[onnx]"`).
#
# The files this notebook writes go to a fresh folder of their own, so
# nothing lands beside the notebook.

# %%
import json
import os
import tempfile
from pathlib import Path

import nn
from nn import data

os.chdir(tempfile.mkdtemp())  # a fresh working folder: the file names below are relative to it

# %% [markdown]
# ## A model to take along
#
# Two moons, an MLP with two tanh hidden layers and a sigmoid output, trained
# with Adam for a few epochs.

# %%
points = data.moons(80, noise=0.1, rng=0)
model = nn.MLP(2, [8, 8, 1], activation="tanh", output_activation="sigmoid", init="xavier", rng=0)
optimizer = nn.Adam(model.parameters(), lr=0.05)
history = nn.fit(
    model, nn.binary_cross_entropy, points, optimizer=optimizer, epochs=15, batch_size=16, rng=0, progress=False
)
print(f"loss {history[-1]['loss']:.3f}, accuracy {history[-1]['accuracy']:.2f}")

# %% [markdown]
# ## A file that says what it holds
#
# `model.save` writes JSON: the architecture (input size, each layer's size,
# activation and bias, the initializer) beside the weights, and a format
# version. Nothing in it can run code.

# %%
model.save("moons.json")
document = json.loads(Path("moons.json").read_text())
print("version", document["version"])
print(json.dumps(document["architecture"], indent=1))
print(len(document["parameters"]), "entries; layers.0.neurons.0.w =", document["parameters"]["layers.0.neurons.0.w"])

# %% [markdown]
# So `nn.load` needs nothing else: it builds the model the file describes and
# loads its weights. The copy gives the same outputs, bit for bit.

# %%
copy = nn.load("moons.json")
print(copy)
x = [0.5, -0.25]
print("the copy:", copy(x).data)
print("the model:", model(x).data)

# %% [markdown]
# Loading into a model you built yourself checks that it is the same kind of
# model. A relu network has exactly the same weight names and counts as this
# tanh one, and used to take its weights without a word; now the file and the
# model are compared, and the model is left as it was.

# %%
relu_model = nn.MLP(2, [8, 8, 1], activation="relu", output_activation="sigmoid", rng=1)
try:
    relu_model.load("moons.json")
except ValueError as error:
    print(error)

# %% [markdown]
# ## Resuming a run exactly
#
# The optimizer has a state too: Adam keeps two running averages per
# parameter and a step count. Saving both the model and the optimizer lets a
# run stop and go on later as if it never stopped. Here: 10 more steps in one
# go, against a save, a load into a fresh model and optimizer, and the same 10
# steps.


# %%
def steps(model, optimizer, rows):
    for x, target in rows:
        loss = nn.binary_cross_entropy(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


optimizer.save("adam.json")
rows = points[:10]

steps(model, optimizer, rows)  # straight on

resumed = nn.load("moons.json")
resumed_optimizer = nn.Adam(resumed.parameters()).load("adam.json")
steps(resumed, resumed_optimizer, rows)  # after a save and a load

same = [p.data for p in resumed.parameters()] == [p.data for p in model.parameters()]
print("the same weights, bit for bit:", same)

# %% [markdown]
# ## Out to PyTorch
#
# `nn.to_torch` builds the same network from `torch.nn` modules, in float64:
# each glassgrad layer becomes a `Linear` (neuron j's weights are row j of its
# weight matrix) followed by the activation's module.

# %%
import torch

network = nn.to_torch(model)
print(network)

# %% [markdown]
# The proof that nothing changed: the same inputs give the same outputs, and
# backpropagating the same loss gives the same gradient for every weight.
# glassgrad works one sample at a time; PyTorch takes the batch at once.

# %%
batch = [[0.5, -0.25], [-1.0, 0.75], [1.5, 0.1], [0.0, 0.0]]
model.zero_grad()
ours = []
for x in batch:
    out = model(x)
    out.backward()  # the loss: the sum of the outputs
    ours.append(out.data)

theirs = network(torch.tensor(batch, dtype=torch.float64))
theirs.sum().backward()

output_gap = max(abs(a - b) for a, b in zip(ours, theirs[:, 0].tolist()))
first_layer = network[0].weight.grad.tolist()
gradient_gap = max(
    abs(neuron.w[i].grad - first_layer[j][i]) for j, neuron in enumerate(model.layers[0].neurons) for i in range(2)
)
print(f"largest output difference {output_gap:.1e}, largest first-layer gradient difference {gradient_gap:.1e}")

# %% [markdown]
# The way back works too: `nn.from_torch` reads a `Sequential` of `Linear`
# layers and activations into an `nn.MLP`. Train a few steps in PyTorch, bring
# the network home, and look at it with glassgrad's tools again.

# %%
torch_optimizer = torch.optim.SGD(network.parameters(), lr=0.1)
inputs = torch.tensor([x for x, _ in points], dtype=torch.float64)
targets = torch.tensor([[t] for _, t in points], dtype=torch.float64)
for _ in range(20):
    torch_optimizer.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy(network(inputs), targets)
    loss.backward()
    torch_optimizer.step()

home = nn.from_torch(network, rng=0)
print(home)
print(home([0.5, -0.25]).data, network(torch.tensor([[0.5, -0.25]], dtype=torch.float64)).item())

# %% [markdown]
# Back home, the network is glassgrad Values again, so every tool works on
# it: here is its graph for one input, each neuron drawn as one node.

# %%
from autograd.viz import draw

draw(home([0.5, -0.25]), parameters=home.parameters(), collapse=True, rankdir="TB", title="the network, back home")

# %% [markdown]
# ## A PyTorch script to read and extend
#
# `nn.export_torch_source` writes a short Python file that builds the network
# with `torch.nn` and fills in the weights from the model's JSON file, which it
# reads with the `json` module: no pickle, nothing hidden. It is meant to be
# read, and to grow into your own training script.

# %%
nn.export_torch_source(model, "moons_torch.py")
print(Path("moons_torch.py").read_text())

# %%
import runpy

script = runpy.run_path("moons_torch.py")
from_script = script["load"]()
print(from_script(torch.tensor([[0.5, -0.25]], dtype=torch.float64)).item(), model([0.5, -0.25]).data)

# %% [markdown]
# ## Out to ONNX
#
# `nn.to_onnx` writes the network as an ONNX graph: a `Gemm` (matrix product
# plus bias) per layer and the activation's operator, checked by
# `onnx.checker`. Every runtime that reads ONNX can then serve it. The graph
# is in float64 when onnxruntime runs all its operators in float64 (tanh and
# sigmoid do), and then its outputs are within 1e-12 of glassgrad's; with an
# activation onnxruntime only has in float32 (elu, say) the graph is float32,
# within 1e-5.

# %%
import numpy as np
import onnxruntime

proto = nn.to_onnx(model, "moons.onnx")
print([node.op_type for node in proto.graph.node])

session = onnxruntime.InferenceSession("moons.onnx", providers=["CPUExecutionProvider"])
(onnx_outputs,) = session.run(None, {"input": np.array(batch, dtype=np.float64)})
onnx_gap = max(abs(a - b) for a, b in zip(ours, onnx_outputs[:, 0].tolist()))
print(f"largest difference between onnxruntime and glassgrad: {onnx_gap:.1e}")
rtol, atol = nn.export.ONNX_TOLERANCE["float64"]
print(
    "within the float64 tolerance:",
    all(abs(a - b) <= atol + rtol * abs(a) for a, b in zip(ours, onnx_outputs[:, 0].tolist())),
)

# %% [markdown]
# ## Try it yourself
#
# The conversions are only worth trusting because the numbers agree, and
# you can check one yourself. A single sigmoid neuron with weights
# `w0 = 0.5`, `w1 = -1`, bias `b = 0.25`, on the input `x = (0.5, -0.25)`:
#
# 1. `z = w0 x0 + w1 x1 + b` and `p = sigmoid(z)`;
# 2. `d p / d z = p (1 - p)`;
# 3. `d p / d w0 = (d p / d z) x0`, `d p / d w1 = (d p / d z) x1`,
#    `d p / d b = d p / d z`.
#
# Put your numbers in `my_answers` and run the cell (3 or 4 significant
# digits are plenty). The attempt there now swapped the two inputs; replace
# it with yours.

# %%
from autograd.practice import check_gradients

neuron = nn.MLP(2, [1], output_activation="sigmoid", rng=0)
(unit,) = neuron.layers[0].neurons
unit.w[0].data, unit.w[1].data, unit.b.data = 0.5, -1.0, 0.25
p = neuron([0.5, -0.25])

my_answers = {unit.w[0]: -0.0545, unit.w[1]: 0.109, unit.b: 0.218}  # replace with your numbers
check_gradients(p, my_answers)

# %% [markdown]
# PyTorch's autograd, on the same neuron taken over with `nn.to_torch`,
# finds the same three numbers:

# %%
torch_neuron = nn.to_torch(neuron)
torch_neuron(torch.tensor([[0.5, -0.25]], dtype=torch.float64)).sum().backward()
print(
    "PyTorch:  ",
    [round(g, 6) for g in torch_neuron[0].weight.grad[0].tolist()],
    round(torch_neuron[0].bias.grad.item(), 6),
)
p.backward()
print("glassgrad:", [round(w.grad, 6) for w in unit.w], round(unit.b.grad, 6))

# %% [markdown]
# ## Where next
#
# - [Saving, loading and taking a model elsewhere](../guide/saving.md): the
#   file format, what `model.load` compares, resuming training, and the
#   tolerances of each conversion.
# - `nn.to_torch` raises a clear error for an activation PyTorch has no module
#   for (`"binary_step"`), and `nn.from_torch` for a module glassgrad has no
#   activation for (dropout, say).

# %% [markdown]
# ## What you have learned
#
# - A saved model is JSON that says what it is; `nn.load` rebuilds it from
#   the file alone, and `model.load` refuses a file of another architecture.
# - Saving the optimizer too lets a run resume bit for bit.
# - `nn.to_torch`, `nn.from_torch`, `nn.export_torch_source` and `nn.to_onnx`
#   take the model elsewhere, and the numbers (outputs and gradients) agree.
#
# Next: [why nets fail](07_why_nets_fail.ipynb).
