"""``python -m benchmarks.recommendations [--part index|probe|retrain|http|all]``: issue 14's recommendation
benchmarks, each part on embedded servers of its own.

- ``index``: the vector index query alone on the embedded engine (benchmarks/recommendations_index.py);
- ``probe``: the filtered query on a bare engine shard with the HNSW config varied
  (benchmarks/recommendations_filter_probe.py);
- ``retrain``: TrainModel on ml-100k-sized and 10x synthetic ratings against a bare implicit fit of
  the same matrix (benchmarks/recommendations_retrain.py);
- ``http``: the endpoints beside the floor and the incremental update, on a seeded service
  (benchmarks/recommendations_http.py).

Prints Markdown and writes each part's section of benchmarks/results/recommendations.md (the other
sections stay as an earlier run left them). The machine is shared: absolute figures are noisy;
compare rows of one run."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

RESULTS = Path(__file__).with_name("results")


SECTIONS = {
    "index": "## Index query alone",
    "probe": "## Filter probe",
    "retrain": "## Retrain",
    "http": "## HTTP",
}


async def section(part: str, args: argparse.Namespace) -> list[str]:
    header = [
        SECTIONS[part],
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores (shared with other work: noisy), "
        f"Python {platform.python_version()}, `{' '.join(['python -m benchmarks.recommendations', *sys.argv[1:]])}`",
        "",
    ]
    if part == "index":
        from benchmarks.recommendations_index import index_suite

        return header + await index_suite()
    if part == "probe":
        from benchmarks.recommendations_filter_probe import filter_probe

        return header + await asyncio.to_thread(filter_probe)
    if part == "retrain":
        from benchmarks.recommendations_retrain import retrain_suite

        return header + await retrain_suite()
    from benchmarks.recommendations_http import http_suite

    return header + await http_suite(args.duration, args.concurrency)


def merged(previous: str, fresh: dict[str, str]) -> str:
    """The results file with the sections just run replaced, the others kept from earlier runs."""
    kept: dict[str, str] = {}
    for chunk in previous.split("\n## ")[1:]:
        title = "## " + chunk.split("\n", 1)[0]
        kept[title] = "## " + chunk.rstrip()
    kept.update(fresh)
    ordered = [kept[t] for t in SECTIONS.values() if t in kept]
    return "# Recommendation benchmarks\n\n" + "\n\n".join(ordered) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommendations", description=__doc__)
    parser.add_argument("--part", choices=[*SECTIONS, "all"], default="all")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per HTTP row")
    parser.add_argument("--concurrency", type=int, default=16, help="connections of the HTTP rows under load")
    args = parser.parse_args()
    parts = list(SECTIONS) if args.part == "all" else [args.part]
    fresh = {SECTIONS[p]: "\n".join(asyncio.run(section(p, args))) for p in parts}
    for text in fresh.values():
        print(text + "\n")
    target = RESULTS / "recommendations.md"
    RESULTS.mkdir(exist_ok=True)
    target.write_text(merged(target.read_text() if target.exists() else "", fresh))


if __name__ == "__main__":
    main()
