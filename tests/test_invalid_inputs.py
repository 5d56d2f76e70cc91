"""Junk in, typed errors out: every public entry point, fed nonsense, raises only EcomstratError.

One property per family of entry points (frames, models, engagement metrics, CLV, domain
objects, report options). Each argument is either a valid value or junk (None, text, booleans,
NaN, infinities, negative and huge numbers, nested and ragged lists, 2-D arrays, dicts…); a
call may succeed (some junk is valid), but whatever it raises must be an
:class:`~ecomstrat.EcomstratError`, and it must leave its arguments as they were.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import pickle
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import (
    BGBB,
    BGNBD,
    MBGNBD,
    SBG,
    CustomerSummary,
    DiscretePatterns,
    EcomstratError,
    EcomstratWarning,
    GammaGamma,
    Market,
    Money,
    ParetoNBD,
    ReportOptions,
    SurvivorCounts,
    TimeUnit,
    TransactionLog,
    csat,
    customer_lifetime_value,
    nps,
    wilson_interval,
)


def only_typed_errors(call: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Call; a raised exception must be an EcomstratError, and the arguments must not change."""
    before = pickle.dumps((args, kwargs))
    with warnings.catch_warnings():  # warnings are not errors here; only exceptions count
        warnings.simplefilter("ignore", EcomstratWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        with contextlib.suppress(EcomstratError):
            call(*args, **kwargs)
    assert pickle.dumps((args, kwargs)) == before, "the call modified its arguments"


# ----------------------------------------------------------------------------------- junk

scalar_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=4),
    st.sampled_from(["1", "1.0", "nan", "week", "2024-01-01", "9999-12-31", "0001-01-01", ""]),
    st.sampled_from([math.nan, math.inf, -math.inf, -1.0, -1, 0, 0.5, 1e300, 10**30]),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            np.float64("nan"),
            np.int64(-3),
            np.bool_(True),
            1j,
            b"1",
            Decimal("NaN"),
            10**400,
            datetime.date(2024, 1, 1),
            datetime.datetime(9999, 1, 1),
            np.datetime64("2024-01-01"),
        ]
    ),
)
junk = st.recursive(
    scalar_junk,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=2), inner, max_size=2),
        st.lists(st.lists(st.integers(-2, 3), min_size=2, max_size=2), min_size=1, max_size=3).map(
            np.array
        ),  # 2-D arrays
    ),
    max_leaves=6,
)


