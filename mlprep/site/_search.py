"""The search index: Pagefind, run at build time, one process per language.

``pagefind.service.get_executable`` prefers ``$PAGEFIND_BINARY_PATH``, then the
``pagefind_bin_extended`` package (the build that segments Chinese and Japanese text), then
``pagefind_bin``, then a binary on PATH. We require the extended one, because without it Chinese
pages are indexed as unsegmented runs of characters and most Chinese queries find nothing.
Pagefind reads ``<html lang>`` and writes one index per language, which its JS then picks by the
searching page's own ``lang``.

Pagefind is given a search document per page rather than the page itself: the page's
``data-pagefind-body`` part without its MathML. Formulas are markup-heavy (half of Pagefind's work
on a bank with math) and their letters are useless as search terms and noise in excerpts. The
documents are staged in memory-backed storage when the system has it, one folder per language.

Pagefind's indexes of different languages share nothing, and most of its time goes into writing
them (single-threaded, after the last page). So each language gets its own Pagefind process, all
running at once; their bundles are then merged into one: every index, fragment and metadata file
is named after its language, the scripts and WebAssembly are the same in each, and
``pagefind-entry.json`` maps each language to its index. The merged bundle is the one a single
run over all pages writes, file for file (tests/site/test_site_search.py checks this), with the
languages of the entry file in a stable order. Pagefind numbers pages in the order it lists
them; staged in memory the documents are listed in sorted order, so the index is reproducible
(on a disk, in that file system's own fixed order).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from mlprep._errors import SiteError

INDEXED = ("question.html", "exercise.html")  # templates whose pages are searched
_MAIN = re.compile(r"<main\b[^>]*\bdata-pagefind-body\b[^>]*>")  # the body ends at </main>
_MATH = re.compile(r"<math\b")  # a formula ends at </math> (MathML does not nest <math>)
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
    """Pagefind's extended binary, looked for where ``pagefind.service.get_executable`` looks for
    it: ``$PAGEFIND_BINARY_PATH``, the ``pagefind_bin_extended`` package, ``pagefind_extended`` on
    PATH. Importing ``pagefind.service`` itself would cost ~60 ms (it brings asyncio)."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        binary: Path | None = Path(env)
    else:
        try:
            from pagefind_bin_extended import get_executable
        except ImportError:
            found = shutil.which("pagefind_extended")
            if found is None:
                raise SiteError(
                    "search needs the 'pagefind[extended]' package (or build with --no-search)"
                ) from None
            binary = Path(found)
        else:
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
    found = _document(html)
    return found[1] if found else None


def _document(html: str) -> tuple[str, str] | None:
    """The page's language and its search document (``search_document``)."""
    # str.find for the ends: a lazy regex would test every character of a page for them
    main = _MAIN.search(html)
    end = html.find("</main>", main.end()) if main else -1
    if main is None or end < 0:
        return None
    found = _LANG.search(html, 0, main.start())
    lang = found.group(1) if found else "en"
    body = _without_math(html, main.start(), end + len("</main>"))
    return lang, (
        f'<!doctype html><html lang="{lang}"><head>'
        f'<meta charset="utf-8"></head><body>{body}</body></html>'
    )


def _without_math(html: str, start: int, end: int) -> str:
    """``html[start:end]`` with each formula replaced by a space."""
    out: list[str] = []
    while (m := _MATH.search(html, start, end)) is not None:
        close = html.find("</math>", m.end(), end)
        if close < 0:
            break
        out += (html[start : m.start()], " ")
        start = close + len("</math>")
    out.append(html[start:end])
    return "".join(out)


def stage(write, path: str, html: str) -> bool:
    """Write the search document of the page at ``path`` with ``write`` (an ``_fs.Writer`` on the
    indexer's ``staging`` folder), under its language; False if the page has nothing to index."""
    found = _document(html)
    if found is None:
        return False
    lang, doc = found
    write(document_path(lang, path), doc.encode())
    return True


def document_path(lang: str, path: str) -> str:
    """Where the search document of the page at ``path``, in language ``lang`` (its ``<html
    lang>``), is staged: under its language's folder, mirroring the site below it, so Pagefind's
    URLs are the site's."""
    return f"{_folder_of(lang)}/{path}"


