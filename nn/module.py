"""``Module``: parameters found from attributes, train/eval mode, state dicts, and modules that rebuild themselves.

A module never lists its parameters by hand. :meth:`Module.named_parameters`
walks the instance's attributes, in the order they were set, and finds:

- a ``Value``: a parameter, named after the attribute (``b``);
- a ``Module``: its parameters, under the attribute's name (``layers.0.b``);
- a list or tuple: its items by index (``w.2``, ``neurons.3.w.2``);
- a dict with string keys: its items by key.

A Value (or module) reachable twice is listed once, under the first name found.

**Modules that describe themselves.** A class declared with
``class Layer(Module, buildable=True)`` says what an instance is
(:meth:`Module.describe`: JSON-ready settings) and how to rebuild one from
that (:meth:`Module.from_description`), checks a description without building
anything (:meth:`Module.check_description`), and says which parameters a
description implies (:meth:`Module.count_parameters`,
:meth:`Module.parameter_shapes`), so a file can be checked whole before a
single weight is drawn. The class registers itself by name; :func:`build`
and :func:`load` find it there, and a file can name nothing else.
``Neuron``, ``Layer`` and ``MLP`` are built this way (:mod:`nn.layers`).

Saved files are JSON (the layout is :mod:`nn.serialization`'s)::

    {"format": "glassgrad-state", "version": 2, "module": "MLP", "architecture": {"type": "MLP", ...},
     "parameters": {"layers.0.neurons.0.w": [0.1, -0.3], "layers.0.neurons.0.b": 0.0, ...}}

No pickle and no eval: a file can only ever set numbers, and :meth:`Module.load`
checks all of them before it sets any.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import random
import reprlib
from collections.abc import Iterator, Mapping
from types import FunctionType
from typing import Any, NamedTuple, TypeVar

from autograd import OPS, Value
from autograd.core.checks import quote
from nn import serialization
from nn.serialization import DEFAULT_MAX_BYTES, listing, shown_path

__all__ = [
    "LoadResult",
    "Module",
    "ModuleType",
    "StateDict",
    "architecture_text",
    "build",
    "buildable_types",
    "check_architecture",
    "load",
    "save",
    "weight_problem",
]

_JUST_VALUE = {Value}

#: A state dict: entry name -> a number (one Value) or a list of numbers (a list of Values). Typed ``Any`` as
#: PyTorch types its state dicts: which of the two an entry is depends on the model (``len(state[name])`` checks).
StateDict = dict[str, Any]

ModuleType = TypeVar("ModuleType", bound="Module")

#: Every buildable Module class by the name a file calls it (filled by the classes: ``buildable=True``).
_BUILDABLE: dict[str, type[Module]] = {}
#: What a buildable class must say for itself.
_BUILD_HOOKS = ("describe", "check_description", "count_parameters", "parameter_shapes", "from_description")


class LoadResult(NamedTuple):
    """What :meth:`Module.load_state_dict` found: keys the model has but the state lacks, and the reverse.

    >>> import nn
    >>> nn.Neuron(2, rng=0).load_state_dict({"w": [0.5, -0.5], "c": 1.0}, strict=False)
    LoadResult(missing_keys=['b'], unexpected_keys=['c'])
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


def _described(x: object) -> str:
    """A value in a message: its type and at most about 100 characters of it."""
    return f"{type(x).__name__} {quote(x)}"


def weight_problem(x: object) -> str | None:
    """Why ``x`` cannot be a weight, in words, or None when it can: a real number, not a bool, finite.

    The one rule for every weight that comes in (:meth:`Module.load_state_dict`) or goes out (:func:`save`).

    >>> weight_problem(0.5), weight_problem(True), weight_problem(float("nan"))
    (None, 'expected a number, got bool True', 'expected a finite number, got nan')
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return f"expected a number, got {_described(x)}"
    try:
        finite = math.isfinite(x)
    except OverflowError:  # an int too large for a float
        finite = False
    return None if finite else f"expected a finite number, got {quote(x)}"


def _real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


@functools.cache
def _op_functions() -> dict[int, tuple[str, str]]:
    """id of every op's function (``apply``, ``forward``) -> (op name, attribute)."""
    found = {}
    for name, op in OPS.items():
        for part in ("apply", "forward"):
            function = getattr(op, part, None)
            if function is not None:
                found[id(function)] = (name, part)
    return found


