"""glassgrad's neural-net library: modules, layers, losses, optimizers, data and a training loop.

A tiny MLP in a few lines::

    import nn
    from nn import data

    train = data.xor()
    model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", rng=0)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    history = nn.fit(model, nn.mse_loss, train, optimizer=optimizer, epochs=300, batch_size=4, rng=0)
    print(history[-1])          # {'epoch': 300, 'loss': 0.0053, 'accuracy': 1.0, ...}
    model.save("xor.json")      # later: model = nn.load("xor.json")

Everything is built from :mod:`autograd` Values; nothing here imports a
third-party package at import time (tqdm and scikit-learn are imported when used).
"""

import autograd
from autograd import integrity  # noqa: F401  (names HIPS autograd if it shadows glassgrad's)
from nn import data
from nn.activations import activation_names, get_activation
from nn.callbacks import (
    Callback,
    CosineAnnealingLR,
    EarlyStopping,
    LambdaLR,
    LayerStatistics,
    ModelCheckpoint,
    StepLR,
    WeightSnapshots,
)
from nn.compiled import (
    CompiledModel,
    CompiledStep,
    compile,  # noqa: A004 - nn.compile, as autograd.compile
)
from nn.data import batches, digits, moons, or_gate, train_test_split, xor
from nn.diagnose import Diagnosis, Finding, diagnose
from nn.export import export_torch_source, from_torch, to_onnx, to_torch
from nn.history import History
from nn.init import INITIALIZERS
from nn.layers import MLP, Layer, Neuron
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_penalty,
    mse_loss,
)
from nn.module import LoadResult, Module, load
from nn.optim import SGD, Adam, Optimizer
from nn.train import count_correct, evaluate, fit

__all__ = [
    "INITIALIZERS",
    "MLP",
    "SGD",
    "Adam",
    "Callback",
    "CompiledModel",
    "CompiledStep",
    "CosineAnnealingLR",
    "Diagnosis",
    "EarlyStopping",
    "Finding",
    "History",
    "LambdaLR",
    "Layer",
    "LayerStatistics",
    "LoadResult",
    "ModelCheckpoint",
    "Module",
    "Neuron",
    "Optimizer",
    "StepLR",
    "WeightSnapshots",
    "__version__",
    "activation_names",
    "batches",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "compile",
    "count_correct",
    "cross_entropy",
    "data",
    "diagnose",
    "digits",
    "evaluate",
    "export_torch_source",
    "fit",
    "from_torch",
    "get_activation",
    "hinge_loss",
    "l2_penalty",
    "load",
    "moons",
    "mse_loss",
    "or_gate",
    "to_onnx",
    "to_torch",
    "train_test_split",
    "xor",
]

__version__ = autograd.__version__  # one version for the project, kept in autograd/__init__.py