def either(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A valid value most of the time, junk otherwise."""
    return st.one_of(valid, valid, junk)


TIMES = ["2024-01-01", "2024-01-05", "2024-02-01"]
SUMMARY = CustomerSummary.from_arrays(
    [2, 1, 0], [30.0, 2.0, 0.0], [38.0, 38.0, 38.0], [20.0, 10.0, 0.0], time_unit="week"
)
HISTORY = ([2, 1, 0], [30.0, 2.0, 0.0], [38.0, 38.0, 38.0])
PATTERNS = ([2, 1, 0], [3, 2, 0], [4, 4, 4])
COUNTS = [100, 60, 45, 38]


# --------------------------------------------------------------------------------- frames


@given(
    ids=either(st.just(["a", "b", "a"])),
    times=either(st.just(TIMES)),
    amounts=either(st.just([10.0, 5.0, 7.5])),
    margins=st.one_of(st.none(), junk),
    currency=either(st.sampled_from([None, "EUR"])),
    timezone=either(st.sampled_from([None, "UTC"])),
)
def test_transaction_log_from_arrays(
    ids: Any, times: Any, amounts: Any, margins: Any, currency: Any, timezone: Any
) -> None:
    only_typed_errors(
        TransactionLog.from_arrays,
        ids,
        times,
        amounts,
        margins=margins,
        currency=currency,
        timezone=timezone,
    )


@given(
    columns=st.tuples(
        either(st.just([2, 1, 0])),
        either(st.just([3.0, 1.0, 0.0])),
        either(st.just([5.0, 5.0, 5.0])),
        st.one_of(st.none(), either(st.just([10.0, 4.0, 0.0]))),
    ),
    ids=st.one_of(st.none(), either(st.just(["x", "y", "z"]))),
    time_unit=either(st.just("week")),
    rows=junk,
)
def test_customer_summary_from_arrays_and_take(
    columns: tuple[Any, ...], ids: Any, time_unit: Any, rows: Any
) -> None:
    only_typed_errors(CustomerSummary.from_arrays, *columns, customer_ids=ids, time_unit=time_unit)
    only_typed_errors(SUMMARY.take, rows)
    only_typed_errors(SUMMARY.to_unit, rows)


@given(
    columns=st.tuples(*(either(st.just(c)) for c in PATTERNS)),
    weights=either(st.just([1.0, 2.0, 1.0])),
    histories=either(st.just([[1, 0, 1], [0, 0, 0]])),
    counts=either(st.just(COUNTS)),
)
def test_discrete_frames(
    columns: tuple[Any, ...], weights: Any, histories: Any, counts: Any
) -> None:
    only_typed_errors(DiscretePatterns, *columns, weights)
    only_typed_errors(DiscretePatterns.from_histories, histories)
    only_typed_errors(SurvivorCounts.from_counts, counts)
    only_typed_errors(SurvivorCounts.from_cohorts, [counts, COUNTS])


# --------------------------------------------------------------------------------- models

PARAMS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "BGNBD": (
        BGNBD.from_params,
        {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4, "time_unit": "week"},
    ),
    "MBGNBD": (
        MBGNBD.from_params,
        {"r": 0.52, "alpha": 6.2, "a": 0.89, "b": 1.6, "time_unit": "week"},
    ),
    "ParetoNBD": (
        ParetoNBD.from_params,
        {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7, "time_unit": "week"},
    ),
    "BGBB": (BGBB.from_params, {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}),
    "SBG": (SBG.from_params, {"alpha": 0.7, "beta": 1.2}),
    "GammaGamma": (GammaGamma.from_params, {"p": 6.2, "q": 3.7, "gamma": 15.4}),
}
MODELS = {name: build(**params) for name, (build, params) in PARAMS.items()}


@given(model=st.sampled_from(sorted(PARAMS)), data=st.data())
def test_models_from_params(model: str, data: st.DataObject) -> None:
    build, params = PARAMS[model]
    values = {name: data.draw(either(st.just(value)), label=name) for name, value in params.items()}
    only_typed_errors(build, **values)


#: model -> (method, valid arguments); each argument is spoilt in turn.
PREDICTIONS: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("BGNBD", "expected_purchases", (10.0,), {}),
    ("BGNBD", "conditional_expected_purchases", (10.0, HISTORY), {}),
    ("BGNBD", "probability_alive", (SUMMARY,), {}),
    ("BGNBD", "probability_of_purchases", (1, 10.0), {}),
    (
        "BGNBD",
        "expected_residual_purchases",
        (HISTORY,),
        {"annual_discount_rate": 0.1, "horizon": 9},
    ),
    ("MBGNBD", "expected_residual_purchases", (HISTORY,), {"annual_discount_rate": 0.1}),
    ("MBGNBD", "log_likelihood", (HISTORY,), {}),
    ("ParetoNBD", "expected_purchases", (10.0,), {}),
    ("ParetoNBD", "conditional_expected_purchases", (10.0, SUMMARY), {}),
    ("ParetoNBD", "probability_of_purchases", (1, 10.0), {}),
    ("ParetoNBD", "expected_residual_purchases", (HISTORY,), {"annual_discount_rate": 0.1}),
    ("BGBB", "probability_alive", (PATTERNS,), {"periods_ahead": 1}),
    ("BGBB", "conditional_expected_purchases", (3, PATTERNS), {}),
    ("BGBB", "probability_of_purchases", (1, 3), {}),
    (
        "BGBB",
        "expected_residual_purchases",
        (PATTERNS,),
        {"discount_rate_per_period": 0.1},
    ),
    ("SBG", "survival", ([1, 2],), {}),
    ("SBG", "retention_rate", (2,), {}),
    ("SBG", "projected_survivors", (3,), {"cohort_size": 100}),
    (
        "SBG",
        "expected_residual_lifetime",
        ([0, 2],),
        {"discount_rate_per_period": 0.1},
    ),
    ("GammaGamma", "conditional_expected_spend", (SUMMARY,), {}),
    ("GammaGamma", "log_likelihood", (([1, 2], [10.0, 12.0]),), {}),
]


@given(case=st.sampled_from(PREDICTIONS), data=st.data())
def test_model_predictions(
    case: tuple[str, str, tuple[Any, ...], dict[str, Any]], data: st.DataObject
) -> None:
    model, method, args, kwargs = case
    drawn_args = [data.draw(either(st.just(a)), label=f"arg {i}") for i, a in enumerate(args)]
    drawn_kwargs = {k: data.draw(either(st.just(v)), label=k) for k, v in kwargs.items()}
    only_typed_errors(getattr(MODELS[model], method), *drawn_args, **drawn_kwargs)


FITS: dict[str, tuple[Callable[..., Any], Any]] = {
    "BGNBD": (BGNBD().fit, HISTORY),
    "MBGNBD": (MBGNBD().fit, HISTORY),
    "ParetoNBD": (ParetoNBD().fit, HISTORY),
    "BGBB": (BGBB().fit, PATTERNS),
    "SBG": (SBG().fit, COUNTS),
    "GammaGamma": (GammaGamma().fit, ([2, 1, 3], [20.0, 10.0, 12.0])),
}


@given(model=st.sampled_from(sorted(FITS)), data=st.data())
def test_model_fit(model: str, data: st.DataObject) -> None:
    fit, valid = FITS[model]
    if isinstance(valid, tuple):  # spoil one column, or the whole
        columns = [data.draw(either(st.just(c)), label=f"column {i}") for i, c in enumerate(valid)]
        drawn = data.draw(st.one_of(st.just(tuple(columns)), junk), label="data")
    else:
        drawn = data.draw(either(st.just(valid)), label="data")
    only_typed_errors(fit, drawn)


@given(model=st.sampled_from(sorted(FITS)), initial=either(st.just([1.0, 2.0, 3.0, 4.0])))
def test_model_fit_starting_values(model: str, initial: Any) -> None:
    fit, valid = FITS[model]
    only_typed_errors(fit, valid, initial=initial)


# ----------------------------------------------------------------------------- engagement


@given(
    scores=either(st.lists(st.integers(0, 10), min_size=1, max_size=20)),
    confidence=either(st.just(0.9)),
    method=either(st.sampled_from(["adjusted-wald", "wald", "bootstrap"])),
    n_resamples=st.one_of(
        st.integers(-3, 200), scalar_junk.filter(lambda v: not isinstance(v, int))
    ),
    seed=either(st.one_of(st.none(), st.integers(0, 10))),
)
def test_nps(scores: Any, confidence: Any, method: Any, n_resamples: Any, seed: Any) -> None:
    only_typed_errors(
        nps, scores, confidence=confidence, method=method, n_resamples=n_resamples, seed=seed
    )


@given(
    scores=either(st.lists(st.integers(1, 5), min_size=1, max_size=20)),
    scale=either(st.just((1, 5))),
    satisfied_from=either(st.just(4)),
    confidence=either(st.just(0.95)),
    successes=either(st.integers(0, 5)),
    n=either(st.integers(5, 10)),
)
def test_csat_and_wilson(
    scores: Any, scale: Any, satisfied_from: Any, confidence: Any, successes: Any, n: Any
) -> None:
    only_typed_errors(
        csat, scores, scale=scale, satisfied_from=satisfied_from, confidence=confidence
    )
    only_typed_errors(wilson_interval, successes, n=n, confidence=confidence)


# ------------------------------------------------------------------------------------ CLV


@given(
    transactions=either(st.sampled_from([MODELS["BGNBD"], MODELS["ParetoNBD"]])),
    spend=either(st.sampled_from([MODELS["GammaGamma"], [5.0, 6.0, 7.0]])),
    summary=either(st.just(SUMMARY)),
    horizon=either(st.just(12)),
    horizon_unit=either(st.just("month")),
    rate=either(st.just(0.1)),
    margin=either(st.just(0.3)),
)
def test_customer_lifetime_value(
    transactions: Any,
    spend: Any,
    summary: Any,
    horizon: Any,
    horizon_unit: Any,
    rate: Any,
    margin: Any,
) -> None:
    only_typed_errors(
        customer_lifetime_value,
        summary,
        purchase_model=transactions,
        spend=spend,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=rate,
        gross_margin_rate=margin,
    )


# -------------------------------------------------------------------------------- domain


@given(
    unit=either(st.sampled_from(["day", "W", "months"])),
    country=either(st.just("DE")),
    currency=either(st.just("EUR")),
    languages=either(st.just(["de", "fr-CH"])),
    amount=either(st.just("12.50")),
)
def test_domain_objects(
    unit: Any, country: Any, currency: Any, languages: Any, amount: Any
) -> None:
    only_typed_errors(TimeUnit, unit)
    only_typed_errors(TimeUnit.parse, unit)
    only_typed_errors(Market, country, currency, languages)
    only_typed_errors(Money, amount, currency)


# -------------------------------------------------------------------------------- report


REPORT_DEFAULTS: dict[str, Any] = {
    "time_unit": "week",
    "holdout_weeks": 10,
    "horizon": 12,
    "horizon_unit": "month",
    "annual_discount_rate": 0.1,
    "gross_margin_rate": 0.4,
    "scorers": ("rfm",),
    "migration_weeks": 13,
    "max_offset": 6,
    "top_shares": (0.01, 0.1),
}


@given(data=st.data())
def test_report_options(data: st.DataObject) -> None:
    options = {k: data.draw(either(st.just(v)), label=k) for k, v in REPORT_DEFAULTS.items()}
    only_typed_errors(ReportOptions, **options)


def test_the_junk_reaches_the_checks() -> None:
    """The property is not vacuous: junk does raise, and the typed error is the one asked for."""
    with pytest.raises(EcomstratError):
        ReportOptions(max_offset=-3)
    with pytest.raises(EcomstratError):
        MODELS["BGNBD"].expected_purchases("10")
