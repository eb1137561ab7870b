"""What operators do with the circuit breakers: read their states, and override one."""

from __future__ import annotations

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.operations.breaker_state_ports import BreakerStates
from application.shared.ports import Clock, IdGenerator
from domain.identity.security_event import SecurityEventKind
from domain.operations.breakers import BreakerMode, BreakerPolicies, BreakerView


@frozen
class ListBreakers:
    """Every declared breaker as this process sees it now: from Redis, or this process's own
    state while Redis does not answer (``shared`` False). Never raises because of Redis."""

    policies: BreakerPolicies
    states: BreakerStates
    clock: Clock

    async def __call__(self) -> list[BreakerView]:
        now = self.clock.now()
        return [await self.states.view(policy, now) for policy in self.policies.values()]


@frozen
class OverrideBreakerCommand:
    principal: Principal
    breaker: str
    mode: BreakerMode
    ip: str | None = None


@frozen
class OverrideBreaker:
    """Force a breaker open or closed in every process, or give it back to its rules; written in
    the administrator's security log in the same step (an override that could not reach Redis is
    neither applied nor logged). The route asks for the ``admin`` scope."""

    policies: BreakerPolicies
    states: BreakerStates
    uow: IdentityUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: OverrideBreakerCommand) -> BreakerView:
        policy = self.policies.named(command.breaker)
        now = self.clock.now()
        async with self.uow() as uow:
            before = await self.states.view(policy, now)
            settled = await self.states.force(policy, command.mode, now)
            await record_event(
                uow,
                self.ids,
                command.principal.user_id,
                SecurityEventKind.BREAKER_OVERRIDDEN,
                now,
                command.ip,
                {"breaker": policy.name, "mode": command.mode.value, "previous_state": before.state.value},
            )
            await uow.commit()
        return settled.view
