"""``dm-harness run``: replay a suite through a bot, score it and apply the gate."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, ExitCode

__all__ = ["register"]

DEFAULT_CONFIG = "harness.yaml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="replay scenarios through a bot, score every reply, apply the gate",
        description="Replay scenarios through a bot, score every reply and apply the launch gate. "
        "Exit code 0: gate passed; 1: gate failed; 2: usage or config error; 3: internal error; "
        "130: interrupted.",
    )
    parser.add_argument("config", nargs="?", help=f"run config (default: {DEFAULT_CONFIG} when it exists)")
    parser.add_argument(
        "--bot",
        help="the bot: 'module:function' or 'file.py:function' (python adapter), an http(s) URL "
        "(http adapter), or an adapter name such as 'recorded'",
    )
    parser.add_argument(
        "-o", "--option", action="append", default=[], metavar="KEY=VALUE",
        help="adapter option, repeatable (VALUE is parsed as YAML: numbers, true/false, lists)",
    )
    parser.add_argument("--scenarios", action="append", metavar="PATH", help="scenario file or folder, repeatable")
    parser.add_argument("--rubric", help="rubric file (default: the built-in DM rubric)")
    parser.add_argument("--out", help="output folder for run folders (default: reports)")
    parser.add_argument("--concurrency", type=int, help="conversations replayed at once")
    parser.add_argument("--timeout", type=float, help="seconds one bot call may take")
    parser.add_argument("--repeat", type=int, help="replays of each scenario (nondeterministic bots)")
    parser.add_argument("--min-pass-rate", type=float, help="with --repeat: share of replays that must pass")
    parser.add_argument("--intent", action="append", metavar="INTENT", help="replay only this intent, repeatable")
    parser.add_argument("--shard", metavar="INDEX/COUNT", help="replay one deterministic part of the suite, e.g. 2/4")
    parser.add_argument("--resume", metavar="RUN_ID", help="continue an interrupted run without replaying finished conversations")
    parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
    parser.add_argument(
        "--baseline", metavar="RUN",
        help="compare with this earlier run (id in the output folder, or folder path); the report gets a comparison section",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the suite and return the gate's exit code."""
    from harness.cli._console import console, error_console
    from harness.cli._progress import RichProgress
    from harness.cli._report import open_run
    from harness.cli._tables import print_run_summary
    from harness.runs import Shard, execute

    config = build_config(args)
    shard = Shard.parse(args.shard) if args.shard else None
    # Checked before replaying, so a mistyped baseline does not cost a whole run.
    baseline = open_run(args.baseline, config.resolve(config.output)) if args.baseline else None
    progress = None if args.no_progress else RichProgress(error_console())
    try:
        outcome = asyncio.run(execute(config, resume=args.resume, shard=shard, progress=progress))
    except KeyboardInterrupt:
        _print_resume_hint(config.resolve(config.output), args.resume)
        raise
    finally:
        if progress:
            progress.stop()

    print_run_summary(console(), outcome.summary, outcome.folder.path)
    _write_outputs(outcome.folder, baseline)
    return ExitCode.OK if outcome.summary.gate.passed else ExitCode.GATE_FAILED


def _print_resume_hint(output: Path, resumed: str | None) -> None:
    from harness.cli._console import error_console

    # The interrupted run is the newest folder without a summary; its id is what --resume needs.
    unfinished = sorted(path.parent.name for path in output.glob("*/run.json") if not (path.parent / "summary.json").exists())
    run_id = resumed or (unfinished[-1] if unfinished else None)
    if run_id:
        error_console().print(f"run {run_id} interrupted; continue it with: dm-harness run ... --resume {run_id}")


def _write_outputs(folder: Any, baseline: Any) -> None:
    from rich.markup import escape

    from harness.cli._compare import print_comparison
    from harness.cli._console import console, error_console
    from harness.errors import HarnessError
    from harness.report import write_outputs
    from harness.runs import record_run

    paths = write_outputs(folder, baseline)
    try:
        record_run(folder)
    except HarnessError as exc:
        # The gate decision is valid without the history, so losing it must not turn a pass into a failure.
        error_console().print(f"[yellow]warning:[/] {escape(str(exc))}")
    if paths.comparison is not None:
        print_comparison(console(), paths.comparison)
    console().print(f"report: {escape(str(paths.report))}")


def build_config(args: argparse.Namespace) -> Any:
    """Merge the run config file with the command-line options, which win."""
    from harness.runs import AdapterConfig, load_run_config

    path = args.config or (DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None)
    config = load_run_config(path)
    updates: dict[str, Any] = {}
    if args.bot:
        updates["adapter"] = _adapter_from_bot(args.bot, _parse_options(args.option))
    elif args.option:
        if config.adapter is None:
            raise ConfigError("--option needs a bot", field="--option", fix="pass --bot or set adapter: in the config")
        options = {**config.adapter.options, **_parse_options(args.option)}
        updates["adapter"] = AdapterConfig(name=config.adapter.name, options=options)
    if args.scenarios:
        updates["scenarios"] = [str(Path(p).resolve()) for p in args.scenarios]
    if args.rubric:
        updates["rubric"] = str(Path(args.rubric).resolve())
    if args.out:
        updates["output"] = str(Path(args.out).resolve())
    if args.intent:
        updates["intents"] = args.intent
    updates["replay"] = _replay_updates(config.replay, args)
    return config.model_copy(update=updates)


def _replay_updates(replay: Any, args: argparse.Namespace) -> Any:
    from harness.runs import ReplayConfig

    values = replay.model_dump()
    options = {"concurrency": "concurrency", "timeout": "timeout_s", "repeat": "repeats", "min_pass_rate": "min_pass_rate"}
    for option, key in options.items():
        value = getattr(args, option)
        if value is not None:
            values[key] = value
    from pydantic import ValidationError

    try:
        return ReplayConfig.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        flags = {key: option.replace("_", "-") for option, key in options.items()}
        raise ConfigError(f"invalid value: {first['msg']}", field=f"--{flags.get(first['loc'][0], first['loc'][0])}") from None


def _adapter_from_bot(bot: str, options: dict[str, Any]) -> Any:
    from harness.adapters import available_adapters
    from harness.runs import AdapterConfig

    if bot.startswith(("http://", "https://")):
        return AdapterConfig(name="http", options={"url": bot, **options})
    if bot in available_adapters():
        return AdapterConfig(name=bot, options=options)
    if ":" in bot:
        return AdapterConfig(name="python", options={"target": bot, **options})
    raise ConfigError(
        f"cannot tell which bot {bot!r} is",
        field="--bot",
        fix="pass 'module:function', an http(s) URL, or an adapter name (see `dm-harness adapters`)",
    )


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    import yaml

    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"invalid option {pair!r}", field="--option", fix="write KEY=VALUE")
        try:
            options[key] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            options[key] = value
    return options
