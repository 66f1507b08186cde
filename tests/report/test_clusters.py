import pytest

from harness.report import _clusters
from harness.report._clusters import cluster_replies

CANNED = "Thanks for your interest! Events sell out fast, so keep an eye on our page."
ASK = "Sure, what date and time would you like to book?"


def test_clusters_empty_input():
    assert cluster_replies([]) == []


def test_clusters_identical_texts_one_cluster():
    clusters = cluster_replies([CANNED] * 5)
    assert len(clusters) == 1
    assert clusters[0].size == 5
    assert clusters[0].members == (0, 1, 2, 3, 4)


def test_clusters_case_and_spacing_ignored():
    clusters = cluster_replies([CANNED, CANNED.upper(), "  " + CANNED.replace(" ", "   ")])
    assert len(clusters) == 1


def test_clusters_separate_patterns():
    texts = [CANNED, ASK, CANNED, ASK.replace("book", "reserve"), CANNED]
    clusters = cluster_replies(texts)
    assert [cluster.size for cluster in clusters] == [3, 2]
    assert clusters[0].members == (0, 2, 4)
    assert clusters[1].members == (1, 3)


def test_clusters_representative_is_member():
    texts = [ASK, ASK.replace("book", "reserve"), ASK.replace("time", "hour"), CANNED]
    for cluster in cluster_replies(texts):
        assert cluster.representative in cluster.members


def test_clusters_representative_most_central():
    # The exact text shared by three replies sits nearest the centroid of its cluster.
    texts = [ASK + " Also tell us your name.", ASK, ASK, ASK, CANNED]
    largest = cluster_replies(texts)[0]
    assert texts[largest.representative] == ASK


def test_clusters_without_word_tokens():
    clusters = cluster_replies(["", "🙂", "", "!!"])
    assert sorted(cluster.size for cluster in clusters) == [1, 1, 2]


def test_clusters_limited_to_max():
    texts = [f"{word} {word} {word}" for word in ("apple", "river", "engine", "violet", "castle", "pepper", "tunnel")]
    assert len(cluster_replies(texts, max_clusters=3)) == 3


def test_clusters_rare_texts_join_nearest(monkeypatch):
    monkeypatch.setattr(_clusters, "MAX_CLUSTERED_TEXTS", 2)
    texts = [CANNED, CANNED, ASK, ASK, CANNED + " Today only.", ASK.replace("book", "reserve")]
    clusters = cluster_replies(texts)
    assert sorted(cluster.members for cluster in clusters) == [(0, 1, 4), (2, 3, 5)]


@pytest.mark.parametrize("count", [1, 2, 40])
def test_clusters_sizes_cover_every_text(count):
    texts = [f"{CANNED} {index % 3}" if index % 2 else ASK for index in range(count)]
    assert sum(cluster.size for cluster in cluster_replies(texts, max_clusters=100)) == count
