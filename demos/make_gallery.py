"""Regenerate the README's gallery: run the demos with their defaults and keep small PNGs.

    python demos/make_gallery.py           # about a minute; rewrites demos/gallery/*.png

Each demo writes into a temporary folder; its pictures are copied into
``demos/gallery/`` (palette-compressed with Pillow when it is installed, so
each stays well under 200 KB). The neuron's graph is drawn with Graphviz as a PNG.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import _common
import activations
import digits
import moons
import or_gate
import tour
import xor

GALLERY = Path(__file__).resolve().parent / "gallery"
MAX_BYTES = 200_000

#: (demo module, its arguments besides --out, the PNGs it writes that the gallery keeps)
RUNS = [
    (activations, [], ["activations.png"]),
    (or_gate, [], ["or_gate.png"]),
    (xor, ["--no-ablations"], ["xor.png"]),
    (moons, ["--quiet"], ["moons.png"]),
    (digits, ["--quiet"], ["digits-confusion.png", "digits-misclassified.png"]),
]


def compress(source: Path, target: Path) -> None:
    """Copy a PNG, reduced to a 128-colour palette where Pillow is available."""
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(source, target)
        return
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=128).save(target, optimize=True)


def neuron_graph_png(target: Path) -> None:
    """The tour's neuron after backward, drawn by Graphviz (needs the `dot` program)."""
    from autograd.viz import draw

    loss, inputs, weights, bias = tour.build_neuron()
    loss.backward()
    picture = draw(loss, parameters=[*weights, bias], inputs=inputs)
    target.write_bytes(picture.pipe(format="png"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GALLERY, help="gallery folder (default: demos/gallery)")
    parser.add_argument("--verbose", action="store_true", help="show the demos' own output")
    args = parser.parse_args(argv)
    gallery = _common.output_folder(args.out)
    written = []
    with tempfile.TemporaryDirectory(prefix="glassgrad-gallery-") as scratch:
        for module, extra, pictures in RUNS:
            print(f"running {module.__name__} with its defaults ...", flush=True)
            captured = io.StringIO()
            with contextlib.redirect_stdout(captured):
                module.main(["--out", scratch, *extra])
            if args.verbose:
                print(captured.getvalue())
            for picture in pictures:
                compress(Path(scratch) / picture, gallery / picture)
                written.append(gallery / picture)
        neuron_graph_png(Path(scratch) / "neuron-graph.png")
        compress(Path(scratch) / "neuron-graph.png", gallery / "neuron-graph.png")
        written.append(gallery / "neuron-graph.png")
    too_big = []
    for path in written:
        size = path.stat().st_size
        print(f"{path}  {size / 1000:.0f} KB")
        if size > MAX_BYTES:
            too_big.append(path)
    if too_big:
        print(f"larger than {MAX_BYTES // 1000} KB: {', '.join(map(str, too_big))}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
