"""Fixtures of the report tests."""

from pathlib import Path

import pytest

from harness.runs import RunFolder
from report_fixtures import mixed_results, write_run


@pytest.fixture
def mixed_run(tmp_path: Path) -> RunFolder:
    """A finished run folder with :func:`mixed_results`."""
    return write_run(tmp_path / "reports", mixed_results())
