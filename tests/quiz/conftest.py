"""A small bank of every kind, built in a tmp dir, and the environment that points mlprep at it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from mlprep.content import LocaleText, load_bank

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning, UTC


def _en(**extra) -> dict:
    text = {
        "title": extra.pop("title"),
        "prompt": extra.pop("prompt"),
        "answer": extra.pop("answer"),
        "key_points": extra.pop("key_points", ["A key point with $\\epsilon$"]),
        "misconceptions": extra.pop(
            "misconceptions",
            [{"claim": "A wrong claim.", "correction": "Why it is wrong."}],
        ),
    }
    text.update(extra)
    return text


def _question(qid: str, kind: str, tags: list[str], en: dict, difficulty="easy", **top) -> dict:
    return {
        "id": qid,
        "kind": kind,
        "tags": tags,
        "difficulty": difficulty,
        "source_locale": "en",
        "vetting": {"status": "draft"},
        "locales": {"en": en},
        **top,
    }


def _translate(q: dict, code: str, **text) -> None:
    source_hash = LocaleText.model_validate(q["locales"]["en"]).source_hash()
    q["locales"][code] = {**q["locales"]["en"], **text, "translated_from": source_hash}


def fixture_questions() -> dict[str, tuple[str, dict]]:
    """id -> (topic, question dict): one per kind, plus a second choice and a second open one."""
    qs: dict[str, tuple[str, dict]] = {}
    q = _question(
        "fx-open",
        "open",
        ["batchnorm", "fundamentals"],
        _en(
            title="Where does $\\epsilon$ go?",
            prompt="Write $\\hat{x}_i$ for batch norm.",
            answer="$$\\hat{x}_i = \\frac{x_i-\\mu}{\\sqrt{\\sigma^2+\\epsilon}}$$\n\nInside the root.",
            key_points=["$\\epsilon$ sits inside $\\sqrt{\\cdot}$"],
        ),
    )
    _translate(
        q,
        "zh-Hans",
        title="$\\epsilon$ 放在哪里？",
        answer="在平方根之内：$\\sqrt{\\sigma^2+\\epsilon}$。",
    )
    qs["fx-open"] = ("batchnorm", q)
    qs["fx-choice"] = (
        "batchnorm",
        _question(
            "fx-choice",
            "choice",
            ["batchnorm", "train-vs-eval"],
            _en(
                title="Which statistics does BN use in eval mode?",
                prompt="Pick one.",
                answer="The running estimates.",
                options=["Batch statistics", "Running estimates", "Zero and one"],
            ),
            choice={"correct": [1]},
        ),
    )
    qs["fx-multi"] = (
        "layernorm",
        _question(
            "fx-multi",
            "choice",
            ["layernorm"],
            _en(
                title="Which normalize over features?",
                prompt="Pick every correct option.",
                answer="LayerNorm and RMSNorm.",
                options=["LayerNorm", "BatchNorm", "RMSNorm", "None"],
            ),
            difficulty="medium",
            choice={"correct": [0, 2], "multiple": True},
        ),
    )
    qs["fx-numeric"] = (
        "batchnorm",
        _question(
            "fx-numeric",
            "numeric",
            ["numerics"],
            _en(
                title="Default momentum",
                prompt="PyTorch's BatchNorm momentum default?",
                answer="0.1",
            ),
            numeric={"value": 0.1, "tolerance": 1e-9},
        ),
    )
    qs["fx-spot"] = (
        "batchnorm",
        _question(
            "fx-spot",
            "spot-the-error",
            ["batchnorm"],
            _en(
                title="Spot the error",
                prompt="Which statements are wrong?",
                answer="Statement 2 is wrong.",
                statements=["BN normalizes per channel.", "BN has no parameters.", "BN uses eps."],
            ),
            spot={"wrong": [1]},
        ),
    )
    qs["fx-exercise"] = (
        "exercises",
        _question(
            "fx-exercise",
            "exercise",
            ["exercise"],
            _en(
                title="Implement BN forward",
                prompt="Write the forward pass.",
                answer="See the reference.",
            ),
            difficulty="hard",
            exercise="fx-bn-forward",
        ),
    )
    return qs


def write_bank(root: Path, questions: dict[str, tuple[str, dict]] | None = None) -> Path:
    (root / "questions").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "questions" / "_bank.yaml", root / "questions" / "_bank.yaml")
    for qid, (topic, data) in (questions or fixture_questions()).items():
        folder = root / "questions" / topic
        folder.mkdir(exist_ok=True)
        (folder / f"{qid}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    ex = root / "exercises" / "fx-bn-forward"
    ex.mkdir(parents=True, exist_ok=True)
    (ex / "statement.en.md").write_text("# BN forward\n", "utf-8")
    exercise = {
        "id": "fx-bn-forward",
        "kind": "numpy-function",
        "tags": ["batchnorm"],
        "difficulty": "easy",
        "locales": {"en": {"title": "Batch norm forward", "statement": "statement.en.md"}},
        "entry_points": ["batchnorm_forward"],
        "allowed_imports": ["numpy"],
    }
    (ex / "exercise.yaml").write_text(yaml.safe_dump(exercise), "utf-8")
    return root


@pytest.fixture
def bank_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_bank(tmp_path / "bank")
    monkeypatch.setenv("MLPREP_BANK", str(root))
    monkeypatch.setenv("MLPREP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLPREP_DB", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    return root


@pytest.fixture
def bank(bank_root: Path):
    return load_bank(bank_root)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


class FakeClock:
    """An injectable ``now``: starts at T0, moves only when told."""

    def __init__(self, start: datetime = T0):
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def new_clock() -> type[FakeClock]:
    """More independent clocks in one test (a fresh one starts at T0 again)."""
    return FakeClock
