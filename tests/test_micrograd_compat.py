"""micrograd's code on glassgrad, run side by side with micrograd itself (the PyPI package) on the same code.

Each check runs one function twice, once with micrograd's ``Value`` (and
``MLP``), once with glassgrad's, and compares what it computed. Where the two
engines do the same float operations in the same order the comparison is
bit for bit. Two things change the order of float operations, and there the
comparison is to a relative 1e-12, with the reason beside it:

- micrograd sorts the graph through ``_prev``, a *set*, so the order in which
  a value used many times (a weight, across 100 examples) receives its
  gradient contributions follows object ids: micrograd's own runs differ
  from each other (and from its notebook) in the last digit;
- micrograd builds ``a / b`` as ``a * b**-1`` and ``a - b`` as ``a + (-b)``:
  two roundings where glassgrad's one ``div`` node has one.

The lecture's additions to micrograd's ``Value`` (``label``, ``tanh``,
``exp``) are written here on top of micrograd's class, as the lecture adds them.
"""

from __future__ import annotations

import gc
import math
import random

import pytest

micrograd_engine = pytest.importorskip("micrograd.engine")
micrograd_nn = pytest.importorskip("micrograd.nn")

from autograd import Value  # noqa: E402 - after the skip
from nn import MLP, Layer  # noqa: E402

RELATIVE = 1e-12
SIDE_BY_SIDE_STEPS = 5


@pytest.fixture(autouse=True)
def _without_the_cyclic_collector():
    """micrograd's closures make reference cycles: with the collector on, one moons step took 5 s, not 0.4 s."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


class LectureValue(micrograd_engine.Value):
    """micrograd's Value with what the lecture adds: a label, tanh and exp, each with its chain-rule closure."""

    def __init__(self, data, _children=(), _op="", label=""):
        super().__init__(data, _children, _op)
        self.label = label

    def _unary(self, result, op, local_derivative):
        out = LectureValue(result, (self,), op)

        def _backward():
            self.grad += local_derivative(out.data) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        return self._unary(math.tanh(self.data), "tanh", lambda t: 1 - t * t)

    def exp(self):
        return self._unary(math.exp(self.data), "exp", lambda e: e)

    # micrograd's operators make micrograd Values: keep them LectureValues.
    def __add__(self, other):
        other = other if isinstance(other, micrograd_engine.Value) else LectureValue(other)
        return _relabel(super().__add__(other))

    def __mul__(self, other):
        other = other if isinstance(other, micrograd_engine.Value) else LectureValue(other)
        return _relabel(super().__mul__(other))

    def __pow__(self, other):
        return _relabel(super().__pow__(other))

    def relu(self):
        return _relabel(super().relu())


def _relabel(node):
    node.__class__ = LectureValue
    node.label = ""
    return node


def close(a: float, b: float, scale: float = 0.0) -> bool:
    """Equal to RELATIVE, relative to the larger of the two numbers or to ``scale``.

    ``scale`` is the size of the terms that were summed: a weight near 0 after
    an update is a difference of numbers of size about 1, so its rounding
    error is about 1e-16 of those, however small the weight itself.
    """
    return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=RELATIVE * scale)


# ---------------------------------------------------------------------------
# micrograd's README example and its two tests against PyTorch
# ---------------------------------------------------------------------------
def readme_example(value):
    a = value(-4.0)
    b = value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    printed = [f"{g.data:.4f}"]
    g.backward()
    printed += [f"{a.grad:.4f}", f"{b.grad:.4f}"]
    return printed, (g.data, a.grad, b.grad)


def test_the_readme_example_prints_micrograds_numbers():
    ours, our_numbers = readme_example(Value)
    theirs, their_numbers = readme_example(micrograd_engine.Value)
    assert ours == theirs == ["24.7041", "138.8338", "645.5773"]  # the README's printed numbers
    # 10.0 / f is one division here, 10.0 * f**-1 in micrograd: 1e-12, not bit for bit.
    assert all(close(x, y) for x, y in zip(our_numbers, their_numbers)), (our_numbers, their_numbers)


