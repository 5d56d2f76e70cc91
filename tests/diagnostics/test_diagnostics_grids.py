"""frequency_recency_grid and probability_alive_history: the model, cell by cell and day by day.

References are independent of the models' kernels where a closed form exists: the BG/NBD and
MBG/NBD P(alive) and the BG/NBD conditional expectation (Fader, Hardie & Lee 2005, eqs. 10
and 18; Batislam et al. 2007) and the Pareto/NBD P(alive) (Fader & Hardie 2005 note, with
scipy's 2F1), written out here in plain Python.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.special import hyp2f1

import ecomstrat as es
from ecomstrat.diagnostics.grids import (
    AliveHistory,
    FrequencyRecencyGrid,
    frequency_recency_grid,
    probability_alive_history,
)
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.summary import rfm_summary
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.models.sbg import SBG

#: Fader, Hardie & Lee (2005) on the CDNOW sample, weeks.
BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
MBG = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
PARETO = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
#: Fader, Hardie & Shang (2010), the donations data.
DONATIONS = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


def _bgnbd() -> Any:
    return BGNBD.from_params(**BG, time_unit="week")


def _mbgnbd() -> Any:
    return MBGNBD.from_params(**MBG, time_unit="week")


def _pareto() -> Any:
    return ParetoNBD.from_params(**PARETO, time_unit="week")


def _bgbb() -> Any:
    return BGBB.from_params(**DONATIONS)


MODELS = {"BG/NBD": _bgnbd, "MBG/NBD": _mbgnbd, "Pareto/NBD": _pareto}


# --- plain references ---------------------------------------------------------------------


def bgnbd_alive(x: float, t_x: float, T: float, p: dict[str, float], *, shift: int = 0) -> float:
    """BG/NBD (shift 0, FHL 2005 eq. 18) or MBG/NBD (shift 1) P(alive)."""
    if x == 0 and shift == 0:
        return 1.0
    odds = p["a"] / (p["b"] + x - 1 + shift)
    ratio = ((p["alpha"] + T) / (p["alpha"] + t_x)) ** (p["r"] + x)
    return float(1.0 / (1.0 + odds * ratio))


def bgnbd_conditional(t: float, x: float, t_x: float, T: float, p: dict[str, float]) -> float:
    """BG/NBD E[Y(t) | x, t_x, T], FHL (2005) eq. 10."""
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    z = t / (alpha + T + t)
    tail = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return float((a + b + x - 1) / (a - 1) * (1 - tail) * bgnbd_alive(x, t_x, T, p))


def pareto_alive(x: float, t_x: float, T: float, p: dict[str, float]) -> float:
    """Pareto/NBD P(alive), Fader & Hardie (2005) note eqs. 12-14, for alpha < beta."""
    r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
    assert alpha < beta
    k = r + s + x

    def term(u: float) -> float:
        return float(hyp2f1(k, r + x, k + 1, (beta - alpha) / (beta + u)) / (beta + u) ** k)

    a0 = term(t_x) - term(T)
    return float(1.0 / (1.0 + s / k * (alpha + T) ** (r + x) * (beta + T) ** s * a0))


# --- the grid -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["BG/NBD", "MBG/NBD", "Pareto/NBD", "BG/BB"])
def test_cells_are_the_model_at_each_grid_point(name: str) -> None:
    """The issue's acceptance test: every cell is the model evaluated at that one history."""
    model = _bgbb() if name == "BG/BB" else MODELS[name]()
    age, horizon = (6, 5) if name == "BG/BB" else (39.0, 52.0)
    grid = frequency_recency_grid(
        model, age=age, horizon=horizon, max_frequency=7, recency_points=9
    )
    assert grid.model == name
    assert grid.probability_alive.shape == (grid.recencies.size, grid.frequencies.size)
    checked = 0
    for i, t_x in enumerate(grid.recencies):
        for j, x in enumerate(grid.frequencies):
            if np.isnan(grid.probability_alive[i, j]):
                continue
            one = ([x], [t_x], [float(age)])
            assert grid.probability_alive[i, j] == pytest.approx(
                model.probability_alive(one)[0], rel=1e-12
            )
            assert grid.expected_purchases[i, j] == pytest.approx(
                model.conditional_expected_purchases(horizon, one)[0], rel=1e-12
            )
            checked += 1
    assert checked == int(grid.possible.sum()) > 10


