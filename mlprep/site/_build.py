"""The build pipeline: load → validate everything → plan → render what changed → index → swap.

Nothing is written to ``out`` until every check has passed and every page has rendered: the site
is assembled in a private sibling folder (seeded with hard links to the previous build, so
unchanged pages cost nothing) and then exchanged with ``out`` in one rename. A failed build
deletes that folder and leaves the previous site exactly as it was.

Incremental builds: ``.mlprep-site.json`` in the output maps each page to the hash of its inputs
(its data, plus a fingerprint of templates, static files and the site's code). A page whose hash
is unchanged and whose file is present is not rendered again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mlprep._errors import SiteError
from mlprep.content import Bank, Problem, collect, default_root, exercise_source_hash
from mlprep.site import _fs, _search, _work
from mlprep.site._pages import Page, plan
from mlprep.site._render import (
    data_key,
    prepare,
    render_page,
    reset_environment,
    source_fingerprint,
    static_files,
)

MANIFEST = ".mlprep-site.json"
MANIFEST_VERSION = 1


class SiteContentError(SiteError):
    """The bank has errors; ``problems`` lists them as ``mlprep check`` would."""

    def __init__(self, problems: Sequence[Problem], root: Path | None = None):
        self.root = root  # the bank the problem paths are relative to
        self.problems = [p for p in problems if p.severity == "error"]
        first = self.problems[0].format() if self.problems else "invalid content"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"the site was not built: {first}{more}")


@dataclass
class BuildResult:
    out: Path
    pages: int  # pages in the site
    rendered: list[str] = field(default_factory=list)  # pages rendered by this build
    removed: list[str] = field(default_factory=list)  # pages deleted (their entry is gone)
    indexed: bool = False  # whether the search index was rebuilt
    zip_path: Path | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds per pipeline stage


def build_site(
    out: Path,
    *,
    root: Path | None = None,
    base_url: str | None = None,
    zip_bundle: bool = False,
    search: bool = True,
    jobs: int | None = None,
) -> BuildResult:
    """Build the study site into ``out`` (see the module docstring for the guarantees).

    ``jobs`` is the number of processes that check and render (default: one per core for large
    banks, one for small ones)."""
    with _no_collections():
        return _build(out, root, base_url, zip_bundle, search, jobs)


@contextmanager
def _no_collections() -> Iterator[None]:
    """Keep Python's cycle collector out of the build.

    A build allocates millions of short-lived objects (tokens, template frames) but makes almost
    no cyclic garbage (a 1,000-entry build leaves under a thousand objects to collect), while
    the loaded bank, the planned pages and the caches live until the end: each collection would
    walk them again, about a tenth of a 1,000-entry build. Forked workers inherit the setting.
    Collection resumes afterwards, since ``mlprep site serve`` builds again and again in one
    process. Everything allocated meanwhile is still in the youngest generation then, so the
    first collection would walk all of it (~0.1 s for 1,000 entries); it is moved to the oldest
    generation first, untraversed (freeze, then unfreeze), where it waits for a full collection
    like any long-lived data."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _build(
    out: Path,
    root: Path | None,
    base_url: str | None,
    zip_bundle: bool,
    search: bool,
    jobs: int | None,
) -> BuildResult:
    started = time.perf_counter()
    clock = _Clock()
    out = out.resolve()
    reset_environment()
    bank = _load(root, prepare)
    clock("load")
    statements, stale = _exercise_texts(bank)
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    pages, starters = plan(bank, statements, stale, base_url)

    salt = hashlib.sha256((source_fingerprint() + json.dumps([base_url])).encode())
    old = _read_manifest(out)
    previous = old["pages"] if old else {}
    keys: dict[str, str] = {}
    if old:  # which pages changed since the last build
        keys.update((p.path, _key(salt, p)) for p in pages)
        dirty = [
            i
            for i, p in enumerate(pages)
            if previous.get(p.path) != keys[p.path] or not (out / p.path).is_file()
        ]
    else:  # every page: the keys, needed only for the manifest, are worked out meanwhile
        dirty = list(range(len(pages)))
    removed = sorted(set(previous) - {p.path for p in pages})
    reindex = search and (bool(dirty or removed) or not old or not old.get("search"))

    # Check everything and render what changed. Pages are written as they come, into a private
    # staging folder; the published folder is replaced only once every check has passed.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    _fs.publishable(tmp)
    indexer: _search.Indexer | None = None
    indexed = {p.path for p in pages if p.template in _search.INDEXED}
    written: set[str] = set()

    try:
        if reindex:
            indexer = _search.Indexer(tmp / "pagefind")  # its staging folder, for the workers
            if not old:  # every page renders: each batch's documents are put in order as it ends
                docs = {
                    p.path: _search.document_path(p.locale, p.path)
                    for p in pages
                    if p.path in indexed
                }
                indexer.expect(sorted(docs.values()))
        if old:
            _fs.link_tree(out, tmp, skip={"pagefind"} if reindex or not search else set())
        clock("plan")
        jobs = jobs or _work.default_jobs(bank)
        staging = _work.Staging(
            tmp, bool(old), indexer.staging if indexer else None, frozenset(indexed)
        )

        def meanwhile() -> None:  # while the workers check and render
            if not keys:
                keys.update((p.path, _key(salt, p)) for p in pages)
            if indexer is not None:
                indexer.prepare()

        def on_batch(paths: list[str]) -> None:  # in the order of the tasks
            written.update(paths)
            if indexer is not None and not old:
                indexer.release([docs[path] for path in paths if path in docs])

        # A fresh build has staged every indexed page once every entry's batch is done: Pagefind
        # starts then, while the lists render (they are not indexed).
        early = indexer.start if indexer is not None and not old else lambda: None
        problems, handed = _work.check_and_render(
            bank, pages, dirty, _render, jobs, staging, on_batch, meanwhile, early
        )
        if _work.blocking(problems):
            raise SiteContentError(_work.blocking(problems), bank.root)
        if handed != len(dirty) or len(written) != len(dirty):
            # a batch that stopped early must never pass for a build
            raise SiteError(f"internal error: {len(dirty)} pages to render, {handed} written")
        clock("check+render+write")
        for path in removed:
            (tmp / path).unlink(missing_ok=True)
        for path, source in [*static_files().items(), *((a.path, a.source) for a in starters)]:
            _fs.copy_if_changed(source, tmp / path)
        if indexer is not None:
            for path in sorted(indexed - written):  # unchanged pages, from the previous build
                indexer.add(path, (out / path).read_bytes())
            indexer.finish()
            clock("search")
        manifest = {
            "version": MANIFEST_VERSION,
            "pages": keys,
            "search": search and (reindex or bool(old and old.get("search"))),
        }
        _fs.write(tmp / MANIFEST, json.dumps(manifest, indent=0, sort_keys=True).encode())
        _fs.swap(tmp, out)
    except BaseException:
        if indexer is not None:
            indexer.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    clock("swap")
    result = BuildResult(out, len(pages), [pages[i].path for i in dirty], removed, reindex)
    if zip_bundle:
        result.zip_path = _fs.zip_tree(out, out.with_name(out.name + ".zip"), exclude={MANIFEST})
        clock("zip")
    result.seconds = time.perf_counter() - started
    result.phases = clock.phases
    return result


