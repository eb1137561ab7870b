"""ml-100k as a viewer x item matrix of ones, read from the recbole 1.2.1 wheel's atomic files.

The wheel is installed with ``pip install --no-deps`` into a directory of the benchmark's own
(``var/bench/recbole``, ignored by git): GroupLens' terms allow evaluation, not redistribution, so
the data never enters the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from attrs import frozen
from scipy import sparse

RECBOLE = "recbole==1.2.1"
DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "var" / "bench" / "recbole"
_ATOMIC = Path("recbole") / "dataset_example" / "ml-100k"


class DatasetMissing(Exception):
    """The wheel did not carry ml-100k's atomic files where 1.2.1 keeps them."""


@frozen
class Ml100k:
    ratings: sparse.csr_matrix  # viewers x items, 1.0 for every rating
    genres: tuple[tuple[str, ...], ...]  # per item column
    titles: tuple[str, ...]


def ensure_wheel(target: Path = DEFAULT_TARGET) -> Path:
    """The directory holding ml-100k's atomic files, installing the wheel there first if needed."""
    found = target / _ATOMIC
    if not (found / "ml-100k.inter").is_file():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", RECBOLE, "--target", str(target)],
            check=True,
        )
    if not (found / "ml-100k.inter").is_file():
        raise DatasetMissing(f"{RECBOLE} installed in {target} carries no {_ATOMIC}/ml-100k.inter")
    return found


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        next(lines)  # the atomic header (field:type)
        return [line.rstrip("\n").split("\t") for line in lines if line.strip()]


def load(directory: Path) -> Ml100k:
    """Row ``user_id - 1``, column ``item_id - 1`` (ids are 1..943 and 1..1682): the split's
    shuffle follows the matrix's entry order, so the mapping is part of the protocol."""
    inter = _rows(directory / "ml-100k.inter")
    users = np.array([int(r[0]) - 1 for r in inter], dtype=np.int32)
    items = np.array([int(r[1]) - 1 for r in inter], dtype=np.int32)
    shape = (int(users.max()) + 1, int(items.max()) + 1)
    ratings = sparse.csr_matrix((np.ones(len(inter), dtype=np.float32), (users, items)), shape=shape)
    ratings.sum_duplicates()
    ratings.data[:] = 1.0
    genres: list[tuple[str, ...]] = [()] * shape[1]
    titles: list[str] = [""] * shape[1]
    for row in _rows(directory / "ml-100k.item"):
        column = int(row[0]) - 1
        if column < shape[1]:
            titles[column] = row[1] if len(row) > 1 else ""
            genres[column] = tuple(row[3].split()) if len(row) > 3 else ()
    return Ml100k(ratings, tuple(genres), tuple(titles))
