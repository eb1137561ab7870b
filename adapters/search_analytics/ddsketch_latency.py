"""Latency sketches for the rollups: a DDSketch (relative accuracy 0.5 %) per bucket, stored as
its protobuf (``DDSketchProto``), merged for any window. The only module that imports ddsketch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ddsketch import DDSketch
from ddsketch.ddsketch import BaseDDSketch
from ddsketch.pb.proto import DDSketchProto, KeyMappingProto, pb

from domain.search_analytics.models import LatencyPercentiles

RELATIVE_ACCURACY = 0.005


def sketch_bytes(latencies_ms: Iterable[float]) -> bytes:
    """The serialised sketch of one bucket's latencies."""
    sketch = DDSketch(RELATIVE_ACCURACY)
    for latency in latencies_ms:
        sketch.add(max(float(latency), 0.0))
    return _serialised(sketch)


def merged_bytes(sketches: Iterable[bytes]) -> bytes:
    """The serialised merge of several buckets' sketches (a day from its hours)."""
    return _serialised(_merged(sketches))


def quantile(sketches: Iterable[bytes], q: float) -> float | None:
    """The ``q`` quantile of every latency in ``sketches`` (lower rank), None when they hold none."""
    return _Bins.of(sketches).quantile(q)


def percentiles(sketches: Iterable[bytes]) -> LatencyPercentiles | None:
    """p50, p95 and p99 of the merge of ``sketches``; None when they hold no latency."""
    bins = _Bins.of(sketches)
    p50, p95, p99 = bins.quantile(0.5), bins.quantile(0.95), bins.quantile(0.99)
    if p50 is None or p95 is None or p99 is None:
        return None
    return LatencyPercentiles(p50=p50, p95=p95, p99=p99)


class _Bins:
    """The merged bins of stored sketches, read straight from their protobufs: the report merges
    up to 30 of them per request, and ddsketch's own parser adds bins one call at a time (about
    1.3 ms a sketch, measured). Same mapping and rank rule as ``DDSketch.get_quantile_value``."""

    def __init__(self) -> None:
        self.mapping: Any = None
        self.gamma: float | None = None
        self.counts: dict[int, float] = {}
        self.zeros = 0.0
        self.total = 0.0

    @classmethod
    def of(cls, sketches: Iterable[bytes]) -> _Bins:
        bins = cls()
        for blob in sketches:
            bins.add(pb.DDSketch.FromString(blob))
        return bins

    def add(self, proto: Any) -> None:
        if self.gamma is None:
            self.gamma = proto.mapping.gamma
            self.mapping = KeyMappingProto.from_proto(proto.mapping)
        elif proto.mapping.gamma != self.gamma:
            raise ValueError("latency sketches of different accuracies cannot be merged")
        key = proto.positiveValues.contiguousBinIndexOffset
        counts = self.counts
        for count in proto.positiveValues.contiguousBinCounts:
            if count:
                counts[key] = counts.get(key, 0.0) + count
                self.total += count
            key += 1
        # latencies are never negative (sketch_bytes clamps them): only the zeros besides
        self.zeros += proto.zeroCount
        self.total += proto.zeroCount

    def quantile(self, q: float) -> float | None:
        if self.total == 0:
            return None
        rank = q * (self.total - 1)
        if rank < self.zeros:
            return 0.0
        seen = self.zeros
        for key in sorted(self.counts):
            seen += self.counts[key]
            if seen > rank:
                return float(self.mapping.value(key))
        return float(self.mapping.value(max(self.counts)))


def _parsed(blob: bytes) -> BaseDDSketch:
    return DDSketchProto.from_proto(pb.DDSketch.FromString(blob))


def _merged(sketches: Iterable[bytes]) -> BaseDDSketch:
    total: BaseDDSketch = DDSketch(RELATIVE_ACCURACY)
    for blob in sketches:
        total.merge(_parsed(blob))
    return total


def _serialised(sketch: BaseDDSketch) -> bytes:
    return bytes(DDSketchProto.to_proto(sketch).SerializeToString())
