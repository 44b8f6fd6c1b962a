"""Each solution runs on its own, in a plain interpreter that cannot see the repository.

``python -I`` ignores PYTHONPATH and the current directory, like the grader's sandbox: a solution
that imported ``reference`` or ``mlprep`` fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from exercise_helpers import ALL_IDS, TORCH_IDS, solution_path

_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("submission", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
banned = sorted(m for m in sys.modules if m.split(".")[0] in ("mlprep", "reference", "grader"))
print(json.dumps({"names": sorted(vars(module)), "banned": banned}))
"""


@pytest.mark.parametrize("xid", ALL_IDS)
def test_solution_imports_in_an_isolated_interpreter(bank, xid, tmp_path):
    if xid in TORCH_IDS:
        pytest.importorskip("torch")
    result = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE, str(solution_path(xid))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["banned"] == []
    assert set(bank.exercises[xid].entry_points) <= set(report["names"])


_RUN_BN = """
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("submission", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
x = np.linspace(-3.0, 5.0, 12).reshape(4, 3) ** 2
out, _ = module.batchnorm_forward(x, np.array([1.0, 2.0, 0.5]), np.zeros(3), {"mode": "train"})
print(json.dumps(out.tolist()))
"""


def test_batchnorm_solution_in_a_subprocess_agrees_with_torch(tmp_path):
    torch = pytest.importorskip("torch")
    result = subprocess.run(
        [sys.executable, "-I", "-c", _RUN_BN, str(solution_path("batchnorm-forward"))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = np.array(json.loads(result.stdout))
    x = torch.linspace(-3.0, 5.0, 12, dtype=torch.float64).reshape(4, 3) ** 2
    expected = torch.nn.functional.batch_norm(
        x, None, None, torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64), None, training=True
    )
    # float64 both sides, JSON round-trips doubles exactly: rounding-level tolerance
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-10, atol=1e-12)
