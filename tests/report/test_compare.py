import pytest

from harness.report import compare_runs, load_run
from report_fixtures import check_result, conversation, write_run

FAILED = [check_result("price_stated", False, reason="no price given")]


@pytest.fixture
def comparison(tmp_path):
    base = write_run(tmp_path, [
        conversation("pricing-1"),
        conversation("pricing-2", failed=FAILED),
        conversation("pricing-3"),
        conversation("pricing-4", failed=FAILED),
        conversation("support-1", "support"),
    ], run_id="base")
    candidate = write_run(tmp_path, [
        conversation("pricing-1", failed=FAILED),
        conversation("pricing-2"),
        conversation("pricing-3"),
        conversation("pricing-4", failed=FAILED),
        conversation("booking-1", "booking"),
    ], run_id="candidate")
    return compare_runs(load_run(base), load_run(candidate))


def test_compare_run_ids(comparison):
    assert (comparison.base_run_id, comparison.candidate_run_id) == ("base", "candidate")


@pytest.mark.parametrize(
    ("kind", "scenarios"),
    [
        ("newly_failing", ["pricing-1"]),
        ("newly_passing", ["pricing-2"]),
        ("still_passing", ["pricing-3"]),
        ("still_failing", ["pricing-4"]),
        ("added", ["booking-1"]),
        ("removed", ["support-1"]),
    ],
)
def test_compare_conversation_kinds(comparison, kind, scenarios):
    assert [change.scenario_id for change in comparison.of_kind(kind)] == scenarios


def test_compare_unchanged_count(comparison):
    assert comparison.unchanged == 2


def test_compare_tags_both_sides(comparison):
    change = comparison.newly_failing[0]
    assert change.base_tags == ()
    assert change.candidate_tags == ("missing_fact",)


def test_compare_intent_delta(comparison):
    pricing = next(change for change in comparison.intents if change.intent == "pricing")
    assert pricing.base == 0.5
    assert pricing.candidate == 0.5
    assert pricing.delta == 0.0


@pytest.mark.parametrize(("intent", "base", "candidate"), [("support", 1.0, None), ("booking", None, 1.0)])
def test_compare_intent_in_one_run(comparison, intent, base, candidate):
    change = next(change for change in comparison.intents if change.intent == intent)
    assert (change.base, change.candidate, change.delta) == (base, candidate, None)


def test_compare_repeats_collapsed(tmp_path):
    base = write_run(tmp_path, [conversation("pricing-1")], run_id="base")
    candidate = write_run(tmp_path, [
        conversation("pricing-1", repeat=0),
        conversation("pricing-1", repeat=1, failed=FAILED),
    ], run_id="candidate")
    comparison = compare_runs(load_run(base), load_run(candidate))
    assert [change.kind for change in comparison.conversations] == ["newly_failing"]
