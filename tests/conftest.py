"""Hypothesis profiles: a quick default for development, ``ci`` for CI (HYPOTHESIS_PROFILE=ci)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    """In CI (GLASSGRAD_REQUIRE_BROWSER=1) rendering is tested for real: a missing `dot` is an error, not a skip."""
    import shutil

    import pytest

    if os.environ.get("GLASSGRAD_REQUIRE_BROWSER") and shutil.which("dot") is None:
        raise pytest.UsageError("GLASSGRAD_REQUIRE_BROWSER is set but the Graphviz program `dot` is not installed")