def test_bgnbd_grid_matches_the_closed_forms() -> None:
    grid = frequency_recency_grid(
        _bgnbd(), age=39.0, horizon=39.0, max_frequency=10, recency_points=14
    )
    np.testing.assert_array_equal(grid.frequencies, np.arange(11.0))
    np.testing.assert_allclose(grid.recencies, np.arange(14) * 3.0)
    for i, t_x in enumerate(grid.recencies):
        for j, x in enumerate(grid.frequencies):
            if (x == 0) != (t_x == 0):
                continue
            alive = bgnbd_alive(x, t_x, 39.0, BG)
            assert grid.probability_alive[i, j] == pytest.approx(alive, rel=1e-10)
            expected = bgnbd_conditional(39.0, x, t_x, 39.0, BG)
            assert grid.expected_purchases[i, j] == pytest.approx(expected, rel=1e-8)
    # FHL (2005): no repeat purchase in 39 weeks means alive for sure under the BG/NBD
    assert grid.probability_alive[0, 0] == 1.0


def test_mbgnbd_grid_matches_the_closed_form() -> None:
    grid = frequency_recency_grid(_mbgnbd(), age=20.0, horizon=10.0, max_frequency=4)
    for i, t_x in enumerate(grid.recencies):
        for j, x in enumerate(grid.frequencies):
            if (x == 0) == (t_x == 0):
                alive = bgnbd_alive(x, t_x, 20.0, MBG, shift=1)
                assert grid.probability_alive[i, j] == pytest.approx(alive, rel=1e-10)
    assert grid.probability_alive[0, 0] < 1.0  # MBG/NBD one-time buyers may be gone


def test_pareto_grid_matches_the_closed_form() -> None:
    grid = frequency_recency_grid(
        _pareto(), age=38.86, horizon=39.0, max_frequency=6, recency_points=5
    )
    for i, t_x in enumerate(grid.recencies):
        for j, x in enumerate(grid.frequencies):
            if (x == 0) == (t_x == 0):
                alive = pareto_alive(x, t_x, 38.86, PARETO)
                assert grid.probability_alive[i, j] == pytest.approx(alive, rel=1e-8)
    # bought at T: alive for sure
    np.testing.assert_allclose(grid.probability_alive[-1, 1:], 1.0, rtol=1e-12)
    assert grid.probability_alive[0, 0] == pytest.approx(0.2953, abs=5e-5)  # model's doctest


def test_bgbb_grid_values_and_impossible_cells() -> None:
    grid = frequency_recency_grid(_bgbb(), age=6, horizon=5)
    assert (grid.model, grid.time_unit, grid.age, grid.horizon) == ("BG/BB", "opportunity", 6, 5)
    np.testing.assert_array_equal(grid.frequencies, np.arange(7.0))
    np.testing.assert_array_equal(grid.recencies, np.arange(7.0))
    # Fader, Hardie & Shang (2010) donors (x, t_x, n) = (6, 6, 6), (3, 6, 6), (3, 3, 6)
    cells = [(6, 6), (6, 3), (3, 3)]
    alive = [grid.probability_alive[i, j] for i, j in cells]
    expected = [grid.expected_purchases[i, j] for i, j in cells]
    np.testing.assert_allclose(alive, [0.93, 0.93, 0.095], atol=5e-4)
    np.testing.assert_allclose(expected, [3.75, 2.19, 0.22], atol=5e-3)
    t_x, x = np.meshgrid(grid.recencies, grid.frequencies, indexing="ij")
    impossible = (x > t_x) | ((x == 0) & (t_x > 0))
    np.testing.assert_array_equal(np.isnan(grid.probability_alive), impossible)
    np.testing.assert_array_equal(np.isnan(grid.expected_purchases), impossible)
    assert int((~impossible).sum()) == 1 + 21  # (0, 0) and 1 <= x <= t_x <= 6


