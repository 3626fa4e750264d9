"""Every file glassgrad writes or reads goes through here: written whole or not at all, read within a bound.

- :func:`write_file` writes regular files only. A symlink is followed to its target; a directory, FIFO, device or
  socket at the path is refused with an error naming the path (as root, a rename over ``/dev/null`` would replace
  the device). The bytes go to a temporary file in the same folder, flushed and fsync'ed, which then replaces the
  target in one step: a crash or a full disk leaves the old file whole, never half of a new one. A missing folder
  is named as the user's path, not as the hidden temporary name.
- :func:`read_file` reads regular files only (``/dev/zero`` or a FIFO is refused before a byte is read) and at
  most ``max_bytes`` of them (:data:`DEFAULT_MAX_BYTES` unless raised), with an error past it.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     path = write_file(os.path.join(folder, "note.txt"), "hello", what="example")
...     read_file(path, what="example")
b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from autograd.core.checks import quote

__all__ = ["DEFAULT_MAX_BYTES", "FileRefusedError", "check_writable", "read_file", "write_file"]

#: What a reader reads at most unless told otherwise: far above any model a scalar engine trains (a 64-64-10 MLP's
#: file is about 100 kB), far below what would hurt a machine.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class FileRefusedError(OSError):
    """A path that is not a regular file (a folder, a FIFO, a device, a socket), or a file past the size limit.

    >>> issubclass(FileRefusedError, OSError)
    True
    """


def _error(kind: type[OSError], code: int, message: str) -> OSError:
    """An OSError whose text is ``message`` alone (no ``[Errno n]``), its ``errno`` still ``code``."""
    error = kind(message)
    error.errno = code
    return error


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _shown(path: str | os.PathLike[str] | bytes) -> str:
    return quote(os.fsdecode(path))


def check_writable(path: str | os.PathLike[str] | bytes, *, what: str) -> str:
    """The file :func:`write_file` would write for ``path`` (through any symlink), or the error it would raise now:
    :class:`FileRefusedError` for a folder, FIFO, device or socket, ``FileNotFoundError`` for a missing folder.
    Nothing is written: a long job asks first, so it never fails at its end.

    >>> check_writable("/dev/null", what="ModelCheckpoint()")
    Traceback (most recent call last):
      ...
    autograd.files.FileRefusedError: ModelCheckpoint() writes regular files only: '/dev/null' is a device
    """
    target = os.path.realpath(os.fsdecode(path))  # through any symlink, to the file it names
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise _error(
            FileRefusedError, errno.EINVAL, f"{what} writes regular files only: {_shown(path)} is {_kind(mode)}"
        )
    if not os.path.isdir(os.path.dirname(target)):
        raise _error(FileNotFoundError, errno.ENOENT, f"{what} cannot write {_shown(path)}: its folder does not exist")
    return target


def write_file(path: str | os.PathLike[str] | bytes, data: str | bytes, *, what: str) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to the regular file ``path``, atomically; returns the path written.

    ``what`` names the operation in errors (``"save()"``). A symlink is followed (its target is replaced); anything
    at ``path`` that is not a regular file is refused (:class:`FileRefusedError`), as is a missing folder
    (``FileNotFoundError`` naming ``path``). On any error the old file, if there was one, is untouched.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_file(os.path.join(folder, "a.json"), "{}", what="save()").name
    'a.json'
    """
    shown = _shown(path)
    target = check_writable(path, what=what)
    folder = os.path.dirname(target)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, (mode & 0o7777) if mode is not None else 0o644)  # keep the replaced file's permissions
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            why = "the file size limit was reached" if error.errno == errno.EFBIG else "the disk is full"
            raise _error(
                OSError, error.errno, f"{what} could not write {shown}: {why}; the old file, if any, is kept"
            ) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)
    return Path(os.fsdecode(path))


def read_file(path: str | os.PathLike[str] | bytes, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them (:class:`FileRefusedError` past it).

    Anything that is not a regular file is refused before a byte is read (``/dev/zero`` would never end, a FIFO
    would wait). ``what`` names the operation in errors; a missing file is the usual ``FileNotFoundError``.

    >>> read_file("/dev/zero", what="load()")
    Traceback (most recent call last):
      ...
    autograd.files.FileRefusedError: load() reads regular files only: '/dev/zero' is a device
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"{what} max_bytes must be a positive int, got {quote(max_bytes)}")
    shown = _shown(path)
    descriptor = os.open(os.fsdecode(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens at once
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _error(
                FileRefusedError, errno.EINVAL, f"{what} reads regular files only: {shown} is {_kind(info.st_mode)}"
            )
        if info.st_size > max_bytes:
            raise _error(
                FileRefusedError,
                errno.EFBIG,
                f"{what}: {shown} is {info.st_size:,} bytes, more than the limit of {max_bytes:,}; "
                "pass max_bytes= to read a larger file",
            )
        chunks, total = [], 0
        while total <= max_bytes:  # the file may grow while it is read: stop one byte past the limit
            chunk = os.read(descriptor, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(descriptor)
    if total > max_bytes:
        raise _error(FileRefusedError, errno.EFBIG, f"{what}: {shown} is more than the limit of {max_bytes:,} bytes")
    return b"".join(chunks)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); nothing elsewhere."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
