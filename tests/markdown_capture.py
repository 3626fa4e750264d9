"""A pytest plugin: the code blocks of README.md and docs/*.md print only when their test fails.

pytest-markdown-docs runs each block with pytest's output capture switched off, so every ``print``
of the README (and ``fit``'s progress bar) went straight to the terminal, between the dots of a
quiet run. While a block runs, this plugin keeps the capture on, as for any other test: its output
is shown under "Captured stdout call" when the block fails, and with ``-s``, as always.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if item.get_closest_marker("markdown-docs") is None or capture is None:
        yield
        return
    # The plugin calls capture.global_and_fixture_disabled() around the block: make that keep capturing.
    capture.global_and_fixture_disabled = contextlib.nullcontext  # type: ignore[method-assign]
    try:
        yield
    finally:
        del capture.global_and_fixture_disabled  # the class's own method again