def _op_function(name: str, part: str) -> Any:
    """``OPS[name].<part>``: what an :class:`_OpFunction` unpickles to."""
    return getattr(OPS[name], part)


class _OpFunction:
    """An op's function in a pickle: by the op's name, so the one in this process is used when loaded."""

    __slots__ = ("name", "part")

    def __init__(self, name: str, part: str) -> None:
        self.name, self.part = name, part

    def __reduce__(self) -> tuple:
        return (_op_function, (self.name, self.part))


def _function(method: Any) -> Any:
    return getattr(method, "__func__", method)


class Module:
    """Base class of every layer and model: subclass it and set Values and Modules as attributes.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.w = [Value(0.5), Value(-1.0)]
    ...         self.b = Value(0.0)
    >>> [name for name, _ in Affine().named_parameters()]
    ['w.0', 'w.1', 'b']

    ``training`` is True after construction; :meth:`eval` and :meth:`train`
    switch it for the module and every module inside it.
    """

    training: bool = True  # the class default; train()/eval() set it on instances

    def __init_subclass__(cls, *, buildable: bool = False, **kwargs: Any) -> None:
        """``class Layer(Module, buildable=True)`` registers the class by name, for :func:`build` and :func:`load`.

        A buildable class defines every hook (``describe``, ``check_description``,
        ``count_parameters``, ``parameter_shapes``, ``from_description``); a
        class of the same name registered later takes the place of the first
        (a notebook cell run twice).
        """
        super().__init_subclass__(**kwargs)
        if not isinstance(buildable, bool):
            raise TypeError(f"{cls.__name__}: buildable must be True or False, got {_described(buildable)}")
        if not buildable:
            return
        missing = [name for name in _BUILD_HOOKS if _function(getattr(cls, name)) is _function(getattr(Module, name))]
        if missing:
            raise TypeError(f"{cls.__name__} is declared buildable but does not define {', '.join(missing)}")
        _BUILDABLE[cls.__name__] = cls

    # ------------------------------------------------------------ discovery
    def _walk(self, named: bool = True) -> Iterator[tuple[str, Any, int]]:
        """The one attribute walker: ``(name, item, depth)`` for everything the module holds, in order.

        Items are Modules, Values, and lists of Values (a list or tuple whose
        items are all Values: one entry, a saved vector). Other lists, tuples
        and dicts (str keys only) are walked item by item. Attributes whose
        name starts with ``_`` are the module's private business and are not
        walked. Each Module and container is entered once, so a shared or
        self-referencing one cannot loop. ``depth`` counts the Modules
        between this one and the item (0 for its own attributes). With
        ``named=False`` no names are built (``name`` is ""): ``parameters()``
        is then about 0.1 ms for the 2,410 parameters of a 64-32-10 MLP, not 1 ms.
        """
        seen: set[int] = {id(self)}
        stack: list[tuple[str, Any, int]] = [
            (name, value, 0) for name, value in reversed(list(vars(self).items())) if not name.startswith("_")
        ]
        while stack:
            name, value, depth = stack.pop()
            if isinstance(value, Value):
                yield name, value, depth
                continue
            if id(value) in seen:
                continue
            if isinstance(value, Module):
                seen.add(id(value))
                yield name, value, depth
                children = [(k, v) for k, v in vars(value).items() if not k.startswith("_")]
                depth += 1
            elif isinstance(value, list | tuple):
                seen.add(id(value))
                if value and {*map(type, value)} == _JUST_VALUE:  # a neuron's weights: checked at C speed
                    yield name, list(value), depth
                    continue
                children = list(enumerate(value))
            elif isinstance(value, dict):
                seen.add(id(value))
                bad = [key for key in value if not isinstance(key, str)]
                if bad:
                    raise TypeError(
                        f"{type(self).__name__}: the dict at {quote(name)} has a key that is not a str "
                        f"({quote(bad[0])}); parameters in a dict need str keys, so they can be named, trained and "
                        "saved"
                    )
                children = list(value.items())
            else:
                continue
            stack.extend(reversed([(f"{name}.{key}" if named else "", item, depth) for key, item in children]))

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name (``layers.0.neurons.3.w.2``), each Value once."""
        found: dict[Value, str] = {}
        for name, item, _ in self._walk():
            if isinstance(item, Value):
                found.setdefault(item, name)
            elif isinstance(item, list):
                for i, v in enumerate(item):
                    found.setdefault(v, f"{name}.{i}")
        return [(name, v) for v, name in found.items()]

    def parameters(self) -> list[Value]:
        """Every parameter (a Value reachable through attributes), each once, in attribute order.

        The same list as ``named_parameters`` without the names, walked afresh
        on each call (so it never goes stale).
        """
        found: list[Value] = []
        for _, item, _ in self._walk(named=False):
            if isinstance(item, Value):
                found.append(item)
            elif isinstance(item, list):
                found.extend(item)
        return list(dict.fromkeys(found))  # each Value once, first place kept (Values hash by identity)

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named ``""``) and every module inside it, with dotted names."""
        return [("", self)] + [(name, m) for name, m, _ in self._walk() if isinstance(m, Module)]

    def modules(self) -> list[Module]:
        """This module and every module inside it."""
        return [m for _, m in self.named_modules()]

    # ------------------------------------------------------------ training
    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (gradients accumulate across ``backward`` calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self: ModuleType, mode: bool = True) -> ModuleType:
        """Set training mode (``mode=True``) or evaluation mode on this module and all inside it; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train() mode must be a bool, got {_described(mode)}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self: ModuleType) -> ModuleType:
        """Evaluation mode: same as ``train(False)``; returns self."""
        return self.train(False)

    # ------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr``; subclasses describe their settings here."""
        return ""

    def _child_modules(self) -> list[tuple[str, Module]]:
        """Direct children (not grandchildren), for repr; a subclass may show fewer."""
        return [(name, m) for name, m, depth in self._walk() if isinstance(m, Module) and depth == 0]

    def __getstate__(self) -> dict[str, Any]:
        """The attributes, for ``pickle`` (and multiprocessing): an op's own function, such as the
        activation a neuron calls (``OPS["relu"].apply``), is written as a reference to the op by name."""
        state = dict(vars(self))
        for key, value in state.items():
            if isinstance(value, FunctionType) and id(value) in _op_functions():
                state[key] = _OpFunction(*_op_functions()[id(value)])
        return state

    @reprlib.recursive_repr(fillvalue="...")  # a module that contains itself (through its containers) shows "..."
    def __repr__(self) -> str:
        """``Name(settings)`` on the first line, closed; the direct children below it, indented, one per line.

        The first line reads on its own (a log that keeps one line loses nothing it opened)."""
        lines = [f"{type(self).__name__}({self.extra_repr()})"]
        for name, child in self._child_modules():
            child_text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_text}")
        return "\n".join(lines)

    # ------------------------------------------------------------ state
    def _state_entries(self) -> dict[str, Value | list[Value]]:
        return {name: entry for name, entry, _ in self._walk() if not isinstance(entry, Module)}

    def state_dict(self) -> StateDict:
        """Parameter values by entry name: a float for a lone Value, a list of floats for a list of Values.

        >>> class Affine(Module):
        ...     def __init__(self):
        ...         self.w = [Value(0.5), Value(-1.0)]
        ...         self.b = Value(0.0)
        >>> Affine().state_dict()
        {'w': [0.5, -1.0], 'b': 0.0}
        """
        return {
            name: entry.data if isinstance(entry, Value) else [v.data for v in entry]
            for name, entry in self._state_entries().items()
        }

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Set parameters from ``state`` (as made by :meth:`state_dict`); all or nothing.

        Every entry present is checked first: a list of the right length for a
        list of Values, a single number for a lone Value, every number a finite
        real number (not a bool, not a string). With ``strict=True`` a missing
        or unexpected key is an error as well. On any error a ``ValueError``
        lists the problems found (the first few of each kind, and how many) and
        no parameter has changed. With ``strict=False``, parameters without an
        entry keep their values and unknown entries are ignored; the returned
        :class:`LoadResult` names both.
        """
        where = f"load_state_dict() into {type(self).__name__}"
        if not isinstance(strict, bool):
            raise TypeError(f"{where}: strict must be True or False, got {_described(strict)}")
        if not isinstance(state, Mapping):
            raise ValueError(f"{where} needs a mapping of entry name -> numbers, got {_described(state)}")
        entries = self._state_entries()
        missing = [name for name in entries if name not in state]
        unexpected = [name for name in state if name not in entries]
        problems: list[str] = []
        if strict and missing:
            problems.append(f"missing keys: {listing(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {listing(unexpected)}")
        bad_entries = 0
        assignments: list[tuple[Value, float]] = []
        for name, entry in entries.items():
            if name not in state:
                continue
            found = _entry_problem(name, entry, state[name], assignments)
            if found is not None:
                bad_entries += 1
                if bad_entries <= serialization.LISTED:
                    problems.append(found)
        if bad_entries > serialization.LISTED:
            problems.append(f"... {bad_entries:,} entries in all have a problem")
        if problems:
            raise ValueError(f"{where} failed, nothing was changed:\n  " + "\n  ".join(problems))
        for target, number in assignments:
            target.data = number
        return LoadResult([str(name) for name in missing], [str(name) for name in unexpected])

    # ------------------------------------------------------------ describing and rebuilding
    def architecture(self) -> dict[str, Any] | None:
        """What this module is, as JSON-ready data a file can rebuild it from; None when it cannot say.

        ``{"type": class name, **self.describe()}`` for an instance of a class
        declared ``buildable`` (a subclass of one is not: its own code may
        differ); None otherwise, or when :meth:`describe` says None.
        :meth:`save` writes it beside the weights, :func:`nn.load` rebuilds the
        model from it, and :meth:`load` refuses a file whose architecture differs.

        >>> import nn
        >>> nn.Neuron(3, activation="tanh", rng=0).architecture()
        {'type': 'Neuron', 'nin': 3, 'activation': 'tanh', 'bias': True, 'init': 'uniform'}
        """
        kind = type(self)
        if _BUILDABLE.get(kind.__name__) is not kind:
            return None
        description = self.describe()
        return None if description is None else {"type": kind.__name__, **description}

    def describe(self) -> dict[str, Any] | None:
        """This module's settings as JSON-ready data (without ``"type"``), enough to rebuild it; None if it cannot say.

        Asked of buildable classes only (see :meth:`architecture`); the base says None.
        """
        return None

    @classmethod
    def check_description(cls, description: Mapping[str, Any]) -> None:
        """Raise ValueError, quoting at most about 100 characters of anything, for a description this class
        cannot build from; build nothing. The base class builds nothing at all."""
        raise ValueError(f"{cls.__name__} cannot be built from a description")

    @classmethod
    def count_parameters(cls, description: Mapping[str, Any]) -> int:
        """How many numbers the parameters of a module so described hold (arithmetic: nothing is built)."""
        raise ValueError(f"{cls.__name__} cannot be built from a description")

    @classmethod
    def parameter_shapes(cls, description: Mapping[str, Any]) -> Iterator[tuple[str, int | None]]:
        """The state dict's entries a module so described has, in order: ``(name, length)``, None for one number."""
        raise ValueError(f"{cls.__name__} cannot be built from a description")

    @classmethod
    def from_description(cls: type[ModuleType], description: Mapping[str, Any], rng: Any = None) -> ModuleType:
        """A new module as a (checked) description says; its weights drawn from ``rng``, to be replaced by a loader."""
        raise ValueError(f"{cls.__name__} cannot be built from a description")

    @classmethod
    def description_text(cls, description: Mapping[str, Any]) -> str:
        """A one-line reading of a (checked) description, for messages: ``MLP(2 -> 4 tanh -> 1 sigmoid)``."""
        settings = ", ".join(f"{key}={quote(value)}" for key, value in description.items())
        return f"{cls.__name__}({settings})"

    # ------------------------------------------------------------ files
    def save(self, path: str | os.PathLike[str] | bytes) -> None:
        """Write the architecture and parameters to ``path`` as JSON, whole or not at all: see :func:`save`."""
        save(self, path)

    def load(
        self: ModuleType,
        path: str | os.PathLike[str] | bytes,
        strict: bool = True,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> ModuleType:
        """Read parameters saved by :meth:`save` into this model, all or nothing; returns self.

        The whole file is checked first: valid JSON, the format and version,
        the architecture, the keys, the count of numbers in each entry, and
        that each one is a finite number (not a string, not a bool, not NaN).
        With ``strict=True`` a file whose architecture differs from the model's
        (another size, activation or bias; the initializer is not compared,
        the file's weights replacing the first ones) is refused, naming both.
        With ``strict=False`` the architecture is not compared, and entries are
        matched by name as :meth:`load_state_dict` does. Any problem is a
        ``ValueError`` naming the file, and the model is left unchanged. A
        missing file is the usual ``FileNotFoundError``; a path that is not a
        regular file, or a file larger than ``max_bytes``, an
        :class:`autograd.files.FileRefusedError`. Version 1 files (no
        architecture) are matched by their keys alone.

        >>> import nn, tempfile, os
        >>> a, b = nn.Neuron(2, rng=0), nn.Neuron(2, rng=1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     a.save(os.path.join(folder, "n.json")); _ = b.load(os.path.join(folder, "n.json"))
        >>> [p.data for p in b.parameters()] == [p.data for p in a.parameters()]
        True
        """
        if not isinstance(strict, bool):
            raise TypeError(f"load() strict must be True or False, got {_described(strict)}")
        document, where = _read_model_file(path, max_bytes)
        recorded = document.get("architecture")
        if strict and recorded is not None:
            own = self.architecture()
            if own is not None and _without_init(own) != _without_init(recorded):
                raise ValueError(
                    f"{where}: the file holds {architecture_text(recorded)}, but this model is "
                    f"{architecture_text(own)} ({_differences(recorded, own)}); nothing was changed"
                )
        try:
            self.load_state_dict(document["parameters"], strict=strict)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        return self


def _entry_problem(
    name: str, entry: Value | list[Value], given: Any, assignments: list[tuple[Value, float]]
) -> str | None:
    """What is wrong with ``given`` for the state entry ``name``, or None (its numbers then go into ``assignments``)."""
    if isinstance(entry, Value):
        if isinstance(given, list | tuple):
            return f"{name}: expected one number, got {type(given).__name__} of {len(given):,} items"
        problem = weight_problem(given)
        if problem is not None:
            return f"{name}: {problem}"
        assignments.append((entry, float(given)))
        return None
    if not isinstance(given, list | tuple):
        return f"{name}: expected a list of {len(entry)} numbers, got {_described(given)}"
    if len(given) != len(entry):
        return f"{name}: expected {len(entry)} numbers, got {len(given):,}"
    found = []
    for i, (target, number) in enumerate(zip(entry, given)):
        problem = weight_problem(number)
        if problem is not None:
            return f"{name}[{i}]: {problem}"
        found.append((target, float(number)))
    assignments.extend(found)
    return None


# ---------------------------------------------------------------- architectures
def buildable_types() -> dict[str, type[Module]]:
    """Every class a file's ``architecture`` may name, by that name (a copy).

    >>> import nn
    >>> sorted(buildable_types())[:3]
    ['Layer', 'MLP', 'Neuron']
    """
    return dict(_BUILDABLE)


def check_architecture(architecture: object) -> type[Module]:
    """The class an architecture names, after its class has checked it; a ValueError saying what is wrong.

    Nothing is built: a file declaring a billion inputs is refused in the time it takes to read it.

    >>> check_architecture({"type": "Neuron", "nin": 2, "activation": "tanh", "bias": True, "init": "he"}).__name__
    'Neuron'
    >>> check_architecture({"type": "Transformer"})
    Traceback (most recent call last):
      ...
    ValueError: architecture type must be one of 'Layer', 'MLP', 'Neuron', got 'Transformer'
    """
    if not isinstance(architecture, Mapping):
        raise ValueError(f"the architecture must be an object, got {type(architecture).__name__}")
    kind = architecture.get("type")
    cls = _BUILDABLE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"architecture type must be one of {listing(sorted(_BUILDABLE))}, got {quote(kind)}")
    cls.check_description(_description(architecture))
    return cls


