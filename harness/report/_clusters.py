"""Clustering of failing replies, so a large remediation group shows one example per pattern.

Replies are embedded with TF-IDF (word unigrams and bigrams) and grouped by agglomerative
clustering with average linkage on cosine distance. scikit-learn is imported only when a group
is large enough to cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["DISTANCE_THRESHOLD", "MAX_CLUSTERED_TEXTS", "ReplyCluster", "cluster_replies"]

DISTANCE_THRESHOLD = 0.8
"""Cosine distance under which two clusters merge: paraphrases of one canned reply stay
together, replies that share only a few common words do not."""

MAX_CLUSTERED_TEXTS = 600
"""Distinct texts clustered directly. Rarer texts join the nearest cluster, because the linkage
step needs memory and time quadratic in the number of texts."""


@dataclass(frozen=True)
class ReplyCluster:
    """Failing replies that read alike."""

    size: int
    """Number of replies in the cluster."""

    representative: int
    """Index, into the texts given to :func:`cluster_replies`, of the reply nearest the
    cluster's TF-IDF centroid."""

    members: tuple[int, ...]
    """Indexes of every reply in the cluster, ascending."""


def cluster_replies(texts: Sequence[str], max_clusters: int = 6) -> list[ReplyCluster]:
    """Group similar reply texts, largest cluster first.

    Identical texts (ignoring case and spacing) are clustered once and weighted by their count.
    When no text has a word token (only empty or emoji replies), each distinct text is its own
    cluster.

    Args:
        texts: One failing reply text per conversation.
        max_clusters: Keep at most this many clusters, the largest ones.

    Returns:
        Clusters sorted by size (largest first), then by first member.
    """
    if not texts:
        return []
    keys, members = _distinct(texts)
    matrix = _tfidf(keys) if len(keys) > 1 else None
    labels = _cluster_labels(matrix) if matrix is not None else list(range(len(keys)))

    clusters = []
    for label in sorted(set(labels)):
        rows = [row for row, row_label in enumerate(labels) if row_label == label]
        clusters.append(_cluster(rows, members, matrix))
    clusters.sort(key=lambda cluster: (-cluster.size, cluster.members[0]))
    return clusters[:max_clusters]


def _distinct(texts: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    by_key: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        by_key.setdefault(" ".join(text.lower().split()), []).append(index)
    # Most frequent first, so the texts clustered directly are the ones seen most often.
    ordered = sorted(by_key.items(), key=lambda item: (-len(item[1]), item[1][0]))
    return [key for key, _ in ordered], [indexes for _, indexes in ordered]


def _tfidf(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    except ValueError:
        # TfidfVectorizer raises ValueError when no text has a word token.
        return None


def _cluster_labels(matrix: Any) -> list[int]:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    head = min(matrix.shape[0], MAX_CLUSTERED_TEXTS)
    dense = matrix[:head].toarray()
    # A row with no known word is all zeros, and its cosine distance is undefined; a tiny
    # constant makes such rows equidistant from everything instead.
    dense[~dense.any(axis=1)] = 1e-9
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=DISTANCE_THRESHOLD, metric="cosine", linkage="average"
    )
    labels = [int(label) for label in model.fit_predict(dense)]
    if head == matrix.shape[0]:
        return labels

    order = sorted(set(labels))
    centroids = np.vstack([dense[np.asarray(labels) == label].mean(axis=0) for label in order])
    nearest = np.asarray(matrix[head:] @ centroids.T).argmax(axis=1)
    return labels + [order[int(index)] for index in nearest]


def _cluster(rows: list[int], members: list[list[int]], matrix: Any) -> ReplyCluster:
    indexes = sorted(index for row in rows for index in members[row])
    best_row = rows[0] if matrix is None else _nearest_to_centroid(rows, members, matrix)
    return ReplyCluster(size=len(indexes), representative=members[best_row][0], members=tuple(indexes))


def _nearest_to_centroid(rows: list[int], members: list[list[int]], matrix: Any) -> int:
    import numpy as np

    vectors = matrix[rows].toarray()
    weights = np.asarray([len(members[row]) for row in rows], dtype=float)
    centroid = weights @ vectors / weights.sum()
    return rows[int(np.argmax(vectors @ centroid))]
