"""What one Tantivy searcher has answered, kept for as long as that searcher is the one in use:
the pages it gave (Solr's queryResultCache) and the titles decoded from its stored documents
(Solr's documentCache).

A searcher is a snapshot of one commit, so nothing kept here can be out of date: the reader makes
a new cache with each new searcher, when a commit has been made (TantivyContentSearch). Pages are
dropped least recently used first; the documents all at once when full (most of them belong to
the pages kept anyway). ``pages=0`` keeps nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from domain.catalog.content import Content
from domain.catalog.search import SearchPage

DOCUMENTS_PER_PAGE = 10


class SearcherCache:
    def __init__(self, pages: int) -> None:
        self._page_limit = pages
        self._document_limit = pages * DOCUMENTS_PER_PAGE
        self._pages: OrderedDict[Hashable, SearchPage] = OrderedDict()
        self._documents: dict[Hashable, Content] = {}
        self._lock = threading.Lock()  # searches run in threads

    def page(self, key: Hashable) -> SearchPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def keep(self, key: Hashable, page: SearchPage) -> None:
        if not self._page_limit:
            return
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            if len(self._pages) > self._page_limit:
                self._pages.popitem(last=False)

    def document(self, address: Hashable, decode: Callable[[], Content]) -> Content:
        found = self._documents.get(address)
        if found is None:
            found = decode()
            if self._document_limit:
                with self._lock:
                    if len(self._documents) >= self._document_limit:
                        self._documents.clear()
                    self._documents[address] = found
        return found
