"""Content: the typed models of questions and exercises, and the one loader that reads them."""

from mlprep.content._check import check_bank, exercise_source_hash
from mlprep.content._loader import Bank, collect, default_root, load_bank
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
    Reference,
    SpotTheError,
    Vetting,
)
from mlprep.content._problems import Problem

__all__ = [
    "DIFFICULTIES",
    "Bank",
    "BankConfig",
    "Choice",
    "Exercise",
    "ExerciseLocale",
    "LocaleText",
    "MathError",
    "Misconception",
    "Numeric",
    "Problem",
    "Question",
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
