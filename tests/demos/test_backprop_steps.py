"""demos/backprop_steps.py: the textbook neuron explained, drawn, framed and saved as a step-through."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd.explain import backward_steps
from demos import backprop_steps

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program `dot` is not installed")


def test_the_neuron_is_the_seeds():
    out, parameters, inputs = backprop_steps.textbook_neuron()
    assert [x.data for x in inputs] == [1.0, 2.0, 3.0, 2.5]
    assert [w.data for w in parameters] == [0.2, 0.8, -0.5, 1.0, 2.0]
    pre_activation = out.parents[0]
    assert out.op == "tanh" and pre_activation.op == "dot"
    assert pre_activation.data == pytest.approx(4.8)
    assert len(backward_steps(out)) == 1 + 9  # tanh's edge, then the dot node's nine parents


@needs_dot
def test_main_writes_the_table_the_picture_the_frames_and_the_page(tmp_path, capsys):
    assert backprop_steps.main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Backward pass: 10 chain-rule steps" in printed
    assert printed.count("why: ") == 10
    assert "took 10 chain-rule steps" in printed
    picture = tmp_path / "backprop_neuron.svg"
    ET.fromstring(picture.read_bytes())
    out, _, _ = backprop_steps.textbook_neuron()
    out.backward()
    texts = [t.text for t in ET.fromstring(picture.read_bytes()).iter("{http://www.w3.org/2000/svg}text")]
    assert f"grad {out.parents[0].grad:.4g}" in texts
    frames = sorted((tmp_path / "backprop_frames").glob("step_*.svg"))
    assert [f.name for f in frames] == [f"step_{k:03d}.svg" for k in range(11)]
    page = (tmp_path / "backprop_steps.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="glassgrad-data">(.*?)</script>', page, re.S)[1])["data"]
    assert len(data["steps"]) == 10
    # a fresh neuron per stage: the page shows one backward pass, not grads accumulated over three
    assert data["steps"][-1]["afterRepr"] == repr(out.parents[0].grad)


def test_without_dot_the_table_is_printed_and_the_dot_source_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert backprop_steps.main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Backward pass: 10 chain-rule steps" in printed
    assert "apt-get install graphviz" in printed
    assert (tmp_path / "backprop_neuron.dot").read_text(encoding="utf-8").startswith("//")
    assert not (tmp_path / "backprop_steps.html").exists()
