"""The operations context: what the service needs to run well, starting with the circuit breakers
every outbound call goes through."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from application.operations.breakers import ListBreakers, OverrideBreaker
from domain.operations.breakers import BreakerPolicies, BreakerPolicy
from entrypoints.telemetry.breaker_metrics import PrometheusBreakerObserver

# One breaker per outbound dependency, declared here by the context that calls it (the identity
# providers, Qdrant, the platforms' metadata clients), e.g. BreakerPolicy("github", timeout_seconds=3).
BREAKER_POLICIES: tuple[BreakerPolicy, ...] = ()


class OperationsAdapters(containers.DeclarativeContainer):
    """The breakers' states: in Redis, shared by every process, and in this process while Redis
    does not answer."""

    shared = providers.DependenciesContainer()

    breaker_states = providers.Singleton(
        RedisOrLocalBreakerStates, providers.Singleton(RedisBreakerStates, shared.redis)
    )


class Operations(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: overrides are written in the administrator's security log.
    identity_uow = providers.Dependency()

    clock = shared.clock
    breaker_policies = providers.Singleton(BreakerPolicies, providers.Object(BREAKER_POLICIES))
    circuit_breaker = providers.Singleton(
        PurgatoryCircuitBreaker,
        breaker_policies,
        adapters.breaker_states,
        clock,
        observer=providers.Singleton(PrometheusBreakerObserver),
    )
    list_breakers = providers.Singleton(ListBreakers, breaker_policies, adapters.breaker_states, clock)
    override_breaker = providers.Singleton(
        OverrideBreaker,
        policies=breaker_policies,
        states=adapters.breaker_states,
        uow=identity_uow,
        clock=clock,
        ids=shared.ids,
    )
