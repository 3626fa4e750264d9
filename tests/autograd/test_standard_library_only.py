"""The engine runs on the standard library alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_LOADED_MODULES = """
import json, sys
before = set(sys.modules)
import autograd
import autograd.explain  # the step-by-step explainer is standard library too
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_import_autograd_loads_no_third_party_module():
    result = subprocess.run(
        [sys.executable, "-c", _LOADED_MODULES], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = json.loads(result.stdout)
    assert "autograd" in loaded
    top_level = {name.split(".")[0] for name in loaded}
    third_party = sorted(top_level - set(sys.stdlib_module_names) - {"autograd"})
    assert third_party == [], f"import autograd loaded third-party modules: {third_party}"
    assert "graphviz" not in top_level
