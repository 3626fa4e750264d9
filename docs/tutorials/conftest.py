"""The percent scripts here are the notebooks' paired text form, not tests (test_tutorials runs the notebooks).

Without this, pytest-markdown-docs (``--markdown-docs``) would import each script to read its docstrings,
running the whole tutorial a second time.
"""

collect_ignore_glob = ["*.py"]
