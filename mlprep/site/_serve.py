"""Local preview: serve the built site on 127.0.0.1 and rebuild when content or templates change.

Change detection polls modification times (once a second by default): no dependency, works on
every filesystem, and a bank of a thousand files costs a few milliseconds to stat. The server
keeps serving the last good site while a rebuild fails, and prints the failure.
"""

from __future__ import annotations

import functools
import gc
import http.server
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from mlprep._errors import MlprepError
from mlprep.content import default_root
from mlprep.site._render import HERE


def snapshot(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """``{file: (mtime_ns, size)}`` for every file under ``paths``."""
    seen: dict[str, tuple[int, int]] = {}
    for base in paths:
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                seen[full] = (st.st_mtime_ns, st.st_size)
    return seen


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def make_server(out: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``out`` on 127.0.0.1 (port 0 picks a free one)."""
    # The handler resolves ``out`` by name on every request, so it follows the folder swap.
    handler = functools.partial(_Quiet, directory=str(out))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(
    out: Path,
    port: int,
    rebuild: Callable[[], object],
    *,
    root: Path | None = None,
    interval: float = 1.0,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Build, serve, and rebuild on change until interrupted (or until ``stop`` is set)."""
    stop = stop or threading.Event()
    watched = [(root or default_root()) / "questions", (root or default_root()) / "exercises", HERE]
    before = snapshot(watched)
    rebuild()
    server = make_server(out, port)
    host, real_port = server.server_address[:2]
    echo(f"serving {out} at http://{host}:{real_port}/ (Ctrl-C to stop)")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        while not stop.wait(interval):
            now = snapshot(watched)
            if now == before:
                continue
            before = now
            try:
                echo(f"rebuilt: {_summary(rebuild())}")
            except MlprepError as exc:
                echo(f"build failed, still serving the previous site: {exc}")
            # A build leaves its data in the oldest generation (see _build._no_collections),
            # where cycles (a bank and its lazy questions) wait for a full collection: collect
            # now, between builds, so that a long session does not keep every build's bank.
            gc.collect()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def _summary(result: object) -> str:
    rendered = getattr(result, "rendered", None)
    return f"{len(rendered)} pages rendered" if rendered is not None else "done"
