"""Model versions in a list: the reference for the PostgreSQL registry, and the fake world's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from domain.recommendations.models import AlsParameters, ModelState, ModelVersion


class InMemoryModelRegistry:
    def __init__(self) -> None:
        self._versions: dict[int, ModelVersion] = {}
        self._artifacts: dict[int, bytes] = {}

    async def begin(self, parameters: AlsParameters, started_at: datetime) -> ModelVersion:
        version = ModelVersion(
            version=max(self._versions, default=0) + 1,
            state=ModelState.TRAINING,
            parameters=parameters,
            started_at=started_at,
        )
        self._versions[version.version] = version
        return version

    async def finish(self, version: ModelVersion, artifact: bytes) -> None:
        for number, known in list(self._versions.items()):
            if known.state is ModelState.READY:
                self._versions[number] = attrs.evolve(known, state=ModelState.RETIRED)
        self._versions[version.version] = attrs.evolve(version, state=ModelState.READY)
        self._artifacts[version.version] = artifact

    async def fail(self, version: int) -> None:
        known = self._versions.get(version)
        if known is not None and known.state is ModelState.TRAINING:
            self._versions[version] = attrs.evolve(known, state=ModelState.FAILED)

    async def in_use(self) -> ModelVersion | None:
        ready = [v for v in self._versions.values() if v.state is ModelState.READY]
        return max(ready, key=lambda v: v.version, default=None)

    async def versions(self, limit: int) -> list[ModelVersion]:
        return sorted(self._versions.values(), key=lambda v: -v.version)[:limit]

    async def artifact(self, version: int) -> bytes | None:
        return self._artifacts.get(version)

    async def forget(self, versions: Sequence[int]) -> None:
        for version in versions:
            self._artifacts.pop(version, None)
