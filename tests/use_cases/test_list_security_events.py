from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from application.identity.list_security_events import MAX_PAGE, ListSecurityEvents
from application.identity.principal import Principal
from domain.shared.errors import InvalidInput

VIEWER = Principal(user_id=uuid4(), scopes=frozenset({"read"}))


@pytest.mark.parametrize(("page", "page_size"), [(0, 20), (MAX_PAGE + 1, 20), (2**63 - 1, 20), (1, 0), (1, 101)])
async def test_pages_beyond_the_caps_are_refused_naming_the_field(page: int, page_size: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        await ListSecurityEvents(uow=InMemoryIdentityStore())(VIEWER, page, page_size)
    assert refused.value.field == ("page" if page_size == 20 else "page_size")


async def test_the_last_page_allowed_is_an_empty_page_not_an_error() -> None:
    page = await ListSecurityEvents(uow=InMemoryIdentityStore())(VIEWER, MAX_PAGE, 100)
    assert list(page.items) == [] and page.total == 0
