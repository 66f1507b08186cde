"""Intent labelling of imported conversations: keyword rules from YAML, then a trained classifier.

A conversation is labelled from the text of its first user turns. Keyword rules are tried
first, in file order, and the first rule with a matching phrase sets the intent. Otherwise
the classifier (TF-IDF of word and character n-grams, logistic regression) predicts an intent
with a probability. Below the confidence threshold the conversation stays ``unlabelled`` and
is tagged ``needs_review`` for a person to label.

The policy of a labelled conversation comes from the rules file's ``policies`` (intent to
``answer``, ``clarify`` or ``escalate``), else its ``default_policy``.

Saved models are pickles (joblib): load only a model file that you trained or trust.
"""

from __future__ import annotations

import logging
import pickle
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harness.conversations import Policy, Scenario
from harness.errors import ConfigError
from harness.importers._threads import PLACEHOLDER_POLICY, UNLABELLED
from harness.yamlfile import load_yaml, validate

__all__ = [
    "DEFAULT_THRESHOLD",
    "NEEDS_REVIEW",
    "IntentClassifier",
    "KeywordRule",
    "LabellingReport",
    "Prediction",
    "RulesFile",
    "evaluate_classifier",
    "label_scenarios",
    "load_examples",
    "load_rules",
    "scenario_text",
]

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
"""Default minimum probability for the classifier's intent to be kept."""

NEEDS_REVIEW = "needs_review"
"""Tag of a conversation that neither a rule nor a confident prediction labelled."""

MODEL_FORMAT = 1
"""Version of the saved model layout; a model of another version must be trained again."""

# Unpickling a file that is not a pickle fails with whichever error the bytes happen to cause:
# text gives UnpicklingError, KeyError or ValueError, an empty file EOFError, a folder
# IsADirectoryError, and a pickle of a missing class ImportError or AttributeError.
_UNPICKLING_ERRORS = (
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    ImportError,
    OSError,
)


class KeywordRule(BaseModel):
    """Phrases that, when one appears in the user's text, set the intent."""

    model_config = ConfigDict(extra="forbid")

    intent: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    """Words or phrases, matched as whole words in any letter case."""


class RulesFile(BaseModel):
    """A labelling rules file: keyword rules and the policy of each intent."""

    model_config = ConfigDict(extra="forbid")

    default_policy: Policy = "answer"
    """Policy of an intent that ``policies`` does not list."""

    policies: dict[str, Policy] = Field(default_factory=dict)
    rules: list[KeywordRule] = Field(default_factory=list)

    def policy_of(self, intent: str) -> Policy:
        """Return the policy of ``intent``."""
        return self.policies.get(intent, self.default_policy)

    def match(self, text: str) -> str | None:
        """Return the intent of the first rule with a phrase in ``text``, or ``None``."""
        for rule in self.rules:
            if _keyword_pattern(tuple(rule.keywords)).search(text):
                return rule.intent
        return None


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    phrases = [r"\s+".join(map(re.escape, keyword.split())) for keyword in keywords if keyword.strip()]
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


def load_rules(path: str | Path) -> RulesFile:
    """Load and validate a rules file.

    Raises:
        ConfigError: The file is missing or invalid; the error names the line and field.
    """
    document = load_yaml(path)
    rules = validate(RulesFile, document.data or {}, path=path, lines=document.lines)
    if not rules.rules:
        logger.warning("%s has no rules, so no conversation is labelled by a keyword", path)
    return rules


@dataclass(frozen=True)
class Prediction:
    """The classifier's best intent for one text and its probability."""

    intent: str
    confidence: float


class IntentClassifier:
    """A TF-IDF and logistic regression intent classifier, trained from labelled examples.

    Args:
        pipeline: A fitted scikit-learn pipeline with ``predict_proba``; :meth:`train` builds one.
    """

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    @classmethod
    def train(cls, texts: Sequence[str], intents: Sequence[str], *, regularization: float = 20.0) -> IntentClassifier:
        """Fit a classifier on word (1-2) and character (2-5) n-grams of the texts.

        Args:
            texts: Example messages.
            intents: The intent of each message.
            regularization: Inverse regularization strength ``C`` of the logistic regression.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        model = LogisticRegression(C=regularization, max_iter=2000)
        pipeline = make_pipeline(features, model).fit(list(texts), list(intents))
        return cls(pipeline)

    @property
    def intents(self) -> list[str]:
        """The intents the classifier can predict."""
        return [str(label) for label in self.pipeline.classes_]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return the most probable intent of each text with its probability."""
        probabilities = self.pipeline.predict_proba(list(texts))
        classes = self.pipeline.classes_
        best = probabilities.argmax(axis=1)
        return [Prediction(str(classes[index]), float(row[index])) for row, index in zip(probabilities, best)]

    def save(self, path: str | Path) -> None:
        """Save the classifier with joblib."""
        import joblib
        import sklearn

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": MODEL_FORMAT, "sklearn": sklearn.__version__, "pipeline": self.pipeline}, path)

    @classmethod
    def load(cls, path: str | Path) -> IntentClassifier:
        """Load a classifier saved by :meth:`save`.

        Raises:
            ConfigError: The file is missing or is not a saved intent classifier.
        """
        import joblib
        import sklearn

        try:
            saved = joblib.load(path)
        except FileNotFoundError:
            raise ConfigError("model file not found", path=path, fix="train one with `dm-harness label train`") from None
        except _UNPICKLING_ERRORS as exc:
            raise ConfigError(
                f"not a model saved by `dm-harness label train` ({type(exc).__name__} while loading it)",
                path=path,
                fix="pass the file that `dm-harness label train --model` wrote, or train a new one",
            ) from None
        if not isinstance(saved, dict) or saved.get("format") != MODEL_FORMAT:
            raise ConfigError("not an intent model of this version", path=path, fix="train it again with `dm-harness label train`")
        if saved["sklearn"] != sklearn.__version__:
            logger.warning("model %s was trained with scikit-learn %s, running %s", path, saved["sklearn"], sklearn.__version__)
        return cls(saved["pipeline"])


