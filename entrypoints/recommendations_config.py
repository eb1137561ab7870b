"""Configuration of recommendations: the ALS hyperparameters, the worker's retrain schedule, the
vector index (embedded, or a Qdrant server at MG_QDRANT_URL) and serving. ``MG_RECS_*``
variables, read once."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from domain.recommendations.models import AlsParameters
from entrypoints.config_values import env_float, env_int

_DEFAULTS = AlsParameters()


@attrs.frozen
class RecommendationSettings:
    als: AlsParameters = attrs.field(factory=AlsParameters)
    # the worker's retrain: every interval, when at least min_changes histories or ratings changed
    # since the model in use was trained (the first model is trained once any history exists)
    retrain_interval_seconds: int = 3600
    retrain_min_changes: int = 50
    retrain_check_seconds: int = 60
    # serving
    model_cache_seconds: float = 1.0  # how long a process trusts the version in use it read
    popular_days: int = 30  # popularity counts completions this recent
    popular_cache_seconds: int = 30
    content_cache_seconds: float = 5.0  # how long a process reuses a title it read for an answer
    max_limit: int = 100
    # writing vectors
    write_batch_size: int = 1000
    qdrant_api_key: str | None = None
    qdrant_timeout_seconds: float = 2.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RecommendationSettings:
        return cls(
            als=AlsParameters(
                factors=env_int(env, "MG_RECS_FACTORS", _DEFAULTS.factors),
                regularization=env_float(env, "MG_RECS_REGULARIZATION", _DEFAULTS.regularization),
                alpha=env_float(env, "MG_RECS_ALPHA", _DEFAULTS.alpha),
                iterations=env_int(env, "MG_RECS_ITERATIONS", _DEFAULTS.iterations),
                random_state=env_int(env, "MG_RECS_RANDOM_STATE", _DEFAULTS.random_state, minimum=0),
            ),
            retrain_interval_seconds=env_int(env, "MG_RECS_RETRAIN_INTERVAL_SECONDS", 3600),
            retrain_min_changes=env_int(env, "MG_RECS_RETRAIN_MIN_CHANGES", 50, minimum=0),
            retrain_check_seconds=env_int(env, "MG_RECS_RETRAIN_CHECK_SECONDS", 60),
            model_cache_seconds=env_float(env, "MG_RECS_MODEL_CACHE_SECONDS", 1.0),
            popular_days=env_int(env, "MG_RECS_POPULAR_DAYS", 30),
            popular_cache_seconds=env_int(env, "MG_RECS_POPULAR_CACHE_SECONDS", 30, minimum=0),
            content_cache_seconds=env_float(env, "MG_RECS_CONTENT_CACHE_SECONDS", 5.0),
            max_limit=env_int(env, "MG_RECS_MAX_LIMIT", 100),
            write_batch_size=env_int(env, "MG_RECS_WRITE_BATCH_SIZE", 1000),
            qdrant_api_key=env.get("MG_QDRANT_API_KEY") or None,
            qdrant_timeout_seconds=env_float(env, "MG_QDRANT_TIMEOUT_SECONDS", 2.0),
        )
