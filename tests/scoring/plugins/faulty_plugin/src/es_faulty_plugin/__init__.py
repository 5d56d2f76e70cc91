"""Scorers that break the contract one way each (and one, int_scores, that bends it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ecomstrat.scoring import ScoringContext


class _Scorer:
    description = "A faulty test scorer."
    requires = frozenset({"summary"})

    def __init__(self, name: str, result: Callable[[int], Any]) -> None:
        self.name = name
        self._result = result

    def score(self, context: ScoringContext, /) -> Any:
        return self._result(context.n_customers)


def _nan(n: int) -> Any:
    values = np.ones(n)
    values[-1] = np.nan
    return values


def _raise(n: int) -> Any:
    raise RuntimeError(f"scoring {n} customers went wrong")


wrong_shape = _Scorer("wrong_shape", lambda n: np.ones((n, 2)))
nan_scores = _Scorer("nan_scores", _nan)
object_scores = _Scorer("object_scores", lambda n: np.array(["x"] * n, dtype=object))
list_scores = _Scorer("list_scores", lambda n: [1.0] * n)
int_scores = _Scorer("int_scores", lambda n: np.arange(n, dtype=np.int64))
raises = _Scorer("raises", _raise)
misnamed = _Scorer("another_name", lambda n: np.ones(n))
bad_requires = _Scorer("bad_requires", lambda n: np.ones(n))
bad_requires.requires = frozenset({"summary", "weather"})


def not_a_scorer(context: ScoringContext) -> Any:
    return np.ones(context.n_customers)


class AClass:
    name = "a_class"
    description = "A scorer class, not an instance."
    requires = frozenset({"summary"})

    def score(self, context: ScoringContext, /) -> Any:
        return np.ones(context.n_customers)
