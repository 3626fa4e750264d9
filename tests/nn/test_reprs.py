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
def test_a_modules_repr_closes_its_parentheses_on_every_line(module):
    """Each line closes what it opens, so a log that keeps the first line (as the digits demo prints a model)
    shows a whole summary, not ``MLP(64 -> [64, 10], 4810 parameters`` without its bracket."""
    text = repr(module)
    for line in text.splitlines():
        depth = 0
        for character in line:
            depth += {"(": 1, ")": -1}.get(character, 0)
            assert depth >= 0, text
        assert depth == 0, line
    assert text.startswith(type(module).__name__ + "(") and text.endswith(")")
