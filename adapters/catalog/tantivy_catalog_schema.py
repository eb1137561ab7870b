"""The catalog's Tantivy schema: fields, analyzers, and how a Content becomes a document.

Shared by the writer (``TantivyCatalogIndex``) and the reader (``TantivyContentSearch``); both must
register the same analyzers on every ``Index`` they open, since Tantivy does not persist them.

Availability windows: the platform filter must be exact at any moment ``at``, and a title may be
offered on one platform in several windows (per region, or again later). Each availability is
indexed as terms of one field, ``offered``: an open one (no window) as the platform's root cell,
a windowed one as the dyadic cells covering ``[available_from, available_until)`` in seconds
(at most 80 terms). The filter at moment ``t`` is a term set of the 41 cells containing ``t``:
exact (no from/until pairing across windows, as multi-valued range fields would have), one
posting-list union, and no range scan. Windows are judged to the second.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import msgspec
import tantivy

from adapters.catalog.jsonl_catalog_file import content_to_json
from domain.catalog.content import Content, ContentKind

WORDS = "mg_words"  # lowercase, accents folded, no stemming: exact words, phrases and typos
STEMMED = "mg_stemmed"  # the same, stemmed (English)

_TIME_BITS = 40  # seconds since 1970, up to the year 36812
_ROOT = _TIME_BITS

# The tie-break under the relevance tiers (see tantivy_content_search): 11 bits, most significant
# first: not an episode (1), shortness of the title (3), release year (7: 1902 to 2029). Searches
# multiply each score by log2(2 + order_weight) (Tantivy's ``weight_by_field``); with the weight
# below ORDER_WEIGHT_SPAN that factor stays under 1 + 1/2300, so it orders titles within a tier
# and never across two (the top tier sum is under 1800). Tantivy's f32 scores keep 11 bits apart,
# not 12 (measured).
ORDER_BITS = 11
ORDER_WEIGHT_SPAN = 6e-4
_MIN_YEAR = 1902
# Bumped when the schema or what a document holds changes: an index of another version is rebuilt.
SCHEMA_VERSION = 2


def _analyzer(*, stemmed: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stemmed:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


WORDS_ANALYZER = _analyzer(stemmed=False)
STEMMED_ANALYZER = _analyzer(stemmed=True)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name=WORDS)  # positions: phrases
    builder.add_text_field("title_stemmed", tokenizer_name=STEMMED, index_option="freq")
    builder.add_text_field("title_exact", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("synopsis", tokenizer_name=STEMMED, index_option="freq")
    builder.add_text_field("genre", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_text_field("platform", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("region", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("offered", tokenizer_name="raw", index_option="basic")
    builder.add_float_field("order_weight", fast=True)
    builder.add_bytes_field("content", stored=True)
    return builder.build()


SCHEMA = build_schema()


def register_analyzers(index: tantivy.Index) -> None:
    index.register_tokenizer(WORDS, WORDS_ANALYZER)
    index.register_tokenizer(STEMMED, STEMMED_ANALYZER)


def folded(text: str) -> str:
    """The text as the exact-title field holds it: its words, lowercase, accents and punctuation gone."""
    return " ".join(WORDS_ANALYZER.analyze(text))


def _cell(platform: str, level: int, prefix: int) -> str:
    return f"{platform}|{level}|{prefix}"


def _second(moment: datetime | None, default: int) -> int:
    if moment is None:
        return default
    return min(max(math.ceil(moment.timestamp()), 0), 1 << _TIME_BITS)


def window_cells(platform: str, available_from: datetime | None, available_until: datetime | None) -> set[str]:
    """The dyadic cells exactly covering the window, in seconds: from inclusive, until exclusive."""
    if available_from is None and available_until is None:  # most offers: always, the root cell
        return {_cell(platform, _ROOT, 0)}
    start, end = _second(available_from, 0), _second(available_until, 1 << _TIME_BITS)
    cells: set[str] = set()
    while start < end:
        level = (start & -start).bit_length() - 1 if start else _ROOT
        while level > 0 and start + (1 << level) > end:
            level -= 1
        cells.add(_cell(platform, level, start >> level))
        start += 1 << level
    return cells


def cells_at(platform: str, moment: datetime) -> list[str]:
    """Every cell containing ``moment``: an availability is offered then iff it holds one of them."""
    second = min(max(math.floor(moment.timestamp()), 0), (1 << _TIME_BITS) - 1)
    return [_cell(platform, level, second >> level) for level in range(_ROOT + 1)]


def order_weight(item: Content, title_words: int) -> float:
    """The tie-break as a weight in [0, ORDER_WEIGHT_SPAN): titles before episodes, short titles first, newer first."""
    shortness = 7 - min(title_words, 7)
    year = min(max(item.release_year - _MIN_YEAR, 0), 127)
    packed = (int(item.kind is not ContentKind.EPISODE) << 10) | (shortness << 7) | year
    return packed * ORDER_WEIGHT_SPAN / (1 << ORDER_BITS)


def content_document(item: Content) -> tantivy.Document:
    words = WORDS_ANALYZER.analyze(item.title)
    fields: dict[str, Any] = {
        "id": str(item.id),
        "title": item.title,
        "title_stemmed": item.title,
        "title_exact": " ".join(words),
        "synopsis": item.synopsis,
        "kind": item.kind.value,
        "year": item.release_year,
        "order_weight": order_weight(item, len(words)),
        "content": msgspec.json.encode(content_to_json(item)),
    }
    if item.genres:
        fields["genre"] = list(item.genres)
    if item.availability:
        offered: set[str] = set()
        for availability in item.availability:
            offered |= window_cells(availability.platform, availability.available_from, availability.available_until)
        fields["platform"] = sorted(item.platforms)
        fields["region"] = sorted({a.region for a in item.availability})
        fields["offered"] = sorted(offered)
    return tantivy.Document.from_dict(fields, SCHEMA)
