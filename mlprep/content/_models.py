"""Typed content: the bank's configuration, questions and exercises.

Every field a YAML file may hold is declared here; unknown keys are errors (``extra="forbid"``).
Locales are data: a question's ``locales`` maps any locale code declared in ``questions/_bank.yaml``
to its text, so adding a locale needs no code change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mlprep.content._records import (
    DIFFICULTIES,
    BankConfigBehaviour,
    ExerciseBehaviour,
    LocaleTextBehaviour,
    NumericBehaviour,
    QuestionBehaviour,
)

ID_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[str, Field(pattern=ID_RE, min_length=2, max_length=80)]
LocaleCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]
NonEmpty = Annotated[str, Field(min_length=1)]
Kind = Literal["open", "choice", "numeric", "spot-the-error", "exercise"]
Difficulty = Literal["easy", "medium", "hard"]
assert Difficulty.__args__ == DIFFICULTIES  # one order: listing, the site and the quiz sort by it


class Strict(BaseModel):
    # defer_build: a schema is built on first validation, so commands pay only for the models they use
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True
    )

    def dump(self) -> dict[str, Any]:
        """The JSON form (what the loader caches and a record wraps)."""
        return self.model_dump(mode="json")


# ---------------------------------------------------------------------------- bank configuration


class LocaleInfo(Strict):
    code: LocaleCode
    name: NonEmpty  # the locale's own name for itself, shown in language switchers
    required: bool = True  # a vetted entry must be complete in every required locale


class BankConfig(BankConfigBehaviour, Strict):
    """``questions/_bank.yaml``: the locales and the tag vocabulary."""

    locales: list[LocaleInfo] = Field(min_length=1)
    tags: dict[Id, dict[LocaleCode, NonEmpty]]  # tag -> locale -> label


# ---------------------------------------------------------------------------- questions


class Misconception(Strict):
    claim: NonEmpty  # the wrong claim, as people state it
    correction: NonEmpty  # why it is wrong and what is true


class LocaleText(LocaleTextBehaviour, Strict):
    """One locale's text of a question. Markdown with ``$…$`` / ``$$…$$`` math."""

    title: NonEmpty
    prompt: NonEmpty
    answer: NonEmpty
    key_points: list[NonEmpty] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(default_factory=list)
    # choice: the options, in the order shared by every locale
    options: list[NonEmpty] | None = None
    # spot-the-error: the flawed answer, one statement per item, in the order shared by every locale
    statements: list[NonEmpty] | None = None
    # translated locales: ``source_hash`` of the source-locale text this was translated from
    translated_from: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$")


class Reference(Strict):
    kind: Literal["paper", "docs", "book", "code"]
    title: NonEmpty
    url: Annotated[str, Field(pattern=r"^https://")]
    authors: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    section: str | None = None  # paper section, equation, or page anchor that supports the answer
    note: str | None = None  # what this reference supports


class Vetting(Strict):
    status: Literal["draft", "vetted"]
    date: dt.date | None = None
    checked: str | None = None  # what was checked against which source

    @model_validator(mode="after")
    def _vetted_needs_record(self) -> Vetting:
        if self.status == "vetted" and (self.date is None or not self.checked):
            raise ValueError("a vetted entry needs 'date' and 'checked'")
        return self


class Choice(Strict):
    correct: list[Annotated[int, Field(ge=0)]] = Field(min_length=1)
    multiple: bool = False  # several options may be correct; the learner must pick exactly those

    @model_validator(mode="after")
    def _one_unless_multiple(self) -> Choice:
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("'correct' lists an option twice")
        if not self.multiple and len(self.correct) != 1:
            raise ValueError("a single-answer choice has exactly one correct option")
        return self


class Numeric(NumericBehaviour, Strict):
    value: float
    tolerance: float = Field(ge=0)
    relative: bool = False  # tolerance is relative to |value| rather than absolute
    unit: str | None = None


class SpotTheError(Strict):
    wrong: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1
    )  # indices of the wrong statements


