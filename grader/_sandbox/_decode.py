"""Read what the sandbox wrote, trusting none of it.

Arrays: the .npy header is parsed first and the file refused unless its dtype is plain numeric
(bool, int, uint, float, complex: never object), its size is under the cap, and the file holds
exactly the bytes the header promises; only then ``np.load(allow_pickle=False)``. Names must look
like ``o123`` (no paths), and files are opened without following symlinks.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from grader._sandbox._base import StepResult, SubmissionError

MAX_ELEMENTS = 50_000_000  # per array
MAX_MANIFEST_BYTES = 4 << 20


@dataclass(frozen=True)
class Opaque:
    """A value that is neither array nor plain data (an object, a cache); shown by type name."""

    type_name: str


@dataclass(frozen=True)
class Bad:
    """A value the grader refused to read, and why."""

    reason: str


def _record(f: BinaryIO, end: int, max_elements: int) -> np.ndarray | Bad:
    """Read one .npy record at the file's position, checking its header before its data."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            return Bad("unknown .npy version")
    except (ValueError, OSError, SyntaxError, EOFError):
        return Bad("malformed .npy header")
    if dtype.hasobject or dtype.kind not in "biufc" or dtype.fields is not None:
        return Bad(f"dtype {dtype} is not a plain numeric dtype")
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if size < 0 or size > max_elements:
        return Bad(f"array of {size} elements is over the limit")
    nbytes = size * dtype.itemsize
    if f.tell() + nbytes > end:
        return Bad("file shorter than its header says")
    data = f.read(nbytes)
    arr = np.frombuffer(data, dtype=dtype, count=size).copy()
    return arr.reshape(shape, order="F" if fortran else "C")


def _open(path: Path) -> BinaryIO | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    return os.fdopen(fd, "rb")


def load_npy(path: Path, max_elements: int = MAX_ELEMENTS) -> np.ndarray | Bad:
    """One .npy file, which must hold exactly one array."""
    f = _open(path)
    if f is None:
        return Bad("missing array file")
    with f:
        end = os.fstat(f.fileno()).st_size
        arr = _record(f, end, max_elements)
        if isinstance(arr, np.ndarray) and f.tell() != end:
            return Bad("file size does not match its header")
        return arr


class Decoder:
    """Turns the manifest's tagged values into Python values; arrays are read by offset from
    out/arrays.npys, every record checked on its own."""

    def __init__(self, out_dir: Path):
        self.f = _open(out_dir / "arrays.npys")
        self.end = os.fstat(self.f.fileno()).st_size if self.f is not None else 0
        self.loaded = 0

    def close(self) -> None:
        if self.f is not None:
            self.f.close()

    def array(self, at: Any) -> np.ndarray | Bad:
        if self.f is None:
            return Bad("missing array file")
        if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at < self.end:
            return Bad("bad array offset")
        self.loaded += 1
        if self.loaded > 20_000:
            return Bad("too many arrays")
        self.f.seek(at)
        return _record(self.f, self.end, MAX_ELEMENTS)

    def value(self, v: Any, depth: int = 0) -> Any:
        if depth > 8:
            return Bad("nested too deep")
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if isinstance(v, list):
            return [self.value(x, depth + 1) for x in v[:64]]
        if not isinstance(v, dict):
            return Bad("unknown value")
        if "$a" in v or "$t" in v:
            return self.array(v.get("$a", v.get("$t")))
        if "$l" in v and isinstance(v["$l"], list):
            return [self.value(x, depth + 1) for x in v["$l"][:64]]
        if "$tu" in v and isinstance(v["$tu"], list):
            return tuple(self.value(x, depth + 1) for x in v["$tu"][:64])
        if "$d" in v and isinstance(v["$d"], dict):
            return {str(k): self.value(x, depth + 1) for k, x in list(v["$d"].items())[:64]}
        if "$f" in v:
            return {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}.get(
                v["$f"], Bad("bad float")
            )
        if "$o" in v:
            return Opaque(str(v["$o"])[:80])
        if "$bad" in v:
            return Bad(str(v["$bad"])[:80])
        return Bad("unknown value")


def _error(e: Any) -> SubmissionError | None:
    if not isinstance(e, dict):
        return None
    line = e.get("line")
    return SubmissionError(
        type=str(e.get("type", "Error"))[:80],
        message=str(e.get("message", ""))[:500],
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
    )


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest as untrusted JSON, or None when absent or unreadable."""
    path = out_dir / "manifest.json"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            raw = f.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_steps(out_dir: Path) -> dict[str, Any]:
    """Step entries from out/steps.jsonl (one JSON object per line), as untrusted data."""
    raw: dict[str, Any] = {}
    try:
        fd = os.open(out_dir / "steps.jsonl", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            blob = f.read(MAX_MANIFEST_BYTES + 1)
    except OSError:
        return raw
    for line in blob[:MAX_MANIFEST_BYTES].splitlines()[:10_000]:
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            continue  # a line cut short by a kill
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            raw[item["id"]] = item.get("entry")
    return raw


def decode_steps(raw: dict[str, Any], out_dir: Path) -> dict[str, StepResult]:
    dec = Decoder(out_dir)
    try:
        return _decode_steps(raw, dec)
    finally:
        dec.close()


def _decode_steps(raw: dict[str, Any], dec: Decoder) -> dict[str, StepResult]:
    steps: dict[str, StepResult] = {}
    for sid, entry in list(raw.items())[:10_000]:
        if not isinstance(entry, dict):
            continue
        if entry.get("ok") is True:
            args = entry.get("args", [])
            kwargs = entry.get("kwargs", {})
            steps[str(sid)] = StepResult(
                ok=True,
                ret=dec.value(entry.get("ret")),
                args=[dec.value(a) for a in args[:32]] if isinstance(args, list) else [],
                kwargs={str(k): dec.value(a) for k, a in list(kwargs.items())[:32]}
                if isinstance(kwargs, dict)
                else {},
            )
        else:
            steps[str(sid)] = StepResult(
                ok=False, error=_error(entry.get("error")), skipped=entry.get("skipped") is True
            )
    return steps
