"""The query mix: common words, two-word titles, typos and rare words, each with and without a
genre filter, on pages 1 and 10. Drawn from the same generator as the catalog, so the words and
titles are ones it holds."""

from __future__ import annotations

import random
from collections import Counter

from attrs import frozen

from benchmarks.search.catalog import STOP_WORDS, Generator, demo_items

KINDS = ("common word", "two-word title", "typo", "rare word")
PER_CLASS = 12


@frozen
class MixQuery:
    kind: str
    text: str
    genre: str | None
    page: int

    @property
    def label(self) -> str:
        return f"{self.kind}{' + genre' if self.genre else ''}, page {self.page}"

    def params(self) -> dict[str, str]:
        found = {"q": self.text, "page": str(self.page)}
        return found | ({"genre": self.genre} if self.genre else {})


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def query_mix(titles: int, seed: int = 17) -> list[MixQuery]:
    rng = random.Random(seed)
    sample = Generator(min(titles, 20_000), seed=16)
    names = [row[1] for rows, _ in sample.batches() for row in rows]
    words = (w.strip(":,.!?") for name in names for w in name.lower().split())
    counts = Counter(w for w in words if w and w not in STOP_WORDS)
    ranked = [word for word, _ in counts.most_common()]
    genres = sorted({g for item in demo_items() for g in item["genres"]})
    two_words = [name for name in names if len(name.split()) == 2]
    texts = {
        "common word": ["the", *ranked[: PER_CLASS - 1]],
        "two-word title": rng.sample(two_words, PER_CLASS),
        "typo": [_typo(rng, w) for w in rng.sample([w for w in ranked[:200] if len(w) >= 5], PER_CLASS)],
        "rare word": ranked[-PER_CLASS:],
    }
    return [
        MixQuery(kind, text, genre, page)
        for kind in KINDS
        for text in texts[kind]
        for genre in (None, rng.choice(genres))
        for page in (1, 10)
    ]
