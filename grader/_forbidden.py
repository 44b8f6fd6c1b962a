"""Names an exercise forbids even though their module is allowed (``Exercise.forbidden``).

A static pass over the submission's syntax tree, on the trusted side, before anything runs:
imports bind aliases (``import torch.nn as nn``, ``from torch.nn import functional as F``),
attribute chains are resolved through them, and any use of a forbidden dotted name, or of a
name imported from it, is reported with its line. Dynamic tricks (``getattr`` with a built
string) get past it; the checks then still compare against torch's own results.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


def _matches(name: str, forbidden: Iterable[str]) -> str | None:
    for f in forbidden:
        if name == f or name.startswith(f + "."):
            return f
    return None


def _dotted(node: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def forbidden_uses(source: str, forbidden: Iterable[str]) -> list[tuple[str, int]]:
    """(forbidden name, line) for each use; empty when none or when the source does not parse
    (the sandbox reports the syntax error)."""
    forbidden = list(forbidden)
    if not forbidden:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    aliases: dict[str, str] = {}
    hits: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    aliases.setdefault(a.name.split(".")[0], a.name.split(".")[0])
                if (f := _matches(a.name, forbidden)) is not None:
                    hits.append((f, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                aliases[a.asname or a.name] = full
                if (f := _matches(full, forbidden)) is not None:
                    hits.append((f, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(
            getattr(node, "ctx", None), ast.Load
        ):
            parts = _dotted(node)
            if not parts or parts[0] not in aliases:
                continue
            full = ".".join([aliases[parts[0]], *parts[1:]])
            if (f := _matches(full, forbidden)) is not None:
                hits.append((f, node.lineno))
    return sorted(set(hits), key=lambda h: (h[1], h[0]))
