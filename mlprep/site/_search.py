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
documents are staged in memory-backed storage when the system has it, and handed to Pagefind in
batches while the build is still rendering, so indexing overlaps rendering.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shutil
import tempfile
import threading
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


def stage(write, path: str, html: bytes) -> bool:
    """Write the search document of the page at ``path`` with ``write`` (an ``_fs.Writer`` on a
    staging folder); False if the page has nothing to index."""
    doc = search_document(html.decode("utf-8"))
    if doc is None:
        return False
    write(path, doc.encode())
    return True


class Indexer:
    """Pagefind on a thread, fed while the build goes on.

    Search documents are staged under ``staging`` (created at once, so forked workers can write
    there too) in folders that mirror the site, so Pagefind's URLs are right. ``add`` stages one
    page's document; every ``batch`` documents the folder is handed to Pagefind, which indexes it
    while the build renders more pages. ``add_folder`` hands over a folder someone else filled.
    ``finish`` hands over the rest, waits, and writes the index into ``output``. ``close``
    abandons it. The thread starts with the first folder handed over, so a process forked before
    that copies no thread state.
    """

    def __init__(self, output: Path, batch: int = 400):
        executable()
        self.staging = Path(tempfile.mkdtemp(prefix="mlprep-search-", dir=_fast_tmp()))
        self._output = output
        self._batch = batch
        self._count = 0
        self._pending = 0  # documents in the current folder
        self._folder: Path | None = None
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._error: BaseException | None = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def add(self, path: str, html: bytes) -> None:
        if self._folder is None:
            from mlprep.site._fs import Writer

            self._folder = Path(tempfile.mkdtemp(dir=self.staging))
            self._write = Writer(self._folder, seeded=False)
        if stage(self._write, path, html):
            self._pending += 1
            if self._pending == self._batch:
                self._hand(self._folder, self._pending)
                self._folder, self._pending = None, 0

    def add_folder(self, folder: Path, count: int) -> None:
        """Index ``folder`` (under ``staging``), which holds ``count`` staged documents."""
        if count:
            self._hand(folder, count)

    def _hand(self, folder: Path, count: int) -> None:
        if self._thread.ident is None:  # first folder: start Pagefind
            self._thread.start()
        self._count += count
        self._queue.put(folder)

    def finish(self) -> None:
        if self._folder is not None and self._pending:
            self._hand(self._folder, self._pending)
        if self._thread.ident is None:  # nothing was handed over: start it to report that
            self._thread.start()
        self._queue.put(None)
        self._thread.join()
        shutil.rmtree(self.staging, ignore_errors=True)
        if isinstance(self._error, SiteError):
            raise self._error
        if self._error is not None:  # the service reports failures as bare Exceptions
            raise SiteError(f"search index failed: {self._error}") from None
        if not self._count:
            raise SiteError("search index failed: no page to index")
        for pattern in _UNUSED:
            for path in self._output.glob(pattern):
                path.unlink()

    def close(self) -> None:
        """Stop Pagefind (without writing, unless ``finish`` asked) and remove the staged files."""
        if self._thread.is_alive():
            self._abandoned = True
            self._queue.put(None)
            self._thread.join()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._index())
        except BaseException as exc:  # handed to finish(), on the build's thread
            self._error = self._error or exc

    async def _index(self) -> None:
        from pagefind.index import IndexConfig, PagefindIndex

        loop = asyncio.get_running_loop()
        async with PagefindIndex(IndexConfig(output_path=str(self._output))) as idx:
            while (folder := await loop.run_in_executor(None, self._queue.get)) is not None:
                await idx.add_directory(str(folder))
            if self._abandoned:  # leave the context by an exception: Pagefind writes nothing
                raise SiteError("search index abandoned")


def _fast_tmp() -> str | None:
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None  # the system's temp folder
