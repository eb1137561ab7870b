"""Making and unmaking administrators: an operator's commands (`media-gateway grant-admin` and
`revoke-admin`), never an HTTP route. Access tokens carry the scopes of the moment they were
issued, so a change applies from the account's next sign-in or refresh."""

from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from application.identity.security_log import record_event
from application.shared.ports import Clock, IdGenerator
from domain.identity.email import EmailAddress
from domain.identity.errors import AccountNotFound
from domain.identity.security_event import SecurityEventKind
from domain.identity.user import ADMIN_SCOPE, User

# Who made the change, as the account's own security log shows it (the log has no operator accounts).
VIA = "command line"


@frozen
class GrantAdminCommand:
    email: str


@frozen
class RevokeAdminCommand:
    email: str


@frozen
class AdminChange:
    user_id: UUID
    email: str
    changed: bool  # False: the account was already so (and, but for keys below, nothing was written)
    api_keys_narrowed: tuple[UUID, ...] = ()


async def _account(uow: IdentityUnitOfWork, email: str) -> User:
    user = await uow.users.get_by_email(EmailAddress.parse(email))
    if user is None:
        raise AccountNotFound(f"No account has the email {email.strip()!r}.")
    return user


@frozen
class GrantAdmin:
    uow: IdentityUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: GrantAdminCommand) -> AdminChange:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await _account(uow, command.email)
            if not await uow.users.add_scope(user.id, ADMIN_SCOPE):
                return AdminChange(user_id=user.id, email=user.email.value, changed=False)
            await record_event(uow, self.ids, user.id, SecurityEventKind.ADMIN_GRANTED, now, details={"via": VIA})
            await uow.commit()
        return AdminChange(user_id=user.id, email=user.email.value, changed=True)


@frozen
class RevokeAdmin:
    """Takes admin from the account and, in the same transaction, from each of its API keys that
    carries it (the keys keep read and write): a user can hold no key above themselves, and
    granting admin again later gives it back to the account only, not to old keys."""

    uow: IdentityUnitOfWorkFactory
    ids: IdGenerator
    clock: Clock

    async def __call__(self, command: RevokeAdminCommand) -> AdminChange:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await _account(uow, command.email)
            revoked = await uow.users.remove_scope(user.id, ADMIN_SCOPE)
            # Also when the account no longer held it: a key minted while admin was being revoked
            # could still carry it, and running the command again is how to mend that.
            narrowed = await uow.api_keys.remove_scope(user.id, ADMIN_SCOPE)
            if not revoked and not narrowed:
                return AdminChange(user_id=user.id, email=user.email.value, changed=False)
            if revoked:
                await record_event(
                    uow,
                    self.ids,
                    user.id,
                    SecurityEventKind.ADMIN_REVOKED,
                    now,
                    details={"via": VIA, "api_keys_narrowed": len(narrowed)},
                )
            for key in narrowed:
                await record_event(
                    uow,
                    self.ids,
                    user.id,
                    SecurityEventKind.API_KEY_SCOPE_REMOVED,
                    now,
                    details={"api_key_id": str(key.id), "name": key.name, "scope": ADMIN_SCOPE, "via": VIA},
                )
            await uow.commit()
        return AdminChange(
            user_id=user.id, email=user.email.value, changed=revoked, api_keys_narrowed=tuple(k.id for k in narrowed)
        )
