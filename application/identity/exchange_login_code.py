"""A client app turns the one-time login code of a provider sign-in into the sign-in's answer."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.external_identity_ports import LoginCodeStore
from application.identity.log_in import MfaRequired
from application.identity.provider_flow import InvalidLoginCode
from application.identity.sign_in_answer import SignInAnswer
from application.identity.tokens import TokenPair, digest_token
from application.shared.ports import Clock


@frozen
class ExchangeLoginCodeCommand:
    code: str


@frozen
class ExchangeLoginCode:
    uow: IdentityUnitOfWorkFactory
    login_codes: LoginCodeStore
    answer: SignInAnswer
    clock: Clock

    async def __call__(self, command: ExchangeLoginCodeCommand) -> TokenPair | MfaRequired:
        grant = await self.login_codes.take(digest_token(command.code))
        if grant is None or grant.link is not None:  # a link code never turns into a sign-in
            raise InvalidLoginCode("This login code is unknown, expired or was used already; sign in again.")
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.users.get(grant.user_id)
            if user is None:
                raise InvalidLoginCode("The account of this login code no longer exists.")
            answer = await self.answer(uow, user, auth_time=grant.auth_time, now=now)
            await uow.commit()
        return answer
