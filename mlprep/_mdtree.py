"""Parsed bank Markdown for the terminal, kept in the content cache between runs.

The terminal renderer (``_mdterm``) walks a syntax tree of the bank's own parser
(``mlprep.content._markdown``). Importing markdown-it costs about a third of the quiz's whole
start-up budget (issue #6), so the trees of texts already parsed once are stored in the content
cache (SQLite, beside the validated entries) as JSON, and a quiz that shows only such texts
never imports the parser. ``Node`` carries exactly what the renderer reads of markdown-it's
``SyntaxTreeNode``: type, tag, content, attrs and children.

A tree is a pure function of the text, the parser's configuration and the parser's version, so
the table is named after a fingerprint of those (``_markdown.py``'s source and the installed
markdown-it-py and mdit-py-plugins); another fingerprint means another table, and the stale ones
are dropped. The cache is only ever a shortcut: any failure to read or write it means parsing.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlprep._dirs import open_content_cache

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

FORMAT = 1  # bump when Node's JSON form changes


class Node:
    """One node of a parsed Markdown text (the part of ``SyntaxTreeNode`` the renderer uses)."""

    __slots__ = ("attrs", "children", "content", "tag", "type")

    def __init__(
        self, type: str, tag: str, content: str, attrs: dict[str, Any], children: list[Node]
    ):
        self.type = type
        self.tag = tag
        self.content = content
        self.attrs = attrs
        self.children = children

    @classmethod
    def of(cls, node: SyntaxTreeNode) -> Node:
        if node.type == "root":  # the root has no token to read tag/content/attrs from
            tag, content, attrs = "", "", {}
        else:
            tag, content, attrs = node.tag, node.content, dict(node.attrs)
        return cls(node.type, tag, content, attrs, [cls.of(c) for c in node.children])

    def to_json(self) -> list[Any]:
        return [self.type, self.tag, self.content, self.attrs, [c.to_json() for c in self.children]]

    @classmethod
    def from_json(cls, data: list[Any]) -> Node:
        type_, tag, content, attrs, children = data
        return cls(type_, tag, content, attrs, [cls.from_json(c) for c in children])


class _Store:
    """The persistent part: text -> tree JSON in a table named after the parser's fingerprint."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._table = ""
        self._pending: dict[str, str] = {}
        try:
            self._table = f"mdtree_{_fingerprint()}"
        except OSError:  # the parser's files cannot be read: no fingerprint, no cache
            return
        self._db = open_content_cache(
            f"CREATE TABLE IF NOT EXISTS {self._table} (key TEXT PRIMARY KEY, tree TEXT)"
        )
        if self._db is not None:
            atexit.register(self.flush)

    def get(self, key: str) -> Node | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                f"SELECT tree FROM {self._table} WHERE key = ?", (key,)
            ).fetchone()
            return Node.from_json(json.loads(row[0])) if row else None
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def put(self, key: str, node: Node) -> None:
        if self._db is not None:
            self._pending[key] = json.dumps(node.to_json(), ensure_ascii=False)

    def flush(self) -> None:
        """Write the trees parsed since the last flush, in one transaction."""
        if self._db is None or not self._pending:
            return
        rows, self._pending = list(self._pending.items()), {}
        try:
            with self._db:
                stale = self._db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mdtree_%'"
                    " AND name != ?",
                    (self._table,),
                ).fetchall()
                for (name,) in stale:  # trees of another parser version
                    self._db.execute(f"DROP TABLE {name}")
                self._db.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass


def _fingerprint() -> str:
    """Of what a tree depends on: the parser set-up's source and the installed parser packages."""
    digest = hashlib.sha256(str(FORMAT).encode())
    digest.update(Path(__file__).parent.joinpath("content", "_markdown.py").read_bytes())
    for package in ("markdown_it", "mdit_py_plugins"):  # their __init__ holds __version__
        spec = importlib.util.find_spec(package)
        origin = spec.origin if spec else None
        digest.update(Path(origin).read_bytes() if origin else package.encode())
    return digest.hexdigest()[:16]


_memory: dict[str, Node] = {}
_store: _Store | None = None


def _persistent() -> _Store:
    global _store
    if _store is None:
        _store = _Store()
    return _store


def parse(text: str, inline: bool = False) -> Node:
    """The tree of a block of Markdown (a ``root``), or of one line (``inline=True``: an
    ``inline`` node whose children are the spans)."""
    key = ("i:" if inline else "b:") + text
    node = _memory.get(key)
    if node is not None:
        return node
    store = _persistent()
    node = store.get(key)
    if node is None:
        node = _parse(text, inline)
        store.put(key, node)
    _memory[key] = node
    return node


def _parse(text: str, inline: bool) -> Node:
    from markdown_it.tree import SyntaxTreeNode

    from mlprep.content._markdown import parser

    if inline:
        return Node.of(SyntaxTreeNode(parser().parseInline(text)).children[0])
    return Node.of(SyntaxTreeNode(parser().parse(text)))


def flush() -> None:
    """Store what was parsed so far (also done at exit)."""
    if _store is not None:
        _store.flush()