class Question(QuestionBehaviour, Strict):
    id: Id
    kind: Kind
    tags: list[Id] = Field(min_length=1)
    difficulty: Difficulty
    source_locale: LocaleCode = "en"
    origin: str | None = None  # the seed document's file name this question came from
    locales: dict[LocaleCode, LocaleText] = Field(min_length=1)
    references: list[Reference] = Field(default_factory=list)
    vetting: Vetting
    choice: Choice | None = None
    numeric: Numeric | None = None
    spot: SpotTheError | None = None
    exercise: Id | None = None  # the linked exercise id (kind: exercise)

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        if len(set(tags)) != len(tags):
            raise ValueError("a tag is listed twice")
        return tags

    @model_validator(mode="after")
    def _kind_fields(self) -> Question:
        wanted = {
            "choice": "choice",
            "numeric": "numeric",
            "spot-the-error": "spot",
            "exercise": "exercise",
        }
        for kind, field in wanted.items():
            present = getattr(self, field) is not None
            if kind == self.kind and not present:
                raise ValueError(f"kind '{kind}' needs '{field}'")
            if kind != self.kind and present:
                raise ValueError(f"'{field}' is only for kind '{kind}'")
        if self.source_locale not in self.locales:
            raise ValueError(f"source locale '{self.source_locale}' has no text")
        for code, text in self.locales.items():
            self._check_locale_shape(code, text)
        if self.vetting.status == "vetted" and not self.references:
            raise ValueError("a vetted entry needs at least one reference")
        return self

    def _check_locale_shape(self, code: str, text: LocaleText) -> None:
        if self.kind == "choice":
            assert self.choice is not None
            if not text.options or len(text.options) < 2:
                raise ValueError(f"locale '{code}': a choice question needs at least two options")
            if max(self.choice.correct) >= len(text.options):
                raise ValueError(f"locale '{code}': a correct index is past the last option")
        elif text.options is not None:
            raise ValueError(f"locale '{code}': 'options' is only for kind 'choice'")
        if self.kind == "spot-the-error":
            assert self.spot is not None
            if not text.statements or len(text.statements) < 2:
                raise ValueError(f"locale '{code}': spot-the-error needs at least two statements")
            if max(self.spot.wrong) >= len(text.statements):
                raise ValueError(f"locale '{code}': a wrong index is past the last statement")
        elif text.statements is not None:
            raise ValueError(f"locale '{code}': 'statements' is only for kind 'spot-the-error'")
        if code != self.source_locale and text.translated_from is None:
            raise ValueError(
                f"locale '{code}': a translation needs 'translated_from' (the source hash)"
            )


class QuestionHeader(Strict):
    """What listing and filtering need, cached beside the full entry so a warm load skips the text."""

    id: str
    kind: Kind
    tags: list[str]
    difficulty: Difficulty
    status: Literal["draft", "vetted"]
    origin: str | None
    titles: dict[str, str]  # locale -> title

    @classmethod
    def of(cls, q: Question) -> QuestionHeader:
        return cls(
            id=q.id,
            kind=q.kind,
            tags=q.tags,
            difficulty=q.difficulty,
            status=q.vetting.status,
            origin=q.origin,
            titles={code: text.title for code, text in q.locales.items()},
        )


# ---------------------------------------------------------------------------- exercises


class ExerciseLocale(Strict):
    title: NonEmpty
    statement: NonEmpty  # file name of the statement, relative to the exercise folder
    hints: list[NonEmpty] = Field(default_factory=list)
    translated_from: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$")


class Limits(Strict):
    time_s: float = Field(default=20.0, gt=0, le=600)
    memory_mb: int = Field(default=1024, ge=64, le=16384)
    output_kb: int = Field(default=64, ge=1, le=4096)


ExerciseKind = Literal["numpy-function", "numpy-fix", "torch-module", "torch-function", "torch-fix"]


class Exercise(ExerciseBehaviour, Strict):
    id: Id
    kind: ExerciseKind
    tags: list[Id] = Field(min_length=1)
    difficulty: Difficulty
    source_locale: LocaleCode = "en"
    locales: dict[LocaleCode, ExerciseLocale] = Field(min_length=1)
    starter: NonEmpty = (
        "starter.py"  # file the learner starts from, relative to the exercise folder
    )
    entry_points: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        min_length=1
    )
    optional_entry_points: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        default_factory=list
    )
    allowed_imports: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")]] = Field(
        min_length=1
    )
    # dotted names a submission may not use even though their module is allowed,
    # e.g. torch.nn.functional.batch_norm in an exercise that asks for BN by hand
    forbidden: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")]] = Field(
        default_factory=list
    )
    limits: Limits = Field(default_factory=Limits)
    points: float = Field(default=10.0, gt=0)
    related_questions: list[Id] = Field(default_factory=list)

    @model_validator(mode="after")
    def _source_present(self) -> Exercise:
        if self.source_locale not in self.locales:
            raise ValueError(f"source locale '{self.source_locale}' has no text")
        return self


def slug_ok(value: str) -> bool:
    return re.fullmatch(ID_RE, value) is not None
