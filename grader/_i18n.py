"""What the grader says, in each locale: message templates and check titles, as data.

zh-Hant follows questions/_glossary.yaml (正規化, 變異數, 平均值, 推論, 呼叫, 函數, 記憶體…).
A test checks that every template and title has all three locales and the same placeholders.
"""

from __future__ import annotations

LOCALES = ("en", "zh-Hans", "zh-Hant")

MESSAGES: dict[str, dict[str, str]] = {
    "value": {
        "en": "{label}: worst at {index}: got {got:.6g}, expected {want:.6g} (abs err {abs_err:.2e}, rel err {rel_err:.2e}; allowed |Δ| ≤ {atol:.1e})",
        "zh-Hans": "{label}：最大误差在 {index}：得到 {got:.6g}，应为 {want:.6g}（绝对误差 {abs_err:.2e}，相对误差 {rel_err:.2e}；允许 |Δ| ≤ {atol:.1e}）",
        "zh-Hant": "{label}：最大誤差在 {index}：得到 {got:.6g}，應為 {want:.6g}（絕對誤差 {abs_err:.2e}，相對誤差 {rel_err:.2e}；允許 |Δ| ≤ {atol:.1e}）",
    },
    "fd": {
        "en": "{label}: got {got:.8g}, finite differences give {want:.8g} (abs err {abs_err:.2e}; allowed {atol:.1e})",
        "zh-Hans": "{label}：得到 {got:.8g}，有限差分给出 {want:.8g}（绝对误差 {abs_err:.2e}；允许 {atol:.1e}）",
        "zh-Hant": "{label}：得到 {got:.8g}，有限差分給出 {want:.8g}（絕對誤差 {abs_err:.2e}；允許 {atol:.1e}）",
    },
    "shape": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：形状不对，{detail}",
        "zh-Hant": "{label}：形狀不對，{detail}",
    },
    "dtype": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：dtype 不对，{detail}",
        "zh-Hant": "{label}：dtype 不對，{detail}",
    },
    "type": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：类型不对，{detail}",
        "zh-Hant": "{label}：型別不對，{detail}",
    },
    "missing": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：缺少输出（{detail}）",
        "zh-Hant": "{label}：缺少輸出（{detail}）",
    },
    "raises": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：异常不对，{detail}",
        "zh-Hant": "{label}：例外不對，{detail}",
    },
    "exact": {
        "en": "{label}: {detail}",
        "zh-Hans": "{label}：{detail}",
        "zh-Hant": "{label}：{detail}",
    },
    "nan": {
        "en": "{label}: NaN or inf at {index} where the reference is finite",
        "zh-Hans": "{label}：在 {index} 出现 NaN 或 inf，而参考结果是有限值",
        "zh-Hant": "{label}：在 {index} 出現 NaN 或 inf，而參考結果是有限值",
    },
    "modified": {
        "en": "{label} was modified by the call (first change at {index})",
        "zh-Hans": "{label} 在调用中被修改了（第一处改动在 {index}）",
        "zh-Hant": "{label} 在呼叫中被修改了（第一處改動在 {index}）",
    },
    "raised": {
        "en": "raised {type}: {message}{at}",
        "zh-Hans": "抛出 {type}：{message}{at}",
        "zh-Hant": "拋出 {type}：{message}{at}",
    },
    "at_line": {
        "en": " (line {line})",
        "zh-Hans": "（第 {line} 行）",
        "zh-Hant": "（第 {line} 行）",
    },
    "skipped": {
        "en": "not run: the submission stopped before this check",
        "zh-Hans": "未执行：提交的程序在此检查之前就停止了",
        "zh-Hant": "未執行：提交的程式在此檢查之前就停止了",
    },
    "optional": {
        "en": "optional function {name} not defined (not counted)",
        "zh-Hans": "未定义可选函数 {name}（不计分）",
        "zh-Hant": "未定義選用函數 {name}（不計分）",
    },
    "mistake": {
        "en": "Likely mistake: {name}.",
        "zh-Hans": "可能的错误：{name}。",
        "zh-Hant": "可能的錯誤：{name}。",
    },
    "see_question": {
        "en": "See question {id}.",
        "zh-Hans": "参见题目 {id}。",
        "zh-Hant": "參見題目 {id}。",
    },
    "status.passed": {
        "en": "All checks passed.",
        "zh-Hans": "全部检查通过。",
        "zh-Hant": "全部檢查通過。",
    },
    "status.failed": {
        "en": "{failed} of {total} checks failed.",
        "zh-Hans": "{total} 项检查中有 {failed} 项未通过。",
        "zh-Hant": "{total} 項檢查中有 {failed} 項未通過。",
    },
    "status.syntax": {
        "en": "Syntax error{at}: {message}",
        "zh-Hans": "语法错误{at}：{message}",
        "zh-Hant": "語法錯誤{at}：{message}",
    },
    "status.error": {
        "en": "The submission raised {type} while being imported{at}: {message}",
        "zh-Hans": "导入提交时抛出 {type}{at}：{message}",
        "zh-Hant": "匯入提交時拋出 {type}{at}：{message}",
    },
    "status.missing": {
        "en": "Missing function(s): {names}",
        "zh-Hans": "缺少函数：{names}",
        "zh-Hant": "缺少函數：{names}",
    },
    "status.forbidden": {
        "en": "Forbidden import{at}: {message}. Allowed here: {allowed}",
        "zh-Hans": "禁止的导入{at}：{message}。本题允许：{allowed}",
        "zh-Hant": "禁止的匯入{at}：{message}。本題允許：{allowed}",
    },
    "status.timeout": {
        "en": "Time limit exceeded ({limit:g} s); checks that did not run count as failed.",
        "zh-Hans": "超出时间限制（{limit:g} 秒）；未执行的检查计为未通过。",
        "zh-Hant": "超出時間限制（{limit:g} 秒）；未執行的檢查計為未通過。",
    },
    "status.memory": {
        "en": "Memory limit exceeded ({limit} MB).",
        "zh-Hans": "超出内存限制（{limit} MB）。",
        "zh-Hant": "超出記憶體限制（{limit} MB）。",
    },
    "status.crashed": {
        "en": "The submission's process ended early: {message}",
        "zh-Hans": "提交的进程提前结束：{message}",
        "zh-Hant": "提交的行程提前結束：{message}",
    },
    "tolerance_rule": {
        "en": "Tolerance per output: |Δ| ≤ max(16 × the reference's own float32 error on these inputs (scaled by machine epsilon for float64), floor × max|expected|), floor 4e-6 (float32) / 1e-10 (float64); finite differences: relative 1e-6.",
        "zh-Hans": "每个输出的容差：|Δ| ≤ max(16 × 参考实现在这些输入上自身的 float32 误差（float64 按机器精度缩放），下限 × max|期望值|)，下限 4e-6（float32）/ 1e-10（float64）；有限差分：相对 1e-6。",
        "zh-Hant": "每個輸出的容差：|Δ| ≤ max(16 × 參考實作在這些輸入上自身的 float32 誤差（float64 依機器精度縮放），下限 × max|期望值|)，下限 4e-6（float32）/ 1e-10（float64）；有限差分：相對 1e-6。",
    },
}

