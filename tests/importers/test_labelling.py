"""Tests of intent labelling: keyword rules, the classifier, the threshold and the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.conversations import Scenario, Turn, load_suite
from harness.errors import ConfigError
from harness.importers._writing import write_scenarios
from harness.importers.labelling import (
    NEEDS_REVIEW,
    IntentClassifier,
    RulesFile,
    evaluate_classifier,
    label_scenarios,
    load_examples,
    load_rules,
)

REPO = Path(__file__).resolve().parents[2]
BANKING77 = REPO.parent / "shared" / "data" / "banking77"

EXAMPLES = {
    "pricing": ["how much is a haircut", "what does a facial cost", "price of lash extensions",
                "how much for nails", "what are your prices", "cost of a colour treatment"],
    "book_appointment": ["can I book for friday", "any slots tomorrow", "I want an appointment",
                         "book me in saturday morning", "do you have availability next week",
                         "can I come in at 3pm"],
    "opening_hours": ["when do you open", "are you open on sunday", "what time do you close",
                      "opening hours please", "are you open late on thursday", "what are your hours"],
}


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    texts = [text for texts in EXAMPLES.values() for text in texts]
    intents = [intent for intent, texts in EXAMPLES.items() for _ in texts]
    return IntentClassifier.train(texts, intents)


def scenario(identifier: str, *texts: str) -> Scenario:
    return Scenario(id=identifier, intent="unlabelled", policy="answer", turns=[Turn(user=text) for text in texts])


RULES = RulesFile.model_validate(
    {
        "policies": {"complaint": "escalate", "book_appointment": "clarify"},
        "rules": [{"intent": "complaint", "keywords": ["refund", "never arrived"]}],
    }
)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("I want a REFUND now", "complaint"), ("my parcel never   arrived", "complaint"), ("refunded?", None), ("hello", None)],
)
def test_rules_match(text, intent):
    assert RULES.match(text) == intent


def test_rules_policy():
    assert RULES.policy_of("complaint") == "escalate"
    assert RULES.policy_of("pricing") == "answer"


def test_rules_file_errors(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - intent: pricing\n    keywords: [price]\n    weight: 2\n")
    with pytest.raises(ConfigError, match=r"rules\.yaml:4: rules\.0\.weight: unknown field"):
        load_rules(path)


def test_rules_example_file_loads():
    rules = load_rules(REPO / "examples" / "labelling" / "rules.yaml")
    assert rules.match("how much is it?") == "pricing"


def test_classifier_predicts(classifier):
    prediction = classifier.predict(["how much do nails cost"])[0]
    assert prediction.intent == "pricing"
    assert 0 < prediction.confidence <= 1


def test_classifier_save_load(classifier, tmp_path):
    classifier.save(tmp_path / "model.joblib")
    loaded = IntentClassifier.load(tmp_path / "model.joblib")
    assert loaded.predict(["are you open sunday"]) == classifier.predict(["are you open sunday"])


def test_classifier_load_missing(tmp_path):
    with pytest.raises(ConfigError, match="model file not found"):
        IntentClassifier.load(tmp_path / "missing.joblib")


def test_label_rule_before_model(classifier):
    labelled, report = label_scenarios([scenario("a", "how much for a refund")], rules=RULES, classifier=classifier)
    assert labelled[0].intent == "complaint"
    assert labelled[0].policy == "escalate"
    assert report.by_rule == 1


def test_label_model(classifier):
    labelled, report = label_scenarios([scenario("a", "can I book friday at 3pm")], rules=RULES, classifier=classifier, threshold=0.3)
    assert labelled[0].intent == "book_appointment"
    assert labelled[0].policy == "clarify"
    assert labelled[0].metadata["labelled_by"] == "model"


def test_label_below_threshold(classifier):
    labelled, report = label_scenarios([scenario("a", "can I book friday")], classifier=classifier, threshold=0.999)
    assert labelled[0].intent == "unlabelled"
    assert NEEDS_REVIEW in labelled[0].tags
    assert labelled[0].metadata["suggested_intent"] == "book_appointment"
    assert report.needs_review == 1


def test_label_needs_something():
    with pytest.raises(ConfigError, match="nothing to label with"):
        label_scenarios([scenario("a", "hi")])


def test_label_cli_apply(tmp_path, classifier):
    classifier.save(tmp_path / "model.joblib")
    write_scenarios([scenario("a", "refund please"), scenario("b", "what time do you close tonight")], tmp_path / "in")
    rules = tmp_path / "rules.yaml"
    rules.write_text("policies: {complaint: escalate}\nrules:\n  - intent: complaint\n    keywords: [refund]\n")
    code = main(["label", "apply", str(tmp_path / "in"), "--rules", str(rules), "--model", str(tmp_path / "model.joblib"),
                 "--threshold", "0.2", "--out", str(tmp_path / "out")])
    assert code == 0
    suite = load_suite([tmp_path / "out"])
    assert {s.id: s.intent for s in suite.scenarios} == {"a": "complaint", "b": "opening_hours"}


def test_label_cli_train_evaluate(tmp_path, capsys):
    examples = tmp_path / "examples.csv"
    rows = [f'"{text}",{intent}' for intent, texts in EXAMPLES.items() for text in texts]
    examples.write_text("text,category\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.joblib"
    assert main(["label", "train", str(examples), "--model", str(model)]) == 0
    assert main(["label", "evaluate", str(examples), "--model", str(model)]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_examples_missing_column(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("message,label\nhi,greet\n")
    with pytest.raises(ConfigError, match="column 'text' not found"):
        load_examples(path)


@pytest.mark.skipif(not BANKING77.exists(), reason="Banking77 data not present")
def test_banking77_subset_accuracy():
    texts, intents = load_examples(BANKING77 / "train.csv")
    test_texts, test_intents = load_examples(BANKING77 / "test.csv")
    keep = set(sorted(set(intents))[:12])
    train = [(t, i) for t, i in zip(texts, intents) if i in keep]
    test = [(t, i) for t, i in zip(test_texts, test_intents) if i in keep]
    model = IntentClassifier.train([t for t, _ in train], [i for _, i in train])
    scores = evaluate_classifier(model, [t for t, _ in test], [i for _, i in test])
    assert scores["accuracy"] >= 0.88


@pytest.mark.parametrize("content", [b"hello world\n", b'{"format": 1}', b"", b"\x80\x04garbage"])
def test_classifier_load_not_a_model(tmp_path, content):
    path = tmp_path / "bad.joblib"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="not a model saved by `dm-harness label train`"):
        IntentClassifier.load(path)


def test_label_cli_bad_model(tmp_path, capsys):
    write_scenarios([scenario("a", "hi")], tmp_path / "in")
    (tmp_path / "bad.joblib").write_text("not a model\n")
    code = main(["label", "apply", str(tmp_path / "in"), "--model", str(tmp_path / "bad.joblib"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "not a model saved by" in capsys.readouterr().err


@pytest.mark.parametrize("turns", ["0", "-1"])
def test_label_cli_turns_below_one(tmp_path, capsys, turns):
    write_scenarios([scenario("a", "refund please")], tmp_path / "in")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - intent: complaint\n    keywords: [refund]\n")
    code = main(["label", "apply", str(tmp_path / "in"), "--rules", str(rules), "--turns", turns, "--out", str(tmp_path / "out")])
    assert code == 2
    assert "--turns" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["", "rules: []\n", "policies: {complaint: escalate}\n"])
def test_rules_file_without_rules_warns(tmp_path, caplog, content):
    path = tmp_path / "rules.yaml"
    path.write_text(content)
    load_rules(path)
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "has no rules" in warnings[0]


def test_rules_file_with_rules_no_warning(tmp_path, caplog):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - intent: complaint\n    keywords: [refund]\n")
    load_rules(path)
    assert not [record for record in caplog.records if record.levelname == "WARNING"]


def test_label_cli_unsafe_intent(tmp_path):
    write_scenarios([scenario("a", "refund please")], tmp_path / "work" / "in")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - intent: ../evil\n    keywords: [refund]\n")
    out = tmp_path / "work" / "out"
    code = main(["label", "apply", str(tmp_path / "work" / "in"), "--rules", str(rules), "--out", str(out)])
    assert code == 0
    assert sorted(path.name for path in (tmp_path / "work").iterdir()) == ["in", "out"]
    assert not list(tmp_path.glob("*evil*"))
    assert [s.intent for s in load_suite([out]).scenarios] == ["../evil"]
