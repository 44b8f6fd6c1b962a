"""YAML with positions: every mapping key and sequence item keeps its line and column.

Errors in content point at the offending key, so the loader needs to know where each value came
from. PyYAML's composer gives nodes with marks; we build plain data and a position map together.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# PyYAML is imported on first use: a warm load of the bank is served from the cache and never
# parses YAML, and the quiz's start-up time is a product requirement.


@lru_cache(maxsize=1)
def _loader_class() -> type:
    try:  # the C loader is ~10x faster; fall back when libyaml is absent
        from yaml import CSafeLoader as loader
    except ImportError:  # pragma: no cover - depends on the build of PyYAML
        from yaml import SafeLoader as loader
    return loader


Path_ = tuple[str | int, ...]
Positions = dict[Path_, tuple[int, int]]


class YamlError(Exception):
    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def load(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document; return its data and ``{path: (line, col)}`` (1-based)."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        positions: Positions = {(): (node.start_mark.line + 1, node.start_mark.column + 1)}
        _walk(node, (), positions)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"YAML syntax: {exc.problem or exc.context}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML: {exc}", 1, 1) from None
    finally:
        loader.dispose()
    return data, positions


def _walk(node: Any, path: Path_, positions: Positions) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen:
                raise YamlError(f"duplicate key '{key}' (first on line {seen[key]})", *here)
            seen[key] = here[0]
            positions[(*path, key)] = here
            _walk(value_node, (*path, key), positions)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            positions[(*path, i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, (*path, i), positions)


def locate(positions: Positions, loc: Path_) -> tuple[int, int]:
    """The position of ``loc``, or of its nearest ancestor present in the file."""
    loc = tuple(loc)
    while loc:
        if loc in positions:
            return positions[loc]
        loc = loc[:-1]
    return positions.get((), (1, 1))
