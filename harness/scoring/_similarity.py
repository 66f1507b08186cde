"""TF-IDF similarity between bot replies and reference replies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["ReferenceSimilarity"]


class ReferenceSimilarity:
    """Cosine similarity of replies to references, in a TF-IDF space fitted once per suite.

    Fitting on the suite's references, not per conversation, gives every run over the same
    suite the same vocabulary and weights, so scores are comparable between runs. Words that
    no reference uses are outside the vocabulary and do not count.
    """

    def __init__(self, references: Iterable[str]) -> None:
        corpus = [text for text in references if text and text.strip()]
        self._vectorizer: Any = None
        if corpus:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vectorizer = TfidfVectorizer(
                lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=1
            )
            self._vectorizer.fit(corpus)

    def pairwise(self, replies: Sequence[str], references: Sequence[str | None]) -> list[float | None]:
        """Return the similarity of each reply to its reference, ``None`` where there is none."""
        if self._vectorizer is None:
            return [None] * len(replies)
        indices = [i for i, reference in enumerate(references) if reference]
        if not indices:
            return [None] * len(replies)

        left = self._vectorizer.transform([replies[i] or "" for i in indices])
        right = self._vectorizer.transform([references[i] for i in indices])
        # Rows are L2-normalised by TfidfVectorizer, so the row-wise dot product is the cosine.
        values = left.multiply(right).sum(axis=1).A1

        result: list[float | None] = [None] * len(replies)
        for position, value in zip(indices, values):
            result[position] = float(min(1.0, max(0.0, value)))
        return result
