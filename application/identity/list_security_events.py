from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory, SecurityEventPage
from application.identity.principal import Principal
from domain.shared.errors import InvalidInput

MAX_PAGE_SIZE = 100
MAX_PAGE = 1000  # offsets below 100,000: see domain.catalog.search.MAX_PAGE


@frozen
class ListSecurityEvents:
    """The caller's own security log; the route asks for the ``read`` scope (scopes stay at the edge)."""

    uow: IdentityUnitOfWorkFactory

    async def __call__(self, principal: Principal, page: int, page_size: int) -> SecurityEventPage:
        if not 1 <= page <= MAX_PAGE:
            raise InvalidInput(f"'page' must be between 1 and {MAX_PAGE}.", field="page")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"'page_size' must be between 1 and {MAX_PAGE_SIZE}.", field="page_size")
        async with self.uow() as uow:
            return await uow.security_events.list_for_user(principal.user_id, page_size, (page - 1) * page_size)
