import pytest

from harness.conversations import Scenario, Turn
from harness.errors import ConfigError
from harness.runs import Shard, select_shard


def scenarios(count: int) -> list[Scenario]:
    return [
        Scenario(id=f"s-{n}", intent=f"intent-{n % 3}", policy="answer", turns=[Turn(user="hi")])
        for n in range(count)
    ]


@pytest.mark.parametrize(("total", "count"), [(3, 3), (10, 4), (400, 4), (7, 7)])
def test_shards_partition_suite(total, count):
    suite = scenarios(total)
    parts = [select_shard(suite, Shard(index, count)) for index in range(1, count + 1)]
    ids = [scenario.id for part in parts for scenario in part]
    assert sorted(ids) == sorted(scenario.id for scenario in suite)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_shard_keeps_suite_order():
    suite = scenarios(20)
    part = select_shard(suite, Shard(2, 3))
    positions = [suite.index(scenario) for scenario in part]
    assert positions == sorted(positions)


def test_shard_is_deterministic():
    assert select_shard(scenarios(50), Shard(1, 4)) == select_shard(scenarios(50), Shard(1, 4))


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0"])
def test_shard_parse_rejects(text):
    with pytest.raises(ConfigError):
        Shard.parse(text)


def test_shard_parse():
    assert Shard.parse("2/4") == Shard(2, 4)
