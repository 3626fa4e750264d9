"""Every module's repr closes what it opens, nested or not."""

from __future__ import annotations

import pytest

import nn


class Net(nn.Module):
    def __init__(self) -> None:
        self.encoder = nn.Layer(2, 3, rng=0)
        self.head = nn.MLP(3, [2, 1], rng=1)


@pytest.mark.parametrize(
    "module",
    [nn.Neuron(3, rng=0), nn.Layer(3, 2, rng=0), nn.MLP(2, [3, 1], rng=0), Net()],
    ids=["Neuron", "Layer", "MLP", "nested"],
)
def test_a_modules_repr_closes_its_parentheses(module):
    text = repr(module)
    depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        assert depth >= 0, text
    assert depth == 0, text
    assert text.startswith(type(module).__name__ + "(") and text.endswith(")")
