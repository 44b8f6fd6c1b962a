"""Behaviour shared by the content models, and read-only records of already-validated entries.

Two representations of one entry, one behaviour:

- the pydantic models (``_models``) validate what a YAML file says; ``mlprep check``, the site, the
  importer and every first load use them;
- records (here) wrap the JSON the loader cached after a model validated the same file bytes with
  the same models' source (``_loader`` keys its cache on both). A record re-checks nothing but the
  set of keys at each level; what the values may be was decided when the model validated them.

Records exist for start-up time: importing pydantic and building model classes costs more than the
whole rest of the quiz's start (issue #6 asks for the first question within 2x of
``import pydantic, rich, click``). This module therefore imports nothing heavy, and the methods both
representations need (``Question.text``, ``LocaleText.source_hash``, ...) live in the mixins below,
which the models inherit: behaviour is written once. ``tests/content/test_records.py`` checks that
every model and its record have the same fields and, for every entry of the bank, the same values.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
AUTO_GRADED = ("choice", "numeric", "spot-the-error")


# ---------------------------------------------------------------------------- shared behaviour


class BankConfigBehaviour:
    # the models and records declare the fields; annotations here would become pydantic fields
    if TYPE_CHECKING:
        locales: Any
        tags: dict[str, dict[str, str]]

    @property
    def locale_codes(self) -> list[str]:
        return [loc.code for loc in self.locales]

    @property
    def required_locales(self) -> list[str]:
        return [loc.code for loc in self.locales if loc.required]

    def tag_label(self, tag: str, locale: str) -> str:
        labels = self.tags.get(tag, {})
        return labels.get(locale) or labels.get("en") or tag


class LocaleTextBehaviour:
    if TYPE_CHECKING:

        def dump(self) -> dict[str, Any]: ...

    def source_hash(self) -> str:
        """Hash of everything a translation is made from; editing any of it marks translations stale."""
        payload = self.dump()
        payload.pop("translated_from", None)
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


class NumericBehaviour:
    if TYPE_CHECKING:
        value: float
        tolerance: float
        relative: bool

    def accepts(self, answer: float) -> bool:
        bound = self.tolerance * abs(self.value) if self.relative else self.tolerance
        return abs(answer - self.value) <= bound


class QuestionBehaviour:
    if TYPE_CHECKING:
        kind: str
        source_locale: str
        locales: dict[str, Any]

    @property
    def source(self) -> Any:
        return self.locales[self.source_locale]

    def is_stale(self, locale: str) -> bool:
        """True when ``locale`` was translated from an older version of the source text."""
        return locale in self.stale_locales()

    def stale_locales(self) -> set[str]:
        """The locales translated from an older version of the source text (``is_stale``),
        hashing the source text once for all of them."""
        source = self.source.source_hash()
        return {
            code
            for code, text in self.locales.items()
            if code != self.source_locale and text.translated_from != source
        }

    def text(self, locale: str) -> Any:
        """The text in ``locale``, falling back to the source locale."""
        return self.locales.get(locale) or self.source

    @property
    def auto_gradable(self) -> bool:
        return self.kind in AUTO_GRADED


class ExerciseBehaviour:
    if TYPE_CHECKING:
        allowed_imports: list[str]

    @property
    def needs_torch(self) -> bool:
        return any(m == "torch" or m.startswith("torch.") for m in self.allowed_imports)


# ---------------------------------------------------------------------------- records


class RecordError(ValueError):
    """Cached JSON that does not have its model's shape (the loader then validates the file)."""


