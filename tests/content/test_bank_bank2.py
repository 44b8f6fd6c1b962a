"""bank2's entries (questions/inference, conventions, backward): every computable answer recomputed.

Each test reads the stated answer from the YAML through ``load_bank()`` and recomputes it with
torch or numpy, so a wrong value, a wrong correct-option index or a wrong flagged statement fails.
Tolerances: a numeric entry is checked with its own ``numeric.tolerance`` (what a learner gets);
torch-vs-formula comparisons use float64 and rtol=1e-9/atol=1e-12 unless a comment says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from mlprep.content import Question, load_bank  # noqa: E402

FOLDERS = ("inference", "conventions", "backward")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def entry(bank, qid: str) -> Question:
    return bank.questions[qid]


def assert_numeric(bank, qid: str, computed: float) -> None:
    """The entry's stated value must accept the independently computed one (and vice versa)."""
    q = entry(bank, qid)
    assert q.kind == "numeric" and q.numeric is not None
    assert q.numeric.accepts(computed), f"{qid}: states {q.numeric.value}, computed {computed}"


def correct(bank, qid: str) -> set[int]:
    q = entry(bank, qid)
    assert q.choice is not None
    return set(q.choice.correct)


def wrong(bank, qid: str) -> set[int]:
    q = entry(bank, qid)
    assert q.spot is not None
    return set(q.spot.wrong)


def feed(bn: nn.Module, batches: list[list[float]]) -> None:
    """Run 1-feature batches through a BN layer in training mode (no weight update)."""
    bn.train()
    with torch.no_grad():
        for values in batches:
            bn(torch.tensor(values, dtype=torch.float64).view(-1, 1))


# ---------------------------------------------------------------------------- conventions


def test_pytorch_running_mean_three_steps(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)
    feed(bn, [[1.0, 3.0], [3.0, 5.0], [5.0, 7.0]])  # batch means 2, 4, 6
    assert_numeric(bank, "pytorch-running-mean-three-steps", bn.running_mean.item())


def test_pytorch_running_var_is_unbiased(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)
    values = [1.0, 2.0, 3.0, 6.0]
    feed(bn, [values])
    assert_numeric(bank, "pytorch-running-var-unbiased", bn.running_var.item())
    # the entry's point: the running estimate used ddof=1, normalization ddof=0
    expected = 0.9 * 1.0 + 0.1 * np.var(values, ddof=1)
    assert bn.running_var.item() == pytest.approx(expected, rel=1e-12)


def test_keras_moving_mean_two_steps_equals_pytorch_momentum_001(bank):
    # Keras: moving = 0.99 * moving + 0.01 * mean  ==  PyTorch momentum 0.01 (weights the new value)
    keras_value = 0.0
    for mean in (10.0, 20.0):
        keras_value = 0.99 * keras_value + (1 - 0.99) * mean
    bn = nn.BatchNorm1d(1, momentum=0.01, dtype=torch.float64)
    feed(bn, [[9.0, 11.0], [19.0, 21.0]])
    assert bn.running_mean.item() == pytest.approx(keras_value, rel=1e-12)
    assert_numeric(bank, "keras-moving-mean-two-steps", keras_value)


def test_momentum_none_is_cumulative_average(bank):
    bn = nn.BatchNorm1d(1, momentum=None, dtype=torch.float64)
    feed(bn, [[1.0, 3.0], [3.0, 5.0], [8.0, 10.0]])  # batch means 2, 4, 9
    assert bn.num_batches_tracked.item() == 3
    assert_numeric(bank, "momentum-none-cumulative-average", bn.running_mean.item())


def _keras_update(m: float, old: float, new: float) -> float:
    return m * old + (1 - m) * new


def _torch_update(m: float, old: float, new: float) -> float:
    bn = nn.BatchNorm1d(1, momentum=m, dtype=torch.float64)
    with torch.no_grad():
        bn.running_mean.fill_(old)
    feed(bn, [[new - 1.0, new + 1.0]])
    return bn.running_mean.item()


def test_equivalent_momentum_settings(bank):
    # each option as (update A, update B); CS231n shares Keras's convention (momentum on the old value)
    options = [
        (lambda o, n: _torch_update(0.99, o, n), lambda o, n: _keras_update(0.99, o, n)),
        (lambda o, n: _torch_update(0.1, o, n), lambda o, n: _keras_update(0.99, o, n)),
        (lambda o, n: _torch_update(0.1, o, n), lambda o, n: _keras_update(0.9, o, n)),
        (lambda o, n: _torch_update(0.9, o, n), lambda o, n: _keras_update(0.9, o, n)),
    ]
    same = {
        i
        for i, (a, b) in enumerate(options)
        if all(math.isclose(a(o, n), b(o, n), rel_tol=1e-12) for o, n in [(0.0, 5.0), (3.0, -2.0)])
    }
    assert same == correct(bank, "equivalent-momentum-settings")


def test_initial_value_forgotten_after_k_steps(bank):
    bn = nn.BatchNorm1d(1, dtype=torch.float64)  # running_mean starts at 0
    steps = 0
    while True:
        feed(bn, [[0.0, 2.0]])  # batch mean 1, so 1 - running_mean is the initial value's weight
        steps += 1
        if 1.0 - bn.running_mean.item() < 0.01:
            break
    assert_numeric(bank, "running-stats-initial-value-decay", steps)
