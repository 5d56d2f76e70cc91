"""The kernels' special functions against scipy and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy import special as sp

from ecomstrat._kernels.special import digamma, log_add_exp, log_beta, log_sub_exp

positive = st.floats(min_value=1e-8, max_value=1e8)


@given(positive)
def test_digamma_matches_scipy(x: float) -> None:
    want = float(sp.digamma(x))
    assert digamma(x) == pytest.approx(want, rel=1e-14, abs=1e-14)


def test_digamma_is_nan_outside_its_domain() -> None:
    assert math.isnan(digamma(0.0))
    assert math.isnan(digamma(-1.5))


@given(positive, positive)
def test_log_beta_matches_scipy_within_its_cancellation_error(a: float, b: float) -> None:
    # Each lgamma is good to about an ulp of max(1, |value|) (absolute near its zeros at 1, 2).
    magnitude = sum(max(1.0, abs(math.lgamma(v))) for v in (a, b, a + b))
    want = float(sp.betaln(a, b))
    assert abs(log_beta(a, b) - want) <= 4 * np.finfo(float).eps * magnitude


@given(st.floats(-700, 700), st.floats(-700, 700))
def test_log_add_and_sub_exp(a: float, b: float) -> None:
    assert log_add_exp(a, b) == pytest.approx(float(np.logaddexp(a, b)), rel=1e-14, abs=1e-14)
    high, low = max(a, b), min(a, b)
    if high - low > 1e-6:
        want = high + math.log(-math.expm1(low - high))
        assert log_sub_exp(high, low) == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert log_sub_exp(a, a) == -math.inf
