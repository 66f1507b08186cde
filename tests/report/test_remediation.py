import pytest

from harness.report import build_remediation, check_fixes, fix_area
from harness.report._remediation import CLUSTER_MIN_CONVERSATIONS, UNTAGGED
from harness.rubrics import CheckSpec, DimensionSpec, Rubric
from report_fixtures import check_result, conversation, mixed_results


def _missing_fact(scenario_id: str, intent: str = "pricing", **kwargs):
    failed = [check_result("price_stated", False, reason="no price given")]
    return conversation(scenario_id, intent, failed=failed, **kwargs)


def test_remediation_ignores_passed():
    assert build_remediation([conversation("pricing-0001")]) == []


def test_remediation_groups_by_intent_and_tag():
    groups = build_remediation(mixed_results())
    keys = {(group.intent, group.tag) for group in groups}
    assert keys == {
        ("pricing", "missing_fact"),
        ("pricing", "no_next_step"),
        ("support", "missed_escalation"),
        ("support", "no_next_step"),
    }


def test_remediation_ranked_by_impact():
    # One critical failure (impact 10) outranks three major ones (impact 9).
    results = [_missing_fact(f"pricing-{i}") for i in range(3)]
    results.append(
        conversation("support-1", "support", failed=[check_result("escalate", False, tag="missed_escalation", severity="critical")])
    )
    groups = build_remediation(results)
    assert [(group.tag, group.impact) for group in groups] == [("missed_escalation", 10), ("missing_fact", 9)]


def test_remediation_conversation_in_each_tag():
    failed = [check_result("price_stated", False), check_result("cta", False, tag="no_next_step")]
    groups = build_remediation([conversation("pricing-1", failed=failed)])
    assert sorted(group.tag for group in groups) == ["missing_fact", "no_next_step"]


def test_remediation_counts_and_checks():
    group = build_remediation([_missing_fact(f"pricing-{i}") for i in range(4)])[0]
    assert group.conversations == 4
    assert group.severity == "major"
    assert group.checks[0].id == "price_stated"
    assert group.checks[0].conversations == 4
    assert group.checks[0].reasons == ("no price given",)


@pytest.mark.parametrize(("failed", "examples"), [(1, 1), (2, 2), (3, 3), (7, 3)])
def test_remediation_two_or_three_examples(failed, examples):
    group = build_remediation([_missing_fact(f"pricing-{i}") for i in range(failed)])[0]
    assert len(group.examples) == examples


def test_remediation_small_group_not_clustered():
    results = [_missing_fact(f"pricing-{i}") for i in range(CLUSTER_MIN_CONVERSATIONS - 1)]
    assert build_remediation(results)[0].clusters == ()


def test_remediation_large_group_clustered():
    canned = "Please DM us later, we are busy."
    other = "Our team will get back to you about haircut prices soon."
    results = [_missing_fact(f"pricing-{i}", reply=canned if i % 3 else other) for i in range(12)]
    group = build_remediation(results)[0]
    assert [cluster.size for cluster in group.clusters] == [8, 4]
    assert group.clusters[0].example.reply == canned
    assert group.clusters[1].example.reply == other


def test_remediation_examples_follow_clusters():
    canned = "Please DM us later, we are busy."
    other = "Our team will get back to you about haircut prices soon."
    results = [_missing_fact(f"pricing-{i:02d}", reply=other if i == 11 else canned) for i in range(12)]
    group = build_remediation(results)[0]
    assert "pricing-11" in [example.scenario_id for example in group.examples]


def test_remediation_untagged_failure():
    result = conversation("pricing-1").model_copy(update={"passed": False})
    group = build_remediation([result])[0]
    assert group.tag == UNTAGGED


@pytest.mark.parametrize(
    ("tag", "area"),
    [
        ("missed_escalation", "escalation policy"),
        ("needless_escalation", "escalation policy"),
        ("missed_intent", "rule or routing"),
        ("missing_fact", "copy or prompt"),
        ("bot_error", "hosting or integration"),
        ("something_new", "copy or prompt"),
    ],
)
def test_fix_area_by_tag(tag, area):
    assert fix_area(tag) == area


def test_remediation_rubric_fix_wins():
    rubric = Rubric(
        version="1",
        dimensions={"accuracy": DimensionSpec(checks=[
            CheckSpec(id="price_stated", type="facts", tag="missing_fact", fix="price list in the FAQ copy"),
        ])},
    )
    group = build_remediation([_missing_fact("pricing-1")], check_fixes(rubric))[0]
    assert group.fix_area == "price list in the FAQ copy"
    assert group.checks[0].fix == "price list in the FAQ copy"


def test_check_fixes_without_rubric():
    assert check_fixes(None) == {}
