"""ecomstrat.dask against the single-machine functions, for every way of partitioning the orders.

Summaries must be bitwise equal (every column, dtype and the units), fitted parameters equal to
1e-8 (relative), per-customer predictions equal to 1e-12, on simulated logs and on CDNOW
master, with orders partitioned by customer, by time and by arbitrary rows. Most checks run on
Dask's synchronous scheduler; one module-scoped LocalCluster (2 worker processes) runs the
whole path once, with the warm-up plugin.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import dask  # noqa: E402

import ecomstrat as es  # noqa: E402
import ecomstrat.dask as ed  # noqa: E402
from ecomstrat.frames.summary import CustomerSummary  # noqa: E402

SYNC = {"scheduler": "sync"}
N_CUSTOMERS = 1_500


def _orders() -> Any:
    """A simulated log as a pandas frame, rows shuffled, with a margin column."""
    frame = es.simulate_transactions(N_CUSTOMERS, seed=11).log.to_pandas()
    frame = frame.iloc[np.random.default_rng(5).permutation(len(frame))].reset_index(drop=True)
    frame["margin"] = frame["amount"] * 0.3 - 1.0
    return frame


ORDERS = _orders()


def by_customer(frame: Any, n: int = 4) -> Any:
    """Partitions holding whole customers (sorted by id)."""
    return dd.from_pandas(
        frame.sort_values("customer_id", kind="stable"), npartitions=n, sort=False
    )


def by_time(frame: Any, n: int = 5) -> Any:
    """Partitions by time: a customer's orders spread over many partitions."""
    return dd.from_pandas(frame.sort_values("time", kind="stable"), npartitions=n, sort=False)


def by_rows(frame: Any, n: int = 6) -> Any:
    """Arbitrary row blocks of the frame as it is."""
    return dd.from_pandas(frame, npartitions=n, sort=False)


def at_bounds(frame: Any, bounds: list[int]) -> Any:
    """Row blocks ``frame[bounds[i]:bounds[i+1]]`` (any sizes)."""
    edges = [0, *bounds, len(frame)]
    parts = [frame.iloc[a:b] for a, b in itertools.pairwise(edges) if b > a]
    return dd.concat([dd.from_pandas(part, npartitions=1, sort=False) for part in parts])


PARTITIONINGS: dict[str, Callable[[Any], Any]] = {
    "by_customer": by_customer,
    "by_time": by_time,
    "by_rows": by_rows,
}


def rows(orders: Any) -> Any:
    """The orders of a Dask frame as one pandas frame, in partition order (the input order)."""
    return orders.compute()


def local(frame: Any, **kwargs: Any) -> CustomerSummary:
    """The single-machine summary of the same orders, in the same row order.

    Rows in another order give the same counts and periods but may round the sums of a
    customer's values differently: equality holds for the same rows in the same order.
    """
    log = es.log_from_pandas(frame, margin="margin" if "margin" in frame else None)
    return es.rfm_summary(log, **kwargs)


def assert_same_summary(got: CustomerSummary, want: CustomerSummary) -> None:
    """Every column equal bit for bit (rows matched by id), and the same units and end."""
    order = np.argsort(want.customer_ids, kind="stable")
    assert got.customer_ids.tolist() == want.customer_ids[order].tolist()
    for name, values in want.columns().items():
        column = got.columns()[name]
        assert column.dtype == values.dtype, name
        assert np.array_equal(column, values[order]), name
    assert (got.time_unit, got.period) == (want.time_unit, want.period)
    assert got.observation_end == want.observation_end


def assert_same_rows(got: Any, want: Any, tolerance: float = 1e-12) -> None:
    """Two pandas frames keyed by customer id: same ids, same columns, values within 1e-12."""
    got, want = got.sort_index(), want.sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert got.columns.tolist() == want.columns.tolist()
    for name in want.columns:
        a, b = got[name].to_numpy(), want[name].to_numpy()
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=tolerance, atol=0)
        else:
            assert a.tolist() == b.tolist(), name


def assert_same_params(got: Any, want: Any) -> None:
    a, b = np.array(got.params.to_tuple()), np.array(want.params.to_tuple())
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=0)


