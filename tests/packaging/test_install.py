"""A non-editable install ships the bundled bank, and the public surface is what we promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlprep
import mlprep.content

REPO = Path(__file__).resolve().parents[2]


def test_public_surface_is_pinned() -> None:
    assert sorted(mlprep.__all__) == [
        "ContentError",
        "GradingError",
        "MlprepError",
        "NotFoundError",
        "ProgressError",
        "SiteError",
        "__version__",
    ]
    for name in mlprep.content.__all__:
        assert hasattr(mlprep.content, name), name


def test_error_tree() -> None:
    for name in ("ContentError", "NotFoundError", "ProgressError", "GradingError", "SiteError"):
        assert issubclass(getattr(mlprep, name), mlprep.MlprepError)


@pytest.mark.slow
def test_wheel_ships_the_bank(tmp_path: Path) -> None:
    """Build the wheel, install it without the checkout on sys.path, list the bank from elsewhere."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("mlprep-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "mlprep" / "_bundled" / "questions" / "_bank.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the installed copy first, then the venv's dependencies; never the checkout
    deps = [p for p in sys.path if p and "site-packages" in p]
    env = {k: v for k, v in os.environ.items() if k not in ("MLPREP_BANK", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), *deps])
    out = subprocess.run(
        [
            sys.executable,
            "-s",
            "-c",
            "from mlprep.cli import main; main(['list', '--format', 'json'])",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert '"bn-normalize-step"' in out.stdout
    where = subprocess.run(
        [sys.executable, "-s", "-c", "import mlprep; print(mlprep.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(target))
