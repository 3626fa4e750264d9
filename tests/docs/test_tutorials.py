"""The tutorials teach; these tests check them (a tutorial cell holds no test ``assert``).

Each tutorial notebook runs once, in a fresh kernel in an empty working folder (nbclient). The checks
that keep its numbers right run in the same kernel right after the cell they are about (they are
inserted into the notebook in memory, never into the file), and the tests then read what each cell
showed. The course's form is checked too: every tutorial teaches in text, shows a picture, asks the
reader to try something with the practice tools, and shows no temporary or local path.
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
NAMES = sorted(path.stem for path in TUTORIALS.glob("[0-9]*.ipynb"))
CHECK = "glassgrad-check"

# tutorial -> [(a snippet of the cell's source, the check to run right after it)]
CHECKS: dict[str, list[tuple[str, str]]] = {
    "01_one_neuron": [
        ("output = sum(", "assert abs(output - 4.8) < 1e-9"),
        ("fused = dot(", "assert abs(out.data - 4.8) < 1e-9 and abs(fused.data - 4.8) < 1e-9"),
        (
            "layer_output = layer(",
            "assert all(abs(g - e) < 1e-9 for g, e in zip(layer_output, [4.8, 1.21, 3.465]))",
        ),
        (
            "layer1_outputs = [",
            "expected = [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]\n"
            "assert all(abs(g - e) < 1e-9 for gs, es in zip(layer1_outputs, expected) for g, e in zip(gs, es))\n"
            "assert abs(layer1_outputs[0][2] - layer_output[2] - 2 * (-0.27 - 0.27)) < 1e-9",
        ),
        (
            "layer2_outputs = [",
            "expected = [[-2.1744, 3.21425, 1.19065], [0.707, 0.6828, 4.5213], [-1.39594, 1.9477, -0.14521]]\n"
            "assert all(abs(g - e) < 1e-9 for gs, es in zip(layer2_outputs, expected) for g, e in zip(gs, es))",
        ),
        ("out.backward()", "assert [w.grad for w in ws] == inputs and [x.grad for x in xs] == weights and b.grad == 1"),
        ("by_hand = {", "assert n_value == 0.5 and abs(y_value - 0.46211715726000974) < 1e-15"),
        (
            "y.backward()\nprint(",
            "assert all(abs(v.grad - by_hand[k]) < 1e-12 for k, v in {'x': x, 'w': w, 'b': b}.items())",
        ),
        ("final = {", "assert all(abs(final[k] - by_hand[k]) < 1e-12 for k in 'xwb')"),
        (
            "check_gradients(q, my_answers)",
            "report = check_gradients(q, my_answers)\n"
            "assert report.first_wrong.name == 'm' and set(report.wrong) == {'m', 'v', 'c'}\n"
            "assert report.more_digits == ['u']\n"
            "import math\n"
            "dq_dm = 1 - math.tanh(0.5) ** 2\n"
            "assert check_gradients(q, {'q': 1.0, 'm': dq_dm, 'u': -2 * dq_dm, 'v': 0.5 * dq_dm, 'c': dq_dm}).ok",
        ),
    ],
    "02_graphs": [
        (
            "nodes = nodes_in_order(y)",
            "assert [names[n] for n in nodes] == ['w', 'x', 'n1', 'b', 'n2', 'y']\n"
            "assert [n.op for n in nodes if not n.parents] == ['', '', '']",
        ),
        ("picture = draw(y, parameters", "assert 'grad 1.573' in picture.source"),
        (
            "check_gradients(f, my_answers)",
            "report = check_gradients(f, my_answers)\n"
            "assert report.wrong == ['a'] and report.first_wrong.name == 'a'\n"
            "assert check_gradients(f, {'f': 1.0, 'd': 2.0, 'c': 2.0, 'e': 2.0, 'b': 4.0, 'a': -2.0}).ok",
        ),
        ("f.backward()", "assert (a.grad, b.grad, c.grad) == (-2.0, 4.0, 2.0)"),
    ],
    "03_mlp": [
        ("or_rows = data.or_gate()", "assert history[-1]['accuracy'] == 1.0"),
        (
            "check_gradients(loss, my_answers)",
            "report = check_gradients(loss, my_answers)\n"
            "assert report.first_wrong.name == 'z' and set(report.wrong) == {'z', 'w1', 'b'}\n"
            "import math\n"
            "s = 1 / (1 + math.exp(-0.5)); dz = 2 * (s - 1) * s * (1 - s)\n"
            "assert check_gradients(loss, {'loss': 1.0, 'p': 2 * (s - 1), 'z': dz, 'w1': dz, 'w2': 0.0, 'b': dz}).ok",
        ),
        ("p_after = (", "assert (p_after.data - target) ** 2 < loss.data and w2.data == -0.5"),
        ("textbook_losses = train_xor(", "assert all(f'{x:.4f}' == '0.2500' for x in textbook_losses[99::100])"),
        ("tiny = first_gradients(", "assert max(tiny) < 1e-3 < max(normal)"),
        (
            "fixed_losses = train_xor(",
            "assert fixed_losses[-1] < 0.01 and all(round(p) == t for p, (_, t) in zip(predictions, xor_rows))",
        ),
        ("held_out = data.moons(", "assert history[-1]['accuracy'] >= 0.97 and test['accuracy'] >= 0.95"),
    ],
    "04_digits": [
        ("examples = data.digits()", "assert len(examples) == 1797 and len(examples[0][0]) == 64"),
        (
            "probabilities = softmax(logits)",
            "assert abs(sum(p.data for p in probabilities) - 1.0) < 1e-12\n"
            "assert abs(loss.data + math.log(probabilities[0].data)) < 1e-12\n"
            "assert all(abs(z.grad - (p.data - o)) < 1e-12 for z, p, o in zip(logits, probabilities, (1, 0, 0)))",
        ),
        (
            "check_gradients(example_loss, my_answers)",
            "report = check_gradients(example_loss, my_answers)\n"
            "assert report.first_wrong.name == 'z1'\n"
            "ps = [p.data for p in softmax([Value(0.5), Value(2.0), Value(-1.0)])]\n"
            "assert check_gradients(example_loss, {'z0': ps[0], 'z1': ps[1] - 1, 'z2': ps[2]}).ok",
        ),
        ("result = nn.evaluate(", "assert result['accuracy'] > 0.92"),
        ("mistakes = []", "assert len(mistakes) == round((1 - result['accuracy']) * len(test_set))"),
    ],
    "05_higher_order": [
        ("third = grad(grad(grad(", "assert (first(2.0), second(2.0), third(2.0)) == (12.0, 12.0, 6.0)"),
        ("derivatives = [lambda", "assert all(abs(g - w) < 1e-12 for g, w in zip(values, expected))"),
        ("y.backward(create_graph=True)", "assert dy_dx.data == 12.0 and x.grad == 12.0"),
        ("H = hessian(", "assert H == [[2.0, 1.0], [1.0, 0.0]]"),
        (
            "check_gradients(g, my_gradient)",
            "report = check_gradients(g, my_gradient)\n"
            "assert report.wrong == ['y'] and check_gradients(g, {'x': 4.0, 'y': 13.0}).ok",
        ),
        ("engine_hessian = hessian(", "assert engine_hessian == [[4.0, 2.0], [2.0, 12.0]]"),
        (
            "newton_x, newton_steps = newton(",
            "assert abs(newton_x - math.log(2)) < 1e-8 and abs(descent_x - math.log(2)) < 1e-7\n"
            "assert newton_steps < 10 < descent_steps",
        ),
        ("point = [-1.2, 1.0]", "assert abs(point[0] - 1) < 1e-8 and abs(point[1] - 1) < 1e-8 and steps < 10"),
    ],
    "06_models_that_travel": [
        ("copy = nn.load(", "assert copy(x).data == model(x).data"),
        ("resumed = nn.load(", "assert same"),
        ("theirs = network(", "assert output_gap <= 1e-12 and gradient_gap <= 1e-12"),
        (
            "session = onnxruntime",
            "assert all(abs(a - b) <= atol + rtol * abs(a) for a, b in zip(ours, onnx_outputs[:, 0].tolist()))",
        ),
        (
            "check_gradients(p, my_answers)",
            "report = check_gradients(p, my_answers)\n"
            "assert report.first_wrong is not None and report.first_wrong.node is unit.w[0]",
        ),
        (
            "torch_neuron = nn.to_torch(",
            "torch_grads = [*torch_neuron[0].weight.grad[0].tolist(), torch_neuron[0].bias.grad.item()]\n"
            "ours = [unit.w[0].grad, unit.w[1].grad, unit.b.grad]\n"
            "assert all(abs(a - b) < 1e-12 for a, b in zip(torch_grads, ours))\n"
            "assert check_gradients(p, dict(zip([*unit.w, unit.b], ours))).ok",
        ),
    ],
    "07_why_nets_fail": [
        ("report = nn.diagnose(stuck", "assert report.kinds() == ['vanishing_gradients']"),
        ("lr=10.0), epochs=5", "assert 'dead_relu' in report.kinds()"),
        (
            "check_gradients(h, my_answers)",
            "report = check_gradients(h, my_answers)\n"
            "assert set(report.wrong) == {'w', 'b'} and check_gradients(h, {'h': 1.0, 'w': 0.0, 'b': 0.0}).ok",
        ),
        ("callbacks=[nn.WeightSnapshots", "assert not nn.diagnose(model, points, loss=nn.hinge_loss, lr=0.5).findings"),
        ("(x.sqrt() * 2.0).backward()", "import math\nassert math.isinf(x.grad)"),
    ],
    "08_practice_backprop": [
        (
            "report = check_gradients(y, my_answers)",
            "assert report.first_wrong.name == 'n' and report.checks[-1].follows_from_earlier",
        ),
        ("c.backward()", "assert a.grad == found.total == 24.0"),
        ("many = paths(top", "assert many.count == 2**100"),
    ],
    "09_backprop_as_code": [
        (
            "value, (dw, dx, db) = compiled(",
            "assert round(value, 4) == 0.4621 and (dw, dx, db) == (1.5728954659318548, -2.359343198897782, "
            "0.7864477329659274)",
        ),
        ("y.backward()\nfor name", "assert (w.grad, x.grad, b.grad) == (dw, dx, db)  # the engine's, bit for bit"),
        ("loss = step([example])", "assert step.plan == 'unrolled' and 'g_z1 = [(1.0 - o * o) * g' in step.source"),
        ("largest = max(", "assert largest == 0.0"),
        (
            "check_gradients(y2, my_answers)",
            "report = check_gradients(y2, my_answers)\n"
            "assert report.first_wrong.name == 'z' and set(report.wrong) == {'z', 'b', 'w', 'x'}\n"
            "assert check_gradients(y2, {'y': 1.0, 'z': 0.25, 'w': 0.5, 'x': 0.125, 'b': 0.25}).ok",
        ),
        ("sigmoid_neuron.source", "assert sigmoid_neuron(0.5, 2.0, -1.0) == (0.5, (0.5, 0.125, 0.25))"),
    ],
}

# tutorial -> [(a snippet of the cell's source, text its output must contain)]
OUTPUTS: dict[str, list[tuple[str, str]]] = {
    "01_one_neuron": [
        ("output = sum(", "4.8"),
        ("layer_output = layer(", "[4.8, 1.21, 3.465]"),
        ("by_hand = {", "{'x': -2.359343, 'w': 1.572895, 'b': 0.786448}"),
        ("check_gradients(q, my_answers)", "3 wrong"),
        ("step_through(y)", "<iframe srcdoc="),  # the step-through of the textbook neuron, inline
        ("step_through(q, practice=True)", "<iframe srcdoc="),  # the practice page
    ],
    "02_graphs": [("draw(loss, max_nodes=40)", "collapse=True"), ("check_gradients(f, my_answers)", "1 wrong")],
    "03_mlp": [("textbook_losses = train_xor(", "epoch 1000  loss 0.2500"), ("p_after = (", "loss after")],
    "04_digits": [("result = nn.evaluate(", "test accuracy 9")],
    "05_higher_order": [("engine_hessian = hessian(", "row 1: yours [2.0, 4.0], not quite: the engine says [2.0, 1")],
    "06_models_that_travel": [("resumed = nn.load(", "the same weights, bit for bit: True")],
    "07_why_nets_fail": [("check_gradients(h, my_answers)", "2 wrong"), ("history.replay()", "<iframe srcdoc=")],
    "08_practice_backprop": [("c.backward()", "a.grad = 24.0"), ("step_through(y, practice=True)", "<iframe srcdoc=")],
    "09_backprop_as_code": [
        ("compiled.source", "g_v2 = (1.0 - v3 * v3) * g_v3"),
        ("draw(y)", "<svg"),
        ("largest = max(", "largest weight difference after 61 steps: 0.0"),
        ("compile(clipped)", "compared (>) while tracing at this cell"),
        ("check_gradients(y2, my_answers)", "4 wrong"),
        ("sigmoid_neuron.source", "v3 * (1.0 - v3)"),
    ],
}

PRACTICE_TOOLS = re.compile(r"\bcheck_gradients\(|\bExercise\(|practice=True")
PICTURE_TYPES = {"image/png", "image/svg+xml", "image/jpeg"}


def find_cell(notebook, snippet: str) -> int:
    """The index of the one code cell whose source holds ``snippet``."""
    found = [
        k
        for k, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and snippet in cell.source and not cell.metadata.get(CHECK)
    ]
    assert len(found) == 1, f"{len(found)} code cells hold {snippet!r}: make the snippet name exactly one cell"
    return found[0]


def output_text(cell) -> str:
    """Everything a cell showed, as text: printed streams, plain text, HTML and error messages."""
    parts: list[str] = []
    streaming = False
    for output in cell.get("outputs", []):
        if output.output_type == "stream":  # one print may arrive in several pieces: join them as printed
            if streaming:
                parts[-1] += output.text
            else:
                parts.append(output.text)
            streaming = True
            continue
        streaming = False
        if output.output_type in ("execute_result", "display_data"):
            for kind in ("text/plain", "text/html", "image/svg+xml"):
                if kind in output.data:
                    parts.append(output.data[kind])
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
    return "\n".join(parts)


_RUNS: dict[str, object] = {}


def executed(name: str):
    """The tutorial, run once per test session with its checks inserted after their cells."""
    if name not in _RUNS:
        notebook = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
        for snippet, code in sorted(CHECKS.get(name, []), key=lambda c: find_cell(notebook, c[0]), reverse=True):
            check = nbformat.v4.new_code_cell(f"# check after the cell holding {snippet!r}\n{code}")
            check.metadata[CHECK] = True
            notebook.cells.insert(find_cell(notebook, snippet) + 1, check)
        with tempfile.TemporaryDirectory() as folder:
            client = nbclient.NotebookClient(
                notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}
            )
            try:
                client.execute()
            except nbclient.exceptions.CellExecutionError as error:
                _RUNS[name] = error
            else:
                _RUNS[name] = notebook
    result = _RUNS[name]
    if isinstance(result, Exception):
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(result))  # the traceback without its terminal colours
        pytest.fail(f"{name}.ipynb failed:\n{message}", pytrace=False)
    return result


def tutorial_cells(name: str):
    return [cell for cell in executed(name).cells if not cell.metadata.get(CHECK)]


def test_every_tutorial_has_checks():
    assert NAMES and sorted(CHECKS) == NAMES and sorted(OUTPUTS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_tutorial_runs_and_its_numbers_hold(name: str):
    """Every cell runs, and every inserted check after its cell holds (a failing one fails the run)."""
    notebook = executed(name)
    assert sum(1 for cell in notebook.cells if cell.metadata.get(CHECK)) == len(CHECKS[name])


@pytest.mark.parametrize("name", NAMES)
def test_the_tutorial_shows_what_it_says(name: str):
    notebook = executed(name)
    for snippet, expected in OUTPUTS[name]:
        shown = output_text(notebook.cells[find_cell(notebook, snippet)])
        assert expected in shown, f"{name}: the cell holding {snippet!r} showed:\n{shown[:2000]}"


@pytest.mark.parametrize("name", NAMES)
def test_the_tutorial_holds_no_test_assert(name: str):
    """Tutorials teach; tests check: no cell asserts (the checks live in this file)."""
    tree = ast.parse((TUTORIALS / f"{name}.py").read_text(encoding="utf-8"))
    asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert not asserts, f"{name}.py has assert statements at lines {asserts}: move each check into CHECKS"


@pytest.mark.parametrize("name", NAMES)
def test_the_tutorial_explains_and_asks(name: str):
    """Text that teaches (a list of what you will do, a summary), and a "Try it yourself" with the practice tools."""
    notebook = jupytext.read(TUTORIALS / f"{name}.py")
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {int(name[:2])}. "), "start with the title"
    assert not [cell for cell in notebook.cells if not cell.source.strip()], f"{name} has an empty cell"
    assert "In this tutorial you will" in text
    assert re.search(r"^## Try it yourself", text, re.MULTILINE), f"{name}: no 'Try it yourself' section"
    assert PRACTICE_TOOLS.search(code), f"{name}: the try-it uses none of check_gradients, Exercise, practice=True"
    assert "## What you have learned" in text
    assert len(text.split()) > 400, f"{name}: {len(text.split())} words of text"


@pytest.mark.parametrize("name", NAMES)
def test_the_tutorial_shows_a_picture(name: str):
    shown = [
        output
        for cell in tutorial_cells(name)
        for output in cell.get("outputs", [])
        if output.output_type in ("display_data", "execute_result")
        and (PICTURE_TYPES & set(output.data) or re.search(r"<svg|<iframe", output.data.get("text/html", "")))
    ]
    assert shown, f"{name} shows no picture (a plot, a graph or a page)"


# A path of this machine in an output: a temporary folder, the checkout, the environment (a warning's file name).
LOCAL_PATHS = {tempfile.gettempdir(), "/tmp/", str(ROOT), str(Path.home()) + "/", sys.prefix, sys.base_prefix}


@pytest.mark.parametrize("name", NAMES)
def test_no_output_shows_a_temporary_or_local_path(name: str):
    for index, cell in enumerate(tutorial_cells(name)):
        shown = output_text(cell)
        for folder in LOCAL_PATHS:
            assert folder not in shown, f"{name} cell {index} shows the path {folder!r}:\n{shown[:500]}"


@pytest.mark.parametrize("name", NAMES)
def test_no_cell_warns(name: str):
    """A warning on the site is noise a learner cannot act on (and names files of the machine that built it)."""
    for index, cell in enumerate(tutorial_cells(name)):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                raise AssertionError(f"{name} cell {index} wrote to stderr:\n{output.text[:500]}")
