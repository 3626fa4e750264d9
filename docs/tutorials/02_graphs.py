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
# # 2. Reading and drawing a computation graph
#
# Every operation on `Value`s records a node: its result (`data`), the op that
# made it (`op`, empty for a leaf), the values it was computed from
# (`parents`) and the local derivative with respect to each parent
# (`local_grads`). Together the nodes form a graph, and backpropagation is a
# walk over that graph from the output back to the leaves.
#
# In this tutorial you will:
#
# - list a graph's nodes in the order backward needs them, and read each
#   node's local derivatives;
# - draw a graph before and after `backward()`, and read the grads off it;
# - collapse a network's graph so its shape shows;
# - predict the grads of a graph in which a value is used twice, and check
#   your prediction.
#
# Drawing needs the `graphviz` Python package and Graphviz's `dot` program
# (`apt-get install graphviz` or `brew install graphviz`). In a notebook a
# drawing shows inline, because `draw` returns a `graphviz.Digraph`.

# %%
import nn
from autograd import Value
from autograd.viz import draw, node_names, nodes_in_order

# %% [markdown]
# ## Reading the graph
#
# The neuron from the first tutorial: `y = tanh(w x + b)`.
# `autograd.viz.nodes_in_order` lists every value the output depends on, each
# after the values it is computed from (leaves included), and `node_names`
# gives each one a name: its label, or `n<index>` when it has none.

# %%
x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.5, label="b")
y = (w * x + b).tanh()
y.label = "y"

nodes = nodes_in_order(y)
names = node_names(nodes)
for node in nodes:
    parents = ", ".join(names[p] for p in node.parents) or "-"
    locals_ = ", ".join(f"{g:.4f}" for g in node.local_grads) or "-"
    op = node.op or "leaf"
    print(f"{names[node]:>3}  op={op:<5} data={node.data:8.4f}  parents: {parents:<8} local grads: {locals_}")

# %% [markdown]
# Read it from the top: `w` and `x` are leaves; `n1 = w * x`, whose local
# derivatives are d n1/dw = x = 2 and d n1/dx = w = -3; `n2 = n1 + b`, with
# local derivatives 1 and 1; and `y = tanh(n2)`, with local derivative
# 1 - y^2. The local derivatives are computed during the forward pass and
# stored; backward only multiplies them together along the paths.
#
# ## Drawing it
#
# `draw(y)` makes a picture: one box per value with its data and grad, and a
# small node for each op. Before `backward()` every grad is 0.

# %%
draw(y)

# %% [markdown]
# After `y.backward()` each box shows `d y / d (that value)`. Passing
# `parameters=` and `inputs=` colours the leaves by kind (parameters blue,
# inputs green), and `rankdir="TB"` draws from top to bottom.

# %%
y.backward()
picture = draw(y, parameters=[w, b], inputs=[x], rankdir="TB")
picture

# %% [markdown]
# The DOT source is plain text and the same on every run, which makes it
# easy to test or to save (`picture.render("neuron", format="svg")` writes a
# file).

# %%
print(picture.source[:400])

# %% [markdown]
# ## A big graph, collapsed
#
# A network's loss depends on hundreds of values. (The next tutorial builds
# networks with `nn`; here we only look at one.) Here is a small MLP with
# 8 inputs, a hidden layer of 6 tanh neurons and 3 outputs, and the
# cross-entropy of its output for one example.

# %%
model = nn.MLP(8, [6, 3], activation="tanh", rng=0)
example = [0.1 * i for i in range(8)]
logits = model(example)
loss = nn.cross_entropy([logits], [2])
loss.backward()
print(f"{len(nodes_in_order(loss))} values in the graph, {len(model.parameters())} of them parameters")

# %% [markdown]
# Drawn in full, that is a box per weight. `draw` refuses graphs with more
# than `max_nodes` DOT nodes (500 by default) and says what to do instead;
# here we set a small limit to show the message.

# %%
try:
    draw(loss, max_nodes=40)
except ValueError as error:
    print(error)

# %% [markdown]
# `collapse=True` draws each neuron as one node: its weights and bias are
# folded into its box and each op sits inside the box of the value it made.
# The picture now shows the network's shape, nine neurons feeding one loss.
# (On a narrow screen, a wide picture is shrunk to fit: click it to see it at
# full size, and click again to shrink it.)

# %%
collapsed = draw(loss, parameters=model.parameters(), collapse=True, title="8-6-3 MLP, one example's loss")
collapsed

# %% [markdown]
# ## Try it yourself
#
# Here is a graph in which one value is used twice:
# `e = a b`, `d = e + c`, `f = d a`, with `a = 2`, `b = -3`, `c = 10`.
# It is drawn before `backward()`, so every grad is still 0.

# %%
a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
f = d * a
f.label = "f"
draw(f, rankdir="TB")

# %% [markdown]
# Read the graph from `f` down and write each grad, `d f / d (value)`, on
# paper. The local derivatives: for `f = d a`, `d f / d d = a` and
# `d f / d a = d`; for `d = e + c`, 1 and 1; for `e = a b`, `b` and `a`.
# `a` has two edges into the graph, so its grad is the **sum** of what
# arrives along each of them.
#
# Put your numbers in `my_answers` and run the cell. The numbers there now
# are an attempt that forgot one of `a`'s two edges; replace them with
# yours.

# %%
from autograd.practice import check_gradients

my_answers = {"f": 1.0, "d": 2.0, "c": 2.0, "e": 2.0, "b": 4.0, "a": -6.0}  # replace with your numbers
check_gradients(f, my_answers)

# %% [markdown]
# When your answers are right, draw the graph after `backward()` and see the
# same numbers in the boxes:

# %%
f.backward()
draw(f, rankdir="TB")

# %% [markdown]
# ## What you have learned
#
# - The graph lists every value with the op that made it and its local
#   derivatives, computed in the forward pass; backward only multiplies and
#   adds them.
# - `draw` shows a graph with data and grads; `collapse=True` shows a
#   network's shape.
# - A value used twice gets the sum of its edges' contributions.
#
# Next: [from a neuron to an MLP](03_mlp.ipynb).
