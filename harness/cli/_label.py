"""``dm-harness label``: train an intent classifier and label imported conversations."""

from __future__ import annotations

import argparse

from harness.errors import ConfigError, ExitCode

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``dm-harness label`` with its ``train``, ``evaluate`` and ``apply`` actions."""
    parser = subparsers.add_parser(
        "label",
        help="set the intent of imported conversations from keyword rules and a classifier",
        description="Label conversations with an intent: keyword rules (YAML) first, then a "
        "scikit-learn classifier; a prediction below the threshold stays 'unlabelled' and is "
        "tagged needs_review for a person.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    train = actions.add_parser("train", help="train a classifier from a CSV of labelled examples")
    train.add_argument("examples", metavar="EXAMPLES", help="CSV file with a text and a label column")
    _add_columns(train)
    train.add_argument("--model", required=True, help="path to save the trained model (joblib)")
    train.set_defaults(handler=_train)

    evaluate = actions.add_parser("evaluate", help="report accuracy and macro-F1 on a labelled CSV")
    evaluate.add_argument("examples", metavar="EXAMPLES", help="CSV file with a text and a label column")
    _add_columns(evaluate)
    evaluate.add_argument("--model", required=True, help="a model saved by `dm-harness label train`")
    _add_threshold(evaluate)
    evaluate.set_defaults(handler=_evaluate)

    apply = actions.add_parser("apply", help="label scenario files and write one file per intent")
    apply.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders (such as imported/)")
    apply.add_argument("--rules", help="keyword rules YAML (see examples/labelling/rules.yaml)")
    apply.add_argument("--model", help="a model saved by `dm-harness label train`")
    _add_threshold(apply)
    apply.add_argument("--turns", type=int, default=3, help="user turns read to find the intent (default: %(default)s)")
    apply.add_argument("--out", required=True, help="folder for the labelled scenario files")
    apply.add_argument("--force", action="store_true", help="replace existing output files")
    apply.set_defaults(handler=_apply)


def _add_columns(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-column", default="text", help="column of the message text (default: %(default)s)")
    parser.add_argument("--label-column", default="category", help="column of the intent (default: %(default)s)")


def _add_threshold(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="minimum probability for a predicted intent; below it a conversation stays unlabelled (default: %(default)s)",
    )


def _train(args: argparse.Namespace) -> int:
    from harness.cli._console import console
    from harness.importers.labelling import IntentClassifier, load_examples

    texts, intents = load_examples(args.examples, text_column=args.text_column, label_column=args.label_column)
    classifier = IntentClassifier.train(texts, intents)
    classifier.save(args.model)
    console().print(f"Trained on {len(texts)} examples of {len(classifier.intents)} intents; saved to {args.model}")
    return ExitCode.OK


def _evaluate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from harness.cli._console import console
    from harness.importers.labelling import IntentClassifier, evaluate_classifier, load_examples

    texts, intents = load_examples(args.examples, text_column=args.text_column, label_column=args.label_column)
    scores = evaluate_classifier(IntentClassifier.load(args.model), texts, intents, threshold=args.threshold)
    table = Table("metric", "value", title=f"{len(texts)} examples, threshold {args.threshold}")
    for name, value in scores.items():
        table.add_row(name.replace("_", " "), f"{value:.4f}")
    console().print(table)
    return ExitCode.OK


def _apply(args: argparse.Namespace) -> int:
    from rich.table import Table

    from harness.cli._console import console
    from harness.conversations import load_suite
    from harness.importers._writing import write_scenarios
    from harness.importers.labelling import IntentClassifier, label_scenarios, load_rules

    if not 0 <= args.threshold <= 1:
        raise ConfigError(f"invalid threshold {args.threshold}", field="--threshold", fix="use a probability from 0 to 1")
    if args.turns < 1:
        raise ConfigError(f"invalid number of turns {args.turns}", field="--turns", fix="use 1 or more")
    rules = load_rules(args.rules) if args.rules else None
    classifier = IntentClassifier.load(args.model) if args.model else None
    suite = load_suite(args.paths)
    labelled, report = label_scenarios(
        suite.scenarios, rules=rules, classifier=classifier, threshold=args.threshold, turns=args.turns
    )
    written = write_scenarios(labelled, args.out, overwrite=args.force)

    table = Table("intent", "conversations", title=f"Labelled {len(labelled)} conversations into {args.out}")
    for intent, count in report.intents.most_common():
        table.add_row(intent, str(count))
    console().print(table)
    console().print(
        f"by rule: {report.by_rule}, by model: {report.by_model}, "
        f"needs review: {report.needs_review}; files: {', '.join(path.name for path in written)}"
    )
    return ExitCode.OK
