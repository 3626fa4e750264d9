"""Watch backpropagation through the textbook neuron, one chain-rule step at a time.

The neuron: inputs x = [1, 2, 3, 2.5], weights w = [0.2, 0.8, -0.5, 1.0],
bias b = 2.0, out = tanh(w . x + b). The demo

1. prints the forward pass and every backward step (local derivative,
   upstream grad, contribution) as a table to follow with pen and paper;
2. draws the graph with its grads to ``backprop_neuron.svg``;
3. renders one picture per step to ``backprop_frames/step_NNN.svg``;
4. writes ``backprop_steps.html``: open it in a browser and press Next (or
   the right arrow) to watch the grads fill in.

    python demos/backprop_steps.py                 # writes into ./glassgrad-out
    python demos/backprop_steps.py --out /tmp/bp   # somewhere else

Pictures need the Graphviz ``dot`` program; without it the table is still
printed and the DOT source is written instead of the SVG.
"""

from __future__ import annotations

from collections.abc import Sequence

try:  # run as a script, demos/ is on sys.path; imported as demos.backprop_steps, it is not
    import _common
except ImportError:  # pragma: no cover - depends on how the demo is started
    from demos import _common

from autograd import Value, dot

INPUTS = [1.0, 2.0, 3.0, 2.5]
WEIGHTS = [0.2, 0.8, -0.5, 1.0]
BIAS = 2.0


def textbook_neuron() -> tuple[Value, list[Value], list[Value]]:
    """A fresh copy of the neuron: (out, parameters [w1..w4, b], inputs [x1..x4]).

    Inputs are Values too, so their grads (d out / d x_i = w_i * tanh') show.
    """
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(INPUTS, start=1)]
    weights = [Value(w, label=f"w{i}") for i, w in enumerate(WEIGHTS, start=1)]
    bias = Value(BIAS, label="b")
    pre_activation = dot(weights, inputs, bias)
    pre_activation.label = "n"
    out = pre_activation.tanh()
    out.label = "out"
    return out, [*weights, bias], inputs


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])  # --seed (nothing here is random) and --out
    parser.add_argument("--no-frames", action="store_true", help="skip the one-picture-per-step SVG files")
    args = parser.parse_args(argv)
    folder = _common.output_folder(args.out)

    from autograd.explain import explain, frames, save_html

    # 1. The table. Each stage below builds a fresh neuron: backward() adds
    # into the leaves' grads, so reusing one graph would show doubled grads.
    out, parameters, inputs = textbook_neuron()
    steps = explain(out, parameters=parameters, inputs=inputs)
    print(f"\nThe neuron's backward pass took {len(steps)} chain-rule steps (one per edge of the graph).\n")

    # 2.-4. Pictures: they need the graphviz package and the Graphviz `dot` program.
    try:
        import graphviz

        from autograd.viz import draw
    except ImportError:
        print('no pictures: the graphviz Python package is missing (pip install "glassgrad[viz]")')
        return 0

    out, parameters, inputs = textbook_neuron()
    out.backward()
    picture = draw(out, parameters=parameters, inputs=inputs)
    try:
        svg = picture.pipe(format="svg")
    except graphviz.ExecutableNotFound as error:
        source = folder / "backprop_neuron.dot"
        source.write_text(picture.source, encoding="utf-8")
        _common.wrote(source, "the graph's DOT source")
        print(f"no SVG, frames or HTML: {error}")
        return 0
    picture_path = folder / "backprop_neuron.svg"
    picture_path.write_bytes(svg)
    _common.wrote(picture_path, "the neuron's graph with its grads")

    if not args.no_frames:
        out, parameters, inputs = textbook_neuron()
        paths = frames(out, folder / "backprop_frames", parameters=parameters, inputs=inputs)
        _common.wrote(paths[0].parent, f"{len(paths)} pictures: the start and one per step")

    out, parameters, inputs = textbook_neuron()
    page = save_html(out, folder / "backprop_steps.html", parameters=parameters, inputs=inputs)
    _common.wrote(page, "the step-through: open it in a browser, press Next or the right arrow")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
