"""The page kit without a browser: one escaping rule, one render function, pages made of files, plain data.

What the pages do with the data (text set as text, nothing run) is tested in Chromium in test_hostile_pages.py.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import pages
from autograd.pages import DATA_ELEMENT_ID, PAGES, page_files, plain, render, script_json
from tests.autograd.pages.browser import HOSTILE

ROOT = Path(__file__).resolve().parents[3]
PAGE_FOLDER = ROOT / "autograd" / "pages"


@given(st.recursive(st.text() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))  # fmt: skip
def test_script_json_reads_back_as_the_same_data_and_holds_no_character_that_ends_a_script(data):
    text = script_json(data)
    assert json.loads(text) == data
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character not in text
    assert text.isascii()  # a lone surrogate becomes an escape too: the page is always valid UTF-8


def test_script_json_escapes_each_character_of_the_rule():
    assert script_json("<>&\u2028\u2029") == '"\\u003c\\u003e\\u0026\\u2028\\u2029"'
    with pytest.raises(ValueError, match="finite numbers"):
        script_json({"loss": math.nan})
    with pytest.raises(TypeError, match="plain JSON"):
        script_json({"model": object()})


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_title_or_string_changes_no_markup_of_the_page(page, hostile):
    plain_page = render(page, {"text": "x"}, title="x")
    hostile_page = render(page, {"text": hostile, hostile: [hostile]}, title=hostile)
    markup = re.compile(r"<[^>]*>")
    # the same elements, in the same order: the strings are inside the JSON, nowhere else
    assert markup.findall(hostile_page) == markup.findall(plain_page)
    data = re.search(rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>', hostile_page, re.S)
    assert json.loads(data[1]) == {"page": page, "title": hostile, "data": {"text": hostile, hostile: [hostile]}}
    assert hostile_page.count("</script>") == 1 + sum(name.endswith(".js") for name in page_files(page))


def test_render_names_a_page_it_does_not_know_and_wants_a_text_title():
    with pytest.raises(ValueError, match=r"no page named 'nope'; the pages are practice, replay, step_through"):
        render("nope", {}, title="t")
    with pytest.raises(TypeError, match="title must be a str, got bytes"):
        render("replay", {}, title=b"t")
    with pytest.raises(TypeError, match="data must be a mapping"):
        render("replay", [], title="t")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_is_its_files_inline_and_loads_nothing(page):
    document = render(page, {}, title="t")
    for name in page_files(page):
        assert (PAGE_FOLDER / name).read_text(encoding="utf-8") in document, name
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)\s*=", document, re.I)
    assert not re.search(r"https?://", document.replace("http://www.w3.org/2000/svg", ""))
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', document)[1]
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_every_page_file_is_package_data_and_used_by_a_page():
    shipped = {path.name for path in PAGE_FOLDER.iterdir() if path.suffix in (".html", ".css", ".js")}
    used = {name for page in PAGES for name in page_files(page)}
    assert shipped == used
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"autograd.pages" = ["*.html", "*.css", "*.js"]' in pyproject


def test_the_pages_scripts_set_text_only_and_run_nothing_they_read():
    """No script writes markup or runs text: no innerHTML, no document.write, no eval, no Function."""
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|\bFunction\s*\(|setTimeout\s*\(\s*['\"]"
        r"|createContextualFragment|srcdoc"
    )
    for path in sorted(PAGE_FOLDER.glob("*.js")):
        found = forbidden.findall(path.read_text(encoding="utf-8"))
        assert found == [], (path.name, found)


def test_no_python_module_holds_page_text_or_fills_it_in():
    """The pages live in the page files: no Python string holds a document, a script or a style, or fills a
    placeholder in; the kit's render (autograd/pages/__init__.py) is the one place that puts a page together."""
    kit = PAGE_FOLDER / "__init__.py"
    page_text = re.compile(r"<(script|style|html|head|body)\b|\.replace\(\s*[\"']__[A-Z]+__", re.I)
    for path in sorted([*(ROOT / "autograd").rglob("*.py"), *(ROOT / "nn").rglob("*.py")]):
        if path != kit:
            found = page_text.search(path.read_text(encoding="utf-8"))
            assert found is None, (str(path.relative_to(ROOT)), found and found[0])


def test_plain_turns_numpy_numbers_and_nan_into_json():
    np = pytest.importorskip("numpy")
    data = {"loss": np.float64(0.5), "epoch": np.int64(3), "ok": np.bool_(True), "bad": np.float64("nan"),
            "row": np.array([1.0, np.inf]), (1, 2): (np.float32(0.25),)}  # fmt: skip
    assert plain(data) == {"loss": 0.5, "epoch": 3, "ok": True, "bad": None, "row": [1.0, None], "(1, 2)": [0.25]}
    assert type(plain(np.int64(3))) is int
    with pytest.raises(TypeError, match=r"page data\['model'\] must be numbers, text, lists and dicts, got object"):
        plain({"model": object()})


def test_a_page_file_that_would_end_its_element_is_refused(monkeypatch, tmp_path):
    broken = tmp_path / "kit.js"
    broken.write_text("const a = '</script>';", encoding="utf-8")
    monkeypatch.setattr(pages, "resources", _Files(tmp_path))
    pages._read.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"autograd/pages/kit.js holds '</script'"):
            pages._read("kit.js")
    finally:
        pages._read.cache_clear()


class _Files:
    """importlib.resources, pointed at a folder of page files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self, _package: str) -> Path:
        return self.folder
