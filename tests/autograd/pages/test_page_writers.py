"""Every page writer writes regular files only, whole or not at all: save_html, StepThrough.save, History.save_html
and the files of frames.

A FIFO or a folder at the path is refused by name and left as it was; a full disk (a file-size limit set in a
subprocess, SIGXFSZ ignored) leaves the old page whole. Nothing here touches a device.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd.files import FileRefusedError
from tests.autograd.pages.browser import needs_dot

ROOT = Path(__file__).resolve().parents[3]

#: Each writer as the code that builds what it writes and then writes it to ``path``.
SETUP = """
import nn
from autograd import Value
from autograd.explain import frames, save_html, step_through

a, b = Value(2.0, label="a"), Value(-3.0, label="b")
y = (a * b).tanh()
def history():
    model = nn.MLP(2, [3, 1], rng=0)
    data = nn.moons(10, 0.1, rng=0, signed_labels=True)
    return nn.fit(model, nn.hinge_loss, data, optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=2,
                  progress=False, rng=0, callbacks=[nn.WeightSnapshots(every=1)])
"""
WRITERS = {
    "save_html": "save_html(y, path)",
    "save_html practice": "save_html(y, path, practice=True)",
    "StepThrough.save": "step_through(y).save(path)",
    "History.save_html": "history().save_html(path, grid=6)",
    "frames": "frames(y, Path(path).parent)",
}
NEEDS_DOT = {"save_html", "save_html practice", "StepThrough.save", "frames"}


def write(writer: str, path: Path) -> None:
    namespace: dict = {"Path": Path}
    exec(SETUP, namespace)  # the test's own code: builds a graph and a history
    namespace["path"] = path
    exec(WRITERS[writer], namespace)


def target(writer: str, tmp_path: Path) -> Path:
    """Where the writer writes: the page, or the first frame in its folder."""
    return tmp_path / ("step_000.svg" if writer == "frames" else "page.html")


def params():
    return [pytest.param(w, marks=needs_dot) if w in NEEDS_DOT else w for w in WRITERS]


@pytest.mark.parametrize("writer", params())
def test_a_writer_writes_a_page_and_replaces_an_old_one_whole(tmp_path, writer):
    path = target(writer, tmp_path)
    path.write_text("the old page", encoding="utf-8")
    write(writer, path)
    text = path.read_text(encoding="utf-8")
    assert text != "the old page" and (text.startswith("<!DOCTYPE html>") or text.lstrip().startswith("<"))
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("writer", params())
def test_a_fifo_at_the_path_is_refused_and_left_as_it_was(tmp_path, writer):
    path = target(writer, tmp_path)
    os.mkfifo(path)
    with pytest.raises(FileRefusedError, match=r"writes regular files only: .* is a FIFO"):
        write(writer, path)
    assert stat.S_ISFIFO(os.stat(path).st_mode)


@pytest.mark.parametrize("writer", params())
def test_a_folder_at_the_path_is_refused_and_left_as_it_was(tmp_path, writer):
    path = target(writer, tmp_path)
    path.mkdir()
    (path / "keep.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(FileRefusedError, match=r"writes regular files only: .* is a folder"):
        write(writer, path)
    assert (path / "keep.txt").read_text(encoding="utf-8") == "kept"


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
{setup}
path = Path(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit a write fails (EFBIG) instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    {writer}
except OSError as error:
    print(error)
    sys.exit(3)
"""


@pytest.mark.parametrize("writer", params())
def test_on_a_full_disk_the_old_page_stays_whole(tmp_path, writer):
    path = target(writer, tmp_path)
    old = "<!DOCTYPE html><title>the old page</title>" * 20  # 840 bytes: under the limit, as an old page may be
    path.write_text(old, encoding="utf-8")
    script = FULL_DISK.format(setup=SETUP, writer=WRITERS[writer])
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "file size limit was reached; the old file, if any, is kept" in result.stdout
    assert path.read_text(encoding="utf-8") == old
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