class Record:
    """A read-only view of one model's JSON dump: the same attribute names, values and methods.

    ``FIELDS`` lists the model's fields; ``NESTED`` says which hold other records (one, a list of,
    or a dict of them); ``CONVERT`` turns JSON values back into the model's Python type (dates).
    """

    FIELDS: ClassVar[frozenset[str]] = frozenset()
    NESTED: ClassVar[dict[str, tuple[str, type[Record]]]] = {}
    CONVERT: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def __init__(self, data: Any):
        if not isinstance(data, dict) or data.keys() != self.FIELDS:
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise RecordError(
                f"{type(self).__name__}: expected keys {sorted(self.FIELDS)}, got {got}"
            )
        attrs = self.__dict__
        attrs["_data"] = data
        for key, value in data.items():
            if value is not None:
                nested = self.NESTED.get(key)
                if nested is not None:
                    shape, cls = nested
                    if shape == "one":
                        value = cls(value)
                    elif shape == "list":
                        value = [cls(v) for v in value]
                    else:
                        value = {k: cls(v) for k, v in value.items()}
                elif key in self.CONVERT:
                    value = self.CONVERT[key](value)
            attrs[key] = value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._data == self._data  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # like the models' lists and dicts: not hashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def dump(self) -> dict[str, Any]:
        """The JSON form, as ``model.model_dump(mode="json")`` gives it (a copy)."""
        return copy.deepcopy(self.__dict__["_data"])


def _fields(*names: str) -> frozenset[str]:
    return frozenset(names)


class LocaleInfoRecord(Record):
    FIELDS = _fields("code", "name", "required")


class BankConfigRecord(BankConfigBehaviour, Record):
    FIELDS = _fields("locales", "tags")
    NESTED = {"locales": ("list", LocaleInfoRecord)}


class MisconceptionRecord(Record):
    FIELDS = _fields("claim", "correction")


class LocaleTextRecord(LocaleTextBehaviour, Record):
    FIELDS = _fields(
        "title", "prompt", "answer", "key_points", "misconceptions", "options", "statements",
        "translated_from",
    )  # fmt: skip
    NESTED = {"misconceptions": ("list", MisconceptionRecord)}


class ReferenceRecord(Record):
    FIELDS = _fields("kind", "title", "url", "authors", "year", "section", "note")


class VettingRecord(Record):
    FIELDS = _fields("status", "date", "checked")
    CONVERT = {"date": dt.date.fromisoformat}


class ChoiceRecord(Record):
    FIELDS = _fields("correct", "multiple")


class NumericRecord(NumericBehaviour, Record):
    FIELDS = _fields("value", "tolerance", "relative", "unit")


class SpotTheErrorRecord(Record):
    FIELDS = _fields("wrong")


class QuestionRecord(QuestionBehaviour, Record):
    FIELDS = _fields(
        "id", "kind", "tags", "difficulty", "source_locale", "origin", "locales", "references",
        "vetting", "choice", "numeric", "spot", "exercise",
    )  # fmt: skip
    NESTED = {
        "locales": ("dict", LocaleTextRecord),
        "references": ("list", ReferenceRecord),
        "vetting": ("one", VettingRecord),
        "choice": ("one", ChoiceRecord),
        "numeric": ("one", NumericRecord),
        "spot": ("one", SpotTheErrorRecord),
    }


class QuestionHeaderRecord(Record):
    FIELDS = _fields("id", "kind", "tags", "difficulty", "status", "origin", "titles")


class ExerciseLocaleRecord(Record):
    FIELDS = _fields("title", "statement", "hints", "translated_from")


class LimitsRecord(Record):
    FIELDS = _fields("time_s", "memory_mb", "output_kb")


class ExerciseRecord(ExerciseBehaviour, Record):
    FIELDS = _fields(
        "id", "kind", "tags", "difficulty", "source_locale", "locales", "starter", "entry_points",
        "optional_entry_points", "allowed_imports", "forbidden", "limits", "points",
        "related_questions",
    )  # fmt: skip
    NESTED = {"locales": ("dict", ExerciseLocaleRecord), "limits": ("one", LimitsRecord)}


# model class name -> its record class (tests pair them up through this table)
RECORDS: dict[str, type[Record]] = {
    "LocaleInfo": LocaleInfoRecord,
    "BankConfig": BankConfigRecord,
    "Misconception": MisconceptionRecord,
    "LocaleText": LocaleTextRecord,
    "Reference": ReferenceRecord,
    "Vetting": VettingRecord,
    "Choice": ChoiceRecord,
    "Numeric": NumericRecord,
    "SpotTheError": SpotTheErrorRecord,
    "Question": QuestionRecord,
    "QuestionHeader": QuestionHeaderRecord,
    "ExerciseLocale": ExerciseLocaleRecord,
    "Limits": LimitsRecord,
    "Exercise": ExerciseRecord,
}
