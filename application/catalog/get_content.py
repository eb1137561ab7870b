from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.catalog.ports import ContentRepository
from application.shared.ports import Clock
from domain.catalog.content import Content
from domain.catalog.errors import ContentNotFound


@frozen
class GetContent:
    """A title's page: not for a withdrawn title, and only the availability offered now."""

    contents: ContentRepository
    clock: Clock

    async def __call__(self, content_id: UUID) -> Content:
        content = await self.contents.get(content_id)
        if content is None or content.withdrawn:
            raise ContentNotFound(f"No content with id {content_id}.")
        return content.offered_at(self.clock.now())
