"""The core of the engine, to read first and in one sitting: :mod:`~autograd.core.value` (the node),
:mod:`~autograd.core.kinds` (the op kinds and the registry), :mod:`~autograd.core.backward` (the one chain rule)
and :mod:`~autograd.core.mode` (grad mode and the watcher tools attach). It imports nothing outside itself."""

import os as _os

__all__: list[str] = []

# HIPS autograd (``pip install autograd``) shares the import name: installed over glassgrad, its __init__.py
# replaces glassgrad's and imports this package. Say so here, the one part of glassgrad that then still runs.
if _os.path.exists(_os.path.join(_os.path.dirname(_os.path.dirname(__file__)), "tracer.py")):
    raise ImportError(
        f"the autograd package folder {_os.path.dirname(_os.path.dirname(__file__))} holds HIPS autograd's files "
        "(pip install autograd wrote them over glassgrad's, which share the name): keep HIPS autograd in a separate "
        "virtual environment; here run pip uninstall autograd glassgrad, then reinstall glassgrad"
    )
