"""Regenerate the README's gallery: run the demos with their defaults and keep small PNGs.

    python demos/make_gallery.py           # about a minute; rewrites demos/gallery/*.png and MANIFEST.json
    python demos/make_gallery.py --check   # a second: is the gallery up to date with the demos?

Each demo writes into a temporary folder; its pictures are copied into
``demos/gallery/`` (palette-compressed with Pillow when it is installed, so
each stays well under 200 KB). The neuron's graph is drawn with Graphviz as a PNG.

``demos/gallery/MANIFEST.json`` records the SHA-256 of the gallery's inputs
(the demo scripts that draw it, their shared ``_common.py`` and this file)
and of every picture. When a demo changes and the gallery is not
regenerated, ``--check`` (and the test suite) says which input changed.
The library (``autograd``, ``nn``) is not an input: the pictures show what
the demos draw, and a change deep in the library does not make them stale.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
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
MANIFEST = "MANIFEST.json"
MAX_BYTES = 200_000

#: (demo module, its arguments besides --out, the PNGs it writes that the gallery keeps)
RUNS = [
    (activations, [], ["activations.png"]),
    (or_gate, [], ["or_gate.png"]),
    (xor, ["--no-ablations"], ["xor.png"]),
    (moons, ["--quiet"], ["moons.png"]),
    (digits, ["--quiet"], ["digits-confusion.png", "digits-misclassified.png"]),
]


def input_files() -> list[Path]:
    """The files the gallery is made from: every demo it runs, what they share, and this script."""
    modules = {module for module, _, _ in RUNS} | {tour, _common}
    files = {Path(module.__file__).resolve() for module in modules} | {Path(__file__).resolve()}
    return sorted(files)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(gallery: Path = GALLERY) -> dict[str, dict[str, str]]:
    """``{"inputs": {file: sha256}, "pictures": {png: sha256}}`` as they are now."""
    return {
        "inputs": {path.name: _sha256(path) for path in input_files()},
        "pictures": {path.name: _sha256(path) for path in sorted(gallery.glob("*.png"))},
    }


def stale_reasons(gallery: Path = GALLERY) -> list[str]:
    """Why the gallery does not match its manifest (empty when it is up to date)."""
    path = gallery / MANIFEST
    if not path.exists():
        return [f"{path} is missing"]
    recorded = json.loads(path.read_text(encoding="utf-8"))
    now = fingerprint(gallery)
    reasons = []
    for part in ("inputs", "pictures"):
        for name in sorted(set(recorded.get(part, {})) | set(now[part])):
            if recorded.get(part, {}).get(name) != now[part].get(name):
                reasons.append(f"{part[:-1]} {name} changed since the gallery was made")
    return reasons


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
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=GALLERY, help="gallery folder")
    parser.add_argument("--verbose", action="store_true", help="show the demos' own output")
    parser.add_argument(
        "--check", action="store_true", help="only say whether the gallery is up to date (exit 1 if not)"
    )
    args = parser.parse_args(argv)
    if args.check:
        reasons = stale_reasons(args.out)
        for reason in reasons:
            print(f"stale: {reason}")
        print("the gallery is up to date" if not reasons else "run: python demos/make_gallery.py")
        return 1 if reasons else 0
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
    manifest = gallery / MANIFEST
    manifest.write_text(json.dumps(fingerprint(gallery), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{manifest}: what the gallery was made from")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
