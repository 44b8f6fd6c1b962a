"""Turn a Markdown Q&A document (the shape of the seeds) into draft questions.

Handles numbered ``###``/``####`` question headings; ``**题目：**`` / ``**答案：**`` / ``**回答**：``
markers (simplified or traditional, colon inside or outside the bold); ``\\( \\)``, ``\\[ \\]`` and
``$`` math; KaTeX copy debris (``γ\\gammaγ``: the rendered text, its LaTeX, the rendered text again);
Obsidian ``![[image]]`` embeds. Drafts are never trusted: they are ``status: draft`` until vetted.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field

QUESTION_HEADING = re.compile(r"^#{3,4}\s*(\d+)\s*[.、．]\s*(.+?)\s*$")
_MARK = r"\*\*\s*{words}\s*[:：]?\s*\*\*\s*[:：]?"
PROMPT_MARK = re.compile(_MARK.format(words="(?:题目|題目|问题|問題|Question)"), re.IGNORECASE)
ANSWER_MARK = re.compile(_MARK.format(words="(?:答案|回答|解答|答|Answer)"), re.IGNORECASE)
EMBED = re.compile(r"!\[\[([^\]]+)\]\]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FENCE = re.compile(r"^\s*(```|~~~)")
TRIPLE_LETTER = re.compile(r"(?<![A-Za-z\\])([A-Za-z])\1\1(?![A-Za-z])")


@dataclass
class Draft:
    number: int
    title: str
    prompt: str
    answer: str
    line: int  # 1-based line of the heading in the source document
    notes: list[str] = field(default_factory=list)  # what the importer changed or dropped


def _strip_bold(text: str) -> str:
    return text.replace("**", "").strip()


_BOUNDARY = set(" \t，。、；：,.;:!?！？)）]】」")


def _second_copy(line: str, rendered: str, start: int) -> int:
    """Where the rendered text appears again after the LaTeX: prefer an end at a word boundary."""
    first = u = line.find(rendered, start)
    while u >= 0:
        end = u + len(rendered)
        if end == len(line) or line[end] in _BOUNDARY or CJK.match(line[end]):
            return u
        u = line.find(rendered, u + 1)
    return first


def fix_katex_debris(line: str) -> str:
    """``γ\\gammaγ`` -> ``$\\gamma$``: KaTeX copies the rendered text around the LaTeX source."""
    out, i = [], 0
    while (p := line.find("\\", i)) >= 0:
        best = None  # (length of the rendered copy, start of LaTeX, start of the second copy)
        for t in range(p, max(i, p - 40) - 1, -1):  # where the LaTeX source starts
            if CJK.search(line[t:p]):
                break
            for length in range(min(40, t - i), 0, -1):  # the longest rendered copy just before it
                rendered = line[t - length : t]
                if any(c.isspace() for c in rendered) or "$" in rendered:
                    continue
                u = _second_copy(line, rendered, p + 1)
                if u >= 0 and not CJK.search(line[t:u]) and "$" not in line[t:u]:
                    if best is None or length > best[0]:
                        best = (length, t, u)
                    break
        if best is None:
            out.append(line[i : p + 1])
            i = p + 1
            continue
        length, t, u = best
        out.append(line[i : t - length] + "$" + line[t:u].strip() + "$")
        i = u + length
    out.append(line[i:])
    return "".join(out)


def normalise_math(text: str) -> str:
    """Rewrite every math notation to the bank's ``$…$`` / ``$$…$$`` outside code fences."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_code = not in_code
        if not in_code:
            if "\\(" not in line and "\\[" not in line:
                line = fix_katex_debris(line)
            line = re.sub(r"\\\(\s*(.+?)\s*\\\)", r"$\1$", line)
            line = re.sub(r"\\\[\s*(.+?)\s*\\\]", r"$$\1$$", line)
            line = line.replace("\\[", "$$").replace("\\]", "$$")
            if CJK.search(line):
                line = TRIPLE_LETTER.sub(r"$\1$", line)  # KaTeX debris of a one-letter symbol: xxx
        lines.append(line)
    return "\n".join(lines)


def _drop_embeds(text: str, notes: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        notes.append(f"image embed '{m.group(1)}' dropped (not part of the bank)")
        return f"*(image: {m.group(1)})*"

    return EMBED.sub(repl, text)


def _clean(block: str, notes: list[str]) -> str:
    block = textwrap.dedent(block.strip("\n"))
    block = normalise_math(_drop_embeds(block, notes))
    block = re.sub(r"\n{3,}", "\n\n", block)
    return block.strip()


def parse_document(text: str) -> list[Draft]:
    """Split a document into one draft per numbered question heading."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    lines = text.split("\n")
    in_code, prose = (
        False,
        [],
    )  # prose[i]: line i is outside code fences (a "# x" there is a heading)
    for line in lines:
        fence = bool(FENCE.match(line))
        prose.append(not in_code and not fence)
        in_code ^= fence
    heads = [
        (i, m)
        for i, line in enumerate(lines)
        if prose[i] and (m := QUESTION_HEADING.match(line.strip()))
    ]
    drafts = []
    for k, (i, m) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        # stop at the next heading of a higher level (e.g. "## 二、算法编程题库")
        end = next(
            (j for j in range(i + 1, end) if prose[j] and re.match(r"#{1,2}\s", lines[j])), end
        )
        body = "\n".join(lines[i + 1 : end])
        notes: list[str] = []
        title = normalise_math(_strip_bold(m.group(2)))
        pm, am = PROMPT_MARK.search(body), ANSWER_MARK.search(body)
        if pm and am and pm.start() < am.start():
            prompt, answer = body[pm.end() : am.start()], body[am.end() :]
        elif am:
            prompt, answer = title, body[am.end() :]
        else:
            prompt, answer = title, body
        prompt, answer = _clean(prompt, notes), _clean(answer, notes)
        if not answer:
            notes.append("no answer found under this heading")
            answer = "TODO"
        drafts.append(Draft(int(m.group(1)), title, prompt or title, answer, i + 1, notes))
    return drafts


def detect_locale(text: str) -> str:
    """en, zh-Hans or zh-Hant, by script (OpenCC tells traditional from simplified characters)."""
    sample = "".join(CJK.findall(text))
    if not sample:
        return "en"
    import opencc

    return "zh-Hant" if opencc.OpenCC("t2s").convert(sample) != sample else "zh-Hans"


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "imported"
