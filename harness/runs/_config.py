"""The run config (``harness.yaml``): what to replay, against which bot, scored how."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ConfigError
from harness.yamlfile import load_yaml, validate

__all__ = ["AdapterConfig", "GateOverride", "ReplayConfig", "RunConfig", "load_run_config"]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdapterConfig(_Config):
    """The adapter that reaches the bot, by registered name, with its options."""

    name: str
    options: dict[str, Any] = Field(default_factory=dict)
    """Adapter options; write secrets as ``${ENV_VAR}`` references, resolved only at run time."""


class ReplayConfig(_Config):
    """Replay settings."""

    concurrency: int = Field(default=8, ge=1, le=1024)
    timeout_s: float = Field(default=30.0, gt=0)
    """Seconds one bot call may take."""

    retries: int = Field(default=2, ge=0, le=10)
    backoff_s: float = Field(default=0.5, ge=0)
    repeats: int = Field(default=1, ge=1, le=100)
    min_pass_rate: float = Field(default=1.0, ge=0, le=1)
    """With repeats, the share of a scenario's replays that must pass for it to pass."""


class GateOverride(_Config):
    """Gate settings that override the rubric's."""

    min_acceptance: float | None = Field(default=None, ge=0, le=1)
    intents: list[str] | None = None
    fail_on_critical: bool | None = None


class RunConfig(_Config):
    """A run config, usually ``harness.yaml``. Relative paths are relative to the file."""

    scenarios: list[str] = Field(default_factory=lambda: ["scenarios"])
    rubric: str | None = None
    """The rubric file; the default DM rubric when not given."""

    adapter: AdapterConfig | None = None
    """The bot under test; required, from the file or from ``--bot``."""

    replay: ReplayConfig = ReplayConfig()
    output: str = "reports"
    gate: GateOverride = GateOverride()
    intents: list[str] = Field(default_factory=list)
    """Replay only these intents; empty means all."""

    base_dir: Path = Field(default=Path("."), exclude=True)

    def resolve(self, value: str) -> Path:
        """Resolve a path from the config against the config file's folder."""
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


def load_run_config(path: str | Path | None) -> RunConfig:
    """Load a run config; with no path, return the defaults relative to the working folder.

    Raises:
        ConfigError: The file is missing or invalid.
    """
    if path is None:
        return RunConfig()
    path = Path(path)
    document = load_yaml(path)
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("a run config must be a mapping", path=path, line=1)
    config = validate(RunConfig, data, path=path, lines=document.lines)
    base_dir = path.resolve().parent
    return config.model_copy(update={"base_dir": base_dir, "adapter": _resolve_adapter_paths(config.adapter, base_dir)})


_PATH_OPTIONS = ("system_prompt_file", "cwd")
"""Built-in adapter options that name a file or folder, resolved like every other path of a
config: against the config file's folder."""


def _resolve_adapter_paths(adapter: AdapterConfig | None, base_dir: Path) -> AdapterConfig | None:
    if adapter is None:
        return None
    options = dict(adapter.options)
    for name in _PATH_OPTIONS:
        value = options.get(name)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            options[name] = str(base_dir / value)
    target = options.get("target")
    if adapter.name == "python" and isinstance(target, str) and ".py:" in target:
        file_part, _, attribute = target.rpartition(":")
        if not Path(file_part).is_absolute():
            options["target"] = f"{base_dir / file_part}:{attribute}"
    return adapter.model_copy(update={"options": options})
