"""``dm-harness sample``: draw N labelled conversations per intent for a suite."""

from __future__ import annotations

import argparse

from harness.errors import ConfigError, ExitCode

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``dm-harness sample``."""
    parser = subparsers.add_parser(
        "sample",
        help="draw N conversations per intent, stratified by source and campaign",
        description="Draw up to N conversations of every intent from labelled scenario files, "
        "spread over traffic sources and campaigns, and write one scenario file per intent. "
        "The same input and seed always give the same sample.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    parser.add_argument("--per-intent", type=int, default=50, help="conversations per intent (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw (default: %(default)s)")
    parser.add_argument("--out", required=True, help="folder for the sampled scenario files")
    parser.add_argument(
        "--include-unlabelled", action="store_true", help="also sample conversations whose intent is 'unlabelled'"
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail, writing nothing, when an intent has fewer than --per-intent"
    )
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Sample, warn about short intents, and write the sample."""
    from rich.table import Table

    from harness.cli._console import console, error_console
    from harness.conversations import load_suite
    from harness.importers._writing import write_scenarios
    from harness.importers.sampling import sample_scenarios

    if args.per_intent < 1:
        raise ConfigError(f"invalid count {args.per_intent}", field="--per-intent", fix="use 1 or more")
    suite = load_suite(args.paths)
    chosen, report = sample_scenarios(
        suite.scenarios, args.per_intent, seed=args.seed, include_unlabelled=args.include_unlabelled
    )
    for intent, count in sorted(report.short.items()):
        error_console().print(
            f"[bold yellow]warning:[/] intent {intent} has only {count} conversations, "
            f"fewer than the {args.per_intent} requested"
        )
    if report.left_out_unlabelled:
        error_console().print(
            f"[bold yellow]warning:[/] {report.left_out_unlabelled} unlabelled conversations left out; "
            "label them with `dm-harness label apply` or pass --include-unlabelled"
        )
    if args.strict and report.short:
        raise ConfigError(
            f"{len(report.short)} intents have fewer than {args.per_intent} conversations",
            field="--per-intent",
            fix="import or label more conversations, lower --per-intent, or drop --strict",
        )
    if not chosen:
        raise ConfigError("no labelled conversations to sample", fix="label them first or pass --include-unlabelled")

    write_scenarios(chosen, args.out, overwrite=args.force)
    table = Table("intent", "sampled", "available", title=f"Sample written to {args.out} (seed {args.seed})")
    for intent in sorted(report.sampled):
        table.add_row(intent, str(report.sampled[intent]), str(report.available[intent]))
    console().print(table)
    return ExitCode.OK
