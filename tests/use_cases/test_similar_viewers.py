"""Similar viewers (for administrators) on in-memory adapters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.recommendations.in_memory_viewer_directory import InMemoryViewerDirectory
from application.recommendations.similar_viewers import FindSimilarViewers
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.recommendations.errors import InvalidRecommendationRequest, UnknownViewer
from tests.support.serving_world import ROMANTIC, SCI_FI_FAN, ServingWorld

ANA, BEA, CID, DEE = (uuid.uuid4() for _ in range(4))


@pytest.fixture
async def find() -> tuple[ServingWorld, FindSimilarViewers]:
    world = ServingWorld()
    identity = InMemoryIdentityStore()
    async with identity() as uow:
        for n, user_id in enumerate((ANA, BEA, CID, DEE)):
            await uow.users.add(
                User(user_id, EmailAddress.parse(f"u{n}@example.com"), f"U{n}", "$argon2id$x", datetime.now(UTC))
            )
        await uow.commit()
    use_case = FindSimilarViewers(
        model_in_use=world.model_in_use(),
        index=world.index,
        viewers=InMemoryViewerDirectory(identity),
        max_limit=100,
    )
    return world, use_case


async def test_the_nearest_viewers_by_cosine_come_first_and_the_viewer_is_left_out(
    find: tuple[ServingWorld, FindSimilarViewers],
) -> None:
    world, similar = find
    version = await world.train({ANA: SCI_FI_FAN, BEA: (2.0, 0.3), CID: ROMANTIC})
    answer = await similar(ANA, 10)
    assert answer.model_version == version and [v.user_id for v in answer.items] == [BEA, CID]
    assert answer.items[0].score == pytest.approx(0.99, abs=0.01) and answer.items[1].score < 0.5
    assert [v.user_id for v in (await similar(ANA, 1)).items] == [BEA]


async def test_a_viewer_without_a_vector_has_no_similar_viewers_but_the_version_is_named(
    find: tuple[ServingWorld, FindSimilarViewers],
) -> None:
    world, similar = find
    version = await world.train({ANA: SCI_FI_FAN})
    answer = await similar(DEE, 10)
    assert answer.items == () and answer.model_version == version


async def test_before_any_training_there_is_no_version_and_nobody_similar(
    find: tuple[ServingWorld, FindSimilarViewers],
) -> None:
    _, similar = find
    answer = await similar(ANA, 10)
    assert answer.items == () and answer.model_version is None


async def test_a_user_id_no_account_has_is_unknown_and_limits_are_checked(
    find: tuple[ServingWorld, FindSimilarViewers],
) -> None:
    world, similar = find
    await world.train({ANA: SCI_FI_FAN})
    with pytest.raises(UnknownViewer):
        await similar(uuid.uuid4(), 10)
    with pytest.raises(InvalidRecommendationRequest):
        await similar(ANA, 0)