class _Clock:
    """Wall time per stage, for the benchmark's breakdown."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.phases[stage] = self.phases.get(stage, 0.0) + now - self._last
        self._last = now


def _load(root: Path | None, meanwhile: Callable[[], object]) -> Bank:
    """Load the bank; files that do not parse or validate stop the build here. ``meanwhile``
    runs while a second process validates files (see ``collect``)."""
    bank, problems = collect(root, meanwhile=meanwhile)
    errors = [p for p in problems if p.severity == "error"]
    if bank is None or errors:
        raise SiteContentError(errors or problems, (root or default_root()).resolve())
    return bank


def _exercise_texts(bank: Bank) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """Statement Markdown per (exercise, locale), and which translations are stale.

    Validation has already read and checked these files; a read failing now is a race with an
    editor, reported as a site error rather than a half-built page."""
    statements: dict[tuple[str, str], str] = {}
    stale: set[tuple[str, str]] = set()
    for x in bank.exercises.values():
        folder = bank.exercise_dir(x.id)
        source_hash = exercise_source_hash(bank, x, x.locales[x.source_locale])
        for code, text in x.locales.items():
            try:
                statements[(x.id, code)] = (folder / text.statement).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SiteError(f"{folder / text.statement}: cannot read: {exc}") from None
            if code != x.source_locale and text.translated_from != source_hash:
                stale.add((x.id, code))
    return statements, stale


def _key(salt: hashlib._Hash, page: Page) -> str:
    h = salt.copy()
    h.update(page.template.encode() + b"\0" + page.locale.encode() + b"\0" + data_key(page.data))
    return h.hexdigest()[:32]


def _render(page: Page, bank: Bank) -> str:
    from mlprep.site._markdown import SiteRenderError

    try:
        return render_page(page)
    except SiteRenderError as exc:  # validation converts every formula first; this is a backstop
        where = _entry_file(page, bank)
        raise SiteError(f"{where}: {exc} (while rendering {page.path})") from None


def _entry_file(page: Page, bank: Bank) -> str:
    for key in ("q", "x"):
        entry = page.data.get(key)
        if isinstance(entry, dict) and "id" in entry:
            prefix = "q" if key == "q" else "x"
            path = bank.paths.get(f"{prefix}:{entry['id']}")
            if path is not None:
                return str(path)
    return str(bank.root)


def _read_manifest(out: Path) -> dict | None:
    """The previous build's manifest; None for a fresh build. Refuse to replace foreign folders."""
    if not out.exists():
        return None
    if not out.is_dir():
        raise SiteError(f"{out} exists and is not a folder")
    path = out / MANIFEST
    if not path.is_file():
        if any(out.iterdir()):
            raise SiteError(
                f"refusing to replace {out}: it is not empty and was not built by 'mlprep site build'"
            )
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {"pages": {}}  # unreadable manifest: rebuild every page, still replace the site
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {"pages": {}}
    if not isinstance(data.get("pages"), dict):
        data["pages"] = {}
    return data