def _description(architecture: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in architecture.items() if key != "type"}


def build(architecture: Mapping[str, Any], rng: random.Random | int | None = None) -> Module:
    """A new module as ``architecture`` (from :meth:`Module.architecture`) says, checked first.

    Its weights are drawn as the constructor draws them (from ``rng``); a
    loader then replaces them. ``init`` names that are not one of
    :data:`nn.INITIALIZERS` (a callable's name) are kept as a record, the
    weights being drawn with ``"uniform"``.

    >>> build({"type": "Layer", "nin": 3, "nout": 2, "activation": "tanh", "bias": True, "init": "uniform"}, rng=0)
    Layer(3 -> 2, activation='tanh')
    """
    try:
        cls = check_architecture(architecture)
    except ValueError as error:
        raise ValueError(f"build(): {error}") from None
    return cls.from_description(_description(architecture), rng)


def architecture_text(architecture: Mapping[str, Any] | None) -> str:
    """A one-line reading of a checked architecture, for messages: ``MLP(2 -> 4 tanh -> 1 sigmoid)``.

    Each class reads its own (:meth:`Module.description_text`); None reads as "no recorded architecture".

    >>> architecture_text({"type": "Neuron", "nin": 3, "activation": "relu", "bias": False, "init": "he"})
    'Neuron(3 -> 1 relu no bias)'
    """
    if architecture is None:
        return "no recorded architecture"
    cls = _BUILDABLE.get(architecture.get("type"))  # type: ignore[arg-type]
    if cls is None:
        return f"an architecture of type {quote(architecture.get('type'))}"
    return cls.description_text(_description(architecture))


