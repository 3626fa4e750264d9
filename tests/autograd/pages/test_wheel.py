"""The pages ship in the wheel: build it, install it into a fresh venv, and write every page from outside the checkout.

Skipped only when the wheel cannot be built offline (the build backend, setuptools, is neither installed nor in a
local package index); any other failure to build or install is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: What the build needs from the checkout (copied, so the build leaves nothing in the checkout).
SOURCES = ("autograd", "nn", "pyproject.toml", "README.md", "LICENSE")
OFFLINE = re.compile(
    r"No matching distribution found for setuptools|Could not find a version that satisfies|"
    r"Failed to establish a new connection|Network is unreachable|Temporary failure in name resolution"
)

WRITE_EVERY_PAGE = """
import json, sys
from pathlib import Path
import autograd, nn
from autograd import Value
from autograd.explain import save_html
from autograd.pages import PAGES

out = Path(sys.argv[1])
pages = {}
model = nn.MLP(2, [3, 1], rng=0)
data = nn.moons(12, 0.1, rng=0, signed_labels=True)
history = nn.fit(model, nn.hinge_loss, data, optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=2,
                 progress=False, rng=0, callbacks=[nn.WeightSnapshots(every=1)])
pages["replay"] = str(history.save_html(out / "replay.html", grid=5))
if sys.argv[2] == "dot":
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    pages["step_through"] = str(save_html(a * b, out / "steps.html"))
    pages["practice"] = str(save_html(a * b, out / "practice.html", practice=True))
print(json.dumps({"autograd": autograd.__file__, "pages": pages, "known": sorted(PAGES)}))
"""


def _run(command: list[str], **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **options)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(out)])
    if built.returncode != 0:
        if OFFLINE.search(built.stdout + built.stderr):
            pytest.skip("the wheel cannot be built offline: " + (built.stdout + built.stderr).strip()[-300:])
        pytest.fail("pip wheel failed:\n" + built.stdout + built.stderr)
    (wheel_file,) = out.glob("glassgrad-*.whl")
    return wheel_file


def test_the_wheel_holds_every_package_and_every_page_file(wheel):
    import zipfile

    from autograd.pages import PAGES, page_files

    names = set(zipfile.ZipFile(wheel).namelist())
    for page in PAGES:
        for name in page_files(page):
            assert f"autograd/pages/{name}" in names, name
    packages = {str(path.parent.relative_to(ROOT)) for path in ROOT.glob("*/**/__init__.py")}
    packages = {p for p in packages if p.split("/")[0] in ("autograd", "nn")}
    assert {f"{package}/__init__.py" for package in packages} <= names  # autograd.core, .ops, .cli, .pages, ...


def test_every_page_is_written_from_an_installed_wheel_outside_the_checkout(wheel, tmp_path):
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    extra = ["graphviz"] if shutil.which("dot") else []  # the step-through draws with the graphviz package
    installed = _run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel), *extra])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    result = _run(
        [str(python), "-c", WRITE_EVERY_PAGE, str(outside), "dot" if extra else "no-dot"], cwd=outside, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["autograd"]).is_relative_to(environment)  # the installed package, not the checkout
    assert set(report["pages"]) == ({"step_through", "practice", "replay"} if extra else {"replay"})
    for page, written in report["pages"].items():
        text = Path(written).read_text(encoding="utf-8")
        data = re.search(r'<script type="application/json" id="glassgrad-data">(.*?)</script>', text, re.S)
        assert data and json.loads(data[1])["page"] == page
        assert "window.glassgrad = Object.freeze" in text  # the kit's script
        own = {
            "step_through": "window.glassgradStepper",
            "practice": "window.glassgradJudge",
            "replay": "function contour(rows, level)",
        }
        assert own[page] in text, page  # the page's own script
