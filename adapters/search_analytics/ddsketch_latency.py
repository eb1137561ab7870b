"""Latency sketches for the rollups: a DDSketch (relative accuracy 0.5 %) per bucket, stored as
its protobuf (``DDSketchProto``), merged for any window. The only module that imports ddsketch."""

from __future__ import annotations

from collections.abc import Iterable

from ddsketch import DDSketch
from ddsketch.ddsketch import BaseDDSketch
from ddsketch.pb.proto import DDSketchProto, pb

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
    value = _merged(sketches).get_quantile_value(q)
    return None if value is None else float(value)


def percentiles(sketches: Iterable[bytes]) -> LatencyPercentiles | None:
    """p50, p95 and p99 of the merge of ``sketches``; None when they hold no latency."""
    sketch = _merged(sketches)
    if sketch.count == 0:
        return None
    p50, p95, p99 = (float(sketch.get_quantile_value(q)) for q in (0.5, 0.95, 0.99))
    return LatencyPercentiles(p50=p50, p95=p95, p99=p99)


def _parsed(blob: bytes) -> BaseDDSketch:
    return DDSketchProto.from_proto(pb.DDSketch.FromString(blob))


def _merged(sketches: Iterable[bytes]) -> BaseDDSketch:
    total: BaseDDSketch = DDSketch(RELATIVE_ACCURACY)
    for blob in sketches:
        total.merge(_parsed(blob))
    return total


def _serialised(sketch: BaseDDSketch) -> bytes:
    return bytes(DDSketchProto.to_proto(sketch).SerializeToString())
