"""Runs: the run config, the run folder, the runner and the run summary."""

from harness.runs._config import AdapterConfig, GateOverride, ReplayConfig, RunConfig, load_run_config
from harness.runs._folder import RunFolder, RunManifest, new_run_id
from harness.runs._history import HISTORY_FILE, HistoryEntry, RunHistory, adapter_version, record_run
from harness.runs._merge import merge_runs
from harness.runs._runner import (
    Progress,
    RunOutcome,
    Shard,
    apply_gate_override,
    build_manifest,
    execute,
    load_inputs,
    run_sync,
    select_shard,
    summarize_folder,
)
from harness.secrets import MASK, is_secret_key, mask_secrets
from harness.runs._summary import SUMMARY_SCHEMA_VERSION, LatencySummary, RunSummary, summarize_run

__all__ = [
    "HISTORY_FILE",
    "MASK",
    "SUMMARY_SCHEMA_VERSION",
    "AdapterConfig",
    "GateOverride",
    "HistoryEntry",
    "LatencySummary",
    "Progress",
    "ReplayConfig",
    "RunConfig",
    "RunFolder",
    "RunManifest",
    "RunHistory",
    "RunOutcome",
    "RunSummary",
    "Shard",
    "adapter_version",
    "execute",
    "is_secret_key",
    "load_inputs",
    "load_run_config",
    "mask_secrets",
    "merge_runs",
    "new_run_id",
    "record_run",
    "run_sync",
    "apply_gate_override",
    "build_manifest",
    "select_shard",
    "summarize_folder",
    "summarize_run",
]