@pytest.fixture(autouse=True)
def synchronous(request: pytest.FixtureRequest) -> Iterator[None]:
    """Dask's synchronous scheduler, except in the test that brings its own cluster."""
    if "client" in request.fixturenames:
        yield
        return
    with dask.config.set(**SYNC):
        yield


# --- RFM summaries ------------------------------------------------------------------------


@pytest.mark.parametrize("partitioning", sorted(PARTITIONINGS))
@pytest.mark.parametrize(
    "options",
    [
        {"time_unit": "week"},
        {"time_unit": "day", "period": "week", "monetary": "margin"},
        {"time_unit": "month", "period": "month", "observation_end": "2025-09-30"},
    ],
    ids=["weeks", "weekly-margin", "monthly-end"],
)
def test_rfm_summary_is_bitwise_equal(partitioning: str, options: dict[str, Any]) -> None:
    orders = PARTITIONINGS[partitioning](ORDERS)
    got = ed.rfm_summary(orders, margin="margin", **options)
    assert_same_summary(got.compute(), local(rows(orders), **options))


def test_row_partitioned_map_is_wrong_and_the_shuffle_is_not() -> None:
    """The motivating bug: a per-partition summary of row blocks splits customers."""
    orders = by_time(ORDERS)
    naive = orders.map_partitions(
        lambda part: es.rfm_summary(es.log_from_pandas(part)).to_pandas(),
    ).compute()
    assert len(naive) > N_CUSTOMERS  # the same customer summarised in several partitions
    assert len(ed.rfm_summary(orders).compute()) == N_CUSTOMERS


def test_string_ids_and_aware_times() -> None:
    frame = ORDERS.assign(
        customer_id="c" + ORDERS["customer_id"].astype(str),
        time=ORDERS["time"].dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"),
    ).drop(columns="margin")
    got = ed.rfm_summary(by_rows(frame), time_unit="week").compute()
    want = local(frame, time_unit="week")
    assert got.customer_ids.dtype.kind == "U"
    assert_same_summary(got, want)


