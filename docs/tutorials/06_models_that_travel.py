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
# The PyTorch and ONNX parts need `pip install "glassgrad[torch]"` and
# `pip install "glassgrad[onnx]"`.

# %%
import json
import tempfile
from pathlib import Path

import nn
from nn import data

folder = Path(tempfile.mkdtemp())  # every file of this notebook goes here

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
model.save(folder / "moons.json")
document = json.loads((folder / "moons.json").read_text())
print("version", document["version"])
print(json.dumps(document["architecture"], indent=1))
print(len(document["parameters"]), "entries; layers.0.neurons.0.w =", document["parameters"]["layers.0.neurons.0.w"])

# %% [markdown]
# So `nn.load` needs nothing else: it builds the model the file describes and
# loads its weights. The copy gives the same outputs, bit for bit.

# %%
copy = nn.load(folder / "moons.json")
print(copy)
x = [0.5, -0.25]
assert copy(x).data == model(x).data
print(copy(x).data)

# %% [markdown]
# Loading into a model you built yourself checks that it is the same kind of
# model. A relu network has exactly the same weight names and counts as this
# tanh one, and used to take its weights without a word; now the file and the
# model are compared, and the model is left as it was.

# %%
relu_model = nn.MLP(2, [8, 8, 1], activation="relu", output_activation="sigmoid", rng=1)
try:
    relu_model.load(folder / "moons.json")
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


optimizer.save(folder / "adam.json")
rows = points[:10]

steps(model, optimizer, rows)  # straight on

resumed = nn.load(folder / "moons.json")
resumed_optimizer = nn.Adam(resumed.parameters()).load(folder / "adam.json")
steps(resumed, resumed_optimizer, rows)  # after a save and a load

same = [p.data for p in resumed.parameters()] == [p.data for p in model.parameters()]
print("the same weights, bit for bit:", same)
assert same

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
assert output_gap <= 1e-12 and gradient_gap <= 1e-12

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
# ## A PyTorch script to read and extend
#
# `nn.export_torch_source` writes a short Python file that builds the network
# with `torch.nn` and fills in the weights from the model's JSON file, which it
# reads with the `json` module: no pickle, nothing hidden. It is meant to be
# read, and to grow into your own training script.

# %%
nn.export_torch_source(model, folder / "moons_torch.py")
print((folder / "moons_torch.py").read_text())

# %%
import runpy

script = runpy.run_path(str(folder / "moons_torch.py"))
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

proto = nn.to_onnx(model, folder / "moons.onnx")
print([node.op_type for node in proto.graph.node])

session = onnxruntime.InferenceSession(str(folder / "moons.onnx"), providers=["CPUExecutionProvider"])
(onnx_outputs,) = session.run(None, {"input": np.array(batch, dtype=np.float64)})
onnx_gap = max(abs(a - b) for a, b in zip(ours, onnx_outputs[:, 0].tolist()))
print(f"largest difference between onnxruntime and glassgrad: {onnx_gap:.1e}")
rtol, atol = nn.export.ONNX_TOLERANCE["float64"]
assert all(abs(a - b) <= atol + rtol * abs(a) for a, b in zip(ours, onnx_outputs[:, 0].tolist()))

# %% [markdown]
# ## Where next
#
# - [Saving, loading and taking a model elsewhere](../guide/saving.md): the
#   file format, what `model.load` compares, resuming training, and the
#   tolerances of each conversion.
# - `nn.to_torch` raises a clear error for an activation PyTorch has no module
#   for (`"binary_step"`), and `nn.from_torch` for a module glassgrad has no
#   activation for (dropout, say).
