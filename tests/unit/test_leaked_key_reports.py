"""Reporting leaked API keys, on in-memory adapters: anyone may report, within a budget per address."""

from __future__ import annotations

import os
from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.identity.in_memory_client_rate_limiter import InMemoryClientRateLimiter
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.shared.manual_clock import ManualClock
from adapters.shared.system import Uuid4Generator
from application.identity.api_keys import ReportLeakedApiKeys, ReportLeakedApiKeysCommand
from application.identity.authenticate import api_key_digest
from domain.identity.api_key import API_KEY_PREFIX, RANDOM_BYTES, ApiKey, encode_api_key
from domain.shared.errors import RateLimited


class Reports:
    def __init__(self, per_ip: int = 2) -> None:
        self.clock = ManualClock()
        self.store = InMemoryIdentityStore()
        limiter = InMemoryClientRateLimiter(self.clock, limit=per_ip, window_seconds=60)
        self.report = ReportLeakedApiKeys(self.store, Uuid4Generator(), self.clock, limiter)

    async def a_key(self) -> tuple[str, ApiKey]:
        key = encode_api_key(os.urandom(RANDOM_BYTES))
        now = self.clock.now()
        api_key = ApiKey(
            id=uuid4(),
            user_id=uuid4(),
            name="ci",
            digest=api_key_digest(key),
            prefix=key[len(API_KEY_PREFIX) :][:4],
            last_four=key[-4:],
            scopes=frozenset({"read"}),
            rate_limit_per_minute=60,
            created_at=now,
            expires_at=now + timedelta(days=90),
        )
        async with self.store() as uow:
            await uow.api_keys.add(api_key)
            await uow.commit()
        return key, api_key


@pytest.fixture
def reports() -> Reports:
    return Reports(per_ip=2)


async def test_a_report_over_the_budget_of_its_address_revokes_nothing(reports: Reports) -> None:
    key, api_key = await reports.a_key()
    for _ in range(2):
        await reports.report(ReportLeakedApiKeysCommand(["mg_live_not_a_key"], "203.0.113.5"))
    with pytest.raises(RateLimited) as refused:
        await reports.report(ReportLeakedApiKeysCommand([key], "203.0.113.5"))
    assert 0 < refused.value.retry_after_seconds <= 60
    assert reports.store.state.api_keys[api_key.id].revoked_at is None


async def test_other_addresses_keep_their_budget_and_the_window_refills(reports: Reports) -> None:
    key, _ = await reports.a_key()
    for _ in range(2):
        await reports.report(ReportLeakedApiKeysCommand([], "203.0.113.5"))
    assert await reports.report(ReportLeakedApiKeysCommand([key], "198.51.100.7")) == 1
    reports.clock.advance(timedelta(seconds=60))
    other_key, _ = await reports.a_key()
    assert await reports.report(ReportLeakedApiKeysCommand([other_key], "203.0.113.5")) == 1


async def test_reports_without_an_address_share_one_budget(reports: Reports) -> None:
    for _ in range(2):
        await reports.report(ReportLeakedApiKeysCommand([], None))
    with pytest.raises(RateLimited):
        await reports.report(ReportLeakedApiKeysCommand([], None))
