"""Lifecycle staging: hand-checked stages, migrations, counts over time, policies, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import (
    PHASE_NAMES,
    STAGE_NAMES,
    Duration,
    LifecycleStages,
    ModelBasedPolicy,
    RelationshipPhase,
    RuleBasedPolicy,
    Stage,
    stage_counts_over_time,
    stage_customers,
    stage_migration,
)

AS_OF = np.datetime64("2024-12-31")
#: Small thresholds that keep the hand arithmetic short (all in days).
POLICY = RuleBasedPolicy(
    new_window=Duration(30, "day"),
    churn_after=Duration(100, "day"),
    overdue_factor=2.0,
    trend_window=Duration(60, "day"),
    reactivation_window=Duration(20, "day"),
)


def ago(days: int) -> str:
    return str(AS_OF - np.timedelta64(days, "D"))


def log_of(history: dict[str, list[int]]) -> TransactionLog:
    """A log from {customer: [days before AS_OF of each order]}, 10.0 per order."""
    ids = [c for c, days in history.items() for _ in days]
    times = [ago(d) for days in history.values() for d in days]
    return TransactionLog.from_arrays(ids, times, [10.0] * len(ids))


def stage_by_id(stages: LifecycleStages) -> dict[str, str]:
    return dict(zip(stages.customer_ids.tolist(), stages.labels().tolist(), strict=True))


# --------------------------------------------------------------------- hand-checked stages

HISTORIES = {
    # one purchase 10 days ago: age 10 < new_window 30
    "new_once": [10],
    # first purchase 25 days ago (25 < 30): new, however often they bought since
    "new_twice": [25, 5],
    # a single purchase 50 days ago: 50 >= 30, not new, no second purchase -> declining
    "one_timer": [50],
    # a single purchase exactly 100 days ago: idle 100 is not > 100 -> not churned, declining
    "at_threshold": [100],
    # idle 101 > churn_after 100 -> churned
    "churned": [150, 101],
    # gap 300 -> 15: 285 - 1 = 284 > 100 (churned the day before); 15 < 20 -> reactivated
    "reactivated": [300, 15],
    # same, but the return was 25 days ago (25 >= 20): staged by the other rules.
    # idle 25, mean gap 275, 25 <= 2 * 275; last 60 days: 1 purchase (25), the 60 before: 0
    # -> growing
    "returned_earlier": [300, 25],
    # last 60 days: 40, 10 -> 2; days 60-119 ago: 100, 70 -> 2; idle 10 <= 2 * (90 / 3)
    # -> mature
    "mature": [100, 70, 40, 10],
    # last 60 days: 50, 30, 10 -> 3 > days 60-119 ago: 90 -> 1; idle 10 <= 2 * 80 / 3
    # -> growing
    "growing": [90, 50, 30, 10],
    # last 60 days: 50, 30 -> 2 < days 60-119: 110, 90, 70 -> 3; idle 30 <= 2 * (80 / 4) = 40
    # -> declining by the trend alone
    "slowing": [110, 90, 70, 50, 30],
    # mean gap (40 - 36) / 2 = 2; idle 36 > 2 * 2 -> overdue, declining even though the
    # last 60 days (3 purchases) beat the 60 before (0)
    "overdue": [40, 38, 36],
}

EXPECTED = {
    "new_once": "new",
    "new_twice": "new",
    "one_timer": "declining",
    "at_threshold": "declining",
    "churned": "churned",
    "reactivated": "reactivated",
    "returned_earlier": "growing",
    "mature": "mature",
    "growing": "growing",
    "slowing": "declining",
    "overdue": "declining",
}


def test_hand_checked_stages() -> None:
    stages = stage_customers(
        log_of(HISTORIES), observation_end=AS_OF, policy=POLICY, prospects=["zz_prospect"]
    )
    assert stage_by_id(stages) == {**EXPECTED, "zz_prospect": "prospect"}
    assert stages.codes.dtype == np.int8
    assert stages.observation_end == AS_OF
    # counted from EXPECTED, plus the prospect
    assert stages.counts == {
        "prospect": 1,
        "new": 2,
        "growing": 2,
        "mature": 1,
        "declining": 4,
        "churned": 1,
        "reactivated": 1,
    }
    assert sum(stages.shares.values()) == pytest.approx(1.0)
    assert sorted(stages.ids_in("declining").tolist()) == [  # (log order: first appearance)
        "at_threshold",
        "one_timer",
        "overdue",
        "slowing",
    ]
    assert stages.ids_in(Stage.CHURNED).tolist() == ["churned"]
    assert stages.ids_in(int(Stage.NEW)).tolist() == ["new_once", "new_twice"]
    assert repr(stages).startswith("LifecycleStages(observation_end=2024-12-31T00:00")
    assert "12 customers: prospect=1, new=2," in repr(stages)


def test_relationship_phases_map_the_stages() -> None:
    stages = stage_customers(
        log_of(HISTORIES), observation_end=AS_OF, policy=POLICY, prospects=["zz_prospect"]
    )
    # awareness: prospect; exploration: 2 new + 1 reactivated; formation: 2 growing;
    # stability: 1 mature; decline: 4 declining + 1 churned
    assert stages.phase_counts == {
        "awareness": 1,
        "exploration": 3,
        "formation": 2,
        "stability": 1,
        "decline": 5,
    }
    assert list(stages.phase_counts) == list(PHASE_NAMES)
    assert stages.phases.dtype == np.int8
    assert RelationshipPhase.STABILITY.label == "stability"


def test_observation_end_day_counts_in_full_and_later_orders_are_ignored() -> None:
    log = TransactionLog.from_arrays(
        ["a", "a", "b"], ["2024-01-01", "2024-03-01T18:00", "2024-03-05"], [1.0, 1.0, 1.0]
    )
    stages = stage_customers(log, observation_end="2024-03-01T09:00", policy=POLICY)
    # a: the 18:00 order of the as-of day counts -> first purchase 60 days before -> not new,
    # 2 purchases, idle 0 -> last 60 days: 1 (age 0), the 60 before: 1 (age 60) -> mature.
    # b: first order on 2024-03-05, after the as-of day -> a prospect of the log.
    assert stage_by_id(stages) == {"a": "mature", "b": "prospect"}


def test_default_policy_and_week_durations() -> None:
    # Defaults: new 90 days, churned after 365. 89 days -> new; 366 days idle -> churned.
    log = log_of({"a": [89], "b": [366]})
    assert stage_by_id(stage_customers(log, observation_end=AS_OF)) == {
        "a": "new",
        "b": "churned",
    }
    # The same thresholds in weeks: new for 13 weeks = 91 days, so 89 and 90 days are new.
    weekly = RuleBasedPolicy(new_window=Duration(13, "week"), churn_after=Duration(52, "week"))
    assert weekly.in_days().new_window == 91.0
    staged = stage_customers(log_of({"a": [90]}), observation_end=AS_OF, policy=weekly)
    assert stage_by_id(staged) == {"a": "new"}


def test_prospects_dedupe_and_keep_log_customers() -> None:
    log = log_of({"a": [10], "b": [400]})
    stages = stage_customers(
        log, observation_end=AS_OF, policy=POLICY, prospects=["c", "a", "c", "b0"]
    )
    # 'a' has orders: staged by them; 'c' appears twice; extra prospects sorted after the log's
    assert stages.customer_ids.tolist() == ["a", "b", "b0", "c"]
    assert stages.labels().tolist() == ["new", "churned", "prospect", "prospect"]
    int_log = TransactionLog.from_arrays([7], ["2024-12-01"], [1.0])
    with_three = stage_customers(int_log, observation_end=AS_OF, prospects=[3])
    assert with_three.customer_ids.tolist() == [7, 3]
    assert stage_customers(int_log, observation_end=AS_OF, prospects=[]).n_customers == 1


# ------------------------------------------------------------------------- model policy


class RecordingModel:
    """P(alive) = 0.9 for repeat buyers, 0.2 for one-time buyers; remembers its input.

    A :class:`~ecomstrat.TransactionModel` whose expectations the policy never asks for.
    """

    time_unit = TimeUnit.WEEK

    def __init__(self) -> None:
        self.seen: list[CustomerSummary] = []

    def probability_alive(self, data: CustomerSummary, /) -> np.ndarray:
        self.seen.append(data)
        return np.where(data.frequency > 0, 0.9, 0.2)

    def conditional_expected_purchases(self, t: Any, data: Any) -> np.ndarray:
        raise NotImplementedError

    def probability_of_purchases(self, n: Any, t: Any) -> np.ndarray:
        raise NotImplementedError


def test_model_based_policy_churns_by_probability() -> None:
    model = RecordingModel()
    policy = ModelBasedPolicy(model, alive_threshold=0.5, rules=POLICY)
    log = log_of({"fresh": [0], "one": [50], "old_repeat": [400, 380], "repeat": [40, 20]})
    stages = stage_customers(log, observation_end=AS_OF, policy=policy)
    # fresh: first purchase on the as-of day (T = 0): taken as alive, not asked -> new.
    # one: P = 0.2 < 0.5 -> churned. old_repeat: P = 0.9 -> alive although idle 380 > 100;
    # mean gap 20, idle 380 > 2 * 20 -> overdue -> declining.
    # repeat: P = 0.9; idle 20 <= 2 * 20, last 60 days 2 vs 0 -> growing.
    assert stage_by_id(stages) == {
        "fresh": "new",
        "old_repeat": "declining",
        "one": "churned",
        "repeat": "growing",
    }
    (summary,) = model.seen
    assert summary.customer_ids.tolist() == ["one", "old_repeat", "repeat"]  # log order
    assert summary.time_unit is TimeUnit.WEEK  # the model's unit
    assert summary.T.tolist() == pytest.approx([50 / 7, 400 / 7, 40 / 7])


def test_model_policy_needs_a_transaction_model_and_valid_probabilities() -> None:
    class AliveOnly:
        def probability_alive(self, data: CustomerSummary, /) -> np.ndarray:
            return np.full(data.n_customers, 0.5)

    with pytest.raises(InvalidInputError, match=r"model='<AliveOnly>'.*time_unit"):
        ModelBasedPolicy(AliveOnly())  # type: ignore[arg-type]

    class OutOfRange(RecordingModel):
        def probability_alive(self, data: CustomerSummary, /) -> np.ndarray:
            return np.full(data.n_customers, 1.5)

    policy = ModelBasedPolicy(OutOfRange())
    with pytest.raises(InvalidInputError, match=r"returned 1\.5 for customer 'a'"):
        stage_customers(log_of({"a": [5]}), observation_end=AS_OF, policy=policy)

    class WrongShape(RecordingModel):
        def probability_alive(self, data: CustomerSummary, /) -> np.ndarray:
            return np.zeros(data.n_customers + 1)

    with pytest.raises(InvalidInputError, match=r"shape \(2,\); expected \(1,\)"):
        stage_customers(
            log_of({"a": [5]}), observation_end=AS_OF, policy=ModelBasedPolicy(WrongShape())
        )
    with pytest.raises(InvalidInputError, match=r"model=.*probability_alive"):
        ModelBasedPolicy(object())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"alive_threshold=1\.2"):
        ModelBasedPolicy(RecordingModel(), alive_threshold=1.2)


# ------------------------------------------------------------------------------ migration


def test_hand_checked_migration() -> None:
    # Staged at 2024-10-02 (90 days before AS_OF) and at AS_OF, with POLICY.
    log = log_of(
        {
            # start: age 5 -> new; end: one purchase 95 days ago -> declining
            "a": [95],
            # start: idle 120 - 90 = 30 (one purchase, not new) -> declining;
            # end: idle 120 > 100 -> churned
            "b": [120],
            # start: idle 110 > 100 -> churned; end: bought 10 days ago after a
            # 200-day gap -> reactivated
            "c": [200, 10],
            # start: no order yet -> prospect; end: first order 3 days ago -> new
            "d": [3],
        }
    )
    m = stage_migration(log, start=AS_OF - np.timedelta64(90, "D"), end=AS_OF, policy=POLICY)
    assert m.before.labels().tolist() == ["new", "declining", "churned", "prospect"]
    assert m.after.labels().tolist() == ["declining", "churned", "reactivated", "new"]
    want = np.zeros((7, 7), dtype=np.int64)
    want[Stage.NEW, Stage.DECLINING] = 1
    want[Stage.DECLINING, Stage.CHURNED] = 1
    want[Stage.CHURNED, Stage.REACTIVATED] = 1
    want[Stage.PROSPECT, Stage.NEW] = 1
    np.testing.assert_array_equal(m.counts, want)
    p = m.probabilities
    assert p[Stage.NEW].tolist() == [0, 0, 0, 0, 1.0, 0, 0]
    assert np.isnan(p[Stage.MATURE]).all()  # nobody was mature at the start
    # active at the start: a (new) and b (declining); b churned -> 1 / 2
    assert m.churn_rate == 0.5


def test_migration_of_a_churned_customer_who_returns_is_reactivation() -> None:
    # Churned at the start (idle 150 > 100); any purchase since that lies within 20 days of
    # the end makes them reactivated, whatever the policy's other windows.
    log = log_of({"x": [240, 150, 5]})
    m = stage_migration(log, start=ago(40), end=AS_OF, policy=POLICY)
    assert int(m.counts[Stage.CHURNED, Stage.REACTIVATED]) == 1


def test_counts_over_time_hand_checked() -> None:
    log = log_of({"a": [100], "b": [50], "c": [10]})
    over = stage_counts_over_time(
        log, dates=[ago(80), ago(40), AS_OF], policy=POLICY, prospects=["p"]
    )
    # 80 days ago: a age 20 -> new; b, c no order yet -> prospects (+ p) -> 3 prospects
    # 40 days ago: a age 60 -> declining; b age 10 -> new; c prospect (+ p) -> 2 prospects
    # AS_OF: a idle 100, not > 100 -> declining; b age 50 -> declining; c age 10 -> new; p
    want = [
        [3, 1, 0, 0, 0, 0, 0],
        [2, 1, 0, 0, 1, 0, 0],
        [1, 1, 0, 0, 2, 0, 0],
    ]
    assert over.counts.tolist() == want
    np.testing.assert_allclose(over.shares.sum(axis=1), 1.0)
    assert over.names == STAGE_NAMES
    assert len(over) == 3


def test_counts_over_time_many_dates_match_single_stagings() -> None:
    from ecomstrat.datasets import simulate_transactions

    log = simulate_transactions(400, seed=8).log
    dates = np.arange("2024-02-01", "2025-06-01", 20, dtype="datetime64[D]")  # 25 dates
    over = stage_counts_over_time(log, dates=dates)
    for k in (0, 16, 24):  # across the blocks of 16 dates per kernel call
        single = stage_customers(log, observation_end=dates[k])
        assert over.counts[k].tolist() == list(single.counts.values())


# ------------------------------------------------------------------------------ properties


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[str], list[int], list[float]]:
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.sampled_from("abcdefgh"), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    amounts = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n))
    return ids, days, [a / 100 for a in amounts]


def _log(ids: list[str], days: list[int], amounts: list[float]) -> TransactionLog:
    times = np.datetime64("2023-01-01") + np.array(days).astype("timedelta64[D]")
    return TransactionLog.from_arrays(ids, times, amounts)


@given(case=logs(), offset=st.integers(0, 700), prospects=st.lists(st.sampled_from("ghxyz")))
def test_counts_sum_to_customers(case: tuple[Any, ...], offset: int, prospects: list[str]) -> None:
    log = _log(*case)
    end = log.times.min() + np.timedelta64(offset, "D")
    stages = stage_customers(log, observation_end=end, policy=POLICY, prospects=prospects)
    n = len(set(case[0]) | set(prospects))
    assert stages.n_customers == n
    assert sum(stages.counts.values()) == n
    assert sum(stages.phase_counts.values()) == n


@given(case=logs(), start=st.integers(0, 400), length=st.integers(1, 400))
def test_migration_rows_sum_to_one(case: tuple[Any, ...], start: int, length: int) -> None:
    log = _log(*case)
    first = log.times.min() + np.timedelta64(start, "D")
    m = stage_migration(log, start=first, end=first + np.timedelta64(length, "D"), policy=POLICY)
    assert int(m.counts.sum()) == log.n_customers
    rows = m.counts.sum(axis=1)
    p = m.probabilities
    np.testing.assert_allclose(p[rows > 0].sum(axis=1), 1.0)
    assert np.isnan(p[rows == 0]).all()
    # the row and column margins are the stage counts at each date
    assert m.counts.sum(axis=1).tolist() == list(m.before.counts.values())
    assert m.counts.sum(axis=0).tolist() == list(m.after.counts.values())


@given(case=logs(), offset=st.integers(0, 600), seed=st.integers(0, 2**32 - 1))
def test_permutation_of_log_rows_changes_nothing(
    case: tuple[Any, ...], offset: int, seed: int
) -> None:
    log = _log(*case)
    order = np.random.default_rng(seed).permutation(len(case[0]))
    shuffled = _log(*(list(np.asarray(column)[order]) for column in case))
    end = log.times.min() + np.timedelta64(offset, "D")
    a = stage_customers(log, observation_end=end, policy=POLICY)
    b = stage_customers(shuffled, observation_end=end, policy=POLICY)
    a_order, b_order = np.argsort(a.customer_ids), np.argsort(b.customer_ids)  # log orders differ
    np.testing.assert_array_equal(a.customer_ids[a_order], b.customer_ids[b_order])
    np.testing.assert_array_equal(a.codes[a_order], b.codes[b_order])


# ----------------------------------------------------------------------------- to_pandas


def test_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    log = log_of({"a": [10], "b": [200]})
    stages = stage_customers(log, observation_end=AS_OF, policy=POLICY, prospects=["c"])
    frame = stages.to_pandas()
    assert frame.index.name == "customer_id"
    assert list(frame.columns) == ["stage", "stage_code", "phase"]
    assert frame["stage"].tolist() == ["new", "churned", "prospect"]
    assert frame["phase"].tolist() == ["exploration", "decline", "awareness"]
    assert frame["stage_code"].dtype == np.int8
    m = stage_migration(log, start=ago(30), end=AS_OF, policy=POLICY)
    counts = m.to_pandas()
    assert counts.loc["prospect", "new"] == 1
    assert counts.loc["churned", "churned"] == 1
    probabilities = m.probability_table()
    assert probabilities.names == STAGE_NAMES
    assert probabilities.to_pandas().loc["churned", "churned"] == 1.0
    over = stage_counts_over_time(log_of({"a": [10]}), dates=[ago(5), AS_OF], policy=POLICY)
    assert isinstance(over.to_pandas().index, pd.DatetimeIndex)


# --------------------------------------------------------------------------------- errors


def test_observation_end_before_any_order() -> None:
    log = log_of({"a": [10]})
    with pytest.raises(
        InvalidInputError, match=r"observation_end='2024-12-20.*before the first order"
    ):
        stage_customers(log, observation_end=ago(11), policy=POLICY)
    with pytest.raises(InvalidInputError, match=r"dates\[0\]=.*before the first order"):
        stage_counts_over_time(log, dates=[ago(20), AS_OF], policy=POLICY)
    with pytest.raises(InvalidInputError, match=r"start=.*before the first order"):
        stage_migration(log, start=ago(20), end=AS_OF, policy=POLICY)


def test_date_order_errors() -> None:
    log = log_of({"a": [10]})
    with pytest.raises(InvalidInputError, match=r"start=.*must be before end"):
        stage_migration(log, start=AS_OF, end=ago(5))
    with pytest.raises(InvalidInputError, match=r"dates\[2\]=.*strictly increasing"):
        stage_counts_over_time(log, dates=[ago(5), ago(1), ago(1)])
    with pytest.raises(EmptyInputError, match="dates is empty"):
        stage_counts_over_time(log, dates=[])
    with pytest.raises(InvalidInputError, match=r"dates\[1\]='NaT'"):
        stage_counts_over_time(log, dates=np.array([ago(5), "NaT"], dtype="datetime64[ns]"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"new_window": 30}, "new_window=30 is invalid: must be a Duration"),
        ({"churn_after": Duration(0)}, "churn_after='0 days' is invalid: must be longer than 0"),
        ({"overdue_factor": 0.5}, "overdue_factor=0.5 is invalid: must be a finite number >= 1"),
        (
            {"new_window": Duration(400)},
            "new_window='400 days' is invalid: must not be longer than churn_after=365 days",
        ),
        (
            {"reactivation_window": Duration(2, "year"), "churn_after": Duration(12, "month")},
            "reactivation_window='2 years' is invalid",
        ),
    ],
)
def test_policy_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        RuleBasedPolicy(**kwargs)


def test_duration_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"value=-1.0 is invalid: must be a finite"):
        Duration(-1, "day")
    with pytest.raises(UnknownCodeError, match="'fortnight' is not known"):
        Duration(1, "fortnight")
    with pytest.raises(InvalidInputError, match="value='soon' is invalid: must be a number"):
        Duration("soon", "day")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="overdue_factor='x' is invalid"):
        RuleBasedPolicy(overdue_factor="x")  # type: ignore[arg-type]


def test_input_errors() -> None:
    log = log_of({"a": [10]})
    with pytest.raises(InvalidInputError, match=r"prospects=.*must hold strings"):
        stage_customers(log, observation_end=AS_OF, prospects=[1, 2])
    with pytest.raises(InvalidInputError, match=r"prospects=.*must hold integers"):
        stage_customers(
            TransactionLog.from_arrays([1], [ago(3)], [1.0]), observation_end=AS_OF, prospects=["x"]
        )
    with pytest.raises(InvalidInputError, match=r"policy=.*must be a RuleBasedPolicy"):
        stage_customers(log, observation_end=AS_OF, policy="rules")  # type: ignore[arg-type]
    stages = stage_customers(log, observation_end=AS_OF)
    with pytest.raises(UnknownCodeError, match=r"label='lapsed' is not known.*'prospect'"):
        stages.ids_in("lapsed")
    with pytest.raises(UnknownCodeError, match="label=7 is not known: codes run from 0 to 6"):
        stages.ids_in(7)
    with pytest.raises(InvalidInputError, match="codes="):
        LifecycleStages(np.array(["a"]), np.array([9], dtype=np.int8), AS_OF, POLICY)


def test_with_a_fitted_pareto_nbd_model() -> None:
    # The models team's Pareto/NBD (published CDNOW estimates, in weeks) plugs in as is.
    module = pytest.importorskip("ecomstrat.models.paretonbd")
    pareto = getattr(module, "ParetoNBD", None)
    if pareto is None:
        pytest.skip("ParetoNBD is not available yet")
    model = pareto.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
    from ecomstrat.datasets import simulate_transactions
    from ecomstrat.metrics.summary import rfm_summary

    sim = simulate_transactions(500, seed=3)
    stages = stage_customers(
        sim.log, observation_end=sim.observation_end, policy=ModelBasedPolicy(model)
    )
    summary = rfm_summary(sim.log, observation_end=sim.observation_end, time_unit="week")
    churned = model.probability_alive(summary) < 0.5
    np.testing.assert_array_equal(stages.codes == Stage.CHURNED, churned)
