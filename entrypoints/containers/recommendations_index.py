"""The recommendations' vector index: Qdrant's engine in-process under MG_DATA_DIR (the embedded
default), or a Qdrant server at MG_QDRANT_URL through its circuit breaker."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from entrypoints.config import Settings


class RecommendationIndex(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    breakers = providers.Dependency()  # operations' circuit breakers: a Qdrant server is called through `qdrant`

    # FOUNDATION PLACEHOLDER (h14-index replaces it): embedded qdrant-edge or the server adapter.
    vector_index = providers.Singleton(InMemoryVectorIndex)
