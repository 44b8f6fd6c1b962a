"""The public surface of `reference`, pinned: other helpers build on these exact names."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import reference

EXPECTED = {
    "CONVENTIONS",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "batchnorm_forward",
    "conv2d_forward",
    "fold_bn_into_conv",
    "fold_bn_into_linear",
    "instancenorm_backward",
    "instancenorm_forward",
    "layernorm_backward",
    "layernorm_forward",
    "spatial_batchnorm_backward",
    "spatial_batchnorm_forward",
    "spatial_groupnorm_backward",
    "spatial_groupnorm_forward",
    "update_running_stats",
}


def test_public_names_are_exactly_the_contract():
    assert set(reference.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(reference, name), name


def test_signatures_are_the_contract():
    params = lambda f: list(inspect.signature(f).parameters)  # noqa: E731
    assert params(reference.batchnorm_forward) == ["x", "gamma", "beta", "bn_param"]
    assert params(reference.batchnorm_backward) == ["dout", "cache"]
    assert params(reference.batchnorm_backward_alt) == ["dout", "cache"]
    assert params(reference.spatial_batchnorm_forward) == ["x", "gamma", "beta", "bn_param"]
    assert params(reference.layernorm_forward) == ["x", "gamma", "beta", "ln_param"]
    assert params(reference.spatial_groupnorm_forward) == ["x", "gamma", "beta", "G", "gn_param"]
    assert params(reference.instancenorm_forward) == ["x", "gamma", "beta", "in_param"]
    fold = ["w", "b", "gamma", "beta", "running_mean", "running_var", "eps"]
    assert params(reference.fold_bn_into_conv) == fold
    assert params(reference.fold_bn_into_linear) == fold
    assert params(reference.conv2d_forward) == ["x", "w", "b", "stride", "pad"]
    assert reference.CONVENTIONS == ("cs231n", "pytorch")


def test_importing_reference_does_not_import_torch():
    # A fresh interpreter: this test process may already have torch loaded.
    code = "import sys, reference; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"