def _without_init(data: Any) -> Any:
    """An architecture without its ``init`` records: the parts that decide what a model computes."""
    if isinstance(data, Mapping):
        return {key: _without_init(value) for key, value in data.items() if key != "init"}
    if isinstance(data, list):
        return [_without_init(value) for value in data]
    return data


def _difference_list(file: Any, model: Any, where: str, found: list[str]) -> None:
    if len(found) > serialization.LISTED:
        return
    if isinstance(file, Mapping) and isinstance(model, Mapping):
        for key in [*file, *(key for key in model if key not in file)]:
            _difference_list(file.get(key), model.get(key), f"{where}.{key}" if where else str(key), found)
    elif isinstance(file, list) and isinstance(model, list):
        if len(file) != len(model):
            found.append(f"{where}: file has {len(file):,}, model has {len(model):,}")
        for index, (a, b) in enumerate(zip(file, model)):
            _difference_list(a, b, f"{where}.{index}", found)
    elif file != model or type(file) is not type(model):
        found.append(f"{where}: file {quote(file)}, model {quote(model)}")


def _differences(file: Mapping[str, Any], model: Mapping[str, Any]) -> str:
    """Each way the file's architecture and the model's differ (``layers.0.activation: file 'relu', model 'tanh'``)."""
    found: list[str] = []
    _difference_list(_without_init(file), _without_init(model), "", found)
    return "; ".join(found[: serialization.LISTED]) + ("; ..." if len(found) > serialization.LISTED else "")


