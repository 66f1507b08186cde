"""Tests of scenario file writing: file names of intents and overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.conversations import Scenario, Turn, load_suite
from harness.importers._writing import intent_file_stem, write_scenarios


def scenario(identifier: str, intent: str) -> Scenario:
    return Scenario(id=identifier, intent=intent, policy="answer", turns=[Turn(user="hello")])


@pytest.mark.parametrize("intent", ["pricing", "book_appointment", "opening-hours", "Pricing2"])
def test_stem_keeps_safe_intent(intent):
    assert intent_file_stem(intent) == intent


@pytest.mark.parametrize("intent", ["../evil", "a/b", "..", ".hidden", "a\\b", "x y", "/etc/passwd", "", "é" * 200])
def test_stem_is_plain_file_name(intent):
    stem = intent_file_stem(intent)
    assert "/" not in stem
    assert "\\" not in stem
    assert not stem.startswith(".")
    assert 0 < len(stem) <= 80


def test_stem_distinct_for_similar_intents():
    assert intent_file_stem("a/b") != intent_file_stem("a b")


def tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize("fmt", ["yaml", "jsonl"])
def test_write_stays_inside_out(tmp_path, fmt):
    out = tmp_path / "deep" / "out"
    written = write_scenarios([scenario("a", "../evil"), scenario("b", "../../evil2")], out, fmt=fmt)
    assert all(path.parent == out for path in written)
    assert tree(tmp_path) == ["deep", "deep/out", *sorted(f"deep/out/{path.name}" for path in written)]


def test_write_keeps_intent_in_file(tmp_path):
    [path] = write_scenarios([scenario("a", "../evil")], tmp_path / "out")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["intent"] == "../evil"
    assert load_suite([tmp_path / "out"]).scenarios[0].intent == "../evil"
