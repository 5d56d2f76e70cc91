"""Test the scorer itself, then that the installed entry point finds it (after pip install)."""

from __future__ import annotations

import numpy as np
import pytest
from ecomstrat_scorer_template import repeat_rate

from ecomstrat import CustomerSummary
from ecomstrat.exceptions import PluginLoadError
from ecomstrat.scoring import ScorerRegistry, ScoringContext


def small_base() -> ScoringContext:
    # x = 2 repeat purchases in 4 weeks; 0 in 10 weeks; 1 in half a week (floored at 1 week)
    summary = CustomerSummary.from_arrays(
        [2, 0, 1], [3.0, 0.0, 0.5], [4.0, 10.0, 0.5], time_unit="week"
    )
    return ScoringContext(summary)


def test_values_by_hand() -> None:
    assert repeat_rate.score(small_base()).tolist() == [0.5, 0.0, 1.0]


def test_entry_point_is_installed_and_valid() -> None:
    registry = ScorerRegistry()
    if "repeat_rate" not in registry.available():
        pytest.skip("install the plugin first: pip install -e .")
    try:
        scorer = registry.get("repeat_rate")  # strict: raises if the entry point is wrong
    except PluginLoadError as error:
        pytest.fail(str(error))
    scores = registry.score(small_base(), names=["repeat_rate"], errors="raise")
    np.testing.assert_array_equal(scores["repeat_rate"], [0.5, 0.0, 1.0])
    assert scorer.name == "repeat_rate"
