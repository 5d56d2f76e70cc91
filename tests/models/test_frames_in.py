"""pandas, polars and Arrow tables in wherever a model takes ``data``; ids out as a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError

LIBRARIES = ["pandas", "polars", "pyarrow"]
CONTINUOUS = {"BGNBD": es.BGNBD, "MBGNBD": es.MBGNBD, "ParetoNBD": es.ParetoNBD}


def _table(library: str, columns: dict[str, Any]) -> Any:
    """The columns as a table of ``library`` (skips when it is not installed)."""
    module = pytest.importorskip(library)
    if library == "pyarrow":
        return module.table(columns)
    return module.DataFrame(columns)


@pytest.fixture(scope="module")
def summary() -> es.CustomerSummary:
    return simulate_transactions(400, seed=3).summary().to_unit("week")


def _rfm(summary: es.CustomerSummary, **extra: Any) -> dict[str, Any]:
    return {"frequency": summary.frequency, "recency": summary.recency, "T": summary.T, **extra}


def _same_fit(a: Any, b: Any) -> None:
    np.testing.assert_allclose(a.params.to_tuple(), b.params.to_tuple(), rtol=1e-12)


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_models_take_tables(
    summary: es.CustomerSummary, name: str, library: str
) -> None:
    arrays = (summary.frequency, summary.recency, summary.T)
    table = _table(library, _rfm(summary))
    model = CONTINUOUS[name]()
    fitted = model.fit(table, time_unit="week")
    _same_fit(fitted, model.fit(arrays, time_unit="week"))
    np.testing.assert_array_equal(fitted.probability_alive(table), fitted.probability_alive(arrays))
    np.testing.assert_array_equal(
        fitted.conditional_expected_purchases(10.0, table),
        fitted.conditional_expected_purchases(10.0, arrays),
    )


@pytest.mark.parametrize("export", ["to_pandas", "to_polars", "to_arrow"])
def test_an_exported_summary_goes_straight_back_in(
    summary: es.CustomerSummary, export: str
) -> None:
    pytest.importorskip({"to_pandas": "pandas", "to_polars": "polars"}.get(export, "pyarrow"))
    table = getattr(summary, export)()
    fitted = es.BGNBD().fit(table, time_unit="week")
    _same_fit(fitted, es.BGNBD().fit(summary))
    spend = es.GammaGamma().fit(table)
    _same_fit(spend, es.GammaGamma().fit(summary))
    np.testing.assert_array_equal(
        spend.conditional_expected_spend(table), spend.conditional_expected_spend(summary)
    )
    predictions = fitted.predictions(table, t=52)
    assert predictions.customer_ids.tolist() == summary.customer_ids.tolist()


@pytest.mark.parametrize("library", LIBRARIES)
def test_gamma_gamma_takes_frequency_and_monetary(
    summary: es.CustomerSummary, library: str
) -> None:
    table = _table(library, {"frequency": summary.frequency, "monetary": summary.monetary})
    fitted = es.GammaGamma().fit(table)
    _same_fit(fitted, es.GammaGamma().fit((summary.frequency, summary.monetary)))


HISTORIES = [[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0]] * 40


@pytest.mark.parametrize("library", LIBRARIES)
def test_bgbb_takes_patterns_as_a_table(library: str) -> None:
    patterns = es.DiscretePatterns.from_histories(HISTORIES)
    columns = patterns.columns()
    fitted = es.BGBB().fit(_table(library, columns))
    _same_fit(fitted, es.BGBB().fit(patterns))
    without_weights = {k: v for k, v in columns.items() if k != "weights"}
    rows = (patterns.frequency, patterns.recency, patterns.periods)
    np.testing.assert_array_equal(
        fitted.probability_alive(_table(library, without_weights)), fitted.probability_alive(rows)
    )
    table = fitted.predictions(_table(library, without_weights), t=5)
    assert list(table.columns()) == [
        "customer_id",
        "frequency",
        "recency",
        "periods",
        "probability_alive",
        "expected_purchases",
    ]
    np.testing.assert_array_equal(
        table.expected_purchases, fitted.conditional_expected_purchases(5, rows)
    )
    assert repr(table) == f"CustomerPredictions({len(patterns)} customers, t=5 opportunities)"


@pytest.mark.parametrize("library", LIBRARIES)
def test_sbg_takes_survivor_counts_as_a_table(library: str) -> None:
    counts = es.SurvivorCounts.from_cohorts([[1000, 631, 468, 382, 326], [500, 350, 290]])
    expected = es.SBG().fit(counts)
    _same_fit(es.SBG().fit(_table(library, counts.columns())), expected)
    one = {"survivors": [1000.0, 631.0, 468.0, 382.0, 326.0]}
    _same_fit(es.SBG().fit(_table(library, one)), es.SBG().fit(one["survivors"]))


@pytest.mark.parametrize("library", LIBRARIES)
def test_predictions_are_keyed_by_customer_id(summary: es.CustomerSummary, library: str) -> None:
    ids = [f"c{i}" for i in range(len(summary))]
    table = _table(library, {"customer_id": ids, **_rfm(summary)})
    model = es.ParetoNBD.from_params(r=0.55, alpha=10.6, s=0.61, beta=11.7, time_unit="week")
    predictions = model.predictions(table, t=39)
    assert predictions.customer_ids.tolist() == ids
    assert predictions.customer_ids.dtype.kind == "U"
    arrays = (summary.frequency, summary.recency, summary.T)
    np.testing.assert_array_equal(predictions.probability_alive, model.probability_alive(arrays))
    np.testing.assert_array_equal(
        predictions.expected_purchases, model.conditional_expected_purchases(39, arrays)
    )
    assert predictions.inputs["T"].tolist() == summary.T.tolist()
    assert repr(predictions) == f"CustomerPredictions({len(summary)} customers, t=39 week(s))"


def test_predictions_export_with_the_id_as_index(summary: es.CustomerSummary) -> None:
    pytest.importorskip("pandas")
    model = es.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    frame = model.predictions(summary, t=52).to_pandas()
    assert frame.index.name == "customer_id"
    assert frame.index.tolist() == summary.customer_ids.tolist()
    assert list(frame.columns) == [
        "frequency",
        "recency",
        "T",
        "probability_alive",
        "expected_purchases",
    ]
    np.testing.assert_array_equal(frame["probability_alive"], model.probability_alive(summary))


def test_predictions_of_arrays_number_the_rows() -> None:
    model = es.MBGNBD.from_params(r=0.5, alpha=5.0, a=0.4, b=2.0, time_unit="day")
    predictions = model.predictions(([1, 0, 3], [5.0, 0.0, 9.0], [10.0, 10.0, 10.0]), t=30)
    assert predictions.customer_ids.tolist() == [0, 1, 2]
    assert len(predictions) == 3
    with pytest.raises(InvalidInputError, match=r"^t=-1 is invalid: must be >= 0"):
        model.predictions(([1], [5.0], [10.0]), t=-1)


def test_a_summary_in_another_unit_is_converted(summary: es.CustomerSummary) -> None:
    model = es.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    in_days = model.predictions(summary.to_unit("day"), t=52)
    np.testing.assert_allclose(in_days.inputs["T"], summary.T)


# --- errors -----------------------------------------------------------------------------------

CALLS: dict[str, Callable[[Any], object]] = {
    "fit": lambda table: es.BGNBD().fit(table),
    "probability_alive": lambda table: es.BGNBD.from_params(
        r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"
    ).probability_alive(table),
}


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_missing_column_is_named_with_the_tables_columns(library: str, call: str) -> None:
    table = _table(library, {"frequency": [1, 0], "recency": [1.0, 0.0], "age": [2.0, 2.0]})
    with pytest.raises(
        UnknownCodeError,
        match=r"^data has no column 'T': its columns are 'frequency', 'recency', 'age'\.",
    ):
        CALLS[call](table)


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_close_name_is_suggested(library: str) -> None:
    table = _table(library, {"Frequency": [1], "monetary": [2.0]})
    with pytest.raises(UnknownCodeError, match=r"Did you mean 'Frequency'\?"):
        es.GammaGamma().fit(table)


def test_bad_values_are_named_as_for_arrays() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"frequency": pd.array([1, None], dtype="Int64"), "recency": [1.0, 0.0]})
    frame["T"] = [2.0, 2.0]
    with pytest.raises(InvalidInputError, match=r"^frequency\[1\]=nan is invalid"):
        es.BGNBD().fit(frame)
    frame = pd.DataFrame({"frequency": [1, 0], "recency": [3.0, 0.0], "T": [2.0, 2.0]})
    with pytest.raises(InvalidInputError, match=r"^recency\[0\]=3.0 is invalid: must be <= T"):
        es.BGNBD().fit(frame)


def test_a_lazy_frame_must_be_collected() -> None:
    pl = pytest.importorskip("polars")
    lazy = pl.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}).lazy()
    with pytest.raises(InvalidInputError, match=r"Call \.collect\(\) first"):
        es.BGNBD().fit(lazy)


def test_ids_must_be_integers_or_strings() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"customer_id": [1.5, 2.5], "frequency": [1, 0], "recency": [1.0, 0.0], "T": [2.0, 2.0]}
    )
    model = es.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    with pytest.raises(InvalidInputError, match="customer_id"):
        model.predictions(frame, t=1)


@pytest.mark.parametrize("library", LIBRARIES)
def test_customer_lifetime_value_takes_a_table(summary: es.CustomerSummary, library: str) -> None:
    purchases = es.BGNBD().fit(summary)
    spend = es.GammaGamma().fit(summary)
    ids = [f"c{i}" for i in range(len(summary))]
    table = _table(library, {"customer_id": ids, **_rfm(summary, monetary=summary.monetary)})
    expected = es.customer_lifetime_value(
        summary, purchase_model=purchases, spend=spend, horizon=12
    )
    values = es.customer_lifetime_value(table, purchase_model=purchases, spend=spend, horizon=12)
    np.testing.assert_array_equal(values.clv, expected.clv)
    assert values.customer_ids.tolist() == ids
