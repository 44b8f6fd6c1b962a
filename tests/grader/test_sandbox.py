"""The process sandbox: learner failures come back as data, the guard allows what numpy needs
and nothing the exercise forbids, limits hold, nothing is left behind."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader._sandbox import Job, Limits, Plan, ProcessSandbox

SANDBOX = ProcessSandbox()


def run(
    source: str,
    steps=None,
    arrays=None,
    allowed=("numpy",),
    entry=("f",),
    limits: Limits | None = None,
):
    job = Job(
        source=textwrap.dedent(source),
        entry_points=entry,
        allowed_imports=allowed,
        limits=limits or Limits(time_s=10, memory_mb=256),
        plan=Plan(steps or [{"id": "s", "op": "call", "fn": "f", "args": []}], arrays or {}),
    )
    return SANDBOX.run(job)


def test_a_call_returns_arrays_scalars_and_the_arguments_after_the_call():
    r = run(
        """
        import numpy as np
        def f(x, d):
            d["seen"] = x.shape[0]
            return x * 2, np.float32(1.5), {"k": [1, 2.5, None]}
        """,
        steps=[
            {
                "id": "s",
                "op": "call",
                "fn": "f",
                "args": [{"$a": "x"}, {"$d": {}}],
                "report_args": True,
            }
        ],
        arrays={"x": np.arange(6.0).reshape(2, 3)},
    )
    assert r.status == "ok", r
    out, scalar, extra = r.steps["s"].ret
    np.testing.assert_array_equal(out, np.arange(6.0).reshape(2, 3) * 2)  # exact: x*2 is exact
    assert scalar.dtype == np.float32 and scalar.shape == ()
    assert extra == {"k": [1, 2.5, None]}
    assert r.steps["s"].args[1] == {"seen": 2}
    assert r.level == "process"


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("import torch", "torch"),
        ("import reference", "reference"),
        ("from grader import grade", "grader"),
        ("import mlprep", "mlprep"),
        ("import os", "os"),
        ("import subprocess", "subprocess"),
        ("import importlib", "importlib"),
        ("__import__('socket')", "socket"),
        ("exec('import ctypes')", "ctypes"),
    ],
)
def test_forbidden_imports_are_reported_with_their_line(source, module):
    r = run(f"x = 1\n{source}\ndef f(): return 1\n")
    assert r.status == "forbidden"
    assert module in r.error.message
    assert r.error.line == 2


def test_numpy_may_import_its_own_parts_and_the_stdlib_it_needs():
    r = run(
        """
        import numpy as np
        import numpy.linalg as la
        from numpy.lib.stride_tricks import sliding_window_view
        import math, functools, typing
        def f():
            a = np.random.default_rng(0).standard_normal((4, 4))
            return la.norm(a), np.fft.fft(a).shape, sliding_window_view(np.arange(5), 2).shape
        """
    )
    assert r.status == "ok", (r.error, r.stderr)
    assert r.steps["s"].ok, r.steps["s"].error


def test_a_caught_forbidden_import_does_not_get_the_module():
    r = run(
        """
        try:
            import torch
            HAVE = True
        except ImportError:
            HAVE = False
        def f():
            return HAVE
        """
    )
    assert r.status == "ok"
    assert r.steps["s"].ret is False
    assert r.forbidden == ["torch"]


def test_syntax_error_reports_its_line():
    r = run("def f():\n    return 1\n\ndef g(:\n    pass\n")
    assert r.status == "syntax"
    assert r.error.line == 4


def test_missing_functions_are_named():
    r = run("def g(): return 1\n", entry=("f", "h"))
    assert r.status == "missing"
    assert r.missing == ["f", "h"]


def test_an_exception_at_import_is_an_error_with_its_line():
    r = run("x = 1\ny = 1 / 0\ndef f(): return 1\n")
    assert r.status == "error"
    assert (r.error.type, r.error.line) == ("ZeroDivisionError", 2)


def test_an_exception_in_a_call_fails_only_that_step():
    r = run(
        "def f(): return {}['missing']\ndef g(): return 3\n",
        steps=[
            {"id": "a", "op": "call", "fn": "f", "args": []},
            {"id": "b", "op": "call", "fn": "g", "args": []},
            {"id": "c", "op": "call", "fn": "g", "args": [{"$s": "a"}]},
        ],
    )
    assert r.status == "ok"
    assert r.steps["a"].error.type == "KeyError" and r.steps["a"].error.line == 1
    assert r.steps["b"].ret == 3
    assert r.steps["c"].skipped


def test_main_block_never_runs_and_stdout_is_captured():
    r = run(
        """
        print("hello from the submission")
        def f(): return 1
        if __name__ == "__main__":
            while True:
                pass
        """
    )
    assert r.status == "ok"
    assert "hello from the submission" in r.stdout


def test_timeout_kills_the_process_and_keeps_earlier_results():
    r = run(
        "def f(): return 1\ndef spin():\n    while True:\n        pass\n",
        steps=[
            {"id": "a", "op": "call", "fn": "f", "args": []},
            {"id": "b", "op": "call", "fn": "spin", "args": []},
        ],
        limits=Limits(time_s=1.0, memory_mb=256),
    )
    assert r.status == "timeout"
    assert r.steps["a"].ret == 1
    assert "b" not in r.steps
    assert r.duration_s < 5  # generous: 1 s limit plus process start


def test_memory_limit():
    r = run(
        "import numpy as np\ndef f():\n    return np.ones((1024, 1024, 1024)).sum()\n",
        limits=Limits(time_s=10, memory_mb=128),
    )
    assert r.status == "memory"


def test_output_is_capped():
    r = run(
        "def f():\n    print('x' * 100_000)\n    return 1\n",
        limits=Limits(time_s=10, memory_mb=256, output_kb=1),
    )
    assert len(r.stdout) < 1200
    assert r.stdout.endswith("(output cut)")


def test_object_arrays_never_cross():
    r = run("import numpy as np\ndef f():\n    return np.array([{}, 1], dtype=object)\n")
    from grader._sandbox import Bad

    assert isinstance(r.steps["s"].ret, Bad)


def test_environment_is_cleared_and_stdin_closed(monkeypatch):
    monkeypatch.setenv("MLPREP_SECRET_FOR_TEST", "do-not-leak")
    r = run(
        """
        import sys, os
        def f():
            return [k for k in os.environ if k.startswith("MLPREP")], sys.stdin.read()
        """,
        allowed=("numpy", "os", "sys"),
    )
    keys, stdin = r.steps["s"].ret
    assert keys == [] and stdin == ""


def test_a_numpy_exercise_never_imports_torch_in_the_sandbox():
    r = run("import sys\ndef f():\n    return 'torch' in sys.modules\n", allowed=("numpy", "sys"))
    assert r.steps["s"].ret is False


def test_the_temp_dir_is_removed():
    r = run("import os\ndef f():\n    return os.getcwd()\n", allowed=("numpy", "os"))
    import os

    assert r.steps["s"].ret.startswith(os.path.realpath(os.sep))
    assert not os.path.exists(r.steps["s"].ret)
