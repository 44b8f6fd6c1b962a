"""LaTeX math → readable Unicode for terminals: $\\frac{x-\\mu}{\\sqrt{\\sigma^2+\\epsilon}}$ → (x−μ)/√(σ²+ε).

Symbols, accents, blackboard/calligraphic letters and sub/superscript digits come from
``unicodeit`` (its tables are the well-kept part). Its replacer works by plain string substitution,
so a command it does not know is mangled by a shorter one it does (``\\left`` → "≤ft", ``\\log`` →
"łog"); this module therefore tokenises the LaTeX itself, handles structure (fractions, roots, text,
delimiters, sub/superscripts, spacing, operator names) and looks up one command at a time in
unicodeit's tables.
A script that has no Unicode form stays readable as ``x_(new)`` / ``e^(−x)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|\s+|.", re.S)

OPERATOR_NAMES = {
    "log", "ln", "exp", "min", "max", "sin", "cos", "tan", "tanh", "sigmoid", "arg", "argmax",
    "argmin", "det", "lim", "sup", "inf", "var", "Var", "Cov", "E", "softmax", "diag", "tr",
    "mean", "std", "sgn", "sign",
}  # fmt: skip
TEXT_COMMANDS = {"text", "textrm", "mathrm", "operatorname", "textit", "mathit", "textsf", "mathsf",
                 "texttt", "mathtt", "textnormal", "mbox"}  # fmt: skip
FONT_COMMANDS = {"mathbf", "mathbb", "mathcal", "mathfrak", "mathscr", "boldsymbol", "bm", "textbf"}
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "textstyle", "limits", "nolimits", "middle"}  # fmt: skip
FIXED = {
    ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "quad": "  ", "qquad": "    ",
    "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "{": "{", "}": "}", "%": "%", "_": "_", "$": "$", "#": "#", "&": "&", "|": "‖",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "vert": "|",
    "langle": "⟨", "rangle": "⟩", "top": "ᵀ", "intercal": "ᵀ", "prime": "′", "\\": " ",
    "coloneqq": "≔", "triangleq": "≜", "epsilon": "ε", "varepsilon": "ε",
}  # fmt: skip
ACCENTS = {"hat", "widehat", "bar", "overline", "tilde", "widetilde", "vec", "dot", "ddot",
           "check", "breve", "acute", "grave", "underline"}  # fmt: skip
FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
_ATOM = re.compile(r"^(?:[\w.′]|[^\s+\-−=/,()·⋅×<>≤≥≈])+$")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """unicodeit's data as dicts: symbols, combining accents, superscripts, subscripts.

    Exact-key lookups, built once (~1 ms), instead of ``unicodeit.replace``, which runs
    thousands of substring replacements per call and mangles commands it does not know.
    """
    try:
        from unicodeit.data import COMBININGMARKS, REPLACEMENTS, SUBSUPERSCRIPTS
    except ImportError:  # degrade to command names (\alpha -> alpha) rather than fail
        return {}, {}, {}, {}

    symbols = dict(REPLACEMENTS)
    accents = dict(COMBININGMARKS)
    sup = {k[1:]: v for k, v in SUBSUPERSCRIPTS if k[0] == "^"}
    sub = {k[1:]: v for k, v in SUBSUPERSCRIPTS if k[0] == "_"}
    for table in (sup, sub):
        if "-" in table:
            table.setdefault("−", table["-"])
    return symbols, accents, sup, sub


def _scripts() -> tuple[dict[str, str], dict[str, str]]:
    return _tables()[2], _tables()[3]


def _symbol(name: str) -> str:
    """One command's Unicode; an unknown one keeps its name, readable, without backslash."""
    return _tables()[0].get("\\" + name, name)


ACCENT_ALIASES = {"widehat": "hat", "widetilde": "tilde"}


def _accent(name: str, body: str) -> str:
    name = ACCENT_ALIASES.get(name, name)
    mark = "\u030c" if name == "check" else _tables()[1].get("\\" + name)
    if len(body) != 1 or mark is None:
        return body
    return body + mark


