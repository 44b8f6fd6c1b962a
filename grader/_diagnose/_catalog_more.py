"""Known mistakes of the synchronized-BN and torch exercises (see _catalog for the format)."""

from __future__ import annotations

from grader._diagnose._catalog import Mistake, _m
from grader._diagnose._torch_variants import TorchKnobs
from grader._diagnose._variants import Knobs, MergeKnobs

MORE: list[Mistake] = [
    _m(
        "syncbn-unweighted-mean",
        MergeKnobs(unweighted_mean=True),
        (
            "device means averaged without weighting by their counts",
            "Weight each device's mean by its count: mean = sum(n_k * mean_k) / n.",
        ),
        (
            "设备均值直接平均，没有按样本数加权",
            "按各设备的样本数加权：mean = sum(n_k * mean_k) / n。",
        ),
        (
            "裝置平均值直接平均，沒有按樣本數加權",
            "按各裝置的樣本數加權：mean = sum(n_k * mean_k) / n。",
        ),
    ),
    _m(
        "syncbn-within-variance-only",
        MergeKnobs(within_only=True),
        (
            "merged variance misses the spread between devices",
            "Add each device's (mean_k - mean)^2 to its variance before weighting: var = sum(n_k * (var_k + (mean_k - mean)^2)) / n.",
        ),
        (
            "合并方差漏掉了设备之间的离散",
            "加权前给每个设备的方差加上 (mean_k - mean)^2：var = sum(n_k * (var_k + (mean_k - mean)^2)) / n。",
        ),
        (
            "合併變異數漏掉了裝置之間的離散",
            "加權前替每個裝置的變異數加上 (mean_k - mean)^2：var = sum(n_k * (var_k + (mean_k - mean)^2)) / n。",
        ),
    ),
    _m(
        "syncbn-one-pass-variance",
        MergeKnobs(one_pass_var=True),
        (
            "merged variance computed as E[x²] − E[x]²",
            "With a large mean the two terms cancel; write the variance with deviations from the merged mean.",
        ),
        (
            "合并方差用 E[x²] − E[x]² 计算",
            "均值很大时两项会相互抵消；请用相对合并均值的偏差来写方差。",
        ),
        (
            "合併變異數用 E[x²] − E[x]² 計算",
            "平均值很大時兩項會相互抵消；請用相對合併平均值的偏差來寫變異數。",
        ),
    ),
    _m(
        "syncbn-empty-shard",
        MergeKnobs(keep_empty=True),
        (
            "empty devices are not ignored",
            "Drop devices whose count is 0 before merging: their rows may hold NaN.",
        ),
        ("没有忽略空设备", "合并前去掉样本数为 0 的设备：它们的行可能是 NaN。"),
        ("沒有忽略空裝置", "合併前去掉樣本數為 0 的裝置：它們的列可能是 NaN。"),
    ),
    _m(
        "torch-biased-running-var",
        TorchKnobs(biased_running_var=True),
        (
            "running_var accumulates the biased variance",
            "PyTorch normalizes with the biased variance but stores the unbiased one (n / (n - 1)) in running_var.",
        ),
        (
            "running_var 累积了有偏方差",
            "PyTorch 用有偏方差归一化，但在 running_var 中存的是无偏方差（乘以 n / (n - 1)）。",
        ),
        (
            "running_var 累積了有偏變異數",
            "PyTorch 用有偏變異數正規化，但在 running_var 中存的是不偏變異數（乘以 n / (n - 1)）。",
        ),
    ),
    _m(
        "torch-momentum-flipped",
        TorchKnobs(momentum_flipped=True),
        (
            "momentum used in the CS231n sense",
            "In PyTorch, momentum weights the new batch: running = (1 - momentum) * running + momentum * batch.",
        ),
        (
            "momentum 按 CS231n 的含义使用了",
            "在 PyTorch 中 momentum 乘的是新批次：running = (1 - momentum) * running + momentum * batch。",
        ),
        (
            "momentum 按 CS231n 的含義使用了",
            "在 PyTorch 中 momentum 乘的是新批次：running = (1 - momentum) * running + momentum * batch。",
        ),
    ),
    _m(
        "torch-eval-batch-stats",
        TorchKnobs(eval_batch_stats=True),
        (
            "eval mode normalizes with the batch's statistics",
            "When self.training is False (and running statistics are tracked), use running_mean and running_var.",
        ),
        (
            "eval 模式用了当前批次的统计量",
            "当 self.training 为 False（且记录滑动统计量）时，使用 running_mean 和 running_var。",
        ),
        (
            "eval 模式用了目前批次的統計量",
            "當 self.training 為 False（且記錄滑動統計量）時，使用 running_mean 和 running_var。",
        ),
    ),
    _m(
        "torch-batches-not-counted",
        TorchKnobs(no_count=True),
        (
            "num_batches_tracked is never incremented",
            "Add 1 to num_batches_tracked on every training step; momentum=None averages with 1 / num_batches_tracked.",
        ),
        (
            "num_batches_tracked 从未递增",
            "每个训练步给 num_batches_tracked 加 1；momentum=None 时用 1 / num_batches_tracked 做平均。",
        ),
        (
            "num_batches_tracked 從未遞增",
            "每個訓練步替 num_batches_tracked 加 1；momentum=None 時用 1 / num_batches_tracked 做平均。",
        ),
    ),
    _m(
        "torch-dx-missing-mean-path",
        TorchKnobs(grads=Knobs(no_mean_path=True)),
        (
            "backward: dx misses the path through the mean",
            "mu depends on every row of x: subtract the batch mean of dx_hat.",
        ),
        ("backward：dx 缺少经过均值的路径", "mu 依赖于 x 的每一行：要减去 dx_hat 的批均值。"),
        ("backward：dx 缺少經過平均值的路徑", "mu 依賴於 x 的每一列：要減去 dx_hat 的批次平均值。"),
    ),
    _m(
        "torch-dx-missing-variance-path",
        TorchKnobs(grads=Knobs(no_var_path=True)),
        (
            "backward: dx misses the path through the variance",
            "var depends on every row of x: subtract x_hat * mean(dx_hat * x_hat).",
        ),
        (
            "backward：dx 缺少经过方差的路径",
            "var 依赖于 x 的每一行：要减去 x_hat * mean(dx_hat * x_hat)。",
        ),
        (
            "backward：dx 缺少經過變異數的路徑",
            "var 依賴於 x 的每一列：要減去 x_hat * mean(dx_hat * x_hat)。",
        ),
    ),
    _m(
        "torch-dgamma-dbeta-swapped",
        TorchKnobs(grads=Knobs(swap_dgamma_dbeta=True)),
        (
            "backward returns dgamma and dbeta swapped",
            "Return (dx, dgamma, dbeta, None) in the order of forward's inputs.",
        ),
        (
            "backward 返回的 dgamma 和 dbeta 互换了",
            "按 forward 输入的顺序返回 (dx, dgamma, dbeta, None)。",
        ),
        (
            "backward 傳回的 dgamma 和 dbeta 互換了",
            "依 forward 輸入的順序傳回 (dx, dgamma, dbeta, None)。",
        ),
    ),
    _m(
        "torch-eval-not-called",
        TorchKnobs(evaluate="no-eval"),
        (
            "the model is evaluated in training mode",
            "Call model.eval() first: batch norm then uses its running statistics and dropout is off.",
        ),
        (
            "模型在训练模式下做了评估",
            "先调用 model.eval()：这样批归一化使用滑动统计量，dropout 也会关闭。",
        ),
        (
            "模型在訓練模式下做了評估",
            "先呼叫 model.eval()：這樣批次正規化使用滑動統計量，dropout 也會關閉。",
        ),
    ),
    _m(
        "torch-outputs-keep-grad",
        TorchKnobs(evaluate="no-no-grad"),
        ("outputs carry autograd history", "Run the forward passes inside torch.no_grad()."),
        ("输出带有自动求导历史", "在 torch.no_grad() 中执行前向计算。"),
        ("輸出帶有自動微分歷史", "在 torch.no_grad() 中執行前向計算。"),
    ),
    _m(
        "torch-train-forced-after",
        TorchKnobs(evaluate="train-after"),
        (
            "model.train() forced afterwards",
            "Save every submodule's training flag before model.eval() and restore each one afterwards.",
        ),
        (
            "之后强制调用了 model.train()",
            "在 model.eval() 之前保存每个子模块的 training 标志，之后逐一恢复。",
        ),
        (
            "之後強制呼叫了 model.train()",
            "在 model.eval() 之前儲存每個子模組的 training 旗標，之後逐一還原。",
        ),
    ),
    _m(
        "torch-not-restored-on-error",
        TorchKnobs(evaluate="not-restored-on-error"),
        (
            "modes are not restored when the model raises",
            "Restore the training flags in a finally block.",
        ),
        ("模型抛出异常时没有恢复模式", "在 finally 块中恢复 training 标志。"),
        ("模型拋出例外時沒有還原模式", "在 finally 區塊中還原 training 旗標。"),
    ),
]
