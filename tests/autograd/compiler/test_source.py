"""The generated code: made from the op table only, user text in it only as safe comments; checked before it runs.

Labels, argument names, a function's or a model's class name are user text. They may appear in the code only in
comments, on one line, with no control or format characters, quoted with ``repr``; the code itself never holds a
string. The checker refuses anything the compiler does not write.
"""

from __future__ import annotations

import ast
import io
import tokenize

import pytest

import autograd
import nn
from autograd import CompileError, Value
from autograd.compiler.check import check_source, load
from autograd.compiler.source import quoted

HOSTILE = [
    "w\nimport os\nos.system('echo pwned')",
    "b\r\n__import__('os')",
    "x'''\n\"\"\"",
    "lab\u2028el\u2029",
    "\u202egnp.exe",
    "a\x00b\x1b[31m",
    "😀 " * 60,
    "# not a comment\\",
]


def comments(source: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]


def assert_safe(source: str) -> None:
    tree = ast.parse(source)
    strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str | bytes)]
    assert strings == [], "the code holds a string"
    for line in source.splitlines():
        assert all(c.isprintable() for c in line), f"a control character in {line!r}"
        assert "\u2028" not in line and "\u2029" not in line and "\u202e" not in line


@pytest.mark.parametrize("label", HOSTILE)
def test_a_label_reaches_the_code_only_as_a_safe_comment(label):
    def f(w, x):
        y = w * x
        y.label = label
        return y.tanh()

    compiled = autograd.compile(f)
    compiled(0.5, 2.0)
    source = compiled.source
    assert_safe(source)
    assert len(ast.parse(source).body) == 1  # one function: nothing was injected around it
    assert any(quoted(label) in c for c in comments(source))  # shown, quoted


@pytest.mark.parametrize("name", HOSTILE)
def test_a_function_name_and_a_model_class_name_reach_the_code_only_as_comments(name):
    def f(x):
        return x * x

    f.__name__ = name
    compiled = autograd.compile(f)
    compiled(3.0)
    assert_safe(compiled.source)

    model_class = type(name.replace("\x00", ""), (nn.MLP,), {})  # a class name cannot hold a NUL
    model = model_class(2, [2, 1], rng=0)
    step = nn.compile(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1))
    step([([1.0, 2.0], 0.5)])
    assert_safe(step.source)
    assert any(quoted(model_class.__name__) in c for c in comments(step.source))


def test_the_code_names_each_layer_and_each_rule():
    model = nn.MLP(3, [4, 2], activation="tanh", rng=0)
    step = nn.compile(model, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1))
    step([([1.0, 2.0, 3.0], 1)])
    text = "\n".join(comments(step.source))
    assert "layer 'layers.0'" in text and "layer 'layers.1'" in text
    assert "d tanh(x)/dx = 1 - tanh(x)^2" in text and "softmax(z)_j - [j == t]" in text
    lines = step.source.splitlines()
    forward_end = next(i for i, line in enumerate(lines) if "backward:" in line)
    assert all("g_" not in line.split("#")[0] for line in lines[:forward_end]), "forward first, then backward"


def test_source_shows_highlighted_in_a_notebook():
    compiled = autograd.compile(lambda x: x.tanh())
    compiled(0.5)
    markdown = compiled.source._repr_markdown_()
    assert markdown.startswith("```python\n") and markdown.rstrip().endswith("```")
    assert compiled.source in markdown
    assert repr(compiled.source) == str(compiled.source)  # a console shows the code, not an escaped string


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        ("def f(x, ext):\n    return 'text'\n", "constant"),
        ("def f(x, ext):\n    import os\n    return x\n", "Import"),
        ("def f(x, ext):\n    return x.__class__\n", "attribute"),
        ("def f(x, ext):\n    return open(x)\n", "outside its namespace"),
        ("def f(x, ext):\n    return y\n", "nothing defines"),
        ("def f(x, ext):\n    return [y for y in (lambda: x)()]\n", "Lambda|outside"),
        ("def f(x, ext):\n    tanh = x\n    return x\n", "assigns the name"),
        ("def f(x, *rest):\n    return x\n", "plain arguments"),
        ("x = 1\n", "one function"),
        ("def f(x, ext):\n    return __builtins__\n", "name '__builtins__'"),
        ("def f(x, ext):\n    return x if x else sum(x, start=1)\n", "keyword"),
    ],
)
def test_the_checker_refuses_what_the_compiler_never_writes(code, refused):
    with pytest.raises(CompileError, match=refused):
        check_source(code, {"tanh": abs})


def test_the_code_runs_in_a_fresh_namespace_with_few_builtins():
    function = load("def f(x, ext):\n    return len([x])\n", {})
    assert function(1.0, []) == 1
    assert set(function.__globals__["__builtins__"]) == {
        "abs", "any", "enumerate", "len", "list", "map", "max", "min", "range", "sum", "zip"
    }  # fmt: skip
    assert "open" not in function.__globals__ and "__import__" not in function.__globals__["__builtins__"]


def test_a_traceback_shows_the_generated_line():
    compiled = autograd.compile(lambda x: x.log())
    compiled(1.0)
    with pytest.raises(ValueError) as caught:
        compiled(-1.0)
    frames = [f for f in caught.traceback if "glassgrad value_and_grad" in str(f.path)]
    assert frames and "log(x0)" in str(frames[-1].statement)


def test_captured_values_are_read_at_each_call():
    scale = Value(2.0)
    compiled = autograd.compile(lambda x: x * scale)
    assert compiled(3.0) == (6.0, (2.0,))
    scale.data = 5.0
    assert compiled(3.0) == (15.0, (5.0,))