def load_examples(path: str | Path, *, text_column: str = "text", label_column: str = "category") -> tuple[list[str], list[str]]:
    """Read labelled examples from a CSV file with a text and a label column.

    Raises:
        ConfigError: The file is missing, a column is missing, or a row has an empty cell.
    """
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("examples file not found", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("examples file is not valid UTF-8", path=path, fix="save it as UTF-8") from None
    for column in (text_column, label_column):
        if column not in frame.columns:
            raise ConfigError(
                f"column {column!r} not found; the columns are: {', '.join(frame.columns)}",
                path=path,
                line=1,
                fix="name the columns with --text-column and --label-column",
            )
    empty = frame.index[(frame[text_column].str.strip() == "") | (frame[label_column].str.strip() == "")]
    if len(empty):
        raise ConfigError("empty text or label", path=path, line=int(empty[0]) + 2, fix="fill in or remove the row")
    return frame[text_column].tolist(), frame[label_column].tolist()


def evaluate_classifier(
    classifier: IntentClassifier, texts: Sequence[str], intents: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, float]:
    """Score the classifier on labelled texts.

    Returns:
        ``accuracy`` and ``macro_f1`` of the best intent for every text; ``coverage``, the share
        of texts at or above ``threshold``; and ``covered_accuracy``, the accuracy on those.
    """
    from sklearn.metrics import accuracy_score, f1_score

    predictions = classifier.predict(texts)
    predicted = [prediction.intent for prediction in predictions]
    covered = [index for index, prediction in enumerate(predictions) if prediction.confidence >= threshold]
    covered_accuracy = sum(predicted[i] == intents[i] for i in covered) / len(covered) if covered else 0.0
    return {
        "accuracy": float(accuracy_score(intents, predicted)),
        "macro_f1": float(f1_score(intents, predicted, average="macro")),
        "coverage": len(covered) / len(texts) if texts else 0.0,
        "covered_accuracy": covered_accuracy,
    }


def scenario_text(scenario: Scenario, turns: int = 3) -> str:
    """Return the user text of the first ``turns`` turns, the part that shows the intent."""
    texts = [turn.user or turn.title or "" for turn in scenario.turns[:turns]]
    return " ".join(text for text in texts if text.strip())


@dataclass
class LabellingReport:
    """Tally of the labelling: conversations labelled by a rule, by the model, or left for review."""

    by_rule: int = 0
    by_model: int = 0
    needs_review: int = 0
    intents: Counter[str] = field(default_factory=Counter)


def label_scenarios(
    scenarios: Sequence[Scenario],
    *,
    rules: RulesFile | None = None,
    classifier: IntentClassifier | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    turns: int = 3,
) -> tuple[list[Scenario], LabellingReport]:
    """Set the intent and policy of each scenario from the rules, then the classifier.

    Raises:
        ConfigError: Neither rules nor a classifier were given.
    """
    if rules is None and classifier is None:
        raise ConfigError("nothing to label with", fix="pass --rules, --model or both")
    rules = rules or RulesFile()
    texts = [scenario_text(scenario, turns) for scenario in scenarios]
    predictions = classifier.predict(texts) if classifier and texts else [None] * len(texts)
    report = LabellingReport()
    labelled = [
        _label_one(scenario, text, prediction, rules, threshold, report)
        for scenario, text, prediction in zip(scenarios, texts, predictions)
    ]
    return labelled, report


def _label_one(
    scenario: Scenario,
    text: str,
    prediction: Prediction | None,
    rules: RulesFile,
    threshold: float,
    report: LabellingReport,
) -> Scenario:
    metadata = dict(scenario.metadata)
    tags = [tag for tag in scenario.tags if tag != NEEDS_REVIEW]
    intent = rules.match(text)
    if intent is not None:
        report.by_rule += 1
        metadata["labelled_by"] = "rule"
    elif prediction is not None and prediction.confidence >= threshold:
        intent = prediction.intent
        report.by_model += 1
        metadata.update(labelled_by="model", label_confidence=f"{prediction.confidence:.3f}")
    else:
        report.needs_review += 1
        tags.append(NEEDS_REVIEW)
        if prediction is not None:
            metadata.update(suggested_intent=prediction.intent, label_confidence=f"{prediction.confidence:.3f}")

    report.intents[intent or UNLABELLED] += 1
    policy = rules.policy_of(intent) if intent else PLACEHOLDER_POLICY
    return scenario.model_copy(update={"intent": intent or UNLABELLED, "policy": policy, "tags": tags, "metadata": metadata})