# ---------------------------------------------------------------- model files
def _check_model_document(document: Mapping[str, Any], where: str) -> None:
    """Everything :meth:`Module.load` and :func:`load` check before anything is built or set.

    The document's parts (:func:`nn.serialization.check_model_document`), the
    architecture (by its class, nothing built), and the parameters against it:
    the count of numbers it implies against the count present, then every
    entry's name and length.
    """
    serialization.check_model_document(document, where)
    if "architecture" not in document:
        return
    architecture = document["architecture"]
    try:
        cls = check_architecture(architecture)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    description = _description(architecture)
    parameters = document["parameters"]
    declared = cls.count_parameters(description)
    present = sum(len(entry) if isinstance(entry, list) else 1 for entry in parameters.values())
    text = cls.description_text(description)
    if declared != present:
        raise ValueError(f"{where}: the architecture {text} has {declared:,} parameters, the file holds {present:,}")
    missing, wrong, expected = [], [], set()
    for name, length in cls.parameter_shapes(description):  # as many entries as numbers present, at most
        expected.add(name)
        if name not in parameters:
            missing.append(name)
            continue
        entry = parameters[name]
        given = len(entry) if isinstance(entry, list) else None
        if given != length:
            said = "one number" if length is None else f"{length:,} numbers"
            got = "one number" if given is None else f"{given:,}"
            wrong.append(f"{name}: expected {said}, got {got}")
    unexpected = [name for name in parameters if name not in expected]
    problems = [f"missing keys: {listing(missing)}"] * bool(missing)
    problems += [f"unexpected keys: {listing(unexpected)}"] * bool(unexpected)
    problems += [listing(wrong, quoted=False)] * bool(wrong)
    if problems:
        raise ValueError(f"{where}: the parameters do not fit the architecture {text}: " + "; ".join(problems))


