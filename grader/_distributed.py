"""Grade a batch on a Dask cluster: the same sandbox, on many machines.

The client reads each submission (bytes, capped like a local grade) and sends it with the
exercise id and one seed for the whole batch; a worker writes it to a private temp file and
grades it exactly as ``grader._batch`` does locally: the exercise and its reference outputs are
prepared once per worker process and seed, each worker thread owns a ``ForkedSandbox`` (a
zygote, under bubblewrap when the worker's machine supports it). Only JSON comes back, and the
client validates it into a ``GradeResult``. Workers need the same mlprep installation (the
exercise bank, the grader and the reference), not the submissions' file system.

    dask scheduler                              # on one machine: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 4    # on each grading machine
    mlprep grade batchnorm-forward class/ --scheduler tcp://HOST:8786
"""

from __future__ import annotations

import atexit
import secrets
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlprep._errors import GradingError

if TYPE_CHECKING:
    from grader._batch import Learner
    from grader._result import GradeResult

_lock = threading.Lock()
_prepared: dict[tuple[str, int], Any] = {}
_local = threading.local()
_sandboxes: list[Any] = []


def _payload(learner: Learner) -> tuple[bytes | None, str]:
    from grader._submission import MAX_BYTES

    if learner.path is None:
        return None, learner.problem
    try:
        with open(learner.path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, f"cannot read {learner.name}: {exc.strerror or exc}"
    if len(data) > MAX_BYTES:
        return None, f"{learner.name} is larger than {MAX_BYTES >> 10} KiB"
    return data, ""


def _close_all() -> None:
    for sb in _sandboxes:
        sb.close()


def grade_remote(
    exercise_id: str, name: str, data: bytes | None, problem: str, seed: int, lang: str
) -> str:
    """Runs on a worker: grade one submission, return the result as JSON."""
    from grader._batch import Learner, grade_prepared, prepare, sandbox_factory, unreadable

    with _lock:
        prep = _prepared.get((exercise_id, seed))
        if prep is None:
            prep = _prepared[(exercise_id, seed)] = prepare(exercise_id, seed)
            if not _sandboxes:
                atexit.register(_close_all)
    sb = getattr(_local, "sandbox", None)
    if sb is None:
        sb = _local.sandbox = sandbox_factory()()
        with _lock:
            _sandboxes.append(sb)
    if data is None:
        return unreadable(prep, name, problem, sb.level).model_dump_json()
    suffix = Path(name).suffix if Path(name).suffix in (".py", ".ipynb") else ".py"
    with tempfile.TemporaryDirectory(prefix="mlprep-remote-") as d:
        path = Path(d) / f"submission{suffix}"
        path.write_bytes(data)
        result = grade_prepared(prep, Learner(name, path), sb, lang)
    return result.model_dump_json()


def grade_distributed(
    exercise_id: str,
    learners: list[Learner],
    address: str,
    *,
    seed: int | None = None,
    lang: str = "en",
    timeout_s: float = 10.0,
) -> Iterator[GradeResult]:
    """Results in input order, as they arrive from the cluster at ``address``."""
    from grader._exercise import load_exercise
    from grader._result import GradeResult

    load_exercise(exercise_id)  # an unknown exercise fails here, not on every worker
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - dask is a dependency
        raise GradingError(
            "--scheduler needs dask.distributed (pip install 'dask[distributed]')"
        ) from None
    seed = secrets.randbits(31) if seed is None else seed
    try:
        client = Client(address, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise GradingError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    batch = secrets.token_hex(4)
    try:
        futures = []
        for i, learner in enumerate(learners):
            data, problem = _payload(learner)
            futures.append(
                client.submit(
                    grade_remote,
                    exercise_id,
                    learner.name,
                    data,
                    problem,
                    seed,
                    lang,
                    key=f"mlprep-grade-{batch}-{i}",
                    pure=False,
                )
            )
        for fut in futures:
            try:
                raw = fut.result()
            except Exception as exc:  # a worker lost, an error of the grader on a worker
                raise GradingError(
                    f"grading on the cluster failed: {type(exc).__name__}: {exc}"
                ) from exc
            yield GradeResult.model_validate_json(raw)
    finally:
        client.close()
