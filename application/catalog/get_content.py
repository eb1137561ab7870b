from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.catalog.ports import ContentRepository
from domain.catalog.content import Content
from domain.catalog.errors import ContentNotFound


@frozen
class GetContent:
    contents: ContentRepository

    async def __call__(self, content_id: UUID) -> Content:
        content = await self.contents.get(content_id)
        if content is None:
            raise ContentNotFound(f"No content with id {content_id}.")
        return content