def _read_model_file(path: str | os.PathLike[str] | bytes, max_bytes: int) -> tuple[dict[str, Any], str]:
    """The model file's document, checked whole, and how messages name the load."""
    document = serialization.read_document(path, kind="model", what="load()", max_bytes=max_bytes)
    where = f"load({shown_path(path)})"
    _check_model_document(document, where)
    return document, where


def save(module: Module, path: str | os.PathLike[str] | bytes, *, what: str = "save()") -> None:
    """Write ``module``'s architecture and parameters to ``path`` as JSON, whole or not at all.

    The architecture is ``module.architecture()``, left out when that is
    None. Every parameter is written as a float; one that load would refuse
    (not finite, a bool, not a number) is a ValueError naming it, and nothing
    is written. The document is checked as load checks it before it is
    written, and it goes through :func:`autograd.files.write_file`: a regular
    file only (a symlink is followed; a folder, FIFO or device is refused),
    the old file kept whole if the write fails. ``what`` names the operation
    in errors.

    >>> import nn, tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(nn.Neuron(2, rng=0), os.path.join(folder, "n.json"))
    ...     sorted(os.listdir(folder))
    ['n.json']
    """
    parameters: dict[str, float | list[float]] = {}
    problems = []
    for name, entry in module.state_dict().items():
        numbers_ = entry if isinstance(entry, list) else [entry]
        for index, number in enumerate(numbers_):
            if weight_problem(number) is not None:
                place = name if not isinstance(entry, list) else f"{name}[{index}]"
                why = "a bool" if isinstance(number, bool) else "not finite" if _real(number) else "not a number"
                problems.append(f"parameter {place} = {quote(number)}: it is {why}")
                break
        else:
            parameters[name] = [float(x) for x in entry] if isinstance(entry, list) else float(entry)
    if problems:
        raise ValueError(
            f"{what} cannot write {listing(problems, quoted=False)} (load accepts finite numbers only, and a bool is "
            "not a weight); nothing was written"
        )
    document: dict[str, Any] = {
        "format": serialization.FILE_FORMAT,
        "version": serialization.FILE_VERSION,
        "module": type(module).__name__,
    }
    architecture = module.architecture()
    if architecture is not None:
        document["architecture"] = architecture
    document["parameters"] = parameters
    try:  # what load would refuse is never written
        _check_model_document(document, what)
    except ValueError as error:
        raise ValueError(f"{what} would write a file that load refuses: {error}") from None
    serialization.write_document(path, document, what=what)


