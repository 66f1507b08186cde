"""Loading scenario files (YAML, one file per intent, or JSONL, one scenario per line)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.conversations._records import Policy, Scenario, Suite
from harness.errors import ConfigError
from harness.yamlfile import load_yaml, validate

__all__ = ["ScenarioFile", "dump_scenario_file", "load_scenario_file", "load_suite"]

SCENARIO_SUFFIXES = (".yaml", ".yml", ".jsonl")


class ScenarioFile(BaseModel):
    """The top level of a YAML scenario file: defaults for every scenario it holds."""

    model_config = ConfigDict(extra="forbid")

    intent: str = Field(min_length=1)
    policy: Policy
    source: str | None = None
    campaign: str | None = None
    scenarios: list[dict[str, Any]] = Field(min_length=1)


def load_suite(paths: Iterable[str | Path]) -> Suite:
    """Load scenarios from files and folders into one suite.

    A folder contributes every ``.yaml``, ``.yml`` and ``.jsonl`` file directly inside it,
    in name order.

    Raises:
        ConfigError: A file is missing or invalid, or two scenarios share an id.
    """
    files = _expand(paths)
    if not files:
        raise ConfigError(
            "no scenario files found",
            fix="pass a folder with .yaml or .jsonl scenario files, for example scenarios/",
        )

    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for file in files:
        for scenario, where in _load_located(file):
            if scenario.id in seen:
                raise ConfigError(
                    f"duplicate scenario id {scenario.id!r}, first defined at {seen[scenario.id]}",
                    path=file,
                    line=where,
                    field="id",
                    fix="give every scenario a unique id",
                )
            seen[scenario.id] = f"{file}:{where}"
            scenarios.append(scenario)
    return Suite(scenarios=scenarios)


def load_scenario_file(path: str | Path) -> list[Scenario]:
    """Load the scenarios of one YAML or JSONL file."""
    return [scenario for scenario, _ in _load_located(Path(path))]


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in SCENARIO_SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise ConfigError("scenario path not found", path=path, fix="check the path")
    return files


def _load_located(path: Path) -> list[tuple[Scenario, int | None]]:
    if path.suffix == ".jsonl":
        return _load_jsonl(path)
    if path.suffix in (".yaml", ".yml"):
        return _load_yaml(path)
    raise ConfigError(
        f"unsupported scenario file type {path.suffix!r}",
        path=path,
        fix="use .yaml, .yml or .jsonl",
    )


def _load_yaml(path: Path) -> list[tuple[Scenario, int | None]]:
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        raise ConfigError(
            "a scenario file must be a mapping with intent, policy and scenarios",
            path=path,
            line=1,
        )
    header = validate(ScenarioFile, document.data, path=path, lines=document.lines)
    defaults = header.model_dump(exclude={"scenarios"}, exclude_none=True)

    located = []
    for index, entry in enumerate(header.scenarios):
        prefix = ("scenarios", index)
        data = {**defaults, **entry} if isinstance(entry, dict) else entry
        scenario = validate(Scenario, data, path=path, lines=document.lines, prefix=prefix)
        located.append((scenario, document.lines.line_of(prefix)))
    return located


def _load_jsonl(path: Path) -> list[tuple[Scenario, int | None]]:
    located = []
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            data = _parse_json_line(text, path, number)
            scenario = validate(Scenario, data, path=path, first_line=number)
            located.append((scenario, number))
    return located


def _parse_json_line(text: str, path: Path, number: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON at column {exc.colno}: {exc.msg}",
            path=path,
            line=number,
            fix="write one JSON object per line",
        ) from None



def dump_scenario_file(intent: str, policy: str, scenarios: list[Scenario]) -> dict[str, Any]:
    """Build the YAML data of a scenario file, leaving out the per-file defaults and empty fields."""
    entries = []
    for scenario in scenarios:
        entry = scenario.model_dump(mode="json", exclude_defaults=True)
        entry.pop("intent", None)
        if entry.get("policy") == policy:
            entry.pop("policy")
        entries.append(entry)
    return {"intent": intent, "policy": policy, "scenarios": entries}


