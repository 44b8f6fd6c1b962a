/* Self-test for choice, spot-the-error and numeric questions. Progressive enhancement: without
   this script the options are still listed and the answer is in its <details>; with it, a
   "Check" button appears and says whether the reader's answer is right. */
(function () {
  "use strict";

  function indices(text) {
    return text === "" ? [] : text.split(",").map(Number).sort(function (a, b) { return a - b; });
  }

  function same(a, b) {
    return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
  }

  function parseNumber(text) {
    // Accept "0.5", "5e-1", "1,000.5" and a full-width minus or comma from CJK input methods.
    var cleaned = text.trim().replace(/[\u2212\uff0d]/g, "-").replace(/[,\uff0c\s]/g, "");
    if (cleaned === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) return null;
    return Number(cleaned);
  }

  function judge(form) {
    var d = form.dataset;
    if (d.kind === "numeric") {
      var value = parseNumber(form.querySelector("input").value);
      if (value === null) return null;
      var target = Number(d.value), tol = Number(d.tolerance);
      var bound = d.relative === "true" ? tol * Math.abs(target) : tol;
      return Math.abs(value - target) <= bound + 1e-12 * Math.abs(target);
    }
    var picked = Array.prototype.filter.call(
      form.querySelectorAll("input[name=answer]"), function (i) { return i.checked; }
    ).map(function (i) { return Number(i.value); }).sort(function (a, b) { return a - b; });
    if (picked.length === 0) return null;
    return same(picked, indices(d.correct));
  }

  function enhance(form) {
    var button = form.querySelector("button.check");
    var feedback = form.querySelector(".feedback");
    button.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var verdict = judge(form);
      feedback.className = "feedback" + (verdict === null ? "" : verdict ? " ok" : " bad");
      feedback.textContent = verdict === null ? form.dataset.msgNeed
        : verdict ? form.dataset.msgCorrect : form.dataset.msgIncorrect;
    });
  }

  document.querySelectorAll("form.selftest").forEach(enhance);
})();
