"""Tests of stratified sampling and ``dm-harness sample``."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.cli import main
from harness.conversations import Scenario, Turn, load_suite
from harness.importers._writing import write_scenarios
from harness.importers.sampling import allocate, sample_scenarios


def make(intent: str, count: int, source: str, campaign: str | None = None, start: int = 0) -> list[Scenario]:
    return [
        Scenario(id=f"{intent}-{source}-{campaign}-{index:03d}", intent=intent, policy="answer",
                 source=source, campaign=campaign, turns=[Turn(user="hi")])
        for index in range(start, start + count)
    ]


POOL = [
    *make("pricing", 60, "dm"),
    *make("pricing", 30, "story_reply"),
    *make("pricing", 10, "ad", "spring"),
    *make("booking", 12, "dm"),
    *make("unlabelled", 40, "dm"),
]


def test_sample_per_intent():
    chosen, report = sample_scenarios(POOL, 50, seed=1)
    assert report.sampled == {"booking": 12, "pricing": 50}


def test_sample_stratified():
    chosen, _ = sample_scenarios(POOL, 50, seed=1)
    sources = Counter(s.source for s in chosen if s.intent == "pricing")
    assert sources == {"dm": 30, "story_reply": 15, "ad": 5}


def test_sample_deterministic():
    first, _ = sample_scenarios(POOL, 20, seed=7)
    second, _ = sample_scenarios(list(reversed(POOL)), 20, seed=7)
    assert [s.id for s in first] == [s.id for s in second]


def test_sample_seed_changes_draw():
    first, _ = sample_scenarios(POOL, 20, seed=7)
    second, _ = sample_scenarios(POOL, 20, seed=8)
    assert [s.id for s in first] != [s.id for s in second]


def test_sample_short_intent_reported(caplog):
    caplog.set_level(logging.INFO, logger="harness.importers.sampling")
    _, report = sample_scenarios(POOL, 50, seed=1)
    assert report.short == {"booking": 12}
    assert "intent booking has 12 conversations" in caplog.text


def test_sample_unlabelled_left_out():
    chosen, report = sample_scenarios(POOL, 50)
    assert report.left_out_unlabelled == 40
    assert "unlabelled" not in {s.intent for s in chosen}


def test_allocate_small_strata_get_one():
    shares = allocate({("a", ""): 100, ("b", ""): 1, ("c", ""): 1}, 10)
    assert shares == {("a", ""): 8, ("b", ""): 1, ("c", ""): 1}


@given(st.dictionaries(st.tuples(st.text(max_size=3), st.text(max_size=3)), st.integers(1, 40), min_size=1, max_size=8),
       st.integers(1, 100))
def test_allocate_invariants(sizes, quota):
    shares = allocate(sizes, quota)
    assert sum(shares.values()) == min(quota, sum(sizes.values()))
    assert all(0 <= shares[key] <= sizes[key] for key in sizes)


def test_sample_cli(tmp_path, capsys):
    write_scenarios(POOL, tmp_path / "in")
    assert main(["sample", str(tmp_path / "in"), "--per-intent", "20", "--seed", "3", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "intent booking has only 12" in err
    assert "40 unlabelled conversations left out" in err
    suite = load_suite([tmp_path / "out"])
    assert Counter(s.intent for s in suite.scenarios) == {"pricing": 20, "booking": 12}


def test_sample_cli_strict(tmp_path):
    write_scenarios(POOL, tmp_path / "in")
    code = main(["sample", str(tmp_path / "in"), "--per-intent", "20", "--strict", "--out", str(tmp_path / "out")])
    assert code == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("count", ["0", "-3"])
def test_sample_cli_invalid_count(tmp_path, count):
    write_scenarios(POOL, tmp_path / "in")
    assert main(["sample", str(tmp_path / "in"), "--per-intent", count, "--out", str(tmp_path / "out")]) == 2
