"""Words a search does not require a title to contain (Lucene's English stop set), shared by the
in-memory and Tantivy search so both treat "the matrix" alike. A query of only these words still
matches them in titles ("the", "it")."""

from __future__ import annotations

STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it"),
        *("no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these"),
        *("they", "this", "to", "was", "will", "with"),
    }
)