def test_bgbb_caps_the_frequencies_at_the_opportunities() -> None:
    grid = frequency_recency_grid(_bgbb(), age=3, horizon=0, max_frequency=20)
    np.testing.assert_array_equal(grid.frequencies, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(grid.expected_purchases[grid.possible], 0.0)


@pytest.mark.parametrize("name", list(MODELS))
def test_continuous_impossible_cells_are_nan_and_columns_are_the_rest(name: str) -> None:
    grid = frequency_recency_grid(
        MODELS[name](), age=10.0, horizon=4.0, max_frequency=3, recency_points=3
    )
    assert grid.time_unit == "week"
    np.testing.assert_array_equal(grid.recencies, [0.0, 5.0, 10.0])
    nan = np.isnan(grid.probability_alive)
    np.testing.assert_array_equal(
        nan,
        [[False, True, True, True], [True, False, False, False], [True, False, False, False]],
    )
    np.testing.assert_array_equal(np.isnan(grid.expected_purchases), nan)
    columns = grid.columns()
    assert list(columns) == ["frequency", "recency", "expected_purchases", "probability_alive"]
    assert {len(v) for v in columns.values()} == {7}
    np.testing.assert_array_equal(columns["frequency"], [0, 1, 2, 3, 1, 2, 3])
    np.testing.assert_array_equal(columns["recency"], [0, 5, 5, 5, 10, 10, 10])
    np.testing.assert_array_equal(columns["probability_alive"], grid.probability_alive[~nan])
    assert not np.isnan(columns["expected_purchases"]).any()
    assert repr(grid) == (
        f"FrequencyRecencyGrid({name}, age=10 weeks, horizon=4 weeks, 4 frequencies x 3 recencies)"
    )
    assert not grid.probability_alive.flags.writeable


def test_default_grid_size() -> None:
    grid = frequency_recency_grid(_bgnbd(), age=52, horizon=26)
    assert grid.probability_alive.shape == (40, 21)
    assert isinstance(grid, FrequencyRecencyGrid)
    assert grid.recencies[-1] == 52.0
    assert len(grid.columns()["frequency"]) == 1 + 39 * 20


@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.5, 50.0),
    a=st.floats(0.1, 5.0),
    b=st.floats(0.1, 5.0),
    age=st.floats(1.0, 100.0),
    name=st.sampled_from(["BG/NBD", "MBG/NBD"]),
)
def test_alive_rises_with_recency_and_falls_with_frequency_at_old_recency(
    r: float, alpha: float, a: float, b: float, age: float, name: str
) -> None:
    cls = BGNBD if name == "BG/NBD" else MBGNBD
    model = cls.from_params(r=r, alpha=alpha, a=a, b=b, time_unit="week")
    grid = frequency_recency_grid(model, age=age, horizon=10.0, max_frequency=6, recency_points=6)
    alive = grid.probability_alive[1:, 1:]  # x >= 1, t_x > 0
    assert ((alive >= 0) & (alive <= 1)).all()
    # at fixed x, waiting longer since the last purchase (smaller t_x) lowers P(alive)
    assert (np.diff(alive, axis=0) >= -1e-12).all()
    expected = grid.expected_purchases[1:, 1:]
    assert (np.diff(expected, axis=0) >= -1e-12).all()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"age": 0.0}, "age"),
        ({"age": -3.0}, "age"),
        ({"age": math.nan}, "age"),
        ({"age": "39"}, "age"),
        ({"horizon": -1.0}, "horizon"),
        ({"horizon": math.inf}, "horizon"),
        ({"max_frequency": 0}, "max_frequency"),
        ({"max_frequency": 2.5}, "max_frequency"),
        ({"max_frequency": True}, "max_frequency"),
        ({"recency_points": 1}, "recency_points"),
        ({"recency_points": 10.0}, "recency_points"),
    ],
)
def test_bad_grid_arguments_are_named(kwargs: dict[str, Any], name: str) -> None:
    arguments: dict[str, Any] = {"age": 39.0, "horizon": 39.0, **kwargs}
    with pytest.raises(InvalidInputError, match=rf"^{name}="):
        frequency_recency_grid(_bgnbd(), **arguments)


