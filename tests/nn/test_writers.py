"""Every writer of nn writes regular files only, whole or not at all: models, optimizers, exports, checkpoints.

For each writer: a FIFO or a folder at the path is refused with an error naming it (and left as it was); a
symlink is followed to its target; on a full disk (a file-size limit, in a child process) the old file stays
whole and no temporary file is left; a missing folder is named as the user's path.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd.files import FileRefusedError

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import nn
model = nn.MLP(2, [3, 1], activation="tanh", rng=0)
"""

#: Each writer as code that writes ``path`` (a str), run here and in a child process.
WRITERS = {
    "model.save": "model.save(path)",
    "optimizer.save": "nn.Adam(model.parameters(), lr=0.01).save(path)",
    "to_onnx": "nn.to_onnx(model, path)",
    "export_torch_source script": "nn.export_torch_source(model, path, weights_path=path + '.weights.json')",
    "export_torch_source weights": "nn.export_torch_source(model, path + '.py', weights_path=path)",
    "ModelCheckpoint": (
        "nn.fit(model, nn.mse_loss, nn.xor(), optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=1,"
        " progress=False, callbacks=[nn.ModelCheckpoint(path, monitor='loss')])"
    ),
}
#: A file-size limit each writer's file exceeds (the script's limit lets its weights file through first).
LIMITS = {"export_torch_source script": 1500}


def _write(kind: str, path: Path) -> dict:
    namespace: dict = {"path": str(path)}
    exec(SETUP + WRITERS[kind], namespace)
    return namespace


def _leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_writer_writes_a_file_that_reads_back(tmp_path, kind):
    path = tmp_path / "out.bin"
    _write(kind, path)
    assert path.is_file() and path.stat().st_size > 0
    if kind in ("model.save", "export_torch_source weights", "ModelCheckpoint"):
        assert nn.load(path).architecture()["type"] == "MLP"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_fifo_at_the_path_is_refused_and_stays_a_fifo(tmp_path, kind):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(FileRefusedError, match=r"writes regular files only: '.*pipe' is"):
        _write(kind, path)
    assert stat.S_ISFIFO(os.stat(path).st_mode), "the FIFO was replaced"
    assert sorted(os.listdir(tmp_path)) == ["pipe"], "nothing else was written"


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_folder_at_the_path_is_refused_and_left_alone(tmp_path, kind):
    path = tmp_path / "folder"
    path.mkdir()
    (path / "inside.txt").write_text("mine")
    with pytest.raises(FileRefusedError, match=r"'.*folder' is a folder"):
        _write(kind, path)
    assert (path / "inside.txt").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["folder"]


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_symlink_is_followed_to_its_target_and_stays_a_link(tmp_path, kind):
    target = tmp_path / "real"
    target.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(target)
    _write(kind, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() != b"old" and target.stat().st_size > 3
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_missing_folder_is_named_as_the_users_path(tmp_path, kind):
    path = tmp_path / "no such folder" / "out"
    with pytest.raises(FileNotFoundError) as caught:
        _write(kind, path)
    assert "no such folder/out" in str(caught.value)
    assert ".tmp" not in str(caught.value)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_on_a_full_disk_the_old_file_stays_whole(tmp_path, kind):
    """A file-size limit (RLIMIT_FSIZE) in a child stands for a full disk: the write fails part way."""
    path = tmp_path / "out"
    old = b"the old file, whole"
    path.write_bytes(old)
    limit = LIMITS.get(kind, 64)
    code = "\n".join(
        [
            "import resource, signal, sys",
            f"sys.path.insert(0, {str(ROOT)!r})",
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG, the child lives on",
            f"path = {str(path)!r}",
            SETUP,
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))",
            "try:",
            f"    {WRITERS[kind]}",
            "except OSError as error:",
            "    print('refused:', error)",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the file size limit was reached; the old file, if any, is kept" in result.stdout
    assert path.read_bytes() == old
    assert _leftovers(tmp_path) == []


def test_the_script_limit_lets_the_weights_through_and_stops_the_script(tmp_path):
    """The full-disk test of the script writes its weights first: they fit under its limit, the script does not."""
    namespace = _write("export_torch_source script", tmp_path / "net.py")
    assert os.path.getsize(namespace["path"] + ".weights.json") < LIMITS["export_torch_source script"]
    assert os.path.getsize(namespace["path"]) > LIMITS["export_torch_source script"]


def test_model_checkpoint_refuses_its_path_before_training_starts(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    model = nn.MLP(2, [3, 1], rng=0)
    before = model.state_dict()
    seen = []

    class Count(nn.Callback):
        def on_epoch_begin(self, epoch, training):
            seen.append(epoch)

    with pytest.raises(FileRefusedError, match="ModelCheckpoint"):
        nn.fit(
            model,
            nn.mse_loss,
            nn.xor(),
            optimizer=nn.SGD(model.parameters(), lr=0.1),
            epochs=3,
            progress=False,
            callbacks=[nn.ModelCheckpoint(tmp_path / "pipe", monitor="loss"), Count()],
        )
    assert seen == [] and model.state_dict() == before


def test_the_script_and_its_weights_may_not_be_one_file(tmp_path):
    with pytest.raises(ValueError, match="the script and its weights would be the same file"):
        nn.export_torch_source(nn.MLP(2, [1], rng=0), tmp_path / "net.json")
    assert list(tmp_path.iterdir()) == []


def test_writers_keep_json_for_models_and_optimizers(tmp_path):
    _write("optimizer.save", tmp_path / "adam.json")
    assert json.loads((tmp_path / "adam.json").read_text())["format"] == "glassgrad-optimizer"