def _folder_of(lang: str) -> str:
    # Pagefind compares languages case-insensitively; a folder per language as Pagefind sees it
    return re.sub(r"[^a-z0-9-]", "_", lang.lower()) or "und"


class Indexer:
    """Search documents staged during the build, indexed by ``finish``.

    ``staging`` exists from the start, so forked workers write their pages' documents there too
    (with ``stage``); ``add`` stages one more from this process. ``finish`` runs Pagefind over every
    language at once and writes the merged bundle to ``output``. ``close`` removes what is staged.
    """

    def __init__(self, output: Path):
        if not os.environ.get("PAGEFIND_BINARY_PATH") and not _installed("pagefind_bin_extended"):
            executable()  # before building anything: raises with the reason (or finds it on PATH)
        self._binary: Path | None = None  # prepare() finds it, while the workers render
        self._root = Path(tempfile.mkdtemp(prefix="mlprep-search-", dir=_fast_tmp()))
        self.staging = self._root / "docs"
        self.staging.mkdir()
        self._output = output
        self._parts = output.with_name(f".{output.name}-parts")  # Pagefind's own bundles
        self._write = None
        self._procs: list[tuple[subprocess.Popen, Path]] | None = None  # once started

    def prepare(self) -> None:
        """Find the Pagefind binary (~20 ms of imports, which a build spends while its workers
        render rather than before they start)."""
        if self._binary is None:
            self._binary = executable()

    def expect(self, docs: list[str]) -> None:
        """Announce the documents (``document_path``s, sorted) that ``release`` will hand over,
        in that order: their folders are made now, in sorted order (see ``_move_sorted``)."""
        ordered = self._root / "ordered"
        for folder in dict.fromkeys(doc.rpartition("/")[0] for doc in docs):  # in sorted order
            (ordered / folder).mkdir(parents=True, exist_ok=True)

    def release(self, docs: list[str]) -> None:
        """Move these staged documents into the order Pagefind reads, while the build goes on:
        the build hands over each batch's documents in the order of ``expect`` (entries in id
        order), so they are made there in sorted order, and ``finish`` has none left to move
        (any it finds, it moves after them, in sorted order)."""
        for doc in docs:
            source = self.staging / doc
            if source.is_file():  # a page without an indexed part has no document
                os.rename(source, self._root / "ordered" / doc)

    def add(self, path: str, html: bytes) -> None:
        if self._procs is not None:
            raise RuntimeError("a search document was staged after indexing started")
        if self._write is None:
            from mlprep.site._fs import Writer

            self._write = Writer(self.staging, seeded=False)
        stage(self._write, path, html.decode("utf-8"))

    def start(self) -> None:
        """Start indexing every language staged so far, each in its own Pagefind process, while
        this process goes on (a fresh build starts it as soon as every indexed page is staged,
        while the pages of lists still render). Nothing may be staged after this."""
        if self._procs is not None:
            return
        self._procs = []
        self.prepare()
        languages = sorted(p.name for p in self.staging.iterdir() if p.is_dir())
        if not languages:
            raise SiteError("search index failed: no page to index")
        # Each Pagefind writes its bundle beside the output folder, on the same file system,
        # and its folders of per-page files are links to the output's: its thousands of
        # fragments and index chunks land in place (copying them from memory-backed storage
        # cost the parent ~0.1 s per language, and even moving them ~0.02 s), and the few
        # files at the top are merged by renaming them.
        for name in _SHARED:
            (self._output / name).mkdir(parents=True, exist_ok=True)
        for lang in languages:
            site, out = self._root / "ordered" / lang, self._parts / lang
            out.mkdir(parents=True)
            for name in _SHARED:
                (out / name).symlink_to(self._output / name, target_is_directory=True)
            _move_sorted(self.staging / lang, site)  # all of them, or what release left
            command = [str(self._binary), "--site", str(site), "--output-path", str(out)]
            self._procs.append((_start([*command, "--silent"], len(languages)), out))

    def finish(self) -> None:
        """Index every language at once (``start``, if not started yet) and write the merged
        bundle: each language's bundle is merged as soon as it is written, while the others
        still run."""
        try:
            self.start()
            assert self._procs is not None
            bundle = _Bundle(self._output)
            for proc, out in self._procs:
                output = proc.communicate()[0].decode("utf-8", "replace").strip()
                if proc.returncode:
                    last = output.splitlines()[-1] if output else f"exit {proc.returncode}"
                    raise SiteError(f"search index failed: {last}")
                bundle.add(out)
                shutil.rmtree(self._root / "ordered" / out.name, ignore_errors=True)  # read
            bundle.close()
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind if it still runs (a failed or interrupted build), and remove the staged
        documents and Pagefind's bundles (the merged one, if written, stays)."""
        for proc, _ in self._procs or []:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(self._root, ignore_errors=True)
        shutil.rmtree(self._parts, ignore_errors=True)


