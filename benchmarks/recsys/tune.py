"""``--tune``: a small grid over ALS's hyperparameters, chosen by NDCG@10 on a validation split
held out of the training matrix (implicit's ``train_test_split`` of train at 0.8, seed 1), so the
test split stays unseen until the chosen parameters are scored on it once. Choosing on the test
split itself would be optimistic; the grid's test scores are printed beside for comparison only."""

from __future__ import annotations

import itertools
import time

from attrs import frozen
from implicit.evaluation import train_test_split
from scipy import sparse

from benchmarks.recsys.metrics import Scores, evaluate
from benchmarks.recsys.models import als
from domain.recommendations.models import AlsParameters

FACTORS = (8, 16, 24, 32, 64)
REGULARIZATION = (0.01, 0.05, 0.1)
ALPHA = (1.0, 2.0, 4.0)
ITERATIONS = (15, 30)
VALIDATION_SEED = 1


@frozen
class Trial:
    parameters: AlsParameters
    validation: Scores
    test: Scores


def grid() -> list[AlsParameters]:
    return [
        AlsParameters(factors=f, regularization=r, alpha=a, iterations=i, random_state=0)
        for f, r, a, i in itertools.product(FACTORS, REGULARIZATION, ALPHA, ITERATIONS)
    ]


def tune(train: sparse.csr_matrix, test: sparse.csr_matrix) -> tuple[list[Trial], float]:
    """Every grid point's validation and test scores, best validation NDCG@10 first."""
    started = time.perf_counter()
    fit_part, validation = train_test_split(train, 0.8, random_state=VALIDATION_SEED)
    fit_part, validation = fit_part.tocsr(), validation.tocsr()
    trials = []
    for parameters in grid():
        on_validation = evaluate(als(fit_part, parameters).top, validation)
        trials.append(Trial(parameters, on_validation, evaluate(als(train, parameters).top, test)))
    trials.sort(key=lambda t: -t.validation.ndcg)
    return trials, time.perf_counter() - started
