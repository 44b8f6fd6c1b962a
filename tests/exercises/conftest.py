"""Fixtures for the exercise tests."""

from __future__ import annotations

import pytest
from exercise_helpers import ROOT

from mlprep.content import Bank, load_bank


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(ROOT)
