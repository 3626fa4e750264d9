"""Saving and loading a module's parameters: JSON files, written atomically, checked before anything is set.

A saved file::

    {"format": "glassgrad-state", "version": 1, "module": "MLP",
     "parameters": {"layers.0.neurons.0.w": [0.1, -0.3], "layers.0.neurons.0.b": 0.0, ...}}

A list of Values (a neuron's ``w``) is one entry holding a list of numbers; a
lone Value is one number. Floats are written with ``repr``, so a save and a
load give back the same bits. No pickle and no eval: a file can only ever set
numbers, and :func:`load_into` checks all of them before it sets any.
``Module.save`` and ``Module.load`` call these.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from typing import Any

__all__ = ["FILE_FORMAT", "FILE_VERSION", "load_into", "save"]

#: Written into every saved file; :func:`load_into` refuses other formats.
FILE_FORMAT = "glassgrad-state"
#: The file layout version this code writes and reads.
FILE_VERSION = 1
_FILE_KEYS = {"format", "version", "module", "parameters"}


def _real_path(path: str | os.PathLike[str] | bytes) -> str:
    """The file a save writes: ``path`` with any symlinks resolved, so saving through a link updates its target."""
    return os.path.realpath(os.fsdecode(path))


def save(module: Any, path: str | os.PathLike[str] | bytes) -> None:
    """Write the parameters to ``path`` as JSON, atomically.

    The file is written next to ``path`` under a temporary name, flushed and
    fsync'ed, then renamed over ``path`` in one step (``os.replace``): a
    crash at any moment leaves either the old file or the new one, never a
    half-written file. Non-finite parameters (NaN, inf) are refused with a
    ValueError, since JSON cannot hold them and they could not be loaded.
    """
    state = module.state_dict()
    for name, entry in state.items():
        numbers = entry if isinstance(entry, list) else [entry]
        for number in numbers:
            if not math.isfinite(number):
                raise ValueError(f"save() cannot write parameter {name} = {number!r}: it is not finite")
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "module": type(module).__name__,
        "parameters": state,
    }
    _write_json_atomically(_real_path(path), document)


def load_into(module: Any, path: str | os.PathLike[str] | bytes, strict: bool = True) -> None:
    """Read parameters saved by :func:`save` into ``module``; all or nothing.

    Everything is checked before anything is assigned: valid JSON, the
    format and version, the keys, the count of numbers in each entry, and
    that each one is a finite number (not a string, not a bool, not NaN).
    Any problem is a ``ValueError`` naming the file, and the model is left
    unchanged. A missing file is the usual ``FileNotFoundError``.
    """
    path = os.fsdecode(path)
    with open(path, "rb") as file:
        raw = file.read()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"load({path!r}): not a valid glassgrad JSON file: {error}") from None
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"load({path!r}): expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FILE_FORMAT:
        raise ValueError(f"load({path!r}): not a glassgrad model file (format is {document.get('format')!r})")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"load({path!r}): bad format version {version!r}")
    if version > FILE_VERSION:
        raise ValueError(
            f"load({path!r}): file format version {version} is newer than this glassgrad reads ({FILE_VERSION})"
        )
    unknown = sorted(set(document) - _FILE_KEYS)
    if unknown:
        raise ValueError(f"load({path!r}): unexpected top-level keys: {', '.join(unknown)}")
    if not isinstance(document.get("module", ""), str):
        raise ValueError(f"load({path!r}): 'module' must be a class name, got {document['module']!r}")
    if "parameters" not in document:
        raise ValueError(f"load({path!r}): no 'parameters' entry")
    try:
        module.load_state_dict(document["parameters"], strict=strict)
    except ValueError as error:
        raise ValueError(f"load({path!r}): {error}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a model can hold (JSON allows only finite numbers)")


def _write_json_atomically(path: str, document: object) -> None:
    """Write ``document`` to a temporary file in the target's folder, fsync it, then ``os.replace`` it."""
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file, allow_nan=False)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        try:  # keep the permissions of the file being replaced; a new file gets rw-r--r--
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); a no-op elsewhere."""
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
