"""``dm-harness merge``: join the shard runs of a CI matrix into one run, one report and one gate."""

from __future__ import annotations

import argparse

from harness.errors import ExitCode

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``merge`` subcommand."""
    from harness.cli._report import add_output_option

    parser = subparsers.add_parser(
        "merge",
        help="join shard runs (dm-harness run --shard I/N) into one run and one report",
        description="Join the runs of every shard of a `dm-harness run --shard I/N` split into one "
        "run folder with one report, and apply the launch gate over all of them. "
        "Exit code 0: gate passed; 1: gate failed; 2: the runs cannot be merged.",
    )
    parser.add_argument(
        "runs", nargs="+", metavar="RUN",
        help="shard run: run id in the output folder, or the path of a run folder",
    )
    parser.add_argument(
        "--rubric",
        help="rubric that decides the gate (default: the rubric file named in the first run's run.json)",
    )
    add_output_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Merge the runs, write the outputs, print the summary and return the gate's exit code."""
    from rich.markup import escape

    from harness.cli._console import console
    from harness.cli._report import open_run
    from harness.cli._tables import print_run_summary
    from harness.report import write_outputs
    from harness.runs import merge_runs, record_run

    folders = [open_run(reference, args.out) for reference in args.runs]
    outcome = merge_runs(folders, args.out, rubric_path=args.rubric)
    paths = write_outputs(outcome.folder)
    record_run(outcome.folder)

    print_run_summary(console(), outcome.summary, outcome.folder.path)
    console().print(f"merged {len(folders)} runs; report: {escape(str(paths.report))}")
    return ExitCode.OK if outcome.summary.gate.passed else ExitCode.GATE_FAILED
