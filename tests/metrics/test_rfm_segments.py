"""RFM quintile scores and named segments: hand-checked cases, properties, errors."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.rfm_segments import (
    DEFAULT_SEGMENT_RULES,
    RFMScores,
    SegmentRule,
    quintile_scores,
    rfm_scores,
    rfm_segments,
    segment_lookup,
)
from ecomstrat.metrics.summary import rfm_summary


def test_quintile_scores_hand_checked() -> None:
    values = np.array([10.0, 20.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    # n = 7; below = values strictly smaller = [0, 1, 1, 3, 4, 5, 6];
    # score = 1 + 5 * below // 7 = 1+0, 1+0, 1+0, 1+15//7=3, 1+20//7=3, 1+25//7=4, 1+30//7=5
    assert quintile_scores(values).tolist() == [1, 1, 1, 3, 3, 4, 5]
    # low is best: below = values strictly larger = [6, 4, 4, 3, 2, 1, 0]
    # -> 1+30//7=5, 1+20//7=3, 3, 1+15//7=3, 1+10//7=2, 1+5//7=1, 1
    assert quintile_scores(values, high_is_best=False).tolist() == [5, 3, 3, 3, 2, 1, 1]
    # all equal: every customer ties at the lowest score
    assert quintile_scores(np.full(4, 3.0)).tolist() == [1, 1, 1, 1]
    # ten distinct values: two per quintile
    assert quintile_scores(np.arange(10.0)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # sums that differ by rounding only still tie
    assert quintile_scores(np.array([0.1 + 0.2, 0.3, 0.0])).tolist() == [2, 2, 1]


LOG = TransactionLog.from_arrays(
    ["a", "a", "a", "b", "c", "c", "d", "e", "a"],
    [
        "2024-06-01",
        "2024-06-10",
        "2024-06-25",
        "2024-06-28",
        "2024-01-05",
        "2024-02-01",
        "2023-11-01",
        "2024-03-15",
        "2024-07-15",  # after the as-of date: ignored
    ],
    [50.0, 60.0, 40.0, 25.0, 80.0, 90.0, 15.0, 30.0, 999.0],
)


def test_rfm_scores_from_a_log_hand_checked() -> None:
    s = rfm_scores(LOG, observation_end="2024-06-30")
    assert s.since_last is not None
    assert s.purchases is not None
    assert s.spend is not None
    # days since the last purchase: a 5 (06-25), b 2, c 150 (02-01: 29 + 121), d 242, e 107
    assert s.since_last.tolist() == [5.0, 2.0, 150.0, 242.0, 107.0]
    # recency: customers strictly less recent: a 3, b 4, c 1, d 0, e 2
    # -> 1 + 5*3//5 = 4, 5, 2, 1, 3
    assert s.recency.tolist() == [4, 5, 2, 1, 3]
    # purchases 3, 1, 2, 1, 1; strictly fewer: a 4 -> 5, c 3 -> 4, others 0 -> 1
    assert s.purchases.tolist() == [3, 1, 2, 1, 1]
    assert s.frequency.tolist() == [5, 1, 4, 1, 1]
    # total spend 150, 25, 170, 15, 30; strictly less: 3, 1, 4, 0, 2 -> 4, 2, 5, 1, 3
    assert s.spend.tolist() == [150.0, 25.0, 170.0, 15.0, 30.0]
    assert s.monetary.tolist() == [4, 2, 5, 1, 3]
    assert s.cells.tolist() == [454, 512, 245, 111, 313]
    # mean spend per purchase: 50, 25, 85, 15, 30 -> strictly less: 3, 1, 4, 0, 2
    mean = rfm_scores(LOG, observation_end="2024-06-30", monetary="mean")
    assert mean.monetary.tolist() == [4, 2, 5, 1, 3]


def test_rfm_scores_from_a_summary() -> None:
    summary = rfm_summary(LOG, observation_end="2024-06-30", time_unit="week")
    s = rfm_scores(summary)
    assert s.since_last is not None
    assert s.time_unit.value == "week"
    np.testing.assert_allclose(s.since_last, np.array([5, 2, 150, 242, 107]) / 7)
    assert s.recency.tolist() == [4, 5, 2, 1, 3]


def test_rfm_scores_leave_out_customers_not_yet_acquired() -> None:
    s = rfm_scores(LOG, observation_end="2024-03-31")
    # b (06-28) and a (06-01) have not bought yet; c, d, e remain
    assert s.customer_ids.tolist() == ["c", "d", "e"]
    assert rfm_scores(LOG).customer_ids.tolist() == ["a", "b", "c", "d", "e"]


def test_default_rules_are_the_rf_grid() -> None:
    # The RF grid (R = recency score, F = frequency score), with Lost = R1 F1.
    grid = {
        "Champions": {(5, 4), (5, 5)},
        "Loyal": {(3, 4), (3, 5), (4, 4), (4, 5)},
        "Potential loyalists": {(4, 2), (4, 3), (5, 2), (5, 3)},
        "New": {(5, 1)},
        "Promising": {(4, 1)},
        "Need attention": {(3, 3)},
        "About to sleep": {(3, 1), (3, 2)},
        "At risk": {(1, 3), (1, 4), (2, 3), (2, 4)},
        "Can't lose them": {(1, 5), (2, 5)},
        "Lost": {(1, 1)},
        "Hibernating": {(1, 2), (2, 1), (2, 2)},
    }
    lookup, names = segment_lookup(DEFAULT_SEGMENT_RULES)
    assert "Other" not in names  # the 11 rules cover all 125 cells
    assert len(names) == 11
    for r, f, m in itertools.product(range(1, 6), repeat=3):
        name = names[lookup[r - 1, f - 1, m - 1]]
        assert (r, f) in grid[name], (r, f, m, name)


def test_segments_counts_and_shares() -> None:
    scores = RFMScores.from_scores(
        recency=[5, 5, 1, 2, 3, 4],
        frequency=[5, 1, 1, 5, 3, 1],
        monetary=[1, 1, 1, 5, 3, 2],
        customer_ids=list("uvwxyz"),
    )
    seg = rfm_segments(scores)
    assert seg.labels().tolist() == [
        "Champions",
        "New",
        "Lost",
        "Can't lose them",
        "Need attention",
        "Promising",
    ]
    assert seg.counts["Champions"] == 1
    assert seg.counts["Loyal"] == 0
    assert seg.shares["New"] == pytest.approx(1 / 6)
    assert seg.ids_in("Lost").tolist() == ["w"]
    assert seg.codes.dtype == np.int8
    assert seg.ids_in(seg.names.index("New")).tolist() == ["v"]
    assert repr(seg).startswith("RFMSegments(6 customers: Champions=1, New=1, Promising=1,")


def test_custom_rules_first_match_and_other() -> None:
    scores = RFMScores.from_scores(recency=[5, 4, 1], frequency=[5, 5, 1], monetary=[5, 2, 1])
    rules = [
        SegmentRule("Big spenders", recency=(1, 5), frequency=(1, 5), monetary=(5, 5)),
        SegmentRule("Frequent", recency=(3, 5), frequency=(4, 5)),
    ]
    seg = rfm_segments(scores, rules=rules)
    # customer 0 matches both: the first rule wins; customer 2 matches none -> Other
    assert seg.labels().tolist() == ["Big spenders", "Frequent", "Other"]
    assert seg.names == ("Big spenders", "Frequent", "Other")


def test_to_pandas() -> None:
    pytest.importorskip("pandas")
    frame = rfm_segments(rfm_scores(LOG, observation_end="2024-06-30")).to_pandas()
    assert frame.loc["d", "segment"] == "Lost"
    assert frame.loc["a", "rfm"] == 454
    assert list(frame.columns) == [
        "segment",
        "segment_code",
        "since_last",
        "purchases",
        "spend",
        "r",
        "f",
        "m",
        "rfm",
    ]


# ------------------------------------------------------------------------------ properties


@given(values=st.lists(st.integers(0, 50), min_size=1, max_size=60))
def test_scores_within_scale_and_monotone(values: list[int]) -> None:
    v = np.array(values, dtype=float)
    for high_is_best in (True, False):
        scores = quintile_scores(v, high_is_best=high_is_best)
        assert scores.min() >= 1
        assert scores.max() <= 5
        order = np.argsort(v if high_is_best else -v, kind="stable")
        assert (np.diff(scores[order]) >= 0).all()  # better value, never a lower score
        # equal values, equal scores
        for value in set(values):
            assert len(set(scores[v == value].tolist())) == 1


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[str], list[int], list[float]]:
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.sampled_from("abcdefghij"), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    cents = draw(st.lists(st.integers(1, 5_000), min_size=n, max_size=n))
    return ids, days, [c / 100 for c in cents]


def _log(ids: list[str], days: list[int], amounts: list[float]) -> TransactionLog:
    times = np.datetime64("2024-01-01") + np.array(days).astype("timedelta64[D]")
    return TransactionLog.from_arrays(ids, times, amounts)


@given(case=logs(), seed=st.integers(0, 2**32 - 1))
def test_permutation_invariance_and_segment_totals(case: tuple[Any, ...], seed: int) -> None:
    order = np.random.default_rng(seed).permutation(len(case[0]))
    a_log = _log(*case)
    b_log = _log(*(list(np.asarray(column)[order]) for column in case))
    a, b = rfm_scores(a_log), rfm_scores(b_log)
    a_order, b_order = np.argsort(a_log.customer_ids), np.argsort(b_log.customer_ids)
    for name in ("recency", "frequency", "monetary"):  # customers by first appearance: align
        np.testing.assert_array_equal(getattr(a, name)[a_order], getattr(b, name)[b_order])
        assert getattr(a, name).min() >= 1
        assert getattr(a, name).max() <= 5
    seg = rfm_segments(a)
    assert sum(seg.counts.values()) == a.n_customers
    assert sum(seg.shares.values()) == pytest.approx(1.0)


# --------------------------------------------------------------------------------- errors


def test_score_errors() -> None:
    with pytest.raises(
        InvalidInputError, match=r"recency\[1\]=6 \(customer 1\).*outside the scale"
    ):
        RFMScores.from_scores(recency=[5, 6], frequency=[1, 1], monetary=[1, 1])
    with pytest.raises(InvalidInputError, match=r"frequency\[0\]=0 \(customer 'x'\)"):
        RFMScores.from_scores(recency=[1], frequency=[0], monetary=[1], customer_ids=["x"])
    with pytest.raises(InvalidInputError, match=r"monetary\[0\]=2.5"):
        RFMScores.from_scores(recency=[1], frequency=[1], monetary=[2.5])  # type: ignore[list-item]
    with pytest.raises(EmptyInputError, match="scores are empty"):
        RFMScores.from_scores(recency=[], frequency=[], monetary=[])
    with pytest.raises(InvalidInputError, match="arrays must have equal lengths"):
        RFMScores.from_scores(recency=[1, 2], frequency=[1], monetary=[1])


def test_rule_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"'X'.recency=\(4, 2\) is invalid"):
        SegmentRule("X", recency=(4, 2), frequency=(1, 5))
    with pytest.raises(InvalidInputError, match=r"'X'.frequency=\(0, 3\) is invalid"):
        SegmentRule("X", recency=(1, 5), frequency=(0, 3))
    with pytest.raises(InvalidInputError, match=r"'X'.monetary=5 is invalid"):
        SegmentRule("X", recency=(1, 5), frequency=(1, 5), monetary=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="name='Other' is invalid: is reserved"):
        SegmentRule("Other", recency=(1, 5), frequency=(1, 5))
    scores = RFMScores.from_scores(recency=[1], frequency=[1], monetary=[1])
    rule = SegmentRule("A", recency=(1, 5), frequency=(1, 5))
    with pytest.raises(InvalidInputError, match="rules='A' is invalid: is the name of more"):
        rfm_segments(scores, rules=[rule, rule])
    with pytest.raises(EmptyInputError, match="rules is empty"):
        rfm_segments(scores, rules=[])
    with pytest.raises(InvalidInputError, match=r"scores=.*must be an RFMScores"):
        rfm_segments(LOG)  # type: ignore[arg-type]
    with pytest.raises(UnknownCodeError, match=r"'Chamions' is not known.*'Champions'"):
        rfm_segments(scores).ids_in("Chamions")


def test_input_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"observation_end=.*before the first order"):
        rfm_scores(LOG, observation_end="2023-10-31")
    summary = rfm_summary(LOG)
    with pytest.raises(
        InvalidInputError, match=r"observation_end=.*must be None for a CustomerSummary"
    ):
        rfm_scores(summary, observation_end="2024-06-30")
    bare = CustomerSummary.from_arrays([1, 0], [3.0, 0.0], [5.0, 4.0])
    with pytest.raises(InvalidInputError, match="needs total_value"):
        rfm_scores(bare)
    with pytest.raises(UnknownCodeError, match="monetary='median' is not known"):
        rfm_scores(LOG, monetary="median")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"data=.*must be a TransactionLog"):
        rfm_scores([1, 2, 3])  # type: ignore[arg-type]
