from __future__ import annotations

import pytest

from domain.catalog.errors import InvalidSearch
from domain.catalog.search import SearchPage, SearchQuery


def test_text_is_trimmed_and_whitespace_collapsed() -> None:
    query = SearchQuery.create("  the   silent\tharbor ", genre=" Thriller ")
    assert query.text == "the silent harbor"
    assert query.genre == "thriller"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "q"),
        ({"text": None}, "q"),
        ({"text": "x" * 201}, "q"),
        ({"text": "dune", "year": 1800}, "year"),
        ({"text": "dune", "page": 0}, "page"),
        ({"text": "dune", "page": 1001}, "page"),
        ({"text": "dune", "page": 2**63 - 1}, "page"),
        ({"text": "dune", "page_size": 101}, "page_size"),
        ({"text": "dune", "genre": "sci fi"}, "genre"),
        ({"text": "dune", "platform": "net/flix"}, "platform"),
    ],
)
def test_invalid_searches_name_the_field(kwargs: dict[str, object], field: str) -> None:
    text = kwargs.pop("text")
    with pytest.raises(InvalidSearch) as error:
        SearchQuery.create(text, **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_offset_and_total_pages() -> None:
    assert SearchQuery.create("dune", page=3, page_size=10).offset == 20
    assert SearchPage(items=(), total=21, page=1, page_size=10).total_pages == 3
    assert SearchPage(items=(), total=0, page=1, page_size=10).total_pages == 0