@pytest.mark.parametrize(("kwargs", "name"), [({"age": 6.5}, "age"), ({"horizon": 2.5}, "horizon")])
def test_bgbb_times_must_be_whole_opportunities(kwargs: dict[str, Any], name: str) -> None:
    arguments: dict[str, Any] = {"age": 6, "horizon": 5, **kwargs}
    with pytest.raises(InvalidInputError, match=rf"^{name}=.*whole number of opportunities"):
        frequency_recency_grid(_bgbb(), **arguments)


@pytest.mark.parametrize(
    "model",
    [SBG.from_params(alpha=1.0, beta=2.0), GammaGamma.from_params(p=6.0, q=4.0, gamma=16.0), "x"],
)
def test_grid_refuses_other_models(model: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^model=.* BG/NBD, MBG/NBD, Pareto/NBD or BG/BB"):
        frequency_recency_grid(model, age=10, horizon=5)  # type: ignore[arg-type]


# --- one customer's history ----------------------------------------------------------------


def _log() -> TransactionLog:
    """Customer "a": days 0, 3 (twice), 10 from 2024-01-01; "b" buys once on 2024-01-20."""
    return TransactionLog.from_arrays(
        ["a", "a", "b", "a", "a"],
        ["2024-01-01T10:00", "2024-01-04T09:00", "2024-01-20", "2024-01-04T20:00", "2024-01-11"],
        [1.0, 2.0, 3.0, 4.0, 5.0],
    )


def test_history_counts_purchase_days_as_rfm_summary_does() -> None:
    model = _bgnbd()
    h = probability_alive_history(model, _log(), customer_id="a", observation_end="2024-01-15")
    assert isinstance(h, AliveHistory)
    assert (h.model, h.time_unit, h.customer_id, len(h)) == ("BG/NBD", "week", "a", 15)
    assert h.dates[0] == np.datetime64("2024-01-01")
    assert h.dates[-1] == np.datetime64("2024-01-15")
    assert h.dates.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(
        h.purchase_dates, np.array(["2024-01-01", "2024-01-04", "2024-01-11"], "datetime64[ns]")
    )
    np.testing.assert_array_equal(h.frequency, [0] * 3 + [1] * 7 + [2] * 5)
    np.testing.assert_allclose(h.recency * 7, [0] * 3 + [3] * 7 + [10] * 5)
    np.testing.assert_allclose(h.age * 7, np.arange(15))
    # day 0: T = 0, x = 0 -> 1 under BG/NBD; then the closed form
    reference = [1.0] + [
        bgnbd_alive(x, t_x, T, BG)
        for x, t_x, T in zip(h.frequency[1:], h.recency[1:], h.age[1:], strict=True)
    ]
    np.testing.assert_allclose(h.probability_alive, reference, rtol=1e-10)
    assert h.probability_alive[2] == 1.0  # no repeat purchase yet
    assert h.probability_alive[3] == pytest.approx(BG["b"] / (BG["a"] + BG["b"]), rel=1e-12)
    columns = h.columns()
    assert list(columns) == ["date", "age", "frequency", "recency", "probability_alive"]
    assert {len(v) for v in columns.values()} == {15}
    assert repr(h) == (
        "AliveHistory(BG/NBD, customer 'a', 3 purchase days, 2024-01-01 .. 2024-01-15,"
        f" P(alive) at the end {h.probability_alive[-1]:.3g})"
    )


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("end", [None, "2024-01-04", "2024-01-11", "2024-02-29"])
def test_history_ends_on_the_rfm_summary_row(name: str, end: str | None) -> None:
    a = _log().columns()
    log = TransactionLog.from_arrays(  # "b" also bought before "a": every end covers both
        [*a["customer_id"], "b"], [*a["time"], np.datetime64("2023-12-30")], [*a["amount"], 1.0]
    )
    model = MODELS[name]()
    h = probability_alive_history(model, log, customer_id="a", observation_end=end)
    summary = rfm_summary(log, observation_end=end, time_unit=model.time_unit)
    row = int(np.flatnonzero(summary.customer_ids == "a")[0])
    assert h.frequency[-1] == summary.frequency[row]
    assert h.recency[-1] == summary.recency[row]  # same arithmetic, same bits
    assert h.age[-1] == summary.T[row]
    assert h.probability_alive[-1] == model.probability_alive(summary)[row]
    assert h.probability_alive[-1] == model.probability_alive(
        ([h.frequency[-1]], [h.recency[-1]], [h.age[-1]])
    )
    if end is None:  # the log's last order, as rfm_summary
        assert h.dates[-1] == np.datetime64("2024-01-20")


@pytest.mark.parametrize("name", list(MODELS))
def test_history_is_the_model_on_each_days_tuple(name: str) -> None:
    model = MODELS[name]()
    h = probability_alive_history(model, _log(), customer_id="a", observation_end="2024-02-10")
    later = h.age > 0
    data = (h.frequency[later], h.recency[later], h.age[later])
    np.testing.assert_array_equal(h.probability_alive[later], model.probability_alive(data))
    first = {"BG/NBD": 1.0, "Pareto/NBD": 1.0, "MBG/NBD": MBG["b"] / (MBG["a"] + MBG["b"])}
    assert h.probability_alive[0] == pytest.approx(first[name], rel=1e-8)


def test_history_in_days_and_months() -> None:
    log = _log()
    for unit, days in (("day", 1.0), ("month", 365.2425 / 12)):
        model = ParetoNBD.from_params(**PARETO, time_unit=unit)
        h = probability_alive_history(model, log, customer_id="a", observation_end="2024-01-15")
        assert h.time_unit == unit
        np.testing.assert_allclose(h.age * days, np.arange(15.0), rtol=1e-12)


@given(
    offsets=st.lists(st.integers(1, 200), max_size=8, unique=True),
    tail=st.integers(0, 60),
    name=st.sampled_from(list(MODELS)),
)
def test_alive_jumps_at_purchases_and_decays_between(
    offsets: list[int], tail: int, name: str
) -> None:
    days = np.array(sorted([0, *offsets]))
    start = np.datetime64("2023-03-01", "D")
    times = (start + days).astype("datetime64[ns]") + np.timedelta64(13, "h")
    log = TransactionLog.from_arrays(np.full(days.size, 7), times, np.ones(days.size))
    end = start + int(days[-1]) + tail
    h = probability_alive_history(MODELS[name](), log, customer_id=7, observation_end=str(end))
    p = h.probability_alive
    assert len(h) == days[-1] + tail + 1
    bought = np.zeros(len(h), dtype=bool)
    bought[days] = True
    step = np.diff(p)
    after = bought[1:]
    # no purchase: P(alive) never rises
    assert (step[~after] <= 1e-12).all()
    if name == "Pareto/NBD":
        np.testing.assert_allclose(p[1:][after], 1.0, rtol=1e-12)  # t_x = T
        assert (step[~after] < 0).all()
    elif name == "MBG/NBD":
        assert (step[after] > 0).all()
    else:  # BG/NBD: 1 until the first repeat purchase, then rises at each purchase
        x_before = h.frequency[:-1][after]
        assert (step[after][x_before >= 1] > 0).all()
        np.testing.assert_array_equal(p[h.frequency == 0], 1.0)


def test_history_finds_integer_and_string_ids() -> None:
    times = ["2024-01-01", "2024-01-05", "2024-01-02"]
    ints = TransactionLog.from_arrays([10, 20, 10], times, [1.0, 1.0, 1.0])
    h = probability_alive_history(_pareto(), ints, customer_id=np.int64(10))
    assert h.customer_id == 10
    assert type(h.customer_id) is int
    np.testing.assert_array_equal(h.frequency, [0, 1, 1, 1, 1])
    strings = TransactionLog.from_arrays(["10", "20", "10"], times, [1.0, 1.0, 1.0])
    h = probability_alive_history(_pareto(), strings, customer_id="20")
    assert h.customer_id == "20"
    assert len(h) == 1
    assert h.age[0] == 0.0
    for log, wrong in ((ints, "10"), (strings, 10), (ints, 30), (strings, "x")):
        with pytest.raises(InvalidInputError, match=r"^customer_id=.* is not a customer"):
            probability_alive_history(_pareto(), log, customer_id=wrong)


@pytest.mark.parametrize("wrong", [None, ["a"], 1.5, True])
def test_history_refuses_what_is_not_one_id(wrong: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^customer_id=.*must be one customer id"):
        probability_alive_history(_bgnbd(), _log(), customer_id=wrong)


def test_history_refuses_an_end_before_the_first_purchase() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"^observation_end=.* is before the first purchase of customer 'b' \(2024-01-20\)",
    ):
        probability_alive_history(_bgnbd(), _log(), customer_id="b", observation_end="2024-01-19")
    h = probability_alive_history(_bgnbd(), _log(), customer_id="b", observation_end="2024-01-20")
    assert len(h) == 1


@pytest.mark.parametrize("model", [_bgbb(), SBG.from_params(alpha=1.0, beta=2.0), None])
def test_history_needs_a_continuous_model(model: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^model=.*BG/NBD, MBG/NBD or Pareto/NBD"):
        probability_alive_history(model, _log(), customer_id="a")  # type: ignore[arg-type]


def test_history_needs_a_log() -> None:
    with pytest.raises(InvalidInputError, match=r"^log="):
        probability_alive_history(_bgnbd(), {"a": 1}, customer_id="a")  # type: ignore[arg-type]


# --- CDNOW -------------------------------------------------------------------------------


@pytest.mark.reference_data
def test_cdnow_bgnbd_grid_at_39_weeks(shared_data: Path) -> None:
    log = es.read_csv(
        shared_data / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
    )
    calibration = rfm_summary(log, observation_end="1997-09-30", time_unit="week")
    model = BGNBD().fit(calibration)
    grid = frequency_recency_grid(model, age=39, horizon=39, max_frequency=10, recency_points=40)
    alive = grid.probability_alive
    # x >= 1: P(alive) rises with recency, strictly; at the most recent recency it rises with x
    assert (np.diff(alive[1:, 1:], axis=0) > 0).all()
    assert (np.diff(alive[-1, 1:]) > 0).all()
    # at an old recency, more purchases make a long silence more telling: P(alive) falls with x
    assert (np.diff(alive[1, 1:]) < 0).all()
    assert alive[0, 0] == 1.0  # BG/NBD: one-time buyers alive for sure
    expected = grid.expected_purchases
    assert (np.diff(expected[1:, 1:], axis=0) > 0).all()
    assert (np.diff(expected[-1, 1:]) > 0).all()
    # the numbers of the notes: BG/NBD fitted on the whole 23,570-customer cohort to 1997-09-30
    assert model.params.to_dict() == pytest.approx(
        {"r": 0.251624, "alpha": 4.788943, "a": 0.723434, "b": 2.161088}, rel=1e-4
    )
    assert expected[0, 0] == pytest.approx(0.1995, abs=5e-4)
    columns = [1, 2, 5, 10]  # x; rows t_x = 1, 20 and 39 weeks
    np.testing.assert_allclose(alive[1, columns], [0.192, 0.044, 0.0, 0.0], atol=5e-4)
    np.testing.assert_allclose(alive[20, columns], [0.594, 0.548, 0.300, 0.043], atol=5e-4)
    np.testing.assert_allclose(alive[39, columns], [0.749, 0.814, 0.895, 0.939], atol=5e-4)
    np.testing.assert_allclose(expected[39, columns], [0.717, 1.372, 3.417, 6.879], atol=5e-4)
    # the history of customer 00003 ends on their calibration row
    h = probability_alive_history(model, log, customer_id="00003", observation_end="1997-09-30")
    row = int(np.flatnonzero(calibration.customer_ids == "00003")[0])
    assert (h.frequency[-1], h.recency[-1], h.age[-1]) == (
        calibration.frequency[row],
        calibration.recency[row],
        calibration.T[row],
    )
    assert h.purchase_dates.size == 3


def test_grid_and_history_export_to_pandas() -> None:
    pytest.importorskip("pandas")
    grid = frequency_recency_grid(
        _bgnbd(), age=10.0, horizon=4.0, max_frequency=3, recency_points=3
    )
    frame = grid.to_pandas()
    assert frame.shape == (7, 4)
    assert frame["probability_alive"].tolist() == grid.columns()["probability_alive"].tolist()
    h = probability_alive_history(_bgnbd(), _log(), customer_id="a", observation_end="2024-01-15")
    history = h.to_pandas()
    assert history.shape == (15, 5)
    assert str(history["date"].iloc[3].date()) == "2024-01-04"
