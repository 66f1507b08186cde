"""Rubric schema and loading."""

from harness.rubrics._loading import DEFAULT_RUBRIC, load_rubric
from harness.rubrics._schema import (
    DIMENSIONS,
    SEVERITY_WEIGHTS,
    CheckSpec,
    Dimension,
    DimensionSpec,
    GateSpec,
    IntentOverride,
    Rubric,
    Severity,
)

__all__ = [
    "DEFAULT_RUBRIC",
    "DIMENSIONS",
    "SEVERITY_WEIGHTS",
    "CheckSpec",
    "Dimension",
    "DimensionSpec",
    "GateSpec",
    "IntentOverride",
    "Rubric",
    "Severity",
    "load_rubric",
]
