"""Sphinx configuration for glassgrad's documentation site.

Build it (warnings are errors) with:  python -m sphinx -W --keep-going -b html docs docs/_build/html

Why Sphinx (with myst-nb and the Furo theme) rather than MkDocs: the docstrings in autograd/ and nn/
are reStructuredText (``literals``, :func: roles, ``::`` literal blocks, ``>>>`` examples), which
autodoc renders as written; myst-nb renders the tutorial notebooks and lets the pages be Markdown,
so the same pytest-markdown-docs run that checks README.md checks their code blocks too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout's autograd and nn

project = "glassgrad"
author = "glassgrad contributors"
copyright = "2026, glassgrad contributors"  # noqa: A001 (Sphinx reads this name)
release = "0.1.0"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
exclude_patterns = ["_build", "tutorials/*.py", "tutorials/jupytext.toml", "**/.ipynb_checkpoints"]
html_theme = "furo"
html_title = "glassgrad"
# Wide graphs scaled to the column (click for full size), tables at the body's size, formulas unbroken.
html_static_path = ["_static"]
html_css_files = ["glassgrad.css"]
html_js_files = ["glassgrad.js"]

# The notebooks are committed without outputs; the build runs each one, so the site shows them,
# and a cell that raises fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 120
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "description"

# Docstrings written as plain text that reStructuredText misreads: in binary_cross_entropy_with_logits,
# ``e^-|z|`` reads as a substitution reference (an error). Only these docstrings are escaped before
# autodoc parses them; every other docstring must be valid reStructuredText, so a new broken one fails
# the build. (autograd.ops, not documented here, has another: UnaryOp's ``f(x, *params)`` opens emphasis.)
PLAIN_TEXT_DOCSTRINGS = {
    "nn.binary_cross_entropy_with_logits": ["|"],
    "nn.losses.binary_cross_entropy_with_logits": ["|"],
}


def escape_plain_text_docstrings(app, what, name, obj, options, lines):
    characters = PLAIN_TEXT_DOCSTRINGS.get(name)
    if not characters:
        return
    pattern = re.compile("|".join(re.escape(c) for c in characters))
    lines[:] = [pattern.sub(lambda m: "\\" + m.group(0), line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", escape_plain_text_docstrings)
