"""Content: the typed models of questions and exercises, and the one loader that reads them.

Names are re-exported lazily (PEP 562) so ``from mlprep.content import load_bank`` does not pay for
the checker's Markdown and LaTeX machinery: the quiz's start-up time is a product requirement.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "check_bank": "_check",
    "exercise_source_hash": "_loader",
    "Bank": "_loader",
    "collect": "_loader",
    "default_root": "_loader",
    "load_bank": "_loader",
    "MathError": "_markdown",
    "scan": "_markdown",
    "to_mathml": "_markdown",
    "DIFFICULTIES": "_records",
    "BankConfig": "_models",
    "Choice": "_models",
    "Exercise": "_models",
    "ExerciseLocale": "_models",
    "LocaleText": "_models",
    "Misconception": "_models",
    "Numeric": "_models",
    "Question": "_models",
    "QuestionHeader": "_models",
    "Reference": "_models",
    "SpotTheError": "_models",
    "Vetting": "_models",
    "Problem": "_problems",
}

__all__ = [
    "Bank",
    "BankConfig",
    "Choice",
    "DIFFICULTIES",
    "Exercise",
    "ExerciseLocale",
    "LocaleText",
    "MathError",
    "Misconception",
    "Numeric",
    "Problem",
    "Question",
    "QuestionHeader",
    "Reference",
    "SpotTheError",
    "Vetting",
    "check_bank",
    "collect",
    "default_root",
    "exercise_source_hash",
    "load_bank",
    "scan",
    "to_mathml",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'mlprep.content' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"mlprep.content.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from mlprep.content._check import check_bank
    from mlprep.content._loader import Bank, collect, default_root, exercise_source_hash, load_bank
    from mlprep.content._markdown import MathError, scan, to_mathml
    from mlprep.content._models import (
        DIFFICULTIES,
        BankConfig,
        Choice,
        Exercise,
        ExerciseLocale,
        LocaleText,
        Misconception,
        Numeric,
        Question,
        QuestionHeader,
        Reference,
        SpotTheError,
        Vetting,
    )
    from mlprep.content._problems import Problem
