"""Adversarial submissions (``attacks/``) against the real batchnorm-forward exercise.

Every attack, on every sandbox layer that claims to stop it, must end with a failing verdict
(or any verdict, where it only attempts a side effect) from a grader that survives, within its
time limit, with nothing left running, nothing written outside, the grader's secret nowhere
in the result, and a clear message. Copies of the reference solution sit between the attacks in
the same batch and must still pass: one submission's crash or kill never touches another's.

Layers: the pre-forked worker and the one-shot process, each under bubblewrap and without.
Without bubblewrap, attacks that need a hidden file system, network or grader are not run
(that layer does not claim to stop them; docs/security.md says so).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from grader._batch import Learner, iter_grades, prepare
from grader._sandbox import Limits, ProcessSandbox, _tree
from grader._sandbox._forked import ForkedSandbox
from grader._sandbox._probe import probe

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ATTACKS = HERE / "attacks"
SOLUTION = REPO / "reference" / "solutions" / "batchnorm_forward.py"
PROJECT_FILE = REPO / "reference" / "__init__.py"
LIMITS = Limits(time_s=3.0, memory_mb=256, output_kb=16)
SECRET_VAR = "MLPREP_GRADER_SECRET"
FAIL = frozenset({"failed", "error", "timeout", "memory", "forbidden"})
HAS_BWRAP = probe().level != "process"


@dataclass(frozen=True)
class Expect:
    status: frozenset[str]  # allowed verdicts (all failing, or FAIL | {"passed"} for side effects)
    isolated_only: bool = False  # needs bwrap: hidden file system, network, grader
    message: str = ""  # must appear in the result's message


ANY = FAIL | {"passed"}
EXPECT = {
    "exit_at_import": Expect(frozenset({"error"}), message="ended early"),
    "exit_in_function": Expect(frozenset({"error"}), message="ended early"),
    "system_exit": Expect(frozenset({"error"}), message="SystemExit"),
    "fake_pass_print": Expect(frozenset({"failed"})),
    "loop_forever": Expect(frozenset({"timeout"})),
    "ignore_sigterm": Expect(frozenset({"timeout"})),
    "sleep_at_import": Expect(frozenset({"timeout"})),
    "allocate_gigabytes": Expect(frozenset({"memory"})),
    "flood_output": Expect(FAIL),
    "children_and_daemons": Expect(FAIL),
    "kill_parent": Expect(FAIL),
    "kill_process_group": Expect(frozenset({"error", "memory"})),
    "dump_environment": Expect(frozenset({"failed"})),
    "dump_parent_environment": Expect(frozenset({"failed"}), isolated_only=True),
    "find_and_import_reference": Expect(frozenset({"error"}), isolated_only=True),
    "write_outside": Expect(ANY, isolated_only=True),
    "socket_to_localhost": Expect(ANY, isolated_only=True),
    "lying_ndarray": Expect(frozenset({"failed"})),
    "object_array": Expect(frozenset({"failed"})),
    "nan_result": Expect(frozenset({"failed"})),
    "none_result": Expect(frozenset({"failed"})),
    "wrong_types": Expect(frozenset({"failed"})),
    "pickle_payload": Expect(frozenset({"failed"})),
    "segfault": Expect(frozenset({"error"}), message="signal 11"),
    "runaway_recursion": Expect(frozenset({"failed"})),
    "delete_workdir": Expect(FAIL),
    "read_stdin": Expect(frozenset({"error"}), message="EOFError"),
    "syntax_error": Expect(frozenset({"error"}), message="line 7"),
    "misnamed_function": Expect(frozenset({"error"}), message="batchnorm_forward"),
    "forge_outputs": Expect(FAIL),
    "steal_outputs": Expect(frozenset({"error"}), message="ended early"),
}
GOOD = ("good_a", "good_b", "good_c")


@dataclass(frozen=True)
class Layer:
    name: str
    isolated: bool
    make: object  # () -> Sandbox


LAYERS = [
    Layer("forked-bwrap", True, lambda: ForkedSandbox(bwrap=True)),
    Layer("oneshot-bwrap", True, lambda: _bwrap_sandbox()),
    Layer("forked-process", False, lambda: ForkedSandbox(bwrap=False)),
    Layer("oneshot-process", False, ProcessSandbox),
]


def _bwrap_sandbox():
    from grader._sandbox._bwrap import BwrapSandbox

    return BwrapSandbox()


class Listener:
    """A TCP server on 127.0.0.1 that records whatever connects."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(100) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@dataclass
class Batch:
    results: dict[str, object]
    wall_s: float
    secret: str
    canaries: list[Path]
    pickle_canary: Path
    project_hash: str
    listener: Listener
    tokens: set[str]


