"""Read a submission: a .py file, or a notebook whose code cells are concatenated.

Notebook cells lose their IPython magics (``%line``, ``!shell`` lines become blank lines, so
line numbers stay put; a ``%%cell`` magic blanks its whole cell). ``LineMap`` turns a line of the
concatenated code back into (cell number, line in cell) for error messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mlprep._errors import GradingError

MAX_BYTES = 1 << 20  # a submission is source code; anything bigger is a mistake


@dataclass
class LineMap:
    cells: list[tuple[int, int]] = field(default_factory=list)  # (first line, cell number)

    def locate(self, line: int | None) -> tuple[int, int] | None:
        if line is None or not self.cells:
            return None
        for start, cell in reversed(self.cells):
            if line >= start:
                return cell, line - start + 1
        return None


@dataclass
class Source:
    text: str
    lines: LineMap
    notebook: bool


def _strip_magics(src: str) -> str:
    lines = src.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n".join("" for _ in lines)  # a cell magic: the cell is not Python
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)


def read_submission(path: Path) -> Source:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GradingError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise GradingError(f"{path} is larger than {MAX_BYTES >> 10} KiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GradingError(f"{path} is not UTF-8 (byte {exc.start})") from None
    if path.suffix != ".ipynb":
        return Source(text, LineMap(), notebook=False)
    try:
        nb = json.loads(text)
        cells = [c for c in nb["cells"] if c.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise GradingError(f"{path} is not a valid Jupyter notebook") from None
    out: list[str] = []
    lmap = LineMap()
    line = 1
    for n, cell in enumerate(cells, start=1):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        body = _strip_magics(src)
        if not body.endswith("\n"):
            body += "\n"
        lmap.cells.append((line, n))
        out.append(body)
        line += body.count("\n") + 1  # the cell's lines, then one blank separator line
    return Source("\n".join(out), lmap, notebook=True)
