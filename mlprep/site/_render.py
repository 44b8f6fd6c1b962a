"""Pages to HTML: one Jinja2 environment (autoescape on) with the helpers every template uses.

Links are relative to the page (``url('assets/style.css')`` on ``en/questions/x.html`` is
``../../assets/style.css``) so the same files work under any base URL and from ``file://``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from mlprep.site._i18n import strings
from mlprep.site._pages import Page

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


_ENV = None


def environment():
    """The Jinja environment, made on first use after ``reset_environment``."""
    global _ENV
    if _ENV is None:
        _ENV = _make_environment()
    return _ENV


def reset_environment() -> None:
    """Each build starts with a new environment, so a template edited while ``mlprep site serve``
    runs is read again, and within a build nothing is stat'ed. It is made on first use: by
    ``prepare``, in the process that forks the workers, while the bank loads."""
    global _ENV
    _ENV = None


def prepare() -> None:
    """Load what rendering needs (the Markdown and LaTeX converters, Jinja) and compile the
    templates of every build: worth doing once in a process that forks workers, which then
    inherit it all instead of each doing it (~75 ms a worker)."""
    from mlprep.content import _check  # noqa: F401 - the checker, and with it the Markdown parser
    from mlprep.content._markdown import parser
    from mlprep.site import _markdown  # noqa: F401

    parser()
    env = environment()
    for name in ("question.html", "list.html"):
        env.get_template(name)


def _make_environment():
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            """``page.q.title`` on page data: a key of a plain dict first.

            Jinja tries the attribute first and then the key, so each of the ~100 lookups in
            a page raised and caught an AttributeError (a third of the time spent in the
            templates). Page data is plain JSON-like data whose keys never name a dict
            method the templates call, and anything else is looked up the usual way."""
            if type(obj) is dict:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

    env = Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        auto_reload=False,
        autoescape=True,  # every value is escaped unless a helper below marks it as safe HTML
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the build, not the page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _md_block
    env.filters["md_inline"] = _md_inline
    env.filters["plain"] = _plain
    env.filters["letter"] = lambda i: chr(65 + int(i))
    return env


_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """Inline Markdown as plain text, for <title>: the rendered HTML without its tags (a formula
    keeps its symbols). Reuses the cached rendering of the same title in the page's <h1>."""
    return html.unescape(_TAG.sub("", _md_inline(text)))


# Markdown (markdown-it, math-core) is imported on first use, in a build by ``prepare``.


@lru_cache(maxsize=65536)
def _md_block(text: str) -> Markup:
    from mlprep.site._markdown import render

    return Markup(render(text))  # noqa: S704 - the renderer escapes everything it emits


_INLINE: dict[str, Markup] = {}  # inline Markdown -> its HTML; bounded like _md_block's cache
_INLINE_MAX = 65536


def _md_inline(text: str) -> Markup:
    try:
        return _INLINE[text]
    except KeyError:
        pass
    from mlprep.site._markdown import render

    if len(_INLINE) >= _INLINE_MAX:
        _INLINE.clear()
    made = _INLINE[text] = Markup(render(text, inline=True))  # noqa: S704 - see _md_block
    return made


def rendered_inline(texts: Iterable[str]) -> dict[str, str]:
    """The HTML of these inline texts (rendered here already, so this costs lookups only), to hand
    to another process: list pages show every question's title, and the process that renders them
    has rendered only its own share of the question pages (see ``_work``)."""
    return {text: str(_md_inline(text)) for text in texts}


def seed_inline(rendered: dict[str, str]) -> None:
    """Take inline HTML rendered by another process (``rendered_inline``) as rendered here."""
    for text, made in rendered.items():
        _INLINE.setdefault(text, Markup(made))  # noqa: S704 - HTML our own renderer made


def relative(target: str, here: list[str]) -> str:
    """``target`` (a site path) relative to the folder ``here`` (its parts). posixpath.relpath
    does the same but consults the working directory each call, a third of a large build's time
    spent on links."""
    parts = target.split("/")
    n = 0
    while n < len(here) and n < len(parts) - 1 and here[n] == parts[n]:
        n += 1
    return "../" * (len(here) - n) + "/".join(parts[n:])


@lru_cache(maxsize=65536)
def _link(folder: str, target: str) -> str:
    # pages of one folder link to the same few targets: ~50,000 links, ~5,000 distinct, per
    # 1,000 entries
    return relative(target, folder.split("/") if folder else [])


def render_page(page: Page) -> str:
    folder = page.path.rpartition("/")[0]

    def url(target: str) -> str:
        return _link(folder, target)

    template = environment().get_template(page.template)
    return template.render(
        page=page.data, locale=page.locale, t=strings(page.locale), url=url, path=page.path
    )


def source_fingerprint() -> str:
    """Hash of everything besides content that shapes the output: templates, static files, and
    the site's own code. Any change re-renders every page on the next incremental build."""
    h = hashlib.sha256()
    files = sorted(TEMPLATES.rglob("*")) + sorted(STATIC.rglob("*")) + sorted(HERE.glob("*.py"))
    files.append(HERE.parent / "content" / "_markdown.py")
    for path in files:
        if path.is_file():
            h.update(str(path.relative_to(HERE.parent)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def static_files() -> dict[str, Path]:
    """Site path -> file for the stylesheet and scripts."""
    return {f"assets/{p.name}": p for p in sorted(STATIC.iterdir()) if p.is_file()}


def data_key(data: Any) -> bytes:
    """Bytes that change whenever a page's data changes, for its hash in the manifest.

    Page data is plain JSON-like values built in a fixed order. Marshal format 2 writes them
    without references between objects (those came with format 3), so object identity, which
    differs between a fresh load and a cached one, leaves no trace: dicts in insertion order,
    floats exactly, equal bytes for equal data, at a third of the cost of sorted JSON (every
    page is hashed before anything renders). Data built in another order, or a Python whose
    marshal differs, would only cost one full re-render."""
    import marshal

    return marshal.dumps(data, 2)
