"""Train the intent classifier on Banking77 and report accuracy and macro-F1 on its test split.

Usage: python3 bench/label_banking77.py [--data DIR] [--model PATH] [--threshold 0.5]

The data folder holds train.csv and test.csv with the columns text,category; by default it is
../shared/data/banking77 next to the repository. Nothing is downloaded: the classifier is
TF-IDF and logistic regression from scikit-learn, trained from scratch.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from harness.importers.labelling import IntentClassifier, evaluate_classifier, load_examples

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "banking77"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with train.csv and test.csv")
    parser.add_argument("--model", type=Path, help="also save the trained model to this path")
    parser.add_argument("--threshold", type=float, default=0.5, help="confidence threshold for coverage")
    args = parser.parse_args(argv)

    train_texts, train_intents = load_examples(args.data / "train.csv")
    test_texts, test_intents = load_examples(args.data / "test.csv")
    started = time.perf_counter()
    classifier = IntentClassifier.train(train_texts, train_intents)
    trained = time.perf_counter() - started
    scores = evaluate_classifier(classifier, test_texts, test_intents, threshold=args.threshold)
    if args.model:
        classifier.save(args.model)

    record = {
        **{name: round(value, 4) for name, value in scores.items()},
        "threshold": args.threshold,
        "train_examples": len(train_texts),
        "test_examples": len(test_texts),
        "intents": len(classifier.intents),
        "train_seconds": round(trained, 1),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or 'unknown cpu'}",
    }
    json.dump(record, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
