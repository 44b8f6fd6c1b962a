"""The known mistakes: how to reproduce each (variant knobs) and what to tell the learner.

Messages are data: ``name`` (what the mistake is) and ``hint`` (how to fix it) in every locale
the bank declares; zh-Hant follows questions/_glossary.yaml (正規化, 變異數, 平均值, 推論…).
``question`` links the bank question that explains the concept. Order matters: the first
variant that reproduces the submission's outputs names the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from grader._diagnose._torch_variants import TorchKnobs
from grader._diagnose._variants import Knobs, MergeKnobs, fix_namespace, merge_namespace, namespace


@dataclass(frozen=True)
class Mistake:
    id: str
    text: dict[str, tuple[str, str]]  # locale -> (name, hint)
    knobs: Knobs | MergeKnobs | TorchKnobs | None = None  # None: recognised another way
    question: str | None = None
    torch: dict[str, object] = field(default_factory=dict)  # torch-module variant options

    def module(self, kind: str):
        """The variant shaped like a submission of this exercise kind."""
        if isinstance(self.knobs, MergeKnobs):
            return merge_namespace(self.knobs)
        if isinstance(self.knobs, TorchKnobs):
            from grader._diagnose import _torch_variants as tv

            if self.knobs.grads is not None:
                return tv.function_namespace(self.knobs)
            if self.knobs.evaluate is not None:
                return tv.evaluate_namespace(self.knobs)
            return tv.module_namespace(self.knobs)
        if kind == "numpy-fix":
            return fix_namespace(self.knobs)
        return namespace(self.knobs)


def _m(
    id: str,
    knobs: Knobs | None,
    en: tuple[str, str],
    hans: tuple[str, str],
    hant: tuple[str, str],
    question: str | None = None,
    **torch: object,
) -> Mistake:
    return Mistake(id, {"en": en, "zh-Hans": hans, "zh-Hant": hant}, knobs, question, torch)


Q_NORMALIZE = "bn-normalize-step"

MISTAKES: list[Mistake] = [
    _m(
        "running-stats-not-written-back",
        Knobs(no_writeback=True),
        (
            "running statistics are not written back",
            "Store the updated running_mean and running_var in bn_param; rebinding a local name does not change the dict the caller holds.",
        ),
        (
            "滑动统计量没有写回",
            "把更新后的 running_mean 和 running_var 存回 bn_param；只给局部变量重新赋值不会改变调用者手里的字典。",
        ),
        (
            "滑動統計量沒有寫回",
            "把更新後的 running_mean 和 running_var 存回 bn_param；只替區域變數重新賦值不會改變呼叫者手上的字典。",
        ),
    ),
    _m(
        "momentum-flipped",
        Knobs(momentum_flipped=True),
        (
            "momentum applied to the wrong term",
            "In this convention running = momentum * running + (1 - momentum) * batch: momentum weights the old value.",
        ),
        (
            "动量系数用反了",
            "这里的约定是 running = momentum * running + (1 - momentum) * batch：momentum 乘的是旧值。",
        ),
        (
            "動量係數用反了",
            "這裡的約定是 running = momentum * running + (1 - momentum) * batch：momentum 乘的是舊值。",
        ),
    ),
    _m(
        "batch-stats-at-test",
        Knobs(test_batch_stats=True),
        (
            "test mode normalizes with the batch's own statistics",
            "At inference, normalize with running_mean and running_var, so a sample's output does not depend on the rest of its batch.",
        ),
        (
            "测试模式用了当前批次的统计量",
            "推理时应使用 running_mean 和 running_var 归一化，这样样本的输出才不依赖同批次的其他样本。",
        ),
        (
            "測試模式用了目前批次的統計量",
            "推論時應使用 running_mean 和 running_var 正規化，這樣樣本的輸出就不會依賴同批次的其他樣本。",
        ),
    ),
    _m(
        "no-running-stats",
        Knobs(test_batch_stats=True, no_writeback=True),
        (
            "no running statistics: inference normalizes with the batch's own statistics",
            "Keep running_mean and running_var updated in training, and normalize with them at inference.",
        ),
        (
            "没有滑动统计量：推理时用当前批次的统计量归一化",
            "训练时更新 running_mean 和 running_var，推理时用它们归一化。",
        ),
        (
            "沒有滑動統計量：推論時用目前批次的統計量正規化",
            "訓練時更新 running_mean 和 running_var，推論時用它們正規化。",
        ),
    ),
    _m(
        "mode-ignored",
        Knobs(test_like_train=True),
        (
            "test mode behaves like training mode",
            "Branch on bn_param['mode']: in 'test' use the running statistics and leave them unchanged.",
        ),
        (
            "测试模式和训练模式行为相同",
            "根据 bn_param['mode'] 分支：'test' 时使用滑动统计量，并且不要修改它们。",
        ),
        (
            "測試模式和訓練模式行為相同",
            "依 bn_param['mode'] 分支：'test' 時使用滑動統計量，並且不要修改它們。",
        ),
    ),
    _m(
        "unbiased-variance",
        Knobs(ddof=1),
        (
            "normalized with the unbiased variance",
            "Batch norm normalizes with the biased batch variance: divide by N, not N - 1 (np.var's default ddof=0).",
        ),
        (
            "归一化用了无偏方差",
            "批归一化用有偏的批方差归一化：除以 N 而不是 N - 1（np.var 默认 ddof=0）。",
        ),
        (
            "正規化用了不偏變異數",
            "批次正規化用有偏的批次變異數正規化：除以 N 而不是 N - 1（np.var 預設 ddof=0）。",
        ),
        Q_NORMALIZE,
    ),
    _m(
        "running-var-unbiased",
        Knobs(running_var_ddof=1),
        (
            "running variance uses the unbiased estimate",
            "In the CS231n convention the running variance averages the same biased variance used to normalize.",
        ),
        ("滑动方差用了无偏估计", "在 CS231n 约定中，滑动方差累积的是归一化时用的同一个有偏方差。"),
        (
            "滑動變異數用了不偏估計",
            "在 CS231n 約定中，滑動變異數累積的是正規化時用的同一個有偏變異數。",
        ),
    ),
    _m(
        "running-var-is-std",
        Knobs(std_as_running_var=True),
        (
            "running variance accumulates the standard deviation",
            "Accumulate the variance itself; the square root belongs only in the normalization.",
        ),
        ("滑动方差累积的是标准差", "累积方差本身；平方根只出现在归一化那一步。"),
        ("滑動變異數累積的是標準差", "累積變異數本身；平方根只出現在正規化那一步。"),
    ),
    _m(
        "eps-outside-sqrt",
        Knobs(eps_outside=True),
        (
            "eps added outside the square root",
            "Use 1 / sqrt(var + eps): eps belongs under the square root, where it keeps a zero variance finite.",
        ),
        (
            "eps 加在了平方根外面",
            "应使用 1 / sqrt(var + eps)：eps 要放在平方根里面，才能让零方差时仍然有限。",
        ),
        (
            "eps 加在了平方根外面",
            "應使用 1 / sqrt(var + eps)：eps 要放在平方根裡面，零變異數時結果仍然有限。",
        ),
        Q_NORMALIZE,
    ),
    _m(
        "eps-missing",
        Knobs(eps_missing=True),
        (
            "eps is missing",
            "Divide by sqrt(var + eps); without eps a constant feature divides by zero.",
        ),
        ("缺少 eps", "除以 sqrt(var + eps)；没有 eps 时，常数特征会除以零。"),
        ("缺少 eps", "除以 sqrt(var + eps)；沒有 eps 時，常數特徵會除以零。"),
        Q_NORMALIZE,
    ),
    _m(
        "one-pass-variance",
        Knobs(one_pass_var=True),
        (
            "variance computed as E[x²] − E[x]²",
            "That formula cancels catastrophically when the mean is large compared with the spread; compute mean((x - mu)**2).",
        ),
        (
            "方差用 E[x²] − E[x]² 计算",
            "当均值远大于离散程度时，这个公式会发生灾难性抵消；请计算 mean((x - mu)**2)。",
        ),
        (
            "變異數用 E[x²] − E[x]² 計算",
            "當平均值遠大於離散程度時，這個公式會發生災難性抵消；請計算 mean((x - mu)**2)。",
        ),
    ),
    _m(
        "wrong-axis",
        Knobs(wrong_axis=True),
        (
            "statistics taken over the wrong axis",
            "Batch norm averages over the batch (axis 0), one mean and variance per feature.",
        ),
        ("统计量的轴取错了", "批归一化沿批次维度（axis 0）求平均，每个特征一个均值和方差。"),
        ("統計量的軸取錯了", "批次正規化沿批次維度（axis 0）求平均，每個特徵一個平均值和變異數。"),
    ),
    _m(
        "layernorm-over-batch",
        Knobs(wrong_axis=True),
        (
            "layer norm statistics taken over the batch",
            "Layer norm averages over the features of each sample (axis 1), never across samples.",
        ),
        (
            "层归一化的统计量沿批次维度计算了",
            "层归一化对每个样本的特征（axis 1）求平均，绝不跨样本。",
        ),
        (
            "層正規化的統計量沿批次維度計算了",
            "層正規化對每個樣本的特徵（axis 1）求平均，絕不跨樣本。",
        ),
    ),
    _m(
        "spatial-reshape-without-transpose",
        Knobs(spatial_no_transpose=True),
        (
            "x reshaped to (N*H*W, C) without moving C last",
            "Transpose (N, C, H, W) to (N, H, W, C) before reshaping to (-1, C), and transpose back after.",
        ),
        (
            "没有先把 C 移到最后就 reshape 成 (N*H*W, C)",
            "先把 (N, C, H, W) 转置为 (N, H, W, C)，再 reshape 成 (-1, C)，最后转置回来。",
        ),
        (
            "沒有先把 C 移到最後就 reshape 成 (N*H*W, C)",
            "先把 (N, C, H, W) 轉置為 (N, H, W, C)，再 reshape 成 (-1, C)，最後轉置回來。",
        ),
    ),
    _m(
        "groupnorm-strided-groups",
        Knobs(group_strided=True),
        (
            "groups take every G-th channel instead of consecutive channels",
            "Group g holds channels g*C/G … (g+1)*C/G - 1: reshape x to (N, G, C//G, H, W).",
        ),
        (
            "分组取了每隔 G 个通道，而不是连续的通道",
            "第 g 组是通道 g*C/G 到 (g+1)*C/G - 1：把 x reshape 成 (N, G, C//G, H, W)。",
        ),
        (
            "分組取了每隔 G 個通道，而不是連續的通道",
            "第 g 組是通道 g*C/G 到 (g+1)*C/G - 1：把 x reshape 成 (N, G, C//G, H, W)。",
        ),
    ),
    _m(
        "groupnorm-per-channel",
        Knobs(per_channel=True),
        (
            "normalized per channel (instance norm), not per group",
            "Pool the statistics over all C/G channels of a group and its H*W positions.",
        ),
        (
            "按通道归一化了（实例归一化），而不是按组",
            "统计量要在一组的全部 C/G 个通道及其 H*W 个位置上汇总。",
        ),
        (
            "按通道正規化了（實例正規化），而不是按組",
            "統計量要在一組的全部 C/G 個通道及其 H*W 個位置上彙總。",
        ),
    ),
    _m(
        "dgamma-dbeta-swapped",
        Knobs(swap_dgamma_dbeta=True),
        (
            "dgamma and dbeta swapped",
            "dbeta = sum(dout) and dgamma = sum(dout * x_hat), over the batch.",
        ),
        ("dgamma 和 dbeta 互换了", "dbeta = sum(dout)，dgamma = sum(dout * x_hat)，都沿批次求和。"),
        ("dgamma 和 dbeta 互換了", "dbeta = sum(dout)，dgamma = sum(dout * x_hat)，都沿批次求和。"),
    ),
    _m(
        "dgamma-uses-x",
        Knobs(dgamma_uses_x=True),
        (
            "dgamma uses x instead of x_hat",
            "gamma multiplies x_hat, so dgamma = sum(dout * x_hat).",
        ),
        ("dgamma 用了 x 而不是 x_hat", "gamma 乘的是 x_hat，所以 dgamma = sum(dout * x_hat)。"),
        ("dgamma 用了 x 而不是 x_hat", "gamma 乘的是 x_hat，所以 dgamma = sum(dout * x_hat)。"),
    ),
    _m(
        "dx-missing-mean-path",
        Knobs(no_mean_path=True),
        (
            "dx misses the path through the mean",
            "x affects the output through the mean too: subtract mean(dx_hat) over the batch.",
        ),
        ("dx 缺少经过均值的那条路径", "x 也通过均值影响输出：要减去 dx_hat 沿批次的均值。"),
        ("dx 缺少經過平均值的那條路徑", "x 也透過平均值影響輸出：要減去 dx_hat 沿批次的平均值。"),
    ),
    _m(
        "dx-missing-variance-path",
        Knobs(no_var_path=True),
        (
            "dx misses the path through the variance",
            "x affects the output through the variance too: subtract x_hat * mean(dx_hat * x_hat).",
        ),
        (
            "dx 缺少经过方差的那条路径",
            "x 也通过方差影响输出：要减去 x_hat * mean(dx_hat * x_hat)。",
        ),
        (
            "dx 缺少經過變異數的那條路徑",
            "x 也透過變異數影響輸出：要減去 x_hat * mean(dx_hat * x_hat)。",
        ),
    ),
    _m(
        "dx-missing-gamma",
        Knobs(dx_no_gamma=True),
        ("dx forgets gamma", "dx_hat = dout * gamma: the scale sits between x_hat and the output."),
        ("dx 漏掉了 gamma", "dx_hat = dout * gamma：缩放位于 x_hat 和输出之间。"),
        ("dx 漏掉了 gamma", "dx_hat = dout * gamma：縮放位於 x_hat 和輸出之間。"),
    ),
    _m(
        "dx-sum-not-mean",
        Knobs(dx_sum_not_mean=True),
        (
            "dx uses sums where means belong (off by a factor of N)",
            "The mean and variance are averages, so their terms in dx carry a 1/N.",
        ),
        (
            "dx 在应当取平均的地方用了求和（差 N 倍）",
            "均值和方差都是平均值，所以它们在 dx 中的项带有 1/N。",
        ),
        (
            "dx 在應當取平均的地方用了求和（差 N 倍）",
            "平均值和變異數都是平均，所以它們在 dx 中的項帶有 1/N。",
        ),
    ),
    _m(
        "downcast-float32",
        Knobs(cast="float32"),
        (
            "float64 input computed or returned in float32",
            "Keep the input's dtype: avoid np.float32 constants and astype(np.float32).",
        ),
        (
            "float64 输入被降为 float32 计算或返回",
            "保持输入的 dtype：不要用 np.float32 常量或 astype(np.float32)。",
        ),
        (
            "float64 輸入被降為 float32 計算或傳回",
            "保持輸入的 dtype：不要用 np.float32 常數或 astype(np.float32)。",
        ),
    ),
    _m(
        "upcast-output",
        Knobs(cast="float64"),
        (
            "float32 input returned as float64",
            "Return the input's dtype; if you compute in float64 inside, cast the result back.",
        ),
        (
            "float32 输入却返回了 float64",
            "返回输入的 dtype；如果内部用 float64 计算，最后要转换回来。",
        ),
        (
            "float32 輸入卻傳回了 float64",
            "傳回輸入的 dtype；如果內部用 float64 計算，最後要轉換回來。",
        ),
    ),
    _m(
        "fold-eps-missing",
        Knobs(eps_missing=True),
        ("folding ignores eps", "The BN scale is gamma / sqrt(running_var + eps), eps included."),
        ("折叠时忽略了 eps", "BN 的缩放是 gamma / sqrt(running_var + eps)，要包含 eps。"),
        ("摺疊時忽略了 eps", "BN 的縮放是 gamma / sqrt(running_var + eps)，要包含 eps。"),
    ),
    _m(
        "fold-mean-not-subtracted",
        Knobs(no_mean_path=True),
        (
            "folded bias does not subtract the running mean",
            "b' = beta + (b - running_mean) * gamma / sqrt(running_var + eps).",
        ),
        (
            "折叠后的偏置没有减去滑动均值",
            "b' = beta + (b - running_mean) * gamma / sqrt(running_var + eps)。",
        ),
        (
            "摺疊後的偏置沒有減去滑動平均值",
            "b' = beta + (b - running_mean) * gamma / sqrt(running_var + eps)。",
        ),
    ),
    _m(
        "fold-bias-not-scaled",
        Knobs(dx_no_gamma=True),
        (
            "folded bias is not scaled",
            "The bias passes through BN too: multiply (b - running_mean) by the scale.",
        ),
        ("折叠后的偏置没有乘缩放", "偏置同样经过 BN：(b - running_mean) 也要乘以缩放。"),
        ("摺疊後的偏置沒有乘縮放", "偏置同樣經過 BN：(b - running_mean) 也要乘以縮放。"),
    ),
    _m(
        "fold-var-as-std",
        Knobs(std_as_running_var=True),
        (
            "running_var used as if it were a standard deviation",
            "running_var is a variance: take sqrt(running_var + eps).",
        ),
        ("把 running_var 当作标准差使用了", "running_var 是方差：要取 sqrt(running_var + eps)。"),
        ("把 running_var 當作標準差使用了", "running_var 是變異數：要取 sqrt(running_var + eps)。"),
    ),
    # recognised without a variant
    _m(
        "inplace-input",
        None,
        (
            "an input array was modified in place",
            "Operations like x -= mu change the caller's array; write x_c = x - mu instead.",
        ),
        ("输入数组被就地修改了", "x -= mu 这样的运算会改动调用者的数组；请改写为 x_c = x - mu。"),
        ("輸入陣列被就地修改了", "x -= mu 這樣的運算會改動呼叫者的陣列；請改寫為 x_c = x - mu。"),
    ),
    _m(
        "hardcoded-shape",
        None,
        (
            "works only for the example's shape",
            "Take N, D (or N, C, H, W) from x.shape instead of fixed numbers.",
        ),
        ("只适用于示例的形状", "从 x.shape 取得 N、D（或 N、C、H、W），不要写死数字。"),
        ("只適用於範例的形狀", "從 x.shape 取得 N、D（或 N、C、H、W），不要寫死數字。"),
    ),
    _m(
        "running-stats-not-initialised",
        None,
        (
            "fails when bn_param has no running statistics yet",
            "Start from zeros when bn_param has no running_mean/running_var: bn_param.get('running_mean', np.zeros(D, dtype=x.dtype)).",
        ),
        (
            "bn_param 还没有滑动统计量时出错",
            "bn_param 中没有 running_mean/running_var 时从零开始：bn_param.get('running_mean', np.zeros(D, dtype=x.dtype))。",
        ),
        (
            "bn_param 還沒有滑動統計量時出錯",
            "bn_param 中沒有 running_mean/running_var 時從零開始：bn_param.get('running_mean', np.zeros(D, dtype=x.dtype))。",
        ),
    ),
]

from grader._diagnose._catalog_more import MORE  # noqa: E402  (they use _m and Mistake)

MISTAKES += MORE

# The bank question that explains each mistake's concept (tests check that each id exists).
QUESTIONS: dict[str, str] = {
    "running-stats-not-written-back": "running-stats-are-buffers",
    "momentum-flipped": "equivalent-momentum-settings",
    "batch-stats-at-test": "bn-train-vs-inference-modes",
    "no-running-stats": "batch-dependent-predictions",
    "mode-ignored": "bn-layer-train-and-eval",
    "running-var-unbiased": "cs231n-running-var-two-steps",
    "running-var-is-std": "cs231n-running-var-two-steps",
    "wrong-axis": "bn-conv-axes-choice",
    "layernorm-over-batch": "bn-vs-layernorm",
    "spatial-reshape-without-transpose": "bn-conv-axes-choice",
    "groupnorm-strided-groups": "groupnorm-axes-nchw",
    "groupnorm-per-channel": "groupnorm-special-cases",
    "dgamma-dbeta-swapped": "bn-backward-derivation",
    "dgamma-uses-x": "bn-backward-derivation",
    "dx-missing-mean-path": "backward-mean-variance-paths",
    "dx-missing-variance-path": "backward-mean-variance-paths",
    "dx-missing-gamma": "bn-backward-derivation",
    "dx-sum-not-mean": "bn-backward-derivation",
    "fold-eps-missing": "bn-folding-formula",
    "fold-mean-not-subtracted": "bn-folding-formula",
    "fold-bias-not-scaled": "bn-folding-formula",
    "fold-var-as-std": "bn-folding-formula",
    "syncbn-unweighted-mean": "syncbn",
    "syncbn-within-variance-only": "syncbn",
    "syncbn-one-pass-variance": "syncbn",
    "syncbn-empty-shard": "syncbn",
    "torch-biased-running-var": "pytorch-running-var-unbiased",
    "torch-momentum-flipped": "pytorch-running-mean-three-steps",
    "torch-eval-batch-stats": "eval-mode-bn-output",
    "torch-batches-not-counted": "momentum-none-cumulative-average",
    "torch-dx-missing-mean-path": "backward-mean-variance-paths",
    "torch-dx-missing-variance-path": "backward-mean-variance-paths",
    "torch-dgamma-dbeta-swapped": "bn-backward-derivation",
    "torch-eval-not-called": "validation-in-train-mode",
    "torch-outputs-keep-grad": "eval-vs-no-grad",
    "torch-train-forced-after": "pytorch-freeze-bn",
    "torch-not-restored-on-error": "pytorch-freeze-bn",
    "running-stats-not-initialised": "running-stats-initial-value-decay",
}
MISTAKES = [
    replace(m, question=QUESTIONS[m.id]) if m.question is None and m.id in QUESTIONS else m
    for m in MISTAKES
]
BY_ID: dict[str, Mistake] = {m.id: m for m in MISTAKES}
