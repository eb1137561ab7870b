from __future__ import annotations

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from application.catalog.ports import ContentRepository, ContentSearch
from application.identity.account_ports import IdentityUnitOfWorkFactory


@pytest.fixture(params=["in-memory", "postgres"])
def identity_uow(request: pytest.FixtureRequest) -> IdentityUnitOfWorkFactory:
    if request.param == "in-memory":
        return InMemoryIdentityStore()
    engine: AsyncEngine = request.getfixturevalue("engine")
    return PostgresIdentityUnitOfWorkFactory(engine)


@pytest.fixture(params=["in-memory", "postgres"])
def catalog(request: pytest.FixtureRequest) -> tuple[ContentRepository, ContentSearch]:
    if request.param == "in-memory":
        memory = InMemoryCatalog()
        return memory, memory
    engine: AsyncEngine = request.getfixturevalue("engine")
    return PostgresContentRepository(engine), PostgresContentSearch(engine)


@pytest.fixture
def redis_client(request: pytest.FixtureRequest) -> Redis:
    return request.getfixturevalue("redis")  # type: ignore[no-any-return]
