"""autograd.files: every file glassgrad writes is a regular file, written whole or not at all; every read is bounded.

Nothing here writes to a device or a system path: the odd targets are a FIFO and folders made in a temporary
folder, and a full disk is a file-size limit set in a child process (SIGXFSZ ignored, so the write fails with EFBIG).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd.files import DEFAULT_MAX_BYTES, FileRefusedError, check_writable, read_file, write_file


def test_a_write_replaces_a_regular_file_whole_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o600)
    assert write_file(path, "new", what="save()") == path
    assert path.read_text() == "new" and (path.stat().st_mode & 0o777) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["model.json"]  # no temporary file left beside it
    assert write_file(tmp_path / "fresh.bin", b"\x00\x01", what="save()").read_bytes() == b"\x00\x01"


def test_a_write_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_file(link, "new", what="save()")
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.parametrize("kind", ["folder", "fifo", "link to a fifo"])
def test_a_write_refuses_what_is_not_a_regular_file_and_leaves_it_as_it_was(tmp_path, kind):
    if kind == "folder":
        path = tmp_path / "out.json"
        path.mkdir()
    else:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        path = fifo if kind == "fifo" else tmp_path / "link.json"
        if kind == "link to a fifo":
            path.symlink_to(fifo)
    for attempt in (lambda: write_file(path, "x", what="save()"), lambda: check_writable(path, what="save()")):
        with pytest.raises(FileRefusedError, match=r"save\(\) writes regular files only: .* is a (folder|FIFO)"):
            attempt()
    assert path.is_dir() if kind == "folder" else Path(os.path.realpath(path)).is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_a_missing_folder_is_named_as_the_users_path_not_a_temporary_name(tmp_path):
    path = tmp_path / "no" / "such" / "model.json"
    with pytest.raises(FileNotFoundError) as caught:
        write_file(path, "x", what="save()")
    assert str(path) in str(caught.value) and ".tmp" not in str(caught.value)
    assert caught.value.errno == errno.ENOENT


def test_on_a_full_disk_the_old_file_stays_whole_and_no_temporary_is_left(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("the old model")
    child = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
        from autograd.files import write_file
        try:
            write_file({str(path)!r}, "x" * 10_000, what="save()")
        except OSError as error:
            print(error)
            sys.exit(3)
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stderr
    assert "save() could not write" in done.stdout and "the old file, if any, is kept" in done.stdout
    assert path.read_text() == "the old model"
    assert sorted(os.listdir(tmp_path)) == ["model.json"]


def test_a_read_refuses_a_device_a_fifo_and_a_folder_before_reading_a_byte(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # nobody writes to it: opening it to read would wait for ever without O_NONBLOCK
    for path, kind in (("/dev/zero", "a device"), (fifo, "a FIFO"), (tmp_path, "a folder")):
        with pytest.raises(FileRefusedError, match=f"load\\(\\) reads regular files only: .* is {kind}"):
            read_file(path, what="load()")


def test_a_read_is_bounded_and_says_how_to_raise_the_bound(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 1000)
    assert read_file(path, what="load()", max_bytes=1000) == b"x" * 1000
    with pytest.raises(FileRefusedError, match=r"1,000 bytes, more than the limit of 999; pass max_bytes="):
        read_file(path, what="load()", max_bytes=999)
    assert DEFAULT_MAX_BYTES >= 1 << 20  # far above any model a scalar engine trains
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        read_file(path, what="load()", max_bytes=0)


def test_a_long_path_is_quoted_short_in_every_message(tmp_path):
    path = tmp_path / ("d" * 200)
    path.mkdir()
    with pytest.raises(FileRefusedError) as caught:
        write_file(path, "x", what="save()")
    assert len(str(caught.value)) < 250 and "characters)" in str(caught.value)