def load(
    path: str | os.PathLike[str] | bytes,
    rng: random.Random | int | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Module:
    """The model saved in ``path``, rebuilt from the file alone: ``nn.load("model.json")``.

    The whole file is checked before anything is built: the architecture by
    its class, and every size it declares against the weights actually in the
    file (a file that declares a billion inputs and holds three numbers is a
    ValueError at once). Then the model is built (``rng`` goes to the
    constructor: weights drawn and then replaced; an rrelu neuron's own
    generator is seeded from it) and its parameters are set. A file with no
    architecture (version 1, or a module that could not describe itself) is a
    ValueError that says to build the model and call ``model.load(path)``.
    The file is read through :func:`autograd.files.read_file`: a regular file
    of at most ``max_bytes`` bytes (64 MiB unless raised).

    >>> import nn, tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     nn.MLP(2, [3, 1], activation="tanh", rng=0).save(os.path.join(folder, "m.json"))
    ...     nn.load(os.path.join(folder, "m.json"), rng=0)
    MLP(2 -> [3, 1], 13 parameters)
      (layers.0): Layer(2 -> 3, activation='tanh')
      (layers.1): Layer(3 -> 1, activation='linear')
    """
    document, where = _read_model_file(path, max_bytes)
    if "architecture" not in document:
        why = (
            "version 1 files do not record it"
            if document["version"] == 1
            else f"it was saved from a {quote(document.get('module', 'module'))} that cannot describe itself"
        )
        raise ValueError(
            f"{where}: the file has no architecture to rebuild the model from ({why}); "
            "build the model as it was built and call model.load(path)"
        )
    module = build(document["architecture"], rng=rng)
    try:
        module.load_state_dict(document["parameters"], strict=True)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    return module
