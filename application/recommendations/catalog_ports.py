"""What recommendations need of the catalog: describing items for the index's payload and the
answers, and popularity for when the model cannot answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from uuid import UUID

from application.recommendations.vector_index_ports import ItemFilter, ItemPayload, Scored
from domain.catalog.content import Content


class ItemCatalog(Protocol):
    async def payloads(self, item_ids: Sequence[UUID]) -> Mapping[UUID, ItemPayload]:
        """Kind, genres and where each item is offered now (unknown or withdrawn ids left out)."""

    async def contents(self, item_ids: Sequence[UUID]) -> Mapping[UUID, Content]:
        """The titles as the catalog shows them now (offered availability only; withdrawn ones left out)."""


class PopularTitles(Protocol):
    async def popular(self, where: ItemFilter, limit: int) -> list[Scored]:
        """Items by viewers who completed them lately (episodes counted for their series), most first."""

    async def popular_like(self, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored]:
        """The most popular items sharing a genre with ``item_id`` (it left out)."""


class ViewerDirectory(Protocol):
    async def exists(self, user_id: UUID) -> bool: ...
