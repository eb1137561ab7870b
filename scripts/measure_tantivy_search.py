"""Build the catalog's Tantivy index in a scratch directory and time a query mix (not a benchmark:
an in-process look at build time, index size and latency).

    .venv/bin/python scripts/measure_tantivy_search.py            # the demo catalog
    .venv/bin/python scripts/measure_tantivy_search.py --titles 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs

from adapters.catalog.jsonl_catalog_file import read_catalog
from adapters.catalog.tantivy_catalog_index import TantivyCatalogIndex
from adapters.catalog.tantivy_content_search import TantivyContentSearch
from domain.catalog.content import Content
from domain.catalog.search import SearchQuery

_EXTRA_WORDS = ("returns", "rising", "legacy", "origins", "reborn", "nights", "the last", "beyond", "after dark")


def synthetic(demo: list[Content], titles: int, rng: random.Random) -> Iterator[Content]:
    """The demo titles, then copies with a word added and another year until ``titles`` are made."""
    yield from demo
    for n in range(titles - len(demo)):
        item = demo[n % len(demo)]
        yield attrs.evolve(
            item,
            id=uuid.UUID(int=rng.getrandbits(128)),
            title=f"{item.title} {rng.choice(_EXTRA_WORDS)}" if n % 3 else item.title,
            release_year=min(max(item.release_year + rng.randint(-20, 20), 1900), 2030),
        )


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1 :]


def query_mix(demo: list[Content], rng: random.Random) -> dict[str, list[SearchQuery]]:
    multi_word = [c.title for c in demo if len(c.title.split()) == 2]
    long_words = sorted({w for c in demo for w in c.title.lower().split() if len(w) >= 6 and w.isalpha()})
    rare = sorted({w for c in demo for w in c.synopsis.lower().split() if len(w) >= 9 and w.isalpha()})
    genres = sorted({g for c in demo for g in c.genres})
    return {
        "common word 'the'": [SearchQuery.create("the")],
        "two-word title": [SearchQuery.create(t) for t in rng.sample(multi_word, 20)],
        "typo": [SearchQuery.create(_typo(w, rng)) for w in rng.sample(long_words, 20)],
        "rare synopsis word": [SearchQuery.create(w) for w in rng.sample(rare, 20)],
        "two-word title + genre": [SearchQuery.create(t, genre=rng.choice(genres)) for t in rng.sample(multi_word, 20)],
        "typo + platform": [SearchQuery.create(_typo(w, rng), platform="netflix") for w in rng.sample(long_words, 20)],
    }


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=0, help="synthesise this many titles (default: the demo's)")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query mix")
    arguments = parser.parse_args()
    rng = random.Random(16)
    demo = list(read_catalog())
    items = list(synthetic(demo, max(arguments.titles, len(demo)), rng))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "catalog-index"
        writer = TantivyCatalogIndex(path)
        started = time.perf_counter()
        indexed = writer.build(items)
        writer.close()
        built = time.perf_counter() - started
        print(f"{indexed} titles indexed in {built:.2f} s, {_size(path) / 1e6:.1f} MB on disk")
        search = TantivyContentSearch(path)
        print("| queries | n | p50 ms | p99 ms | mean total |")
        print("|---|---|---|---|---|")
        everything: list[float] = []
        for name, queries in query_mix(demo, rng).items():
            samples, totals = [], []
            for _ in range(arguments.rounds):
                for query in queries:
                    started = time.perf_counter()
                    totals.append(search.search_now(query).total)
                    samples.append((time.perf_counter() - started) * 1000)
            everything += samples
            p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
            print(f"| {name} | {len(samples)} | {p50:.2f} | {p99:.2f} | {statistics.mean(totals):.0f} |")
        p50, p99 = statistics.median(everything), _percentile(everything, 0.99)
        print(f"| all | {len(everything)} | {p50:.2f} | {p99:.2f} | |")


if __name__ == "__main__":
    main()
