"""The page kit: every HTML page glassgrad writes is made here, by one function, from files shipped with the package.

A page is a few package-data files (``<part>.html``, ``<part>.css``, ``<part>.js``) and the data it shows.
:func:`render` puts them into one self-contained document:

- the data goes in as JSON inside ``<script type="application/json" id="glassgrad-data">``, with one escaping
  rule (:func:`script_json`: ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``), so no string can end
  the element or start markup;
- the page's script reads that JSON and sets every string a user controls (titles, labels, names) as text
  (``textContent``), never as markup; a picture drawn by Graphviz travels as a JSON string and is parsed as SVG
  (not HTML), keeping drawing elements and attributes only;
- a Content-Security-Policy lets the page run its own scripts (by hash) and nothing else, and load nothing: the
  page needs no server and no network.

>>> page = render("replay", {"frames": []}, title="</title><b>hi</b>")
>>> page.startswith("<!DOCTYPE html>") and "</title><b>" not in page
True
>>> script_json({"label": "</script>"})
'{"label":"\\\\u003c/script\\\\u003e"}'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.core.checks import quote
from autograd.files import write_file

__all__ = ["DATA_ELEMENT_ID", "PAGES", "InlinePage", "page_files", "plain", "render", "script_json"]

#: Each page and the parts it is made of, in order: a part is up to three files, ``<part>.html`` (the body's
#: markup), ``<part>.css`` and ``<part>.js``. ``kit.css`` and ``kit.js`` (reading the data, setting the title,
#: safe text and SVG helpers) come first on every page.
PAGES: dict[str, tuple[str, ...]] = {
    "step_through": ("step_through",),
    "practice": ("step_through", "judge", "practice"),
    "replay": ("replay",),
}

#: The id of the ``<script type="application/json">`` element that holds a page's data.
DATA_ELEMENT_ID = "glassgrad-data"

_KIT = "kit"
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}
# What may not appear in a file inlined into <style> or <script>: it would end the element (or open a comment
# that changes how the HTML parser reads the rest). The files are ours; this guards them against an edit.
_BREAKS_OUT = re.compile(r"</(script|style)|<!--|<script", re.IGNORECASE)
# A part's markup is markup only: its scripts and styles are the part's .js and .css files.
_MARKUP_ONLY = re.compile(r"<(script|style)|\son[a-z]+\s*=", re.IGNORECASE)


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``: the one escaping rule.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c``, ``\\u003e``, ``\\u0026``, ``\\u2028``, ``\\u2029``
    (still the same JSON: ``JSON.parse`` reads them back as the characters), and every other non-ASCII character
    a ``\\uXXXX`` escape, so a lone surrogate cannot break the UTF-8 file. Raises ValueError for a nan or an
    infinity (JSON has none: pass the data through :func:`plain` first) and TypeError for anything JSON cannot hold.

    >>> script_json(["a<b", "&amp;"])
    '["a\\\\u003cb","\\\\u0026amp;"]'
    """
    try:
        text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    except ValueError:
        raise ValueError("a page's data must hold finite numbers only (JSON has no nan or infinity)") from None
    except TypeError as error:
        raise TypeError(f"a page's data must be plain JSON (dicts, lists, str, numbers, None): {error}") from None
    return text.translate(_ESCAPES)


