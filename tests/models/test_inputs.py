"""What every model refuses: text, booleans and None as parameters or horizons, data that is
not a summary (None, a list of numbers, a DataFrame). Shared by the six models through
``ecomstrat._validation`` and ``ecomstrat.models._data``, hence one file for all of them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from ecomstrat import (
    BGBB,
    BGNBD,
    MBGNBD,
    SBG,
    GammaGamma,
    InvalidInputError,
    ParetoNBD,
)
from ecomstrat.datasets import simulate_transactions
from ecomstrat.frames.summary import CustomerSummary

#: model -> from_params(**values) with valid values; the first parameter is spoilt below.
FROM_PARAMS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "BGNBD": (
        BGNBD.from_params,
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "time_unit": "week"},
    ),
    "MBGNBD": (
        MBGNBD.from_params,
        {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614, "time_unit": "week"},
    ),
    "ParetoNBD": (
        ParetoNBD.from_params,
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669, "time_unit": "week"},
    ),
    "BGBB": (BGBB.from_params, {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}),
    "SBG": (SBG.from_params, {"alpha": 0.704, "beta": 1.182}),
    "GammaGamma": (GammaGamma.from_params, {"p": 6.25, "q": 3.74, "gamma": 15.44}),
}


@pytest.mark.parametrize("model", list(FROM_PARAMS))
@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1.0", "must be a number, not str. Convert text to numbers first, e.g. float(value)."),
        (None, "must be a number, not None."),
        (True, "must be a number, not bool."),
        ([1.0], "must be a number, not list."),
    ],
)
def test_from_params_refuses_what_is_not_a_number(model: str, value: object, rule: str) -> None:
    build, params = FROM_PARAMS[model]
    first = next(iter(params))
    shown = "'<list>'" if isinstance(value, list) else repr(value)
    with pytest.raises(
        InvalidInputError, match=f"^{re.escape(f'{first}={shown} is invalid: {rule}')}$"
    ):
        build(**{**params, first: value})


@pytest.mark.parametrize("model", list(FROM_PARAMS))
def test_from_params_takes_real_numbers_of_any_kind(model: str) -> None:
    build, params = FROM_PARAMS[model]
    first = next(iter(params))
    for value in (np.float64(2.0), np.int64(2), 2, Decimal("2"), np.array(2.0)):
        fitted = build(**{**params, first: value})
        assert fitted.params.to_dict()[first] == 2.0
        assert type(fitted.params.to_dict()[first]) is float


HISTORY = ([2, 1, 0], [30.43, 1.71, 0.0], [38.86, 38.86, 38.86])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: BGNBD.from_params(
                r=0.2, alpha=4.0, a=0.8, b=2.4, time_unit="week"
            ).expected_purchases("10"),
            "t='10' is invalid: must be numbers, not str.",
        ),
        (
            lambda: MBGNBD.from_params(
                r=0.5, alpha=6.0, a=0.9, b=1.6, time_unit="week"
            ).conditional_expected_purchases(["10", 5], HISTORY),
            "t[0]='10' is invalid: must be a number, not str (1 such value(s)).",
        ),
        (
            lambda: BGNBD.from_params(
                r=0.2, alpha=4.0, a=0.8, b=2.4, time_unit="week"
            ).expected_residual_purchases(HISTORY, annual_discount_rate=0.1, horizon="10"),
            "horizon='10' is invalid: must be a number, not str.",
        ),
        (
            lambda: ParetoNBD.from_params(
                r=0.5, alpha=10.0, s=0.6, beta=11.0, time_unit="week"
            ).probability_of_purchases(1, "10"),
            "t='10' is invalid: must be numbers, not str.",
        ),
        (
            lambda: ParetoNBD.from_params(
                r=0.5, alpha=10.0, s=0.6, beta=11.0, time_unit="week"
            ).expected_residual_purchases(HISTORY, annual_discount_rate="0.1"),
            "annual_discount_rate='0.1' is invalid: must be a number, not str.",
        ),
        (
            lambda: BGBB.from_params(
                alpha=1.2, beta=0.75, gamma=0.66, delta=2.8
            ).conditional_expected_purchases(True, ([1], [1], [2])),
            "t=True is invalid: must be a number, not bool.",
        ),
        (
            lambda: SBG.from_params(alpha=0.7, beta=1.2).survival(None),
            "t=None is invalid: must be numbers, not None.",
        ),
        (
            lambda: SBG.from_params(alpha=0.7, beta=1.2).projected_survivors(
                [1, 2], cohort_size="100"
            ),
            "cohort_size='100' is invalid: must be a number, not str.",
        ),
    ],
)
def test_predictions_refuse_text_and_booleans(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^{re.escape(message)}"):
        call()


def test_predictions_take_numbers_numpy_scalars_and_arrays() -> None:
    m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    expected = m.expected_purchases([39.0, 78.0])
    np.testing.assert_array_equal(m.expected_purchases(np.array([39, 78])), expected)
    assert m.expected_purchases(np.float32(39.0)) == expected[0]
    assert m.expected_purchases(39) == expected[0]


FIT: dict[str, Callable[[object], object]] = {
    "BGNBD": lambda data: BGNBD().fit(data),  # type: ignore[arg-type]
    "MBGNBD": lambda data: MBGNBD().fit(data),  # type: ignore[arg-type]
    "ParetoNBD": lambda data: ParetoNBD().fit(data),  # type: ignore[arg-type]
    "BGBB": lambda data: BGBB().fit(data),  # type: ignore[arg-type]
    "SBG": lambda data: SBG().fit(data),  # type: ignore[arg-type]
    "GammaGamma": lambda data: GammaGamma().fit(data),  # type: ignore[arg-type]
}

#: What each model's fit takes, as its message says.
_RFM = (
    "a CustomerSummary, a pandas, polars or Arrow table with columns frequency, recency and T,"
    " or a (frequency, recency, T) tuple of arrays"
)
EXPECTED = {
    "BGNBD": _RFM,
    "MBGNBD": _RFM,
    "ParetoNBD": _RFM,
    "BGBB": "DiscretePatterns, a pandas, polars or Arrow table with columns frequency, recency,"
    " periods (and optionally weights), or a (frequency, recency, periods) tuple",
    "SBG": "SurvivorCounts, a pandas, polars or Arrow table with a survivors column (and"
    " optionally cohort), or a sequence of survivor counts (the cohort size first)",
    "GammaGamma": "a CustomerSummary, a pandas, polars or Arrow table with columns frequency"
    " and monetary, or a (frequency, monetary) tuple of arrays",
}


@pytest.mark.parametrize("model", list(FIT))
def test_fit_refuses_none(model: str) -> None:
    with pytest.raises(
        InvalidInputError, match=re.escape(f"data=None is invalid: must be {EXPECTED[model]}")
    ):
        FIT[model](None)


@pytest.mark.parametrize("model", ["BGNBD", "MBGNBD", "ParetoNBD", "BGBB"])
def test_fit_refuses_a_list_of_numbers(model: str) -> None:
    with pytest.raises(
        InvalidInputError,
        match=re.escape(
            f"data='<list of 3 scalars>' is invalid: must be {EXPECTED[model]}, each with one"
            " value per customer."
        ),
    ):
        FIT[model]([1, 2, 3])


def test_fit_of_a_list_of_numbers_by_the_other_models() -> None:
    with pytest.raises(InvalidInputError, match=r"^data='<list>' is invalid: must be a Customer"):
        GammaGamma().fit([1, 2, 3])  # type: ignore[arg-type]
    # for the sBG a list of numbers is one cohort's counts, here increasing
    with pytest.raises(InvalidInputError, match=r"^survivors\[1\]=2.0 is invalid: must be <="):
        SBG().fit([1, 2, 3])


def test_a_series_is_one_cohort_of_survivor_counts() -> None:
    pd = pytest.importorskip("pandas")
    # a Series is a column, not a table (tables: tests/models/test_frames_in.py)
    counts = pd.Series([1000, 631, 468, 382, 326, 289, 262, 241])
    assert SBG().fit(counts).params.to_dict() == pytest.approx(
        SBG().fit(counts.to_numpy()).params.to_dict()
    )


@functools.cache
def _history() -> CustomerSummary:
    return simulate_transactions(500, seed=1).summary()


#: model -> fit(initial=...) on valid data, and its parameter names.
FIT_FROM: dict[str, tuple[Callable[[object], object], tuple[str, ...]]] = {
    "BGNBD": (lambda i: BGNBD().fit(_history(), initial=i), ("r", "alpha", "a", "b")),  # type: ignore[arg-type]
    "MBGNBD": (lambda i: MBGNBD().fit(_history(), initial=i), ("r", "alpha", "a", "b")),  # type: ignore[arg-type]
    "ParetoNBD": (
        lambda i: ParetoNBD().fit(_history(), initial=i),  # type: ignore[arg-type]
        ("r", "alpha", "s", "beta"),
    ),
    "GammaGamma": (
        lambda i: GammaGamma().fit(([2, 1, 3], [20.0, 10.0, 12.0]), initial=i),  # type: ignore[arg-type]
        ("p", "q", "gamma"),
    ),
    "SBG": (lambda i: SBG().fit([100, 60, 40, 30], initial=i), ("alpha", "beta")),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("model", list(FIT_FROM))
@pytest.mark.parametrize(
    ("junk", "message"),
    [
        (object(), "initial='<object>' is invalid: must be a "),
        (7, "initial=7 is invalid: must be a "),
        ("abcd", "initial='abcd' is invalid: must be a "),
        ([1.0], "is invalid: must hold "),
        ({"zz": 1.0}, "initial={'zz': 1.0} is invalid: must have exactly the keys"),
        ("text", "initial="),
    ],
)
def test_fit_refuses_junk_starting_values(model: str, junk: object, message: str) -> None:
    fit, _ = FIT_FROM[model]
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        fit(junk)


@pytest.mark.parametrize("model", list(FIT_FROM))
def test_fit_names_the_starting_value_that_is_not_a_positive_number(model: str) -> None:
    fit, names = FIT_FROM[model]
    values: list[object] = [1.0] * len(names)
    values[-1] = "x"
    with pytest.raises(InvalidInputError, match=re.escape(f"initial {names[-1]}='x' is invalid")):
        fit(values)
    values[-1] = -1.0
    with pytest.raises(InvalidInputError, match=re.escape(f"initial {names[-1]}=-1.0 is invalid")):
        fit(values)
    # a mapping of every name is a valid start
    assert fit(dict.fromkeys(names, 1.0)) is not None
