"""The browser fixture for the page tests."""

from tests.autograd.pages.browser import browser  # noqa: F401 - the fixture
