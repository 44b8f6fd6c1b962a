"""A small bank for site tests: every question kind, Chinese text to search, one exercise.

Translations are written with a placeholder hash and stamped with ``mlprep stamp``, the way authors
do it, so the fixtures stay valid when the hash recipe changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = "000000000000"
REF = [
    {
        "kind": "paper",
        "title": "Batch Normalization: Accelerating Deep Network Training",
        "authors": "Sergey Ioffe, Christian Szegedy",
        "year": 2015,
        "url": "https://arxiv.org/abs/1502.03167",
    }
]
VETTED = {"status": "vetted", "date": "2026-11-22", "checked": "fixture for site tests"}


def _locales(en: dict[str, Any], hans: dict[str, Any], hant: dict[str, Any]) -> dict[str, Any]:
    return {
        "en": en,
        "zh-Hans": {"translated_from": PLACEHOLDER, **hans},
        "zh-Hant": {"translated_from": PLACEHOLDER, **hant},
    }


QUESTIONS: dict[str, dict[str, Any]] = {
    "bn-running-momentum": {
        "kind": "choice",
        "tags": ["batchnorm", "running-stats"],
        "difficulty": "medium",
        "choice": {"correct": [1], "multiple": False},
        "locales": _locales(
            {
                "title": "What does momentum mean for BatchNorm running statistics?",
                "prompt": "In PyTorch, `momentum=0.1` updates the running mean how?",
                "answer": "The new observation gets weight $0.1$: $\\hat{\\mu} \\leftarrow 0.9\\,\\hat{\\mu} + 0.1\\,\\mu_\\mathcal{B}$.",
                "key_points": [
                    "The exponential moving average weights the *new* batch by momentum"
                ],
                "options": [
                    "The old running mean gets weight $0.1$",
                    "The new batch mean gets weight $0.1$",
                    "Momentum is unused in evaluation mode and training",
                ],
            },
            {
                "title": "批归一化滑动统计量中的动量是什么意思？",
                "prompt": "在 PyTorch 中，`momentum=0.1` 如何更新滑动均值？",
                "answer": "新的观测值权重为 $0.1$：滑动平均按动量加权新批次的均值。",
                "key_points": ["指数滑动平均按动量加权新批次"],
                "options": [
                    "旧的滑动均值权重为 $0.1$",
                    "新批次均值权重为 $0.1$",
                    "训练和推理都不使用动量",
                ],
            },
            {
                "title": "批次正規化移動統計量中的動量是什麼意思？",
                "prompt": "在 PyTorch 中，`momentum=0.1` 如何更新移動平均值？",
                "answer": "新的觀測值權重為 $0.1$：移動平均依動量加權新批次的平均值。",
                "key_points": ["指數移動平均依動量加權新批次"],
                "options": [
                    "舊的移動平均值權重為 $0.1$",
                    "新批次平均值權重為 $0.1$",
                    "訓練與推論都不使用動量",
                ],
            },
        ),
    },
    "bn-param-count": {
        "kind": "numeric",
        "tags": ["batchnorm", "parameters"],
        "difficulty": "easy",
        "numeric": {"value": 128, "tolerance": 0},
        "locales": _locales(
            {
                "title": "How many learnable parameters does BatchNorm2d(64) have?",
                "prompt": "Count the learnable parameters of `nn.BatchNorm2d(64)`.",
                "answer": "$2 \\times 64 = 128$: one $\\gamma$ and one $\\beta$ per channel.",
            },
            {
                "title": "BatchNorm2d(64) 有多少可学习参数？",
                "prompt": "数一数 `nn.BatchNorm2d(64)` 的可学习参数。",
                "answer": "$2 \\times 64 = 128$：每个通道一个 $\\gamma$ 和一个 $\\beta$。",
            },
            {
                "title": "BatchNorm2d(64) 有多少可學習參數？",
                "prompt": "數一數 `nn.BatchNorm2d(64)` 的可學習參數。",
                "answer": "$2 \\times 64 = 128$：每個通道一個 $\\gamma$ 和一個 $\\beta$。",
            },
        ),
    },
    "bn-spot-eval": {
        "kind": "spot-the-error",
        "tags": ["batchnorm", "train-vs-eval"],
        "difficulty": "hard",
        "spot": {"wrong": [0]},
        "locales": _locales(
            {
                "title": "Spot the error: BatchNorm at inference",
                "prompt": "Which statements are wrong?",
                "answer": "In `eval()` mode BatchNorm uses the running estimates, not batch statistics.",
                "statements": [
                    "In eval mode BatchNorm normalizes with the current batch statistics",
                    "In eval mode the running estimates are not updated",
                ],
            },
            {
                "title": "找错：推理时的批归一化",
                "prompt": "哪些陈述是错的？",
                "answer": "`eval()` 模式下使用滑动估计，而不是批统计量。",
                "statements": ["推理模式用当前批次的统计量归一化", "推理模式不更新滑动估计"],
            },
            {
                "title": "找錯：推論時的批次正規化",
                "prompt": "哪些陳述是錯的？",
                "answer": "`eval()` 模式下使用移動估計，而不是批次統計量。",
                "statements": ["推論模式用目前批次的統計量正規化", "推論模式不更新移動估計"],
            },
        ),
    },
    "bn-forward-exercise": {
        "kind": "exercise",
        "tags": ["batchnorm", "exercise"],
        "difficulty": "medium",
        "exercise": "bn-forward-numpy",
        "locales": _locales(
            {
                "title": "Implement the BatchNorm forward pass",
                "prompt": "Write `batchnorm_forward` in NumPy.",
                "answer": "See the exercise: normalize with the biased variance, then scale and shift.",
            },
            {
                "title": "实现批归一化前向传播",
                "prompt": "用 NumPy 写出 `batchnorm_forward`。",
                "answer": "见练习：用有偏方差归一化，再缩放和平移。",
            },
            {
                "title": "實作批次正規化前向傳播",
                "prompt": "用 NumPy 寫出 `batchnorm_forward`。",
                "answer": "見練習：用有偏變異數正規化，再縮放與平移。",
            },
        ),
    },
    "ln-draft-stale": {
        "kind": "open",
        "tags": ["layernorm"],
        "difficulty": "easy",
        "vetting": {"status": "draft"},
        "locales": _locales(
            {
                "title": "Over which axes does LayerNorm normalize?",
                "prompt": "Name the axes.",
                "answer": "Over the last `normalized_shape` dimensions of each example.",
            },
            {
                "title": "层归一化在哪些维度上归一化？",
                "prompt": "说出维度。",
                "answer": "每个样本的最后几个维度。",
            },
            {
                "title": "層正規化在哪些維度上正規化？",
                "prompt": "說出維度。",
                "answer": "每個樣本的最後幾個維度。",
            },
        ),
    },
}

EXERCISE = {
    "id": "bn-forward-numpy",
    "kind": "numpy-function",
    "tags": ["batchnorm", "exercise"],
    "difficulty": "medium",
    "starter": "starter.py",
    "entry_points": ["batchnorm_forward"],
    "allowed_imports": ["numpy"],
    "related_questions": ["bn-forward-exercise"],
    "locales": {
        "en": {
            "title": "BatchNorm forward in NumPy",
            "statement": "statement.en.md",
            "hints": ["Use `x.var(axis=0)`: it is biased by default"],
        },
        "zh-Hans": {
            "title": "用 NumPy 实现批归一化前向",
            "statement": "statement.zh-Hans.md",
            "hints": ["`x.var(axis=0)` 默认是有偏方差"],
            "translated_from": PLACEHOLDER,
        },
        "zh-Hant": {
            "title": "用 NumPy 實作批次正規化前向",
            "statement": "statement.zh-Hant.md",
            "hints": ["`x.var(axis=0)` 預設是有偏變異數"],
            "translated_from": PLACEHOLDER,
        },
    },
}

STATEMENTS = {
    "en": "Implement `batchnorm_forward(x, gamma, beta, eps)` for $x$ of shape $(N, D)$.\n\n"
    "$$\\hat{x} = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}$$\n",
    "zh-Hans": "实现 `batchnorm_forward(x, gamma, beta, eps)`，$x$ 的形状为 $(N, D)$。\n",
    "zh-Hant": "實作 `batchnorm_forward(x, gamma, beta, eps)`，$x$ 的形狀為 $(N, D)$。\n",
}

STARTER = "import numpy as np\n\n\ndef batchnorm_forward(x, gamma, beta, eps=1e-5):\n    raise NotImplementedError\n"


def write_question(root: Path, qid: str, spec: dict[str, Any], topic: str = "batchnorm") -> Path:
    data = {"id": qid, "references": REF, "vetting": VETTED, **spec}
    path = root / "questions" / topic / f"{qid}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def make_bank(root: Path, env: dict[str, str]) -> Path:
    """Write the fixture bank under ``root`` and stamp its translations."""
    (root / "questions").mkdir(parents=True)
    shutil.copy(REPO / "questions" / "_bank.yaml", root / "questions" / "_bank.yaml")
    shutil.copy(
        REPO / "questions" / "batchnorm" / "bn-normalize-step.yaml",
        (root / "questions" / "batchnorm").mkdir(parents=True) or root / "questions" / "batchnorm",
    )
    for qid, spec in QUESTIONS.items():
        write_question(root, qid, spec, "layernorm" if qid.startswith("ln-") else "batchnorm")
    folder = root / "exercises" / EXERCISE["id"]
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(
        yaml.safe_dump(EXERCISE, allow_unicode=True, sort_keys=False), "utf-8"
    )
    for code, text in STATEMENTS.items():
        (folder / f"statement.{code}.md").write_text(text, "utf-8")
    (folder / "starter.py").write_text(STARTER, "utf-8")
    stamp(env, *QUESTIONS, EXERCISE["id"])
    # make one draft translation stale: change the English after stamping
    path = root / "questions" / "layernorm" / "ln-draft-stale.yaml"
    path.write_text(path.read_text("utf-8").replace("Name the axes.", "Name the axes, please."))
    return root


def stamp(env: dict[str, str], *ids: str) -> None:
    from mlprep.cli import cli

    result = CliRunner().invoke(cli, ["stamp", *ids], env=env)
    assert result.exit_code == 0, result.output
