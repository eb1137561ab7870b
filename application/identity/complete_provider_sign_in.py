"""The provider's callback: the flow's state is spent, the provider says who signed in, the
linking rules decide which account that is, and the answer is a session, the second-factor step,
or a one-time login code for the client app (never tokens in a URL).

A link started from settings is not attached here: whoever's browser arrives at the callback is
unknown (bearer tokens, no cookies), so someone could start a link on their own account and have
a victim approve it. The callback hands out a one-time link code instead, and only a session of
the account that started the link can confirm it (ConfirmIdentityLink)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from application.identity.external_identity_ports import LoginCodeStore, LoginGrant, ProviderFlow
from application.identity.identity_attachment import attach_identity
from application.identity.identity_provider_ports import ProviderIdentity
from application.identity.log_in import MfaRequired
from application.identity.provider_flow import (
    LINK_CODE_TTL,
    LOGIN_CODE_BYTES,
    InvalidOAuthCallback,
    InvalidOAuthState,
    ProviderAccessDenied,
    ProviderFlows,
)
from application.identity.sign_in_answer import SignInAnswer
from application.identity.tokens import TokenPair, digest_token
from application.shared.ports import Clock, IdGenerator, SecretGenerator
from domain.identity.email import EmailAddress, InvalidEmail
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.external_identity import (
    ProviderEmailMissing,
    ProviderEmailTaken,
    SignInOutcome,
    decide_sign_in,
    ensure_can_link,
)
from domain.identity.user import User, clean_display_name
from domain.shared.errors import InvalidInput

_EMAIL_TAKEN = (
    "An account already uses this email address, but it has not been proven on both sides. "
    "Sign in to that account, then link {provider} from your settings."
)


@frozen
class CompleteProviderSignInCommand:
    provider: str
    state: str | None
    code: str | None = None
    error: str | None = None  # the provider's error=, e.g. access_denied
    ip: str | None = None


@frozen
class LoginCodeRedirect:
    """Send the browser back to the client app with a one-time login code."""

    location: str


@frozen
class LinkPending:
    """A link started from settings waits for the account's own app to confirm ``link_code``;
    ``location`` is the client app to send the code to, if the link named one."""

    provider: str
    link_code: str
    expires_in: int
    location: str | None


def with_query(uri: str, **params: str | None) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _provider_email(identity: ProviderIdentity) -> EmailAddress | None:
    try:
        return EmailAddress.parse(identity.email) if identity.email else None
    except InvalidEmail:
        return None


def _display_name(identity: ProviderIdentity, email: EmailAddress) -> str:
    try:
        return clean_display_name(identity.display_name or identity.login, email)
    except InvalidInput:  # a provider's name we would refuse from a person: fall back to the email's
        return clean_display_name(None, email)


@frozen
class CompleteProviderSignIn:
    uow: IdentityUnitOfWorkFactory
    flows: ProviderFlows
    login_codes: LoginCodeStore
    answer: SignInAnswer
    clock: Clock
    ids: IdGenerator
    secrets: SecretGenerator

    async def __call__(
        self, command: CompleteProviderSignInCommand
    ) -> TokenPair | MfaRequired | LoginCodeRedirect | LinkPending:
        provider = self.flows.provider(command.provider)
        flow = await self.flows.flows.take(digest_token(command.state)) if command.state else None
        if flow is None or flow.provider != command.provider:
            raise InvalidOAuthState(
                "This sign-in link is unknown, expired or was used already; start signing in again."
            )
        if command.error is not None:
            raise ProviderAccessDenied(f"The sign-in was not completed at {command.provider} ({command.error}).")
        if not command.code:
            raise InvalidOAuthCallback("The provider's callback carries no code.")
        identity = await provider.identify(
            code=command.code,
            callback_url=self.flows.callback_url(command.provider),
            code_verifier=flow.code_verifier,
            nonce=flow.nonce,
        )
        if identity.provider != command.provider:
            raise InvalidOAuthState("The provider answered for another provider's sign-in.")
        now = self.clock.now()
        if flow.link_user_id is not None:
            return await self._link(flow, identity, now)
        async with self.uow() as uow:
            user = await self._account(uow, identity, command.ip, now)
            if flow.redirect_uri is None:
                answer = await self.answer(uow, user, auth_time=now, now=now)
                await uow.commit()
                return answer
            await uow.commit()
        code = self.secrets.token(LOGIN_CODE_BYTES)
        await self.login_codes.put(
            digest_token(code), LoginGrant(user_id=user.id, provider=identity.provider, auth_time=now)
        )
        return LoginCodeRedirect(with_query(flow.redirect_uri, code=code, state=flow.client_state))

    async def _account(
        self, uow: IdentityUnitOfWork, identity: ProviderIdentity, ip: str | None, now: datetime
    ) -> User:
        """The account this provider sign-in is for, linked or created per the linking rules."""
        existing = await uow.external_identities.get(identity.provider, identity.subject)
        email = _provider_email(identity)
        local = await uow.users.get_by_email(email) if existing is None and email is not None else None
        decision = decide_sign_in(
            existing,
            local,
            provider_email=email.value if email else None,
            provider_email_verified=identity.email_verified and email is not None,
        )
        if decision.outcome is SignInOutcome.SIGN_IN and existing is not None:
            user = await uow.users.get(existing.user_id)
            if user is None:  # removed since; the identity went with it (ON DELETE CASCADE)
                raise InvalidOAuthState("The account of this identity no longer exists.")
            await uow.external_identities.touch(identity.provider, identity.subject, now)
            return user
        if decision.outcome is SignInOutcome.LINK and local is not None:
            await self._attach(uow, identity, local, "verified_email", ip, now)
            return local
        if decision.outcome is SignInOutcome.CREATE and email is not None:
            user = User(
                id=self.ids.new_id(),
                email=email,
                display_name=_display_name(identity, email),
                password_hash=None,
                created_at=now,
                email_verified=decision.email_verified,
            )
            try:
                await uow.users.add(user)
            except EmailAlreadyRegistered as error:  # registered meanwhile: as for any taken address
                raise ProviderEmailTaken(_EMAIL_TAKEN.format(provider=identity.provider)) from error
            await self._attach(uow, identity, user, "new_account", ip, now)
            return user
        if decision.reason == ProviderEmailMissing.code:
            raise ProviderEmailMissing(
                f"{identity.provider} did not share a verified email address; "
                "add one there, or sign up with a password."
            )
        raise ProviderEmailTaken(_EMAIL_TAKEN.format(provider=identity.provider))

    async def _link(self, flow: ProviderFlow, identity: ProviderIdentity, now: datetime) -> LinkPending:
        """What can be refused now is refused now; the attaching waits for the confirmation."""
        async with self.uow() as uow:
            user = await uow.users.get(flow.link_user_id) if flow.link_user_id else None
            if user is None:
                raise InvalidOAuthState("The account this link was started from no longer exists.")
            holder = await uow.external_identities.get(identity.provider, identity.subject)
            ensure_can_link(holder, await uow.external_identities.list_for_user(user.id), user.id, identity.provider)
        code = self.secrets.token(LOGIN_CODE_BYTES)
        grant = LoginGrant(user_id=user.id, provider=identity.provider, auth_time=now, link=identity)
        await self.login_codes.put(digest_token(code), grant, ttl=LINK_CODE_TTL)
        location = with_query(flow.redirect_uri, link_code=code, state=flow.client_state) if flow.redirect_uri else None
        expires_in = int(LINK_CODE_TTL.total_seconds())
        return LinkPending(provider=identity.provider, link_code=code, expires_in=expires_in, location=location)

    async def _attach(
        self, uow: IdentityUnitOfWork, identity: ProviderIdentity, user: User, how: str, ip: str | None, now: datetime
    ) -> None:
        await attach_identity(uow, self.ids, identity, user.id, how=how, ip=ip, now=now)
