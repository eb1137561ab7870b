"""Model versions on PostgreSQL (``recommendation_models``): each training's parameters, state,
counts and the fitted artifact a viewer is folded into."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
from sqlalchemy import RowMapping, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import recommendation_models as models
from domain.recommendations.models import AlsParameters, ModelState, ModelVersion

# Two trainers beginning at once must not take the same number: the next number is chosen under a
# transaction-scoped advisory lock (released at commit), so the second waits for the first's row.
_NUMBERING_LOCK = 0x5245_4353  # "RECS"
_COLUMNS = [c for c in models.c if c.name != "artifact"]


class PostgresModelRegistry:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def begin(self, parameters: AlsParameters, started_at: datetime) -> ModelVersion:
        async with self._engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBERING_LOCK})
            number = (
                await conn.execute(text("SELECT coalesce(max(version), 0) + 1 FROM recommendation_models"))
            ).scalar_one()
            version = ModelVersion(
                version=int(number), state=ModelState.TRAINING, parameters=parameters, started_at=started_at
            )
            await conn.execute(models.insert().values(**_values(version)))
        return version

    async def finish(self, version: ModelVersion, artifact: bytes) -> None:
        ready_at = version.ready_at or datetime.now(tz=version.started_at.tzinfo)
        ready = attrs.evolve(version, state=ModelState.READY, ready_at=ready_at)
        async with self._engine.begin() as conn:
            await conn.execute(
                update(models)
                .where((models.c.state == ModelState.READY.value) & (models.c.version != version.version))
                .values(state=ModelState.RETIRED.value)
            )
            await conn.execute(
                update(models)
                .where(models.c.version == version.version)
                .values(**_values(ready), in_use_since=ready_at, artifact=artifact)
            )

    async def fail(self, version: int) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(models)
                .where((models.c.version == version) & (models.c.state == ModelState.TRAINING.value))
                .values(state=ModelState.FAILED.value)
            )

    async def in_use(self) -> ModelVersion | None:
        query = (
            select(*_COLUMNS).where(models.c.state == ModelState.READY.value).order_by(models.c.version.desc()).limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return _version(row) if row is not None else None

    async def versions(self, limit: int) -> list[ModelVersion]:
        query = select(*_COLUMNS).order_by(models.c.version.desc()).limit(limit)
        async with self._engine.connect() as conn:
            return [_version(row) for row in (await conn.execute(query)).mappings()]

    async def artifact(self, version: int) -> bytes | None:
        async with self._engine.connect() as conn:
            value = (await conn.execute(select(models.c.artifact).where(models.c.version == version))).scalar()
        return bytes(value) if value is not None else None

    async def forget(self, versions: Sequence[int]) -> None:
        if not versions:
            return
        async with self._engine.begin() as conn:
            await conn.execute(update(models).where(models.c.version.in_(list(versions))).values(artifact=None))


def _values(version: ModelVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "state": version.state.value,
        "parameters": attrs.asdict(version.parameters),
        "started_at": version.started_at,
        "ready_at": version.ready_at,
        "viewers": version.viewers,
        "items": version.items,
        "interactions": version.interactions,
        "fit_seconds": version.fit_seconds,
        "total_seconds": version.total_seconds,
    }


def _version(row: RowMapping) -> ModelVersion:
    return ModelVersion(
        version=row["version"],
        state=ModelState(row["state"]),
        parameters=AlsParameters(**row["parameters"]),
        started_at=row["started_at"],
        ready_at=row["ready_at"],
        viewers=row["viewers"],
        items=row["items"],
        interactions=row["interactions"],
        fit_seconds=row["fit_seconds"],
        total_seconds=row["total_seconds"],
    )
