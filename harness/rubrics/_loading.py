"""Loading rubrics, with every error located at file:line."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from harness.errors import ConfigError
from harness.rubrics._schema import Rubric
from harness.yamlfile import LineMap, load_yaml, validate, validation_error

__all__ = ["DEFAULT_RUBRIC", "load_rubric"]

DEFAULT_RUBRIC = Path(__file__).resolve().parent / "default.yaml"
"""The default rubric for DM bots, shipped inside the package."""


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and check a rubric: schema, check types, check parameters and unique ids.

    Args:
        path: The rubric file; ``None`` loads the default rubric.

    Raises:
        ConfigError: The rubric is invalid, located at file:line.
    """
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        raise ConfigError("a rubric must be a mapping with version and dimensions", path=path, line=1)
    rubric = validate(Rubric, document.data, path=path, lines=document.lines)
    if not any(block.checks for block in rubric.dimensions.values()):
        # With no check every reply would pass and the gate would open for any bot.
        raise ConfigError(
            "the rubric has no checks",
            path=path,
            line=document.lines.line_of(("dimensions",)),
            field="dimensions",
            fix="add checks under a dimension, or leave out --rubric to use the default rubric",
        )
    _check_specs(rubric, path, document.lines)
    _check_disabled_ids(rubric, path, document.lines)
    return rubric


def _check_disabled_ids(rubric: Rubric, path: Path, lines: LineMap) -> None:
    # A misspelt id in ``disable`` would otherwise leave the check running without a word.
    known = [spec.id for block in rubric.dimensions.values() for spec in block.checks]
    for intent, override in rubric.intents.items():
        for index, check_id in enumerate(override.disable):
            if check_id not in known:
                location = ("intents", intent, "disable", index)
                raise ConfigError(
                    f"unknown check id {check_id!r} in disable",
                    path=path,
                    line=lines.line_of(location),
                    field=".".join(map(str, location)),
                    fix=f"use one of: {', '.join(known)}",
                )


def _check_specs(rubric: Rubric, path: Path, lines: LineMap) -> None:
    # Imported here because the scoring package imports the rubric schema.
    from harness.scoring import available_checks

    registry = available_checks()
    seen: set[str] = set()
    for location, spec in _located_specs(rubric):
        if spec.id in seen:
            raise ConfigError(
                f"duplicate check id {spec.id!r}",
                path=path,
                line=lines.line_of((*location, "id")),
                field=".".join(map(str, (*location, "id"))),
                fix="give every check a unique id",
            )
        seen.add(spec.id)
        check_type = registry.get(spec.type)
        if check_type is None:
            raise ConfigError(
                f"unknown check type {spec.type!r}",
                path=path,
                line=lines.line_of((*location, "type")),
                field=".".join(map(str, (*location, "type"))),
                fix=f"use one of: {', '.join(registry)}",
            )
        try:
            check_type.params.model_validate(spec.params)
        except ValidationError as exc:
            raise validation_error(
                exc, model=check_type.params, path=path, lines=lines, prefix=(*location, "params")
            ) from None


def _located_specs(rubric: Rubric):
    for dimension, block in rubric.dimensions.items():
        for index, spec in enumerate(block.checks):
            yield ("dimensions", dimension, "checks", index), spec
    for intent, override in rubric.intents.items():
        for dimension, specs in override.checks.items():
            for index, spec in enumerate(specs):
                yield ("intents", intent, "checks", dimension, index), spec