@settings(max_examples=25)
@given(
    n_orders=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(1, 39), max_size=6, unique=True),
)
def test_any_partition_boundaries_give_the_same_summary(
    n_orders: int, seed: int, cuts: list[int]
) -> None:
    """Invariant: the summary does not depend on where the partitions start and end."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 6, n_orders),
            "time": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 2e6, n_orders), "s"),
            "amount": rng.integers(0, 5, n_orders) * 0.1,  # ties and sums that round
        }
    )
    bounds = sorted(c for c in cuts if c < n_orders)
    got = ed.rfm_summary(at_bounds(frame, bounds), time_unit="week").compute()
    assert_same_summary(got, local(frame, time_unit="week"))


@pytest.mark.parametrize("partitioning", sorted(PARTITIONINGS))
def test_calibration_holdout_is_bitwise_equal(partitioning: str) -> None:
    orders = PARTITIONINGS[partitioning](ORDERS)
    options = {"calibration_end": "2024-02-20", "time_unit": "week"}
    got = ed.calibration_holdout_summary(orders, **options).compute()
    want = es.calibration_holdout_summary(es.log_from_pandas(rows(orders)), **options)
    assert got.n_excluded == want.n_excluded > 0
    assert got.duration_holdout == want.duration_holdout
    assert (got.calibration_end, got.observation_end) == (
        want.calibration_end,
        want.observation_end,
    )
    assert_same_summary(got.calibration, want.calibration)
    order = np.argsort(want.calibration.customer_ids, kind="stable")
    assert np.array_equal(got.frequency_holdout, want.frequency_holdout[order])
    assert np.array_equal(got.monetary_holdout, want.monetary_holdout[order])


def test_invalid_inputs_name_the_argument() -> None:
    with pytest.raises(
        es.InvalidInputError, match=r"orders='<DataFrame>' is invalid: must be a dask"
    ):
        ed.rfm_summary(ORDERS)
    as_text = by_rows(ORDERS.assign(time=ORDERS["time"].astype(str)))
    with pytest.raises(es.InvalidInputError, match=r"orders\['time'\].*must hold datetime64"):
        ed.rfm_summary(as_text)
    with pytest.raises(es.UnknownCodeError, match=r"amount='total' is not a column of orders"):
        ed.rfm_summary(by_rows(ORDERS), amount="total")
    with pytest.raises(es.InvalidInputError, match=r"calibration_end=.* is after observation_end"):
        ed.calibration_holdout_summary(
            by_rows(ORDERS), calibration_end="2030-01-01", observation_end="2025-01-01"
        )


# --- fits, predictions, CLV, stages, scores -------------------------------------------------


@pytest.fixture(scope="module")
def summaries() -> tuple[Any, CustomerSummary]:
    """The distributed (by time, persisted) and the single-machine summary, in weeks."""
    orders = by_time(ORDERS)
    with dask.config.set(**SYNC):
        distributed_summary = ed.rfm_summary(orders, time_unit="week").persist()
    return distributed_summary, local(rows(orders), time_unit="week")


@pytest.mark.parametrize("model", [es.BGNBD(), es.MBGNBD(), es.ParetoNBD()], ids=repr)
def test_continuous_fits_equal_the_single_machine_fit(model: Any, summaries: Any) -> None:
    distributed_summary, summary = summaries
    assert_same_params(ed.fit(distributed_summary, model=model), model.fit(summary))


def test_fit_in_another_unit_and_the_patterns_it_uses(summaries: Any) -> None:
    distributed_summary, summary = summaries
    x, t_x, T, weights = ed.patterns(distributed_summary, time_unit="day")
    assert weights.sum() == N_CUSTOMERS
    assert len(x) < N_CUSTOMERS
    days = summary.to_unit("day")
    distinct = set(zip(days.frequency.astype(float), days.recency, days.T, strict=True))
    assert set(zip(x, t_x, T, strict=True)) == distinct
    got = ed.fit(distributed_summary, model=es.BGNBD(), time_unit="day")
    assert_same_params(got, es.BGNBD().fit(summary, time_unit="day"))


def test_gamma_gamma_fit_is_the_single_machine_fit(summaries: Any) -> None:
    distributed_summary, summary = summaries
    got = ed.fit(distributed_summary, model=es.GammaGamma())
    want = es.GammaGamma().fit(summary)
    assert_same_params(got, want)
    correlation = want.frequency_monetary_correlation
    assert got.frequency_monetary_correlation == pytest.approx(correlation, rel=1e-12, abs=0)


def test_bgbb_fits_and_predicts_in_purchase_periods() -> None:
    weekly = ed.rfm_summary(by_rows(ORDERS), time_unit="day", period="week")
    summary = local(ORDERS, time_unit="week", period="week")
    history = (summary.frequency, summary.recency, summary.T)
    want = es.BGBB().fit(history)
    assert_same_params(ed.fit(weekly, model=es.BGBB()), want)
    got = ed.predictions(weekly, model=want, t=4).compute()
    expected = want.predictions(history, t=4).to_pandas()
    expected.index = pd.Index(summary.customer_ids, name="customer_id")
    assert_same_rows(got, expected)


def test_sbg_and_other_objects_are_refused(summaries: Any) -> None:
    with pytest.raises(es.InvalidInputError, match=r"model=.* is invalid: must be one of"):
        ed.fit(summaries[0], model=es.SBG())


@pytest.fixture(scope="module")
def fitted(summaries: Any) -> tuple[Any, Any]:
    summary = summaries[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", es.NonPositiveSpendWarning)
        return es.BGNBD().fit(summary), es.GammaGamma().fit(summary)


@pytest.mark.parametrize("model", ["BGNBD", "ParetoNBD"])
def test_predictions_equal_row_by_row(model: str, summaries: Any) -> None:
    distributed_summary, summary = summaries
    purchase = getattr(es, model)().fit(summary)
    got = ed.predictions(distributed_summary, model=purchase, t=26).compute()
    assert_same_rows(got, purchase.predictions(summary, t=26).to_pandas())


def test_clv_and_its_interval_equal_row_by_row(summaries: Any, fitted: Any) -> None:
    distributed_summary, summary = summaries
    purchase, spend = fitted
    options = {"purchase_model": purchase, "spend": spend, "horizon": 12}
    got = ed.customer_lifetime_value(distributed_summary, **options).compute()
    assert_same_rows(got, es.customer_lifetime_value(summary, **options).to_pandas())
    interval = {**options, "n_draws": 40, "seed": 3}
    got = ed.customer_lifetime_value_interval(distributed_summary, **interval).compute()
    want = es.customer_lifetime_value_interval(summary, **interval)
    assert_same_rows(got, want.to_pandas())


def test_clv_needs_a_fitted_spend_model(summaries: Any, fitted: Any) -> None:
    with pytest.raises(es.InvalidInputError, match=r"spend=.* must be a fitted GammaGamma"):
        ed.customer_lifetime_value(
            summaries[0], purchase_model=fitted[0], spend=[1.0, 2.0], horizon=12
        )


def test_scores_equal_row_by_row_and_whole_base_scorers_are_refused(
    summaries: Any, fitted: Any
) -> None:
    from ecomstrat import scoring

    distributed_summary, summary = summaries
    names = ["p_alive", "churn_risk"]
    got = ed.score(distributed_summary, names=names, model=fitted[0]).compute()
    want = scoring.score(es.ScoringContext(summary, model=fitted[0]), names=names)
    assert_same_rows(got, want.to_pandas())
    for name in ("rfm", "clv"):
        with pytest.raises(es.InvalidInputError, match=f"names='{name}' is invalid"):
            ed.score(distributed_summary, names=name, model=fitted[0])


def test_stages_equal_row_by_row() -> None:
    end = "2025-03-01"
    orders = by_time(ORDERS)
    got = ed.stage_customers(orders, observation_end=end).compute()
    want = es.stage_customers(es.log_from_pandas(rows(orders)), observation_end=end).to_pandas()
    assert_same_rows(got, want)


def test_covariate_model_predictions_and_clv_equal_row_by_row(summaries: Any, fitted: Any) -> None:
    distributed_summary, summary = summaries
    ids = summary.customer_ids
    offline = (np.arange(len(ids)) % 3 == 0).astype(np.float64)
    covariates = es.CustomerCovariates.from_arrays(ids, {"offline": offline})
    model = es.CovariateParetoNBD(purchase="offline", dropout="offline").fit(summary, covariates)
    got = ed.predictions(distributed_summary, model=model, t=26).compute()
    assert_same_rows(got, model.predictions(summary, t=26).to_pandas())
    options = {"purchase_model": model, "spend": fitted[1], "horizon": 12}
    got = ed.customer_lifetime_value(distributed_summary, **options).compute()
    assert_same_rows(got, es.customer_lifetime_value(summary, **options).to_pandas())


# --- CDNOW master ---------------------------------------------------------------------------


@pytest.mark.reference_data
@pytest.mark.parametrize("partitioning", sorted(PARTITIONINGS))
def test_cdnow_summary_and_fit(shared_data: Path, partitioning: str) -> None:
    frame = pd.read_csv(
        shared_data / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str}
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    frame = frame.rename(columns={"date": "time", "dollar_value": "amount"})
    orders = PARTITIONINGS[partitioning](frame)
    got = ed.rfm_summary(orders, time_unit="week").compute()
    want = local(rows(orders)[["customer_id", "time", "amount"]], time_unit="week")
    assert got.n_customers == 23_570
    assert_same_summary(got, want)
    distributed_summary = ed.rfm_summary(orders, time_unit="week")
    assert_same_params(ed.fit(distributed_summary, model=es.BGNBD()), es.BGNBD().fit(want))


# --- a real cluster: 2 worker processes ------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes (1 thread each), warmed up, closed at the end."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,  # no dashboard; its HTTP server (health, metrics) on any port:
            scheduler_kwargs={"dashboard_address": ":0"},
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        connected.register_plugin(ed.WarmUp())
        yield connected


def test_local_cluster_runs_the_whole_path(client: Any) -> None:
    has_plugin = client.run(lambda dask_worker: "ecomstrat-warm-up" in dask_worker.plugins)
    assert list(has_plugin.values()) == [True, True]
    orders = by_time(ORDERS)
    summary = ed.rfm_summary(orders, time_unit="week")
    want = local(rows(orders), time_unit="week")
    assert_same_summary(summary.compute(), want)
    fitted_model = ed.fit(summary, model=es.BGNBD())
    assert_same_params(fitted_model, es.BGNBD().fit(want))
    got = ed.predictions(summary, model=fitted_model, t=26).compute()
    assert_same_rows(got, fitted_model.predictions(want, t=26).to_pandas())
