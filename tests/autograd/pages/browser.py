"""A headless Chromium for the page tests, and what they read from it: the console, alerts, computed colours.

Skipped only when Chromium, chromedriver or selenium is missing *and* GLASSGRAD_REQUIRE_BROWSER is unset; CI sets
GLASSGRAD_REQUIRE_BROWSER=1, so there a missing browser is a failure, not a skip. The browser runs with no network
features, no sync, no first-run, in a fresh profile.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
#: Where the tests leave their screenshots, to look at.
SCREENSHOTS = Path(os.environ.get("GLASSGRAD_SCREENSHOTS", "/tmp/glassgrad-screenshots"))

#: For a test that draws: skipped without the Graphviz program dot, unless GLASSGRAD_REQUIRE_BROWSER is set (CI).
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("GLASSGRAD_REQUIRE_BROWSER"),
    reason="needs the Graphviz program dot",
)


def first_existing(candidates: tuple[str, ...], name: str) -> str | None:
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def missing_requirements() -> list[str]:
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install selenium)")
    if first_existing(CHROMIUM_CANDIDATES, "chromium") is None:
        missing.append("Chromium (apt-get install chromium)")
    if first_existing(CHROMEDRIVER_CANDIDATES, "chromedriver") is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    return missing


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = missing_requirements()
    if missing:
        message = "the browser test needs " + ", ".join(missing)
        if os.environ.get("GLASSGRAD_REQUIRE_BROWSER"):
            pytest.fail(message + " (GLASSGRAD_REQUIRE_BROWSER is set, so this is not skipped)")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = first_existing(CHROMIUM_CANDIDATES, "chromium")
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--window-size=1366,768",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(first_existing(CHROMEDRIVER_CANDIDATES, "chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser: Any, path: Path) -> None:
    """Load ``path`` with an empty console (what was logged before is read and dropped)."""
    browser.get_log("browser")
    browser.get(Path(path).as_uri())


def console_errors(browser: Any) -> list[str]:
    """The console's errors since the last read: script errors, refused loads, blocked scripts."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def alert_text(browser: Any) -> str | None:
    """The text of an open alert (then dismissed), or None."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = browser.switch_to.alert
    except NoAlertPresentException:
        return None
    text = alert.text
    alert.dismiss()
    return text


def assert_ran_nothing(browser: Any) -> None:
    """No script but the page's ran: no alert, no ``window.pwned``, and the console has no error."""
    assert alert_text(browser) is None, "an alert opened"
    assert browser.execute_script("return typeof window.pwned") == "undefined", "a hostile script ran"
    assert console_errors(browser) == []


def viewport(browser: Any, width: int, height: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def reset_viewport(browser: Any) -> None:
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def screenshot(browser: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot to :data:`SCREENSHOTS` (the whole page's height with ``full_page``) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        width = browser.execute_script("return window.innerWidth")
        height = browser.execute_script("return document.documentElement.scrollHeight")
        viewport(browser, width, height)
    browser.save_screenshot(str(path))
    return path


#: JavaScript: the colour ``arguments[0]`` (any CSS colour) as the browser computes it, ``rgb(r, g, b)``.
CSS_COLOUR = (
    "const probe = document.createElement('span'); probe.style.color = arguments[0];"
    "document.body.appendChild(probe); const c = getComputedStyle(probe).color; probe.remove(); return c;"
)

#: Strings that would break out of a page built by text replacement, in every way we know of.
HOSTILE = (
    "</script><script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=1">',
    "<!--<script>",
    "__DATA__",
    "{title}",
    "a\u2028b\u2029c",
    "quote \" and ' and `",
    "back\\slash \\N \\u003c",
    "]]></svg><svg onload=window.pwned=1>",
    "&lt;b&gt; &amp;",
)


def trained_moons(*, validation: bool) -> tuple[Any, list, Any]:
    """The training run the replay page tests show: an MLP 2 -> 8 -> 1 on 60 moons, 20 epochs, a snapshot every 5
    (and the first 20 points as validation data, with ``validation``): ``(model, points, history)``."""
    import nn

    points = nn.moons(60, 0.1, rng=3, signed_labels=True)
    model = nn.MLP(2, [8, 1], rng=3)
    history = nn.fit(
        model,
        nn.hinge_loss,
        points,
        optimizer=nn.SGD(model.parameters(), lr=0.5),
        epochs=20,
        batch_size=60,
        shuffle=False,
        progress=False,
        validation_data=points[:20] if validation else None,
        callbacks=[nn.WeightSnapshots(every=5)],
    )
    return model, points, history