# Pagefind's folders of per-page files, each file named after its language and content: the
# runs of different languages write them side by side (see Indexer.start).
_SHARED = ("fragment", "index")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _move_sorted(src: Path, dst: Path) -> None:
    """Move the files of ``src`` into ``dst`` in sorted order. Pagefind numbers pages in the order
    it lists them, and a folder in memory-backed storage (tmpfs) lists files in the order they
    were made, which the workers make unpredictable; in sorted order, the index is reproducible.
    (A disk such as ext4 lists them in hash order: fixed, whatever the order of making.)"""
    made: set[Path] = set()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        target = dst / path.relative_to(src)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.rename(path, target)


def _start(command: list[str], siblings: int) -> subprocess.Popen:
    # Pagefind parallelizes with rayon, one thread per core by default; with a process per
    # language that oversubscribes the cores (three processes of two threads on two cores cost
    # ~10% more time), so the cores are shared out instead.
    threads = max(1, (os.cpu_count() or 1) // siblings)
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RAYON_NUM_THREADS": str(threads)},
    )


class _Bundle:
    """One Pagefind bundle from bundles of disjoint languages (see the module docstring), each
    added as soon as it is written: its files are moved into ``output`` (copied where ``output``
    is on another file system) beside those of the languages before it. Folders that are links
    to ``output``'s own (``_SHARED``, see ``Indexer.start``) already hold their files there."""

    def __init__(self, output: Path):
        self.output = output
        self.entry: dict | None = None

    def add(self, part: Path) -> None:
        data = json.loads((part / "pagefind-entry.json").read_text("utf-8"))
        if self.entry is None:
            self.entry = data
            self.output.mkdir(parents=True, exist_ok=True)
            self._move = os.rename if _same_device(part, self.output) else _copy
        else:
            shared = {k: v for k, v in data.items() if k != "languages"}
            if shared != {k: v for k, v in self.entry.items() if k != "languages"}:
                raise SiteError("search index failed: Pagefind runs disagree on their settings")
            if self.entry["languages"].keys() & data["languages"].keys():
                raise SiteError("search index failed: a language was indexed twice")
            self.entry["languages"].update(data["languages"])
        made = {self.output}
        for folder, _, names in os.walk(part):  # not into the links to the output's folders
            rel = Path(folder).relative_to(part)
            for name in names:
                target = self.output / rel / name
                if rel == Path(".") and (name == "pagefind-entry.json" or target.exists()):
                    continue  # the scripts and WebAssembly every run writes alike
                if rel == Path(".") and any(Path(name).match(p) for p in _UNUSED):
                    continue
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                self._move(Path(folder) / name, target)

    def close(self) -> None:
        """Write the entry file: every language, in a stable order."""
        assert self.entry is not None
        self.entry["languages"] = dict(sorted(self.entry["languages"].items()))
        text = json.dumps(self.entry, ensure_ascii=False, separators=(",", ":"))
        (self.output / "pagefind-entry.json").write_text(text, "utf-8")


def _same_device(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def _copy(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)


def _merge(parts: list[Path], output: Path) -> None:
    """Merge the bundles in ``parts`` into ``output`` (which must not exist yet)."""
    bundle = _Bundle(output)
    for part in parts:
        bundle.add(part)
    bundle.close()


_SHM_ROOM = 256 << 20  # search documents take ~12 MB per 1,000 entries


def _fast_tmp() -> str | None:
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        room = os.statvfs(shm)
        if room.f_bavail * room.f_frsize >= _SHM_ROOM:  # containers often give it only 64 MB
            return shm
    return None  # the system's temp folder
