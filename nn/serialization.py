"""The file format of model and optimizer files: JSON documents with a format name and a version, checked whole.

A model file (format version 2)::

    {"format": "glassgrad-state", "version": 2, "module": "MLP",
     "architecture": {"type": "MLP", "nin": 2, "layers": [
         {"nout": 4, "activation": "tanh", "bias": true, "init": "uniform"},
         {"nout": 1, "activation": "sigmoid", "bias": true, "init": "uniform"}]},
     "parameters": {"layers.0.neurons.0.w": [0.1, -0.3], "layers.0.neurons.0.b": 0.0, ...}}

``architecture`` says what the model is; it is left out for a module that
cannot describe itself. What it means is the business of the Module class it
names (see :meth:`nn.Module.architecture` and :func:`nn.module.build`): this
module knows the document, not the layers. Version 1 files (no
``architecture``; glassgrad 0.1.0) still load into a model you build.

A list of Values (a neuron's ``w``) is one entry holding a list of numbers; a
lone Value is one number. Floats are written with ``repr``, so a save and a
load give back the same bits. No pickle and no eval: a file can only ever set
numbers.

An optimizer file::

    {"format": "glassgrad-optimizer", "version": 1, "optimizer": "Adam",
     "state": {"type": "Adam", "parameters": 13, "lr": 0.01, ..., "steps_taken": 10,
               "first_moments": [...], "second_moments": [...]}}

Every file is written through :func:`autograd.files.write_file` (a regular file
only, whole or not at all) and read through :func:`autograd.files.read_file`
(a regular file only, at most ``max_bytes``). A document is checked whole
before anything is built from it or set from it, and every message about it
quotes at most about 100 characters of what it holds.

>>> document = {"format": FILE_FORMAT, "version": 2, "module": "Neuron", "parameters": {"w": [0.5], "b": 0.0}}
>>> check_model_document(document, "load()")    # nothing to say: a good document
>>> check_model_document({**document, "parameters": {"w": ["0.5"]}}, "load()")
Traceback (most recent call last):
  ...
ValueError: load(): the parameters are not all finite numbers: 'w' item 0 is '0.5' (a str)
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from autograd.core.checks import quote
from autograd.files import DEFAULT_MAX_BYTES, read_file, write_file

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FILE_FORMAT",
    "FILE_VERSION",
    "OPTIMIZER_FORMAT",
    "OPTIMIZER_VERSION",
    "check_model_document",
    "check_optimizer_document",
    "listing",
    "read_document",
    "shown_path",
    "write_document",
]

#: Written into every saved model file; the loaders refuse other formats.
FILE_FORMAT = "glassgrad-state"
#: The model file layout version this code writes; it reads this one and every older one.
FILE_VERSION = 2
#: The top-level keys each model file version may hold.
MODEL_KEYS = {
    1: frozenset({"format", "version", "module", "parameters"}),
    2: frozenset({"format", "version", "module", "architecture", "parameters"}),
}
#: Written into every saved optimizer file.
OPTIMIZER_FORMAT = "glassgrad-optimizer"
#: The optimizer file layout version this code writes and reads.
OPTIMIZER_VERSION = 1
OPTIMIZER_KEYS = {1: frozenset({"format", "version", "optimizer", "state"})}

_FORMATS = {"model": (FILE_FORMAT, MODEL_KEYS), "optimizer": (OPTIMIZER_FORMAT, OPTIMIZER_KEYS)}
#: How many problems, keys or names a message lists before it says how many more there are.
LISTED = 10


def shown_path(path: str | os.PathLike[str] | bytes) -> str:
    """A path as messages show it: quoted, at most about 100 characters.

    >>> shown_path(b"model.json")
    "'model.json'"
    """
    return quote(os.fsdecode(path))


def listing(items: Iterable[object], *, total: int | None = None, quoted: bool = True) -> str:
    """The first :data:`LISTED` items for a message, each quoted (or as they are), and how many there were.

    ``total`` is the count when ``items`` is a generator that stops early.

    >>> listing(["a", "b"])
    "'a', 'b'"
    >>> listing(range(100_000), quoted=False)
    '0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (100,000 in all)'
    """
    shown, count = [], 0
    for item in items:
        if count < LISTED:
            shown.append(quote(item) if quoted else str(item))
        count += 1
    count = max(count, total or 0)
    return ", ".join(shown) + (f", ... ({count:,} in all)" if count > LISTED else "")


# ---------------------------------------------------------------- writing
def write_document(path: str | os.PathLike[str] | bytes, document: Mapping[str, Any], *, what: str) -> Path:
    """Write ``document`` as one line of JSON to the regular file ``path``, whole or not at all; returns the path.

    Numbers that JSON cannot hold (nan, inf) are a ValueError before anything is written.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_document(os.path.join(folder, "a.json"), {"format": "x"}, what="save()").read_text().strip()
    '{"format": "x"}'
    """
    text = json.dumps(document, allow_nan=False) + "\n"
    return write_file(path, text, what=what)


# ---------------------------------------------------------------- reading
def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a file can hold (JSON allows only finite numbers)")


def read_document(
    path: str | os.PathLike[str] | bytes, *, kind: str, what: str = "load()", max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any]:
    """The JSON object in ``path``, its ``format``, ``version`` and top-level keys checked for ``kind``.

    ``kind`` is ``"model"`` or ``"optimizer"``. The file is read through
    :func:`autograd.files.read_file` (a regular file, at most ``max_bytes``);
    anything else wrong is a ValueError naming the file.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_document(os.path.join(folder, "a.json"), {"format": "pickle"}, what="save()")
    ...     read_document(path, kind="model")
    Traceback (most recent call last):
      ...
    ValueError: load('...a.json'): not a glassgrad model file (format is 'pickle')
    """
    expected, versions = _FORMATS[kind]
    raw = read_file(path, what=what, max_bytes=max_bytes)
    where = f"{what.removesuffix('()')}({shown_path(path)})"
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"{where}: not a valid glassgrad JSON file: {quote(str(error))}") from None
    except ValueError as error:  # a constant (NaN), or an integer of more digits than Python converts
        raise ValueError(f"{where}: {quote(str(error))}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(document).__name__}")
    if document.get("format") != expected:
        raise ValueError(f"{where}: not a glassgrad {kind} file (format is {quote(document.get('format'))})")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{where}: bad format version {quote(version)}")
    newest = max(versions)
    if version > newest:
        raise ValueError(f"{where}: file format version {version} is newer than this glassgrad reads ({newest})")
    unknown = set(document) - versions[version]
    if unknown:
        raise ValueError(f"{where}: unexpected top-level keys: {listing(sorted(unknown))}")
    return document


def _is_finite_number(x: object) -> bool:
    if type(x) is float:
        return math.isfinite(x)
    if isinstance(x, int) and not isinstance(x, bool):
        try:
            return math.isfinite(float(x))
        except OverflowError:  # an int too large for a float
            return False
    return False


def _kind(x: object) -> str:
    return f"{quote(x)} (a {type(x).__name__})"


def parameter_problems(parameters: object) -> Iterator[str]:
    """Each way ``parameters`` is not a mapping of names to finite numbers or lists of them, in words."""
    if not isinstance(parameters, Mapping):
        yield f"'parameters' must be an object of name -> numbers, got {type(parameters).__name__}"
        return
    for name, entry in parameters.items():
        if isinstance(entry, list):
            for index, number in enumerate(entry):
                if not _is_finite_number(number):
                    yield f"{quote(name)} item {index} is {_kind(number)}"
                    break
        elif not _is_finite_number(entry):
            yield f"{quote(name)} is {_kind(entry)}"


def check_model_document(document: Mapping[str, Any], where: str) -> None:
    """Check a model document's parts (the module name, the parameters' numbers, the architecture's type).

    The top-level keys and version are :func:`read_document`'s; the
    architecture's meaning is its class's. A ValueError starts with ``where``.

    >>> check_model_document({"module": "MLP", "parameters": {"b": float("nan")}}, "load()")
    Traceback (most recent call last):
      ...
    ValueError: load(): the parameters are not all finite numbers: 'b' is nan (a float)
    """
    module = document.get("module", "")
    if not isinstance(module, str):
        raise ValueError(f"{where}: 'module' must be a class name, got {_kind(module)}")
    if "parameters" not in document:
        raise ValueError(f"{where}: no 'parameters' entry")
    problems = parameter_problems(document["parameters"])
    first = next(problems, None)
    if first is not None:
        if not isinstance(document["parameters"], Mapping):
            raise ValueError(f"{where}: {first}")
        rest = sum(1 for _ in problems)
        more = f" (and {rest:,} more entries like it)" if rest else ""
        raise ValueError(f"{where}: the parameters are not all finite numbers: {first}{more}")
    if "architecture" in document:
        architecture = document["architecture"]
        if not isinstance(architecture, Mapping):
            raise ValueError(f"{where}: the architecture must be an object, got {type(architecture).__name__}")
        kind = architecture.get("type")
        if "module" in document and kind != module:
            raise ValueError(f"{where}: 'module' is {quote(module)} but the architecture's type is {quote(kind)}")


def check_optimizer_document(document: Mapping[str, Any], where: str) -> None:
    """Check an optimizer document's parts: an ``optimizer`` name and a ``state`` object (the optimizer checks it).

    >>> check_optimizer_document({"optimizer": "SGD", "state": [0.1]}, "load()")
    Traceback (most recent call last):
      ...
    ValueError: load(): 'state' must be an object, got list
    """
    if not isinstance(document.get("optimizer", ""), str):
        raise ValueError(f"{where}: 'optimizer' must be a class name, got {_kind(document['optimizer'])}")
    if "state" not in document:
        raise ValueError(f"{where}: no 'state' entry")
    if not isinstance(document["state"], Mapping):
        raise ValueError(f"{where}: 'state' must be an object, got {type(document['state']).__name__}")
