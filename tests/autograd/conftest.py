"""The headless Chromium for the page tests (tests/autograd/pages/browser.py), as a fixture for every test here."""

from tests.autograd.pages.browser import browser  # noqa: F401 - the fixture
