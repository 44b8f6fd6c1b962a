"""Where trusted implementations come from: ``reference`` (NumPy; never imports torch)."""

from __future__ import annotations

import importlib
from types import ModuleType


def numpy_reference() -> ModuleType:
    return importlib.import_module("reference")


def solution(exercise_id: str) -> ModuleType:
    """The trusted solution of an exercise: ``reference/solutions/<id_with_underscores>.py``."""
    return importlib.import_module("reference.solutions." + exercise_id.replace("-", "_"))
