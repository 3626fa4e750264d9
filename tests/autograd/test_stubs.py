"""``autograd/core/value.pyi`` declares Value's whole surface, is what ``python -m autograd.stubs`` writes now, and
tells a type checker what the run time does: what Python refuses, mypy refuses; what it runs, mypy accepts."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from autograd import OPS, Value
from autograd.core.kinds import BinaryOp, UnaryOp
from autograd.stubs import COMMAND, STUB_PATH, stub_text, value_attributes

ROOT = Path(__file__).resolve().parents[2]


def declared_in_stub(text: str) -> set[str]:
    """The names the stub's ``class Value`` declares (methods, properties, attributes)."""
    (value_class,) = (n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == "Value")
    names = set()
    for node in value_class.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def test_the_checked_in_stub_is_what_the_generator_writes():
    assert STUB_PATH.read_text(encoding="utf-8") == stub_text(), (
        f"{STUB_PATH.relative_to(ROOT)} is out of date (an op or an attribute of Value changed): run `{COMMAND}`"
    )


def test_every_attribute_of_value_is_in_the_stub_and_nothing_else():
    declared = declared_in_stub(STUB_PATH.read_text(encoding="utf-8"))
    at_run_time = value_attributes()
    assert at_run_time - declared == set(), f"Value has these at run time, the stub lacks them: run `{COMMAND}`"
    assert declared - at_run_time == set(), "the stub declares what Value does not have"
    public = {name for name in dir(Value(1.0)) if not name.startswith("_")}
    assert public <= declared


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_registering_an_op_without_regenerating_fails_naming_the_command():
    """A new op changes the stub: the check (run in a fresh process, so no op stays registered here) says so."""
    code = textwrap.dedent(
        """
        import sys
        from autograd.core.kinds import UnaryOp, register
        from autograd.stubs import main, stub_text
        register(UnaryOp("cube", lambda x, k: k * x**3, lambda x, out, k: 3 * k * x * x, "d kx^3/dx = 3kx^2",
                         params=(("k", 1.0),)))
        assert "    def cube(self, k: float = 1.0, /) -> Value:" in stub_text()
        sys.exit(main(["--check"]))
        """
    )
    result = _run(code)
    assert result.returncode == 1, result.stderr
    assert "value.pyi is out of date: run `python -m autograd.stubs`" in result.stderr


def test_the_command_writes_the_stub(tmp_path: Path):
    """``python -m autograd.stubs`` run in a copy of the packages writes the missing stub; ``--check`` then passes."""
    for package in ("autograd", "nn"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    stub = tmp_path / "autograd" / "core" / "value.pyi"
    stub.unlink()
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for arguments in ([], ["--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "autograd.stubs", *arguments],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert stub.read_text(encoding="utf-8") == STUB_PATH.read_text(encoding="utf-8")


#: Snippets (given ``x = Value(0.5)``) Python runs and mypy must accept: one per op, its operator or its method.
def _accepted() -> list[str]:
    found = [
        "y: Value = 2.0 * x + x / 3 - 1 ** x",
        "b: bool = x < 1 and 2 <= x or x > x or x >= 0.5",
        "x.backward(create_graph=True); x.backward(1.0); g = x.grad",
        "f: float = x.item() + x.data; s: str = f'{x:.3f}' + format(x) + repr(x)",
        "p: tuple[Value, ...] = x.parents; prev: set[Value] = x._prev; op: str = x._op; x._backward()",
        "y = x.detach(); z = Value(2, label='two'); w = Value(True); v = +x; u = abs(-x)",
        "from fractions import Fraction; q = Value(Fraction(1, 2))",
        "total: Value = sum([x, x], Value(0.0)); t = sum([x, x])",
        "y = x.rrelu(0.1, 0.3, True, 0).gelu('tanh')",
    ]
    for op in OPS.values():
        if isinstance(op, BinaryOp):
            found.append(f"y = x {op.symbol} 2.0; z = 2.0 {op.symbol} x; w: Value = x {op.symbol} x")
        elif isinstance(op, UnaryOp) and op.method not in (None, "__neg__", "__abs__"):
            method = op.method or op.name
            found.append(f"y = x.{method}(); z: Value = x.{method}({', '.join(map(repr, op.test_params))})")
    return found


#: Snippets Python refuses with an error and mypy must refuse too.
REFUSED = [
    "import math; math.tanh(x)",  # would drop the graph: Value refuses __float__
    "float(x)",
    "x.leaky_relu(slope=0.1)",  # an op's parameters are positional
    "x.tanh(1.0)",  # tanh takes no parameter
    "x.backward(1.0, True)",  # create_graph is keyword-only
    "x + 'a'",
    "Value('2')",
    "x.tanhh()",
    "x._backward = lambda: None",  # a node's _backward cannot be replaced
]


def _mypy(snippets: list[str], folder: Path) -> dict[int, list[str]]:
    """mypy's errors on each snippet (as its own module after ``x = Value(0.5)``), by the snippet's index."""
    for index, snippet in enumerate(snippets):
        (folder / f"snippet_{index}.py").write_text(f"from autograd import Value\n\nx = Value(0.5)\n{snippet}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--follow-imports=silent",
            "--cache-dir",
            str(folder / ".cache"),
            "--no-error-summary",
            "--hide-error-context",
            *(f"snippet_{i}.py" for i in range(len(snippets))),
        ],
        cwd=folder,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    errors: dict[int, list[str]] = {i: [] for i in range(len(snippets))}
    for line in result.stdout.splitlines():
        if line.startswith("snippet_") and ": error:" in line:
            errors[int(line.split(".py")[0].removeprefix("snippet_"))].append(line)
    if result.returncode not in (0, 1):
        raise RuntimeError(result.stdout + result.stderr)
    return errors


def _runs(snippet: str) -> bool:
    try:
        exec(f"x = Value(0.5)\n{snippet}", {"Value": Value})
    except (TypeError, AttributeError):
        return False
    return True


def test_mypy_accepts_what_python_runs_and_refuses_what_python_refuses(tmp_path: Path):
    accepted = _accepted()
    for snippet in accepted:
        assert _runs(snippet), f"Python refuses {snippet!r}: this test's list is wrong"
    for snippet in REFUSED:
        assert not _runs(snippet), f"Python runs {snippet!r}: this test's list is wrong"
    errors = _mypy(accepted + REFUSED, tmp_path)
    wrongly_refused = [f"{accepted[i]!r}: {errors[i]}" for i in range(len(accepted)) if errors[i]]
    wrongly_accepted = [REFUSED[i] for i in range(len(REFUSED)) if not errors[len(accepted) + i]]
    assert not wrongly_refused, "mypy refuses what Python runs:\n" + "\n".join(wrongly_refused)
    assert not wrongly_accepted, "mypy accepts what Python refuses:\n" + "\n".join(wrongly_accepted)