class _Parser:
    def __init__(self, latex: str):
        self.tokens = _TOKEN.findall(latex)
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str | None:
        tok = self.peek()
        self.i += tok is not None
        return tok

    def skip_space(self) -> None:
        while (tok := self.peek()) is not None and tok.isspace():
            self.i += 1

    def raw_group(self) -> str:
        """The verbatim text of the next argument (for \\text{...})."""
        self.skip_space()
        if self.peek() != "{":
            return self.take() or ""
        self.i += 1
        depth, out = 1, []
        while (tok := self.take()) is not None:
            depth += (tok == "{") - (tok == "}")
            if depth == 0:
                break
            out.append(tok[1:] if tok in ("\\{", "\\}", "\\_", "\\%", "\\$") else tok)
        return "".join(out)

    def arg(self) -> str:
        """The converted text of the next argument: a {group}, a command, or one character."""
        self.skip_space()
        tok = self.peek()
        if tok is None:
            return ""
        if tok == "{":
            self.i += 1
            return self.until("}")
        return self.atom()

    def optional(self) -> str | None:
        self.skip_space()
        if self.peek() != "[":
            return None
        self.i += 1
        return self.until("]")

    def until(self, closing: str | None) -> str:
        out = []
        while (tok := self.peek()) is not None:
            if tok == closing:
                self.i += 1
                break
            if tok == "}":  # unbalanced closing brace: drop it
                self.i += 1
                continue
            out.append(self.atom())
        return "".join(out)

    def atom(self) -> str:
        tok = self.take()
        if tok is None:
            return ""
        if tok == "{":
            return self.until("}")
        if tok in ("^", "_"):
            return _script(tok, self.arg())
        if tok == "-":
            return "−"
        if tok == "'":
            return "′"
        if tok == "~":
            return " "
        if tok.isspace():
            return " "
        if not tok.startswith("\\"):
            return tok
        return self.command(tok[1:].rstrip("*"))

    def command(self, name: str) -> str:
        if name in FIXED:
            return FIXED[name]
        if name in DROPPED:
            self.skip_space()
            if self.peek() == ".":  # \left. is an invisible delimiter
                self.i += 1
            return ""
        if name in FRACTIONS:  # source spaces only separate tokens: ∂L/∂x, not (∂ L)/(∂ x)
            num, den = self.arg().replace(" ", ""), self.arg().replace(" ", "")
            nxt = self.peek()
            gap = " " if nxt is not None and (nxt.startswith("\\") or nxt.isalnum()) else ""
            return f"{_wrap(num)}/{_wrap(den)}{gap}"
        if name == "sqrt":
            index = self.optional()
            body = self.arg()
            root = {None: "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
            if root is None:
                root = _script("^", index or "") + "√"
            # √(σ²)+ε and √(σ²+ε) must not read alike: only a single symbol goes unbracketed
            body = body.strip()
            return root + (body if len(body) == 1 or body.isdigit() else f"({body})")
        if name in TEXT_COMMANDS:
            return self.raw_group()
        if name in FONT_COMMANDS:
            body = self.arg()
            font = "mathbf" if name in ("boldsymbol", "bm", "textbf") else name
            return "".join(_accent_font(font, ch) for ch in body)
        if name in ACCENTS:
            return _accent(name, self.arg())
        if name in OPERATOR_NAMES:
            return name
        if name == "not":
            return self.atom() + "\u0338"
        return _symbol(name)


def _accent_font(font: str, ch: str) -> str:
    return _tables()[0].get(f"\\{font}{{{ch}}}", ch)


def _wrap(text: str) -> str:
    """Parenthesise a fraction's part unless it already reads as one unit (x, σ², √(…), (a+b))."""
    text = text.strip()
    group = text.lstrip("√∛∜")
    if _ATOM.match(text) or (group.startswith("(") and group.endswith(")") and _balanced(group)):
        return text
    return f"({text})"


def _balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i < len(text) - 1:
            return False  # "(a)+(b)": the outer parentheses do not enclose everything
    return depth == 0


def _script(mark: str, body: str) -> str:
    sup, sub = _scripts()
    table = sup if mark == "^" else sub
    body = body.replace(" ", "")
    if body and all(ch in table.values() for ch in body):  # already scripted, e.g. ^\top
        return body
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    if len(body) == 1:
        return mark + body
    return f"{mark}({body})"


@lru_cache(maxsize=4096)
def latex_to_unicode(latex: str) -> str:
    """Readable Unicode for a LaTeX math fragment. Never raises: odd input degrades to text."""
    return _Parser(latex).until(None).strip()