_BATCHES: dict[str, Batch] = {}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _run(layer: Layer) -> Batch:
    if layer.name in _BATCHES:
        return _BATCHES[layer.name]
    if layer.isolated and not HAS_BWRAP:
        pytest.skip(f"bubblewrap does not work here: {probe().reason}")
    outside = Path(tempfile.mkdtemp(prefix="mlprep-attack-outside-"))
    canaries = [
        outside / "canary.txt",
        Path(tempfile.gettempdir()) / f"mlprep-canary-{os.getpid()}",
    ]
    pickle_canary = outside / "unpickled.txt"
    stolen = outside / "stolen"
    listener = Listener()
    subs_dir = Path(tempfile.mkdtemp(prefix="mlprep-attack-subs-"))
    names = [n for n, e in EXPECT.items() if layer.isolated or not e.isolated_only]
    if layer.name == "oneshot-process":  # its parent is the grader itself: see docs/security.md
        names.remove("kill_parent")
    targets = [str(PROJECT_FILE), *map(str, canaries)]
    learners = []
    for i, name in enumerate(names):
        text = (ATTACKS / f"{name}.py").read_text()
        text = text.replace("__TARGETS__", repr(targets)).replace("__PORT__", str(listener.port))
        text = text.replace("__CANARY__", repr(str(pickle_canary)))
        text = text.replace("__STOLEN__", repr(str(stolen)))
        (subs_dir / f"{name}.py").write_text(text)
        learners.append(Learner(name, subs_dir / f"{name}.py"))
        if i % 10 == 4:  # honest submissions in between: their verdicts must not be touched
            good = GOOD[len([x for x in learners if x.name.startswith("good")])]
            shutil.copyfile(SOLUTION, subs_dir / f"{good}.py")
            learners.append(Learner(good, subs_dir / f"{good}.py"))
    project_hash = _sha(PROJECT_FILE)
    secret = secrets.token_hex(16)
    prep = prepare("batchnorm-forward", seed=1234)
    prep = replace(prep, job=replace(prep.job, limits=LIMITS))
    _keep_outputs_of_a_passing_run(prep, stolen)
    before = set(_tree.ISSUED)
    os.environ[SECRET_VAR] = secret
    t0 = time.perf_counter()
    try:
        results = {r.submission: r for r in iter_grades(prep, learners, jobs=2, make=layer.make)}
    finally:
        del os.environ[SECRET_VAR]
    wall = time.perf_counter() - t0
    listener.close()
    shutil.rmtree(subs_dir, ignore_errors=True)
    batch = Batch(
        results,
        wall,
        secret,
        canaries,
        pickle_canary,
        project_hash,
        listener,
        set(_tree.ISSUED) - before,
    )
    _BATCHES[layer.name] = batch
    return batch


def _keep_outputs_of_a_passing_run(prep, dest: Path) -> None:
    """Grade the solution and keep a copy of its sandbox's output folder (for steal_outputs)."""
    from unittest import mock

    import grader._sandbox._process as process

    real = process.run_result

    def spy(out, *args):
        shutil.copytree(out, dest)
        return real(out, *args)

    with mock.patch.object(process, "run_result", spy):
        r = next(iter_grades(prep, [Learner("good", SOLUTION)], make=ProcessSandbox))
    assert r.passed and (dest / "manifest.json").exists()


CASES = [
    pytest.param(layer, name, id=f"{layer.name}-{name}")
    for layer in LAYERS
    for name in EXPECT
    if (layer.isolated or not EXPECT[name].isolated_only)
    and not (layer.name == "oneshot-process" and name == "kill_parent")
]


@pytest.mark.parametrize(("layer", "name"), CASES)
def test_attack_ends_in_a_failing_verdict_and_leaks_nothing(layer: Layer, name: str) -> None:
    batch = _run(layer)
    r = batch.results[name]
    expect = EXPECT[name]
    assert r.status in expect.status, (r.status, r.message, r.stderr[-500:])
    if expect.status <= FAIL:
        assert not r.passed and r.score < 1
    assert expect.message in r.message, r.message
    assert r.sandbox == ("process" if not layer.isolated else probe().level)
    assert batch.secret not in r.model_dump_json()  # nothing of the grader's environment
    assert r.duration_s < LIMITS.time_s + 15  # bounded: limit plus start-up, never a hang
    assert len(r.stdout) <= LIMITS.output_kb * 1024 + 40 and len(r.stderr) <= 16 * 1024 + 40


@pytest.mark.parametrize("layer", LAYERS, ids=[lay.name for lay in LAYERS])
def test_honest_submissions_in_the_same_batch_still_pass(layer: Layer) -> None:
    batch = _run(layer)
    goods = [r for n, r in batch.results.items() if n.startswith("good")]
    assert len(goods) == 3
    assert all(r.passed for r in goods), [(r.submission, r.message) for r in goods]


@pytest.mark.parametrize("layer", LAYERS, ids=[lay.name for lay in LAYERS])
def test_nothing_written_outside_and_nothing_left_running(layer: Layer) -> None:
    batch = _run(layer)
    assert not batch.pickle_canary.exists()  # the grader never unpickled anything
    assert batch.tokens  # the layer did tag its processes (else the next check proves nothing)
    deadline = time.monotonic() + 3
    while (left := set().union(*(_tree.tagged(t) for t in batch.tokens))) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)  # a killed namespace takes a moment to disappear from /proc
    assert not left, f"still running: {left}"
    if layer.isolated:
        assert _sha(PROJECT_FILE) == batch.project_hash
        assert not any(c.exists() for c in batch.canaries)
        assert batch.listener.received == []
        find = batch.results["find_and_import_reference"]
        assert "FOUND:" not in find.stdout  # neither the file system nor sys.path shows them
        wrote = batch.results["write_outside"].stdout
        assert f"WROTE: {PROJECT_FILE}" not in wrote and "refused:" in wrote  # it did try


def test_the_process_layer_is_really_used_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader._sandbox._probe import default_sandbox

    monkeypatch.setenv("MLPREP_SANDBOX", "process")
    assert default_sandbox().level == "process"
    assert _run(LAYERS[3]).results["fake_pass_print"].sandbox == "process"