def plain(data: Any, where: str = "page data") -> Any:
    """``data`` as plain JSON values: numpy numbers as Python numbers, nan and infinities as None, tuples as lists.

    Dict keys become ``str``. Anything else (an object JSON cannot hold) raises TypeError naming where it is.

    >>> import math
    >>> plain({"loss": math.nan, "sizes": (2, 1), 3: True})
    {'loss': None, 'sizes': [2, 1], '3': True}
    """
    if data is None or isinstance(data, bool | str):
        return data
    if hasattr(data, "dtype") and hasattr(data, "tolist"):  # a numpy number or array: as Python numbers
        return plain(data.tolist(), where)
    if isinstance(data, numbers.Integral):
        return int(data)
    if isinstance(data, numbers.Real):
        number = float(data)
        return number if math.isfinite(number) else None
    if isinstance(data, Mapping):
        return {str(key): plain(value, f"{where}[{key!r}]") for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [plain(value, f"{where}[{k}]") for k, value in enumerate(data)]
    raise TypeError(f"{where} must be numbers, text, lists and dicts, got {type(data).__name__}: {quote(data)}")


def page_files(page: str) -> list[str]:
    """The package-data files ``page`` is made of, in the order they go into the document.

    >>> page_files("replay")
    ['kit.css', 'kit.js', 'replay.css', 'replay.html', 'replay.js']
    """
    _check_page(page)
    names = [f"{_KIT}.css", f"{_KIT}.js"]
    for part in PAGES[page]:
        names += [name for name in (f"{part}.css", f"{part}.html", f"{part}.js") if _exists(name)]
    return names


def render(page: str, data: Mapping[str, Any], *, title: str) -> str:
    """The HTML document of ``page`` (one of :data:`PAGES`) showing ``data``, titled ``title``.

    ``data`` is plain JSON (run it through :func:`plain` if it may hold numpy numbers or nan); ``title`` and every
    string in ``data`` reach the page as text, whatever they contain. The result is one self-contained document:
    its styles and scripts are inline, and it loads nothing.

    >>> render("step_through", {"steps": []}, title="a & b").count('id="glassgrad-data"')
    1
    """
    _check_page(page)
    if not isinstance(title, str):
        raise TypeError(f"render() title must be a str, got {type(title).__name__}: {quote(title)}")
    if not isinstance(data, Mapping):
        raise TypeError(f"render() data must be a mapping (a dict), got {type(data).__name__}: {quote(data)}")
    payload = script_json({"page": page, "title": title, "data": data})
    styles: list[str] = []
    markup: list[str] = []
    scripts: list[str] = []
    for name in page_files(page):
        kind = name.rsplit(".", 1)[1]
        {"css": styles, "html": markup, "js": scripts}[kind].append(_read(name))
    script_hashes = " ".join(f"'sha256-{_sha256(script)}'" for script in scripts)
    policy = (
        "default-src 'none'; "
        f"script-src {script_hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "base-uri 'none'; "
        "form-action 'none'"
    )
    document = [
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        "<title>glassgrad</title>\n",
        *(f"<style>\n{style}</style>\n" for style in styles),
        "</head>\n<body>\n",
        *markup,
        f'<script type="application/json" id="{DATA_ELEMENT_ID}">{payload}</script>\n',
        *(f"<script>{script}</script>\n" for script in scripts),
        "</body>\n</html>\n",
    ]
    return "".join(document)


def _check_page(page: Any) -> None:
    if not isinstance(page, str) or page not in PAGES:
        raise ValueError(f"render(): no page named {quote(page)}; the pages are {', '.join(sorted(PAGES))}")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def _exists(name: str) -> bool:
    return resources.files(__name__).joinpath(name).is_file()


@functools.cache
def _read(name: str) -> str:
    """A page file's text; it may not hold anything that would end its element early (a broken install says so)."""
    try:
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except OSError as error:
        raise RuntimeError(
            f"the page file autograd/pages/{name} is missing ({error}); reinstall glassgrad: pip install glassgrad"
        ) from None
    found = (_MARKUP_ONLY if name.endswith(".html") else _BREAKS_OUT).search(text)
    if found:
        raise RuntimeError(f"the page file autograd/pages/{name} holds {found[0]!r}")
    return text


class InlinePage:
    """A page shown inline in a notebook: an iframe holding the whole page (``srcdoc``), nothing served or written.

    ``html`` is the page, ``save(path)`` writes it to a file if you want one, and the iframe's scripts run in a
    sandbox of their own (no access to the notebook). ``summary`` is what its repr says it is.

    >>> page = InlinePage(render("replay", {"frames": []}, title="a run"), "a training replay", height=400)
    >>> page
    <a training replay; shown inline in a notebook, .save(path) to keep it>
    >>> page._repr_html_().startswith("<iframe srcdoc=")
    True
    """

    def __init__(self, page: str, summary: str, height: int = 720) -> None:
        if isinstance(height, bool) or not isinstance(height, int) or height < 100:
            raise ValueError(f"an inline page's height must be an int of at least 100 (pixels), got {quote(height)}")
        self.html, self.summary, self.height = page, summary, height

    def __repr__(self) -> str:
        return f"<{self.summary}; shown inline in a notebook, .save(path) to keep it>"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.summary, quote=True)}" '
            f'style="width:100%;max-width:100%;height:{self.height}px;border:1px solid #ddd;resize:vertical" '
            'sandbox="allow-scripts allow-forms"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (whole or not at all) and return the path."""
        return write_file(path, self.html, what=f"{type(self).__name__}.save()")
