"""Outputs of a run: the HTML remediation report, JUnit XML, CSV and run comparison."""

from harness.report._clusters import ReplyCluster, cluster_replies
from harness.report._compare import ChangeKind, ConversationChange, IntentChange, RunComparison, compare_runs
from harness.report._csv import CSV_COLUMNS, csv_rows, write_csv
from harness.report._html import render_report, write_report
from harness.report._junit import render_junit, write_junit
from harness.report._outputs import CSV_FILE, JUNIT_FILE, REPORT_FILE, OutputPaths, write_outputs
from harness.report._remediation import (
    FIX_AREAS,
    ClusterSummary,
    FailedCheckSummary,
    FailingTurn,
    RemediationGroup,
    build_remediation,
    check_fixes,
    fix_area,
)
from harness.report._run_data import RunData, load_run
from harness.report._transcripts import transcript_payload

__all__ = [
    "CSV_COLUMNS",
    "CSV_FILE",
    "FIX_AREAS",
    "JUNIT_FILE",
    "REPORT_FILE",
    "ChangeKind",
    "ClusterSummary",
    "ConversationChange",
    "FailedCheckSummary",
    "FailingTurn",
    "IntentChange",
    "OutputPaths",
    "RemediationGroup",
    "ReplyCluster",
    "RunComparison",
    "RunData",
    "build_remediation",
    "check_fixes",
    "cluster_replies",
    "compare_runs",
    "csv_rows",
    "fix_area",
    "load_run",
    "render_junit",
    "render_report",
    "transcript_payload",
    "write_csv",
    "write_junit",
    "write_outputs",
    "write_report",
]
