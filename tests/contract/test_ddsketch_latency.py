"""The latency sketches the rollups store: serialised, merged and read back, within 1 % of the
exact lower-rank percentile (``sorted[int(q * (n - 1))]``)."""

from __future__ import annotations

import random

import pytest

from adapters.search_analytics.ddsketch_latency import merged_bytes, percentiles, quantile, sketch_bytes


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def latencies(count: int, seed: int) -> list[float]:
    chance = random.Random(seed)
    # mostly quick, with a slow tail of cache misses
    return [chance.lognormvariate(2.5, 0.6) if chance.random() < 0.9 else chance.uniform(80, 900) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_percentiles_of_a_few_hundred_latencies_are_within_one_percent(seed: int) -> None:
    values = latencies(400, seed)
    found = percentiles([sketch_bytes(values)])
    assert found is not None
    for q, value in ((0.5, found.p50), (0.95, found.p95), (0.99, found.p99)):
        assert value == pytest.approx(exact(values, q), rel=0.01)


def test_merged_buckets_answer_as_the_whole_window_does() -> None:
    hours = [latencies(count, seed) for seed, count in enumerate((50, 0, 200, 7, 120))]
    everything = [value for hour in hours for value in hour]
    sketches = [sketch_bytes(hour) for hour in hours]
    day = merged_bytes(sketches)
    for q in (0.5, 0.95, 0.99):
        assert quantile(sketches, q) == quantile([day], q)
        assert quantile([day], q) == pytest.approx(exact(everything, q), rel=0.01)
    assert quantile([merged_bytes([day, sketch_bytes([])])], 0.5) == quantile([day], 0.5)


def test_no_latency_has_no_percentile() -> None:
    assert percentiles([]) is None
    assert percentiles([sketch_bytes([])]) is None
    assert quantile([sketch_bytes([])], 0.95) is None


def test_a_zero_latency_and_a_single_one_read_back() -> None:
    assert quantile([sketch_bytes([0.0])], 0.5) == 0
    assert quantile([sketch_bytes([12.5])], 0.99) == pytest.approx(12.5, rel=0.01)
