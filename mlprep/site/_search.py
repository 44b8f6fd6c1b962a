"""The search index: Pagefind, run at build time through its Python package.

``pagefind.service.get_executable`` prefers ``$PAGEFIND_BINARY_PATH``, then the
``pagefind_bin_extended`` package (the build that segments Chinese and Japanese text), then
``pagefind_bin``, then a binary on PATH. We require the extended one, because without it Chinese
pages are indexed as unsegmented runs of characters and most Chinese queries find nothing.
Pagefind reads ``<html lang>`` and writes one index per language, which its JS then picks by the
searching page's own ``lang``.

Pagefind is given a search document per page rather than the page itself: the page's
``data-pagefind-body`` part without its MathML. Formulas are markup-heavy (half of Pagefind's work
on a bank with math) and their letters are useless as search terms and noise in excerpts. The
documents are staged in memory-backed storage when the system has it, and indexed on a thread
while the build writes the pages themselves.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from mlprep._errors import SiteError

INDEXED = ("question.html", "exercise.html")  # templates whose pages are searched
_MAIN = re.compile(r"<main\b[^>]*\bdata-pagefind-body\b[^>]*>.*?</main>", re.S)
_MATH = re.compile(r"<math\b.*?</math>", re.S)
_LANG = re.compile(r'<html lang="([^"]+)"')

# Pagefind also writes its ready-made UIs; the site uses its own search page on the JS API, so
# these are dropped (less to ship, and their credits hold URLs the offline check would flag).
_UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


def executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SiteError(
            "search needs the 'pagefind[extended]' package (or build with --no-search)"
        ) from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SiteError("search needs the Pagefind binary: pip install 'pagefind[extended]'")
    if "extended" not in binary.name:
        raise SiteError(
            f"{binary} is not Pagefind's extended build, which Chinese search needs: "
            "pip install 'pagefind[extended]'"
        )
    return binary


def search_document(html: str) -> str | None:
    """What Pagefind indexes for a page: its indexed part without formulas; None if not indexed."""
    main = _MAIN.search(html)
    if main is None:
        return None
    lang = _LANG.search(html)
    body = _MATH.sub(" ", main.group(0))
    return (
        f'<!doctype html><html lang="{lang.group(1) if lang else "en"}"><head>'
        f'<meta charset="utf-8"></head><body>{body}</body></html>'
    )


class Indexer:
    """Index search documents into ``output`` on a background thread; ``join`` waits and reports."""

    def __init__(self, documents: Iterable[tuple[str, str]], output: Path):
        executable()
        self._stage = Path(tempfile.mkdtemp(prefix="mlprep-search-", dir=_fast_tmp()))
        self._output = output
        self._error: BaseException | None = None
        try:
            for path, html in documents:
                doc = search_document(html)
                if doc is not None:
                    target = self._stage / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(doc, "utf-8")
        except BaseException:
            shutil.rmtree(self._stage, ignore_errors=True)
            raise
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(_index(self._stage, self._output))
        except BaseException as exc:  # handed to join(), on the build's thread
            self._error = exc

    def join(self) -> None:
        self._thread.join()
        shutil.rmtree(self._stage, ignore_errors=True)
        if isinstance(self._error, SiteError):
            raise self._error
        if self._error is not None:  # the service reports failures as bare Exceptions
            raise SiteError(f"search index failed: {self._error}") from None
        for pattern in _UNUSED:
            for path in self._output.glob(pattern):
                path.unlink()

    def join_quietly(self) -> None:
        """Wait and clean up after a build that failed for another reason."""
        self._thread.join()
        shutil.rmtree(self._stage, ignore_errors=True)


def _fast_tmp() -> str | None:
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None  # the system's temp folder


async def _index(stage: Path, output: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(output))
    async with PagefindIndex(config) as idx:
        result = await idx.add_directory(str(stage))
        if not result.get("page_count"):
            raise SiteError("search index failed: Pagefind found no pages to index")
