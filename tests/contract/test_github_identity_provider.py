"""What only the GitHub adapter does, against the fake GitHub: which address it reports (and
whether verified), the numeric id as the subject, GitHub's rate limits, and answers it cannot read."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.identity.github_identity_provider import chosen_email
from adapters.identity.identity_provider_calls import retry_after_seconds
from application.identity.identity_provider_ports import ProviderUnavailable
from tests.support.fake_github import ANA, FakeGitHub, GitHubEmail, GitHubUser
from tests.support.identity_provider_worlds import ProviderWorld, provider_world


@pytest.fixture
async def github(tmp_path: Path) -> AsyncIterator[ProviderWorld]:
    async with provider_world("github", tmp_path) as world:
        yield world


def signing_in(world: ProviderWorld, *emails: GitHubEmail, user: GitHubUser = ANA) -> None:
    world.fake.sign_in_as(GitHubUser(user.id, user.login, user.name, emails))


PRIMARY_VERIFIED = GitHubEmail("ana@example.com", primary=True, verified=True)
PRIMARY_UNVERIFIED = GitHubEmail("ana@example.com", primary=True, verified=False)
OTHER_VERIFIED = GitHubEmail("ana@other.example", primary=False, verified=True)


@pytest.mark.parametrize(
    ("emails", "expected"),
    [
        ((OTHER_VERIFIED, PRIMARY_VERIFIED), ("ana@example.com", True)),
        ((PRIMARY_UNVERIFIED, OTHER_VERIFIED), ("ana@example.com", False)),  # a verified other is not the primary
        ((OTHER_VERIFIED,), (None, False)),
        ((), (None, False)),
    ],
    ids=["primary-and-verified", "primary-unverified", "no-primary", "none"],
)
async def test_the_address_is_the_primary_one_and_verified_only_if_github_verified_it(
    github: ProviderWorld, emails: tuple[GitHubEmail, ...], expected: tuple[str | None, bool]
) -> None:
    signing_in(github, *emails)

    identity = await github.identify(*await github.granted_code())

    assert (identity.email, identity.email_verified) == expected


@pytest.mark.parametrize(
    "listed",
    [
        "not a list",
        [{"email": 7, "primary": True, "verified": True}],
        [{"email": "a@example.com", "primary": "yes", "verified": True}],
        [{"email": "a@example.com", "primary": True, "verified": "true"}],
    ],
)
def test_entries_that_are_not_what_github_sends_are_never_taken_as_verified(listed: object) -> None:
    assert chosen_email(listed)[1] is False


async def test_the_subject_is_the_numeric_id_not_the_login(github: ProviderWorld) -> None:
    first = await github.identify(*await github.granted_code())
    github.fake.sign_in_as(GitHubUser(ANA.id, "ana-renamed", ANA.name, ANA.emails))

    renamed = await github.identify(*await github.granted_code())

    assert first.subject == renamed.subject == str(ANA.id)
    assert (first.login, renamed.login) == ("ana-octo", "ana-renamed")


@pytest.mark.parametrize("status", [403, 429])
async def test_the_primary_rate_limit_is_unavailable_until_the_reset(github: ProviderWorld, status: int) -> None:
    flow, code = await github.granted_code()
    fake = github.fake
    assert isinstance(fake, FakeGitHub)
    fake.rate_limit(reset_in=120, status=status)

    with pytest.raises(ProviderUnavailable) as refused:
        await github.identify(flow, code)

    assert refused.value.retry_after_seconds is not None
    assert 115 <= refused.value.retry_after_seconds <= 121


async def test_a_secondary_rate_limit_says_when_to_retry(github: ProviderWorld) -> None:
    flow, code = await github.granted_code()
    fake = github.fake
    assert isinstance(fake, FakeGitHub)
    fake.rate_limit(retry_after=42, reset_in=None)

    with pytest.raises(ProviderUnavailable) as refused:
        await github.identify(flow, code)

    assert refused.value.retry_after_seconds == 42


async def test_rate_limited_on_the_api_after_the_token_exchange(github: ProviderWorld) -> None:
    flow, code = await github.granted_code()
    fake = github.fake
    assert isinstance(fake, FakeGitHub)
    fake.rate_limit(retry_after=7, reset_in=None, under="/api/")

    with pytest.raises(ProviderUnavailable) as refused:
        await github.identify(flow, code)

    assert refused.value.retry_after_seconds == 7
    assert fake.hits["/login/oauth/access_token"] == 1


async def test_a_forbidden_answer_that_is_no_rate_limit_is_unavailable_without_a_retry_time(
    github: ProviderWorld,
) -> None:
    flow, code = await github.granted_code()
    github.fake.fail(403)

    with pytest.raises(ProviderUnavailable) as refused:
        await github.identify(flow, code)

    assert refused.value.retry_after_seconds is None


async def test_an_answer_that_is_not_json_is_unavailable(github: ProviderWorld) -> None:
    flow, code = await github.granted_code()
    github.fake.garble()

    with pytest.raises(ProviderUnavailable):
        await github.identify(flow, code)


async def test_wrong_client_credentials_are_our_misconfiguration_not_a_refused_person(tmp_path: Path) -> None:
    async with provider_world("github", tmp_path, env={"MG_GITHUB_CLIENT_SECRET": "not-the-secret"}) as world:
        flow, code = await world.granted_code()

        with pytest.raises(ProviderUnavailable):
            await world.identify(flow, code)


def test_retry_after_reads_seconds_dates_and_github_reset_times() -> None:
    now = time.time()
    assert retry_after_seconds({"retry-after": "30"}, now) == 30
    assert retry_after_seconds({"retry-after": "0"}, now) == 1
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 90))
    assert 89 <= (retry_after_seconds({"retry-after": http_date}, now) or 0) <= 91
    assert retry_after_seconds({"x-ratelimit-reset": str(int(now) + 60)}, now) in (59, 60)
    assert retry_after_seconds({"retry-after": "soon"}, now) is None
    assert retry_after_seconds({}, now) is None
