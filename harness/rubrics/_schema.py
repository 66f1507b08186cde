"""The rubric schema: dimensions of checks, per-intent overrides and the gate."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.conversations import Policy

__all__ = [
    "DIMENSIONS",
    "CheckSpec",
    "Dimension",
    "DimensionSpec",
    "GateSpec",
    "IntentOverride",
    "Rubric",
    "Severity",
    "SEVERITY_WEIGHTS",
]

Dimension = Literal["accuracy", "tone", "actionability", "policy"]
DIMENSIONS: tuple[str, ...] = ("accuracy", "tone", "actionability", "policy")
Severity = Literal["critical", "major", "minor"]

SEVERITY_WEIGHTS: dict[str, int] = {"critical": 10, "major": 3, "minor": 1}
"""How much a failure of each severity counts when the remediation list ranks by impact."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckSpec(_Spec):
    """One check of a rubric: a registered check type with its parameters."""

    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    weight: float = Field(default=1.0, gt=0)
    severity: Severity = "major"
    tag: str = Field(min_length=1)
    """Failure tag, the root cause shown in the remediation list (``missing_fact``, ...)."""

    turns: Literal["all", "first", "last"] = "all"
    """Which turns the check applies to."""

    fix: str | None = None
    """Where to fix a failure of this check, shown in the remediation list."""

    description: str | None = None


class DimensionSpec(_Spec):
    """One scoring dimension: its checks and the minimum weighted score a reply needs."""

    min_score: float = Field(default=0.5, ge=0, le=1)
    checks: list[CheckSpec] = Field(default_factory=list)


class IntentOverride(_Spec):
    """Rubric changes for one intent."""

    policy: Policy | None = None
    """Overrides the policy written in the scenario files."""

    min_score: dict[Dimension, float] = Field(default_factory=dict)
    disable: list[str] = Field(default_factory=list)
    """Ids of rubric checks that do not apply to this intent."""

    checks: dict[Dimension, list[CheckSpec]] = Field(default_factory=dict)
    """Extra checks for this intent, by dimension."""

    min_acceptance: float | None = Field(default=None, ge=0, le=1)


class GateSpec(_Spec):
    """The launch decision."""

    min_acceptance: float = Field(default=0.8, ge=0, le=1)
    """Share of an intent's conversations that must pass."""

    intents: list[str] = Field(default_factory=list)
    """The core intents the gate applies to; empty means every intent in the suite."""

    fail_on_critical: bool = True
    """Any failed critical check in a gated intent fails the gate."""


class Rubric(_Spec):
    """A scoring rubric."""

    version: str
    name: str = "rubric"
    description: str | None = None
    dimensions: dict[Dimension, DimensionSpec]
    intents: dict[str, IntentOverride] = Field(default_factory=dict)
    gate: GateSpec = GateSpec()

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    def checks_for(self, intent: str) -> list[tuple[str, CheckSpec]]:
        """Return the (dimension, check) pairs that apply to ``intent``."""
        override = self.intents.get(intent)
        disabled = set(override.disable) if override else set()
        pairs = [
            (dimension, spec)
            for dimension, block in self.dimensions.items()
            for spec in block.checks
            if spec.id not in disabled
        ]
        if override:
            pairs.extend((dim, spec) for dim, specs in override.checks.items() for spec in specs)
        return pairs

    def min_score(self, intent: str, dimension: str) -> float:
        """Return the minimum score of ``dimension`` for ``intent``."""
        override = self.intents.get(intent)
        if override and dimension in override.min_score:
            return override.min_score[dimension]  # type: ignore[index]
        block = self.dimensions.get(dimension)  # type: ignore[call-overload]
        return block.min_score if block else 0.0

    def bar(self, intent: str) -> float:
        """Return the acceptance bar of ``intent``."""
        override = self.intents.get(intent)
        if override and override.min_acceptance is not None:
            return override.min_acceptance
        return self.gate.min_acceptance

    def is_gated(self, intent: str) -> bool:
        """True when the gate applies to ``intent``."""
        return not self.gate.intents or intent in self.gate.intents