TITLES: dict[str, dict[str, str]] = {
    "training-mode forward, float64": {
        "zh-Hans": "训练模式前向，float64",
        "zh-Hant": "訓練模式前向，float64",
    },
    "training-mode forward, float32 (dtype preserved)": {
        "zh-Hans": "训练模式前向，float32（保持 dtype）",
        "zh-Hant": "訓練模式前向，float32（保持 dtype）",
    },
    "test mode uses the running statistics and leaves them": {
        "zh-Hans": "测试模式使用滑动统计量且不修改它们",
        "zh-Hant": "測試模式使用滑動統計量且不修改它們",
    },
    "running statistics over three training steps, then test": {
        "zh-Hans": "连续三步训练后的滑动统计量，再做测试",
        "zh-Hant": "連續三步訓練後的滑動統計量，再做測試",
    },
    "eps = 0.1 and momentum = 0.5 are honoured": {
        "zh-Hans": "遵守 eps = 0.1 和 momentum = 0.5",
        "zh-Hant": "遵守 eps = 0.1 和 momentum = 0.5",
    },
    "a feature with zero variance": {"zh-Hans": "方差为零的特征", "zh-Hant": "變異數為零的特徵"},
    "large offset, small spread (1e4 ± 1e-2)": {
        "zh-Hans": "大偏移、小离散（1e4 ± 1e-2）",
        "zh-Hant": "大偏移、小離散（1e4 ± 1e-2）",
    },
    "odd, non-square shape (5 × 3)": {
        "zh-Hans": "奇数、非方形的形状（5 × 3）",
        "zh-Hant": "奇數、非方形的形狀（5 × 3）",
    },
    "batch of one (N = 1)": {"zh-Hans": "批大小为一（N = 1）", "zh-Hant": "批次大小為一（N = 1）"},
    "defaults: eps 1e-5, momentum 0.9, zero running stats": {
        "zh-Hans": "默认值：eps 1e-5、momentum 0.9、滑动统计量从零开始",
        "zh-Hant": "預設值：eps 1e-5、momentum 0.9、滑動統計量從零開始",
    },
    "gradients dx, dgamma, dbeta, float64": {
        "zh-Hans": "梯度 dx、dgamma、dbeta，float64",
        "zh-Hant": "梯度 dx、dgamma、dbeta，float64",
    },
    "gradients in float32 (dtype preserved)": {
        "zh-Hans": "float32 梯度（保持 dtype）",
        "zh-Hant": "float32 梯度（保持 dtype）",
    },
    "gradients agree with central finite differences": {
        "zh-Hans": "梯度与中心有限差分一致",
        "zh-Hant": "梯度與中心有限差分一致",
    },
    "gradients with a zero-variance feature": {
        "zh-Hans": "含零方差特征时的梯度",
        "zh-Hant": "含零變異數特徵時的梯度",
    },
    "spatial forward, training mode, float64": {
        "zh-Hans": "空间批归一化前向，训练模式，float64",
        "zh-Hant": "空間批次正規化前向，訓練模式，float64",
    },
    "spatial forward, float32 (dtype preserved)": {
        "zh-Hans": "空间前向，float32（保持 dtype）",
        "zh-Hant": "空間前向，float32（保持 dtype）",
    },
    "spatial test mode uses the running statistics": {
        "zh-Hans": "空间测试模式使用滑动统计量",
        "zh-Hant": "空間測試模式使用滑動統計量",
    },
    "odd shape (2, 5, 3, 1)": {
        "zh-Hans": "奇数形状 (2, 5, 3, 1)",
        "zh-Hant": "奇數形狀 (2, 5, 3, 1)",
    },
    "spatial gradients, float64": {"zh-Hans": "空间梯度，float64", "zh-Hant": "空間梯度，float64"},
    "spatial gradients, float32 (dtype preserved)": {
        "zh-Hans": "空间梯度，float32（保持 dtype）",
        "zh-Hant": "空間梯度，float32（保持 dtype）",
    },
    "layer norm forward, float64": {
        "zh-Hans": "层归一化前向，float64",
        "zh-Hant": "層正規化前向，float64",
    },
    "layer norm forward, float32 (dtype preserved)": {
        "zh-Hans": "层归一化前向，float32（保持 dtype）",
        "zh-Hant": "層正規化前向，float32（保持 dtype）",
    },
    "eps = 0.1 is honoured": {"zh-Hans": "遵守 eps = 0.1", "zh-Hant": "遵守 eps = 0.1"},
    "a sample with zero variance": {"zh-Hans": "方差为零的样本", "zh-Hant": "變異數為零的樣本"},
    "odd, non-square shape (7 × 3)": {
        "zh-Hans": "奇数、非方形的形状（7 × 3）",
        "zh-Hant": "奇數、非方形的形狀（7 × 3）",
    },
    "layer norm gradients, float64": {
        "zh-Hans": "层归一化梯度，float64",
        "zh-Hant": "層正規化梯度，float64",
    },
    "layer norm gradients, float32 (dtype preserved)": {
        "zh-Hans": "层归一化梯度，float32（保持 dtype）",
        "zh-Hant": "層正規化梯度，float32（保持 dtype）",
    },
    "group norm forward, float64 (C = 6, G = 3)": {
        "zh-Hans": "组归一化前向，float64（C = 6，G = 3）",
        "zh-Hant": "組正規化前向，float64（C = 6，G = 3）",
    },
    "group norm forward, float32 (dtype preserved)": {
        "zh-Hans": "组归一化前向，float32（保持 dtype）",
        "zh-Hant": "組正規化前向，float32（保持 dtype）",
    },
    "G = 1 (layer norm over C, H, W)": {
        "zh-Hans": "G = 1（在 C、H、W 上做层归一化）",
        "zh-Hant": "G = 1（在 C、H、W 上做層正規化）",
    },
    "G = C (instance norm)": {"zh-Hans": "G = C（实例归一化）", "zh-Hant": "G = C（實例正規化）"},
    "odd shape (1, 9, 1, 5), G = 3": {
        "zh-Hans": "奇数形状 (1, 9, 1, 5)，G = 3",
        "zh-Hant": "奇數形狀 (1, 9, 1, 5)，G = 3",
    },
    "group norm gradients, float64": {
        "zh-Hans": "组归一化梯度，float64",
        "zh-Hant": "組正規化梯度，float64",
    },
    "group norm gradients, float32 (dtype preserved)": {
        "zh-Hans": "组归一化梯度，float32（保持 dtype）",
        "zh-Hant": "組正規化梯度，float32（保持 dtype）",
    },
    "folded weights and bias, float64": {
        "zh-Hans": "折叠后的权重和偏置，float64",
        "zh-Hant": "摺疊後的權重和偏置，float64",
    },
    "folded weights and bias, float32 (dtype preserved)": {
        "zh-Hans": "折叠后的权重和偏置，float32（保持 dtype）",
        "zh-Hant": "摺疊後的權重和偏置，float32（保持 dtype）",
    },
    "odd shape: 5 filters, 3 channels, 1 × 3 kernels": {
        "zh-Hans": "奇数形状：5 个滤波器、3 个通道、1 × 3 卷积核",
        "zh-Hant": "奇數形狀：5 個濾波器、3 個通道、1 × 3 卷積核",
    },
    "training outputs and running statistics over three steps": {
        "zh-Hans": "连续三步训练的输出和滑动统计量",
        "zh-Hant": "連續三步訓練的輸出和滑動統計量",
    },
    "inference uses the running statistics": {
        "zh-Hans": "推理使用滑动统计量",
        "zh-Hant": "推論使用滑動統計量",
    },
    "inference on a batch of one sample": {
        "zh-Hans": "对只有一个样本的批次做推理",
        "zh-Hant": "對只有一個樣本的批次做推論",
    },
    "inference twice leaves the running statistics alone": {
        "zh-Hans": "推理两次也不改变滑动统计量",
        "zh-Hant": "推論兩次也不改變滑動統計量",
    },
    "equal shard sizes": {"zh-Hans": "各分片大小相同", "zh-Hant": "各分片大小相同"},
    "unequal shard sizes": {"zh-Hans": "各分片大小不同", "zh-Hant": "各分片大小不同"},
    "a single device": {"zh-Hans": "只有一个设备", "zh-Hant": "只有一個裝置"},
    "empty devices holding NaN": {"zh-Hans": "含 NaN 的空设备", "zh-Hant": "含 NaN 的空裝置"},
    "mean 1e6, standard deviation 1": {
        "zh-Hans": "均值 1e6，标准差 1",
        "zh-Hant": "平均值 1e6，標準差 1",
    },
    "float32 (dtype preserved)": {
        "zh-Hans": "float32（保持 dtype）",
        "zh-Hant": "float32（保持 dtype）",
    },
    "training steps then eval, as nn.BatchNorm2d": {
        "zh-Hans": "连续训练后切到 eval，与 nn.BatchNorm2d 一致",
        "zh-Hant": "連續訓練後切到 eval，與 nn.BatchNorm2d 一致",
    },
    "momentum = 0.5": {"zh-Hans": "momentum = 0.5", "zh-Hant": "momentum = 0.5"},
    "momentum = None (cumulative average)": {
        "zh-Hans": "momentum = None（累积平均）",
        "zh-Hant": "momentum = None（累積平均）",
    },
    "eps = 0.1": {"zh-Hans": "eps = 0.1", "zh-Hant": "eps = 0.1"},
    "affine = False": {"zh-Hans": "affine = False", "zh-Hant": "affine = False"},
    "track_running_stats = False": {
        "zh-Hans": "track_running_stats = False",
        "zh-Hant": "track_running_stats = False",
    },
    "odd shape (3, 5, 1, 7), C = 5": {
        "zh-Hans": "奇数形状 (3, 5, 1, 7)，C = 5",
        "zh-Hant": "奇數形狀 (3, 5, 1, 7)，C = 5",
    },
    "ValueError for one value per channel": {
        "zh-Hans": "每个通道只有一个值时抛出 ValueError",
        "zh-Hant": "每個通道只有一個值時拋出 ValueError",
    },
    "forward and all three gradients (8 × 5)": {
        "zh-Hans": "前向和全部三个梯度（8 × 5）",
        "zh-Hant": "前向和全部三個梯度（8 × 5）",
    },
    "N = 2": {"zh-Hans": "N = 2", "zh-Hant": "N = 2"},
    "odd shape (7 × 3)": {"zh-Hans": "奇数形状（7 × 3）", "zh-Hant": "奇數形狀（7 × 3）"},
    "only x and beta require grad": {
        "zh-Hans": "只有 x 和 beta 需要梯度",
        "zh-Hant": "只有 x 和 beta 需要梯度",
    },
    "model in training mode: outputs, state and modes": {
        "zh-Hans": "训练模式下的模型：输出、状态和模式",
        "zh-Hant": "訓練模式下的模型：輸出、狀態和模式",
    },
    "model already in eval mode": {
        "zh-Hans": "模型已处于 eval 模式",
        "zh-Hant": "模型已處於 eval 模式",
    },
    "a frozen batch-norm layer stays in eval mode": {
        "zh-Hans": "冻结的批归一化层保持 eval 模式",
        "zh-Hant": "凍結的批次正規化層保持 eval 模式",
    },
    "batches of one sample": {"zh-Hans": "只有一个样本的批次", "zh-Hant": "只有一個樣本的批次"},
    "a model that raises midway is restored": {
        "zh-Hans": "中途抛出异常的模型也被恢复",
        "zh-Hant": "中途拋出例外的模型也被還原",
    },
    "gradients for an odd shape (3 × 11)": {
        "zh-Hans": "奇数形状（3 × 11）的梯度",
        "zh-Hant": "奇數形狀（3 × 11）的梯度",
    },
}


def t(key: str, lang: str, **params: object) -> str:
    table = MESSAGES[key]
    return table.get(lang, table["en"]).format(**params)


def title(text: str, lang: str) -> str:
    """A check title in ``lang``; a variant suffix like ' (alt)' is kept as is."""
    base, suffix = text, ""
    if text.endswith(" (alt)"):
        base, suffix = text[: -len(" (alt)")], " (alt)"
    if lang == "en":
        return text
    return TITLES.get(base, {}).get(lang, base) + suffix