def sanity_check(value):
    x = value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return y.data, x.grad


def test_micrograds_sanity_check_bit_for_bit_with_micrograd_and_pytorch():
    assert sanity_check(Value) == sanity_check(micrograd_engine.Value)
    torch = pytest.importorskip("torch")

    def tensor(data):
        return torch.tensor([data], dtype=torch.float64, requires_grad=True)

    y, x_grad = sanity_check(Value)
    x = tensor(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    out = h + q + q * x
    out.backward()
    assert (y, x_grad) == (out.item(), x.grad.item())  # micrograd's own test: exact equality


def test_micrograds_more_ops_test_against_pytorch():
    _, (g, a_grad, b_grad) = readme_example(Value)  # the test's code is the README's
    torch = pytest.importorskip("torch")
    a = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    out = f / 2.0
    out = out + 10.0 / f
    out.backward()
    # micrograd's test allows 1e-6; both do float64 division in one step, so they agree far closer.
    assert close(g, out.item()) and close(a_grad, a.grad.item()) and close(b_grad, b.grad.item())


# ---------------------------------------------------------------------------
# The demo notebook: random.seed(1337), MLP(2, [16, 16, 1]), the moons loop
# ---------------------------------------------------------------------------
# micrograd's demo notebook as published: (step, loss, accuracy %) at some of its 100 steps.
PUBLISHED_STEPS = {
    0: (0.8958441028683222, 50.0),
    1: (1.7235905336972022, 81.0),
    2: (0.7429006313851131, 77.0),
    3: (0.7705641260584198, 82.0),
    4: (0.3692793385976538, 84.0),
    5: (0.313545481918522, 86.0),
    10: (0.24507023853658053, 91.0),
    12: (0.21560951851922952, 91.0),
    99: (0.010978370135492717, 100.0),
}


def notebook_data():
    np = pytest.importorskip("numpy")
    make_moons = pytest.importorskip("sklearn.datasets").make_moons
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)  # noqa: N806 - the notebook's names
    return X, y * 2 - 1


