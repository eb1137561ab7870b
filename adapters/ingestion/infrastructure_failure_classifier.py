"""Which failures of applying a change are worth trying again. The database or Redis out of
reach or timing out, and the server refusing for now (connection exceptions, serialization
failures and deadlocks, lock timeouts, too many connections, shutting down) are transient; the
data itself refused (SQLSTATE class 22 or 23, a value asyncpg cannot encode) and any other
server error (a statement the server can never run: retrying changes nothing) are permanent. An
error from no server at all is taken as transient: its attempts run out to a dead letter anyway,
and a fix deployed meanwhile lets it through."""

from __future__ import annotations

from adapters.postgres.errors import data_fault, driver_error, withheld_message
from application.ingestion.processing_ports import PERMANENT, TRANSIENT, Failure

_DATA_FAULTS = {"encoding": "unencodable-value", "22": "invalid-data", "23": "integrity-violation"}
_TRANSIENT_CLASSES = ("08", "40", "53", "57")  # connection, transaction rollback, resources, operator intervention
_TRANSIENT_STATES = ("55P03", "55006")  # lock not available, object in use


class InfrastructureFailureClassifier:
    def classify(self, error: Exception) -> Failure:
        if fault := data_fault(error):
            return Failure(_DATA_FAULTS[fault], PERMANENT, withheld_message(error) or _described(error))
        driver = driver_error(error)
        sqlstate = str(getattr(driver, "sqlstate", None) or "")
        if not sqlstate:
            return Failure(type(driver or error).__name__, TRANSIENT, _described(driver or error))
        transient = sqlstate[:2] in _TRANSIENT_CLASSES or sqlstate in _TRANSIENT_STATES
        return Failure(type(driver).__name__, TRANSIENT if transient else PERMANENT, _described(driver or error))


def _described(error: BaseException) -> str:
    sqlstate = getattr(error, "sqlstate", None)
    state = f" (SQLSTATE {sqlstate})" if sqlstate else ""
    return f"{type(error).__name__}{state}: {str(error)[:500]}"
