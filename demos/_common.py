"""Shared plumbing for the demos: command-line flags, the output folder, pictures, graph drawings.

The demos are scripts (``python demos/xor.py``). With glassgrad installed
(``pip install -e ".[demos]"``) ``autograd`` and ``nn`` import as usual; from a
source checkout that is not installed, :func:`make_importable` puts the
checkout's root on ``sys.path`` so the same command still works. It only does
so when ``import autograd`` would otherwise fail, so an installed glassgrad
always wins.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Where pictures and models go unless ``--out`` says otherwise: a folder in the current directory.
DEFAULT_OUT = "glassgrad-out"


def make_importable() -> None:
    """Let ``import autograd`` / ``import nn`` work when run from an uninstalled checkout."""
    if importlib.util.find_spec("autograd") is not None:
        return
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "autograd" / "__init__.py").is_file():
        sys.path.insert(0, str(checkout))


make_importable()


def make_parser(description: str, *, seed: int = 0) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` with the flags every demo has: ``--seed`` and ``--out``."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=seed, help="seed for every random draw (data, init, shuffling)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        help="folder for pictures and models (created if missing)",
    )
    return parser


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs an integer >= 1, got {text!r}")
    return value


def output_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (files only, no window), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: Path, *, dpi: int = 80) -> Path:
    """Write ``figure`` as a PNG, close it, and return the path."""
    plt = pyplot()
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return path


def wrote(path: Path, what: str) -> None:
    """Print one line saying where an output went."""
    print(f"wrote {path}  ({what})")


def format_vector(values: Sequence[float], digits: int = 4) -> str:
    """``[4.8, 1.21, 2.385]``: floats rounded for reading, without trailing noise."""
    return "[" + ", ".join(f"{round(v, digits):g}" for v in values) + "]"


def draw_graph(root: Any, folder: Path, name: str, **draw_options: Any) -> tuple[Path | None, str]:
    """Draw ``root``'s graph with ``autograd.viz``: an SVG, or the DOT source where Graphviz is missing.

    Returns the file written (None if nothing could be drawn) and a one-line
    note for the user. The Graphviz ``dot`` program renders the SVG; without
    it the DOT source is written instead, with a hint. Without the
    ``graphviz`` Python package nothing is drawn and the hint says what to install.
    ``draw_options`` go to ``autograd.viz.draw`` (``parameters=``, ``inputs=``, ...).
    """
    try:
        import graphviz

        from autograd.viz import draw
    except ImportError as error:
        if error.name == "graphviz":
            return None, 'no graph drawn: the graphviz Python package is missing (pip install "glassgrad[demos]")'
        return None, f"no graph drawn: {error}"
    digraph = draw(root, **draw_options)
    try:
        svg = digraph.pipe(format="svg")
    except graphviz.ExecutableNotFound:
        path = folder / f"{name}.dot"
        path.write_text(digraph.source, encoding="utf-8")
        return path, (
            "DOT source, as Graphviz's `dot` program is missing: install Graphviz "
            f"(apt-get install graphviz / brew install graphviz), then `dot -Tsvg {path} -o {name}.svg`"
        )
    path = folder / f"{name}.svg"
    path.write_bytes(svg)
    return path, "the computation graph as SVG, open it in a browser"