def notebook_loop(value, mlp, steps):
    """The notebook's cells from the seeds on: data, model, svm loss with L2, SGD with a decaying rate."""
    X, y = notebook_data()  # noqa: N806
    model = mlp(2, [16, 16, 1])
    initial = [p.data for p in model.parameters()]

    def loss():
        inputs = [list(map(value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        accuracy = [(yi > 0) == (score.data > 0) for yi, score in zip(y, scores)]
        return data_loss + reg_loss, sum(accuracy) / len(accuracy)

    printed = []
    for k in range(steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        printed.append((total_loss.data, acc * 100))
    return initial, printed, model, loss


def test_random_seed_1337_gives_micrograds_weights_bit_for_bit():
    for seed in (1337, 7):
        random.seed(seed)
        ours = MLP(2, [16, 16, 1])
        random.seed(seed)
        theirs = micrograd_nn.MLP(2, [16, 16, 1])
        assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
        assert [p.data for p in ours.parameters()][-1] == 0.0  # biases start at 0, not drawn
    random.seed(3)
    ours_layer = [n.w for n in Layer(3, 4, nonlin=True).neurons]
    after_ours = random.random()
    random.seed(3)
    theirs_layer = [n.w for n in micrograd_nn.Layer(3, 4, nonlin=True).neurons]
    assert [[w.data for w in row] for row in ours_layer] == [[w.data for w in row] for row in theirs_layer]
    assert random.random() == after_ours  # the same number of draws: the stream goes on alike


def test_the_notebook_loop_prints_micrograds_numbers_side_by_side():
    """The first steps of the notebook's loop in both engines, then its decision-boundary cell on both models."""
    np = pytest.importorskip("numpy")
    steps = SIDE_BY_SIDE_STEPS
    our_initial, our_printed, our_model, _ = notebook_loop(Value, MLP, steps)
    their_initial, their_printed, their_model, _ = notebook_loop(micrograd_engine.Value, micrograd_nn.MLP, steps)
    assert our_initial == their_initial  # the same initial weights, bit for bit
    assert our_printed[0] == their_printed[0] == PUBLISHED_STEPS[0]  # step 0: the same forward pass, bit for bit
    # Later steps: each weight's gradient sums 100 contributions in micrograd's set order (see the top).
    for step, ((loss, accuracy), (their_loss, their_accuracy)) in enumerate(zip(our_printed, their_printed)):
        assert accuracy == their_accuracy == PUBLISHED_STEPS[step][1], step
        assert close(loss, their_loss), (step, loss, their_loss)
    ours = [p.data for p in our_model.parameters()]
    theirs = [p.data for p in their_model.parameters()]
    assert all(close(a, b, scale=1.0) for a, b in zip(ours, theirs))  # weights are sums of terms of size ~1
    # The notebook's decision-boundary cell, on both models: the same prediction everywhere.
    X, _ = notebook_data()  # noqa: N806
    xx, yy = np.meshgrid(np.arange(X[:, 0].min() - 1, X[:, 0].max() + 1, 0.25),
                         np.arange(X[:, 1].min() - 1, X[:, 1].max() + 1, 0.25))  # fmt: skip
    mesh = np.c_[xx.ravel(), yy.ravel()]
    predictions = []
    for value, model in ((Value, our_model), (micrograd_engine.Value, their_model)):
        scores = list(map(model, [list(map(value, row)) for row in mesh]))
        predictions.append(np.array([s.data > 0 for s in scores]).reshape(xx.shape))
    assert (predictions[0] == predictions[1]).all() and predictions[0].any() and not predictions[0].all()


def test_the_notebook_loop_prints_the_published_numbers_for_100_steps():
    _, printed, _, _ = notebook_loop(Value, MLP, 100)
    for step, (loss, accuracy) in PUBLISHED_STEPS.items():
        assert printed[step][1] == accuracy, step
        assert close(printed[step][0], loss), (step, printed[step][0], loss)  # micrograd's set order (see the top)


# ---------------------------------------------------------------------------
# The lecture: nodes read and stepped by hand, trace/draw_dot over _prev and _op
# ---------------------------------------------------------------------------
def first_graph(value):
    """The lecture's first graph: L = (a*b + c) * f, every node labelled."""
    a, b, c, f = value(2.0, label="a"), value(-3.0, label="b"), value(10.0, label="c"), value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    big_l = d * f
    big_l.label = "L"
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": big_l}


def neuron_graph(value, tanh_from_exp=False):
    """The lecture's two-input tanh neuron; with ``tanh_from_exp``, tanh written as (e^2n - 1) / (e^2n + 1)."""
    nodes = {
        "x1": value(2.0, label="x1"),
        "x2": value(0.0, label="x2"),
        "w1": value(-3.0, label="w1"),
        "w2": value(1.0, label="w2"),
        "b": value(6.8813735870195432, label="b"),
    }
    nodes["x1*w1"] = nodes["x1"] * nodes["w1"]
    nodes["x2*w2"] = nodes["x2"] * nodes["w2"]
    nodes["x1*w1 + x2*w2"] = nodes["x1*w1"] + nodes["x2*w2"]
    nodes["n"] = nodes["x1*w1 + x2*w2"] + nodes["b"]
    if tanh_from_exp:
        e = (2 * nodes["n"]).exp()
        nodes["o"] = (e - 1) / (e + 1)
    else:
        nodes["o"] = nodes["n"].tanh()
    for name, node in nodes.items():
        node.label = name
    return nodes


def grads(nodes):
    return {name: node.grad for name, node in nodes.items()}


def test_stepping_the_first_graph_by_hand_gives_micrograds_grads_and_nudge():
    def by_hand(value):
        g = first_graph(value)
        g["L"].grad = 1.0
        for name in ("L", "d", "e", "a"):  # a leaf's _backward() does nothing
            g[name]._backward()
        got = grads(g)
        for name in "abcf":
            g[name].data += 0.01 * g[name].grad
        nudged = ((g["a"] * g["b"]) + g["c"]) * g["f"]
        return got, nudged.data

    ours, theirs = by_hand(Value), by_hand(LectureValue)
    assert ours == theirs
    assert ours[0] == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}


@pytest.mark.parametrize("order", ["by hand", "topological", "backward"])
def test_the_neuron_backpropagated_three_ways_gives_micrograds_grads_bit_for_bit(order):
    """The lecture's o._backward(); n._backward(); ..., then its own sort over _prev, then o.backward()."""

    def run(value):
        g = neuron_graph(value)
        o = g["o"]
        if order == "by hand":
            o.grad = 1.0
            for name in ("o", "n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):
                g[name]._backward()
        elif order == "topological":
            topo, visited = [], set()

            def build_topo(v):
                if v not in visited:
                    visited.add(v)
                    for child in v._prev:
                        build_topo(child)
                    topo.append(v)

            build_topo(o)
            assert len(topo) == 10
            o.grad = 1.0
            for node in reversed(topo):
                node._backward()
        else:
            o.backward()
        return o.data, grads(g)

    ours, theirs = run(Value), run(LectureValue)
    assert ours == theirs
    assert ours[1]["n"] == 1 - ours[0] ** 2 and ours[1]["w2"] == 0.0


def test_tanh_written_with_exp_and_a_value_used_twice():
    ours, theirs = neuron_graph(Value, tanh_from_exp=True), neuron_graph(LectureValue, tanh_from_exp=True)
    ours["o"].backward()
    theirs["o"].backward()
    # e - 1 and (e + 1) divide: one node here, e + (-1) and a power -1 in micrograd (see the top).
    assert all(close(ours[k].grad, theirs[k].grad) for k in ("x1", "w1", "x2", "w2", "b", "n"))
    for value in (Value, LectureValue):
        a = value(3.0, label="a")
        b = a + a
        b.backward()
        assert a.grad == 2.0 and b._prev == {a}


def canonical_drawing(root) -> tuple:
    """What the lecture's draw_dot draws, with ids replaced by what each record shows: (nodes, edges)."""
    graphviz = pytest.importorskip("graphviz")
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    assert "digraph" in dot.source

    def shown(v):
        return (getattr(v, "label", ""), "%.4f" % v.data, "%.4f" % v.grad, v._op)  # noqa: UP031

    return sorted(shown(n) for n in nodes), sorted((shown(a), shown(b)) for a, b in edges)


@pytest.mark.parametrize("graph", ["first", "neuron", "folded constants"])
def test_trace_and_draw_dot_draw_the_nodes_and_edges_micrograd_draws(graph):
    def build(value):
        if graph == "first":
            return first_graph(value)["L"]
        if graph == "neuron":
            return neuron_graph(value)["o"]
        x = value(1.0, label="x")
        return (x * 2 + 1).relu()  # micrograd makes Values of 2 and 1; glassgrad shows its folded constants so

    ours, theirs = build(Value), build(LectureValue)
    ours.backward()
    theirs.backward()
    assert canonical_drawing(ours) == canonical_drawing(theirs)


# ---------------------------------------------------------------------------
# The node's internals, micrograd's names
# ---------------------------------------------------------------------------
def test_op_names_are_micrograds_and_parents_a_set():
    x, y = Value(3.0), Value(2.0)
    cases = {"+": x + y, "*": x * y, "**2": x**2, "**-1": x**-1, "**0.5": x**0.5, "ReLU": x.relu()}
    cases |= {"tanh": x.tanh(), "exp": x.exp(), "sub": x - y, "div": x / y, "sigmoid": x.sigmoid(), "": x}
    for symbol, node in cases.items():
        assert node._op == symbol
        mg = {"**2": "pow", "**-1": "pow", "**0.5": "pow"}
        assert node.op == mg.get(symbol, node.op)  # glassgrad's own name is unchanged
    assert (x * y)._prev == {x, y} and (x**2)._prev == {x} and x._prev == set()
    assert (x * y).parents == (x, y)


def test_a_hand_built_node_is_the_node_its_op_makes():
    for value in (LectureValue, Value):  # micrograd's hand-built node has the same _prev and _op ...
        a, b = value(2.0, label="a"), value(-3.0, label="b")
        built = value(-6.0, (a, b), "*")
        assert built._prev == {a, b} and built._op == "*" and built.data == -6.0
    built.grad = 1.0
    built._backward()  # ... and glassgrad's has the derivative of its op (micrograd's: none until given a closure)
    assert (a.grad, b.grad) == (-3.0, 2.0)
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    squared = Value(a.data**2, (a,), "**2")
    (squared * Value(-6.0, (a, b), "*")).backward()
    reference_a, reference_b = Value(2.0), Value(-3.0)
    ((reference_a**2) * (reference_a * reference_b)).backward()
    assert (a.grad, b.grad) == (reference_a.grad, reference_b.grad)
    assert Value(0.5, _children=(a,), _op="tanh", label="t").label == "t"


def test_hand_built_nodes_and_closures_glassgrad_cannot_honour_are_clear_errors():
    a = Value(1.0)
    with pytest.raises(ValueError, match="'mystery' with 1 child is not an op glassgrad knows"):
        Value(1.0, (a,), "mystery")
    with pytest.raises(ValueError, match="'\\+' with 1 child"):
        Value(1.0, (a,), "+")
    with pytest.raises(ValueError, match="needs the _children"):
        Value(1.0, (), "*")
    with pytest.raises(TypeError, match="a label is label="):
        Value(2.0, "x")
    with pytest.raises(TypeError, match="_children must be Values"):
        Value(2.0, (1.0, a), "*")
    with pytest.raises(AttributeError, match="not a _backward closure"):
        (a * a)._backward = lambda: None


def test_a_value_keeps_its_users_own_notes_as_micrograd_code_does():
    """Code written for micrograd keeps notes on its Values (an optimizer's moments, a colour for a picture).

    The loop below is AdamW written the way such code writes it, keeping m and v on each parameter; it must train
    a glassgrad MLP exactly as the same update kept in lists does.
    """
    import pickle

    from autograd import Value, cross_entropy
    from nn import MLP

    def train(keep_on_values: bool) -> list[float]:
        model = MLP(2, [4, 3], activation="tanh", rng=3)
        params = model.parameters()
        moments = [[0.0, 0.0] for _ in params]
        for p in params:
            if keep_on_values:
                p.m, p.v = 0.0, 0.0
            p.colour = "lightgreen"  # a note for a picture, never read by glassgrad
        points = [([0.5, -1.0], 0), ([-0.3, 0.8], 2), ([1.2, 0.1], 1)]
        losses = []
        for t in range(1, 6):
            loss = sum((cross_entropy(model(x), y) for x, y in points), Value(0.0)) * (1 / len(points))
            model.zero_grad()
            loss.backward()
            for p, kept in zip(params, moments):
                m = 0.9 * (p.m if keep_on_values else kept[0]) + 0.1 * p.grad
                v = 0.95 * (p.v if keep_on_values else kept[1]) + 0.05 * p.grad**2
                if keep_on_values:
                    p.m, p.v = m, v
                else:
                    kept[:] = [m, v]
                p.data -= 0.1 * ((m / (1 - 0.9**t)) / ((v / (1 - 0.95**t)) ** 0.5 + 1e-8) + 1e-4 * p.data)
            losses.append(loss.data)
        assert all(p.colour == "lightgreen" for p in params)
        return losses

    with_notes = train(keep_on_values=True)
    assert with_notes == train(keep_on_values=False)
    assert with_notes[-1] < with_notes[0]
    noted = Value(2.0, label="w")
    noted.m = 0.25
    again = pickle.loads(pickle.dumps(noted * 3.0)).parents[0]
    assert (again.m, again.label, hasattr(Value(1.0), "m")) == (0.25, "w", False)
