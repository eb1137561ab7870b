"""Operations' HTTP side: the administrators' view and overrides of the circuit breakers."""

from entrypoints.http.operations.routes import operations

BLUEPRINTS = (operations,)
