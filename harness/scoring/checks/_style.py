"""Checks on how the reply reads: length, reading level, questions asked, brand tone."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check
from harness.scoring.checks._language import count_syllables, questions, sentences, words

__all__ = [
    "LengthParams",
    "QuestionCountParams",
    "ReadingLevelParams",
    "ToneStyleParams",
    "flesch_kincaid_grade",
]

_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\U0001f1e6-\U0001f1ff]"
)
_SHOUTED_WORD = re.compile(r"\b[A-Z]{4,}\b")


class LengthParams(CheckParams):
    """Parameters of ``length``, in characters of the whole reply text."""

    min_chars: int = Field(default=1, ge=0)
    max_chars: int = Field(default=640, gt=0)
    """DM replies should be short; Instagram cuts a text message at 1,000 characters."""

    @model_validator(mode="after")
    def _ordered(self) -> LengthParams:
        if self.min_chars > self.max_chars:
            raise ValueError(f"min_chars {self.min_chars} is greater than max_chars {self.max_chars}")
        return self


class ReadingLevelParams(CheckParams):
    """Parameters of ``reading_level``."""

    max_grade: float = Field(default=8.0, gt=0)
    """Highest Flesch-Kincaid grade level that passes."""

    min_words: int = Field(default=8, ge=1)
    """Shorter replies are skipped: the formula is noise on a few words."""


class QuestionCountParams(CheckParams):
    """Parameters of ``question_count``: how many questions one reply may ask."""

    min: int = Field(default=0, ge=0)
    max: int = Field(default=2, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> QuestionCountParams:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class ToneStyleParams(CheckParams):
    """Parameters of ``tone_style``: limits that keep a reply on brand."""

    max_exclamations: int = Field(default=2, ge=0)
    max_emoji: int = Field(default=3, ge=0)
    max_shouted_words: int = Field(default=1, ge=0)
    """Words of four or more capital letters ("FREE", "NOW"); short acronyms do not count."""

    max_caps_ratio: float = Field(default=0.6, gt=0, le=1)
    """Highest share of capital letters among the letters of a reply of 12 letters or more."""


@check("length", params=LengthParams)
def length(ctx: CheckContext, params: LengthParams) -> Outcome:
    """The reply text is between ``min_chars`` and ``max_chars`` characters."""
    size = len(ctx.reply.text.strip())
    if size < params.min_chars:
        return Outcome.fail(f"{size} characters < minimum {params.min_chars}")
    if size > params.max_chars:
        score = params.max_chars / size
        return Outcome.fail(f"{size} characters > maximum {params.max_chars}", score=score)
    return Outcome.ok(f"{size} characters")


@check("reading_level", params=ReadingLevelParams)
def reading_level(ctx: CheckContext, params: ReadingLevelParams) -> Outcome:
    """The reply reads at or below a Flesch-Kincaid grade level."""
    text = ctx.reply.text
    if len(words(text)) < params.min_words:
        return Outcome.skip(f"fewer than {params.min_words} words")
    grade = flesch_kincaid_grade(text)
    if grade > params.max_grade:
        return Outcome.fail(f"reading grade {grade:.1f} > {params.max_grade:.1f}", score=params.max_grade / grade)
    return Outcome.ok(f"reading grade {grade:.1f}")


@check("question_count", params=QuestionCountParams)
def question_count(ctx: CheckContext, params: QuestionCountParams) -> Outcome:
    """The reply asks between ``min`` and ``max`` questions."""
    count = len(questions(ctx.reply.text))
    if count < params.min:
        return Outcome.fail(f"{count} questions < minimum {params.min}")
    if count > params.max:
        return Outcome.fail(f"{count} questions > maximum {params.max}: ask one thing at a time")
    return Outcome.ok(f"{count} questions")


@check("tone_style", params=ToneStyleParams)
def tone_style(ctx: CheckContext, params: ToneStyleParams) -> Outcome:
    """The reply does not shout, pile up exclamation marks or overuse emoji."""
    text = ctx.reply.text
    problems = _tone_problems(text, params)
    if problems:
        return Outcome.fail("; ".join(problems))
    return Outcome.ok("on-brand style")


def flesch_kincaid_grade(text: str) -> float:
    """Return the Flesch-Kincaid grade level of ``text`` (0 for text without words).

    grade = 0.39 × words per sentence + 11.8 × syllables per word − 15.59, with syllables
    estimated by :func:`~harness.scoring.checks._language.count_syllables`. Capitalised words
    inside a sentence are names ("Ophthalmologist Carol Winton"): they count as words but not
    towards syllables per word, because a reader does not find a reply hard for its names.
    """
    split = [words(sentence) for sentence in sentences(text)]
    found = [word for sentence in split for word in sentence if any(char.isalpha() for char in word)]
    if not found:
        return 0.0
    plain = [word for sentence in split for word in _without_names(sentence)]
    syllables_per_word = sum(count_syllables(word) for word in plain) / len(plain) if plain else 1.0
    grade = 0.39 * len(found) / len(split) + 11.8 * syllables_per_word - 15.59
    return max(0.0, grade)


def _without_names(sentence: list[str]) -> list[str]:
    kept = sentence[:1] + [word for word in sentence[1:] if not word[:1].isupper()]
    return [word for word in kept if any(char.isalpha() for char in word)]


def _tone_problems(text: str, params: ToneStyleParams) -> list[str]:
    problems = []
    exclamations = text.count("!")
    if exclamations > params.max_exclamations:
        problems.append(f"{exclamations} exclamation marks > {params.max_exclamations}")
    emoji = len(_EMOJI.findall(text))
    if emoji > params.max_emoji:
        problems.append(f"{emoji} emoji > {params.max_emoji}")
    shouted = _SHOUTED_WORD.findall(text)
    if len(shouted) > params.max_shouted_words:
        problems.append(f"shouting: {len(shouted)} all-caps words ({', '.join(shouted[:3])})")
    letters = [char for char in text if char.isalpha()]
    caps = sum(char.isupper() for char in letters) / len(letters) if len(letters) >= 12 else 0.0
    if caps > params.max_caps_ratio and len(shouted) <= params.max_shouted_words:
        problems.append(f"{caps:.0%} capital letters > {params.max_caps_ratio:.0%}")
    return problems
