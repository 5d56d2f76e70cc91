"""NPS and CSAT by value tier, RFM segment and lifecycle stage, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.metrics.engagement import csat, nps, wilson_interval
from ecomstrat.metrics.rfm_segments import RFMScores, rfm_segments
from ecomstrat.metrics.surveys import survey_by_group
from ecomstrat.metrics.value_tiers import value_tiers

# Customers a-f: a, b in the top third by value, c, d in the next third, e, f the rest.
TIERS = value_tiers(
    [100.0, 90.0, 50.0, 40.0, 10.0, 5.0],
    top_shares=(1 / 3, 2 / 3),
    customer_ids=["a", "b", "c", "d", "e", "f"],
    names=["high", "mid", "low"],
)
# answers: a twice, b, c, d, e; f did not answer
IDS = ["a", "a", "b", "c", "d", "e"]
NPS_SCORES = [10, 9, 6, 8, 3, 7]


def test_nps_by_tier_by_hand() -> None:
    r = survey_by_group(IDS, NPS_SCORES, groups=TIERS)
    assert r.group.tolist() == ["high", "mid", "low", "all"]
    assert r.customers.tolist() == [2, 2, 2, 6]
    assert r.respondents.tolist() == [3, 2, 1, 6]  # a counts twice
    # high: 10, 9 promoters, 6 detractor: 100 × (2 − 1) / 3 = 33.3
    # mid: 8 passive, 3 detractor: 100 × (0 − 1) / 2 = −50; low: 7 passive: 0
    # all: 2 promoters, 2 passives, 2 detractors: 0
    assert r.score.tolist() == [pytest.approx(100 / 3), -50.0, 0.0, 0.0]
    assert r.shares["promoter_share"].tolist() == [
        pytest.approx(2 / 3),
        0.0,
        0.0,
        pytest.approx(1 / 3),
    ]
    assert r.shares["passive_share"].tolist() == [0.0, 0.5, 1.0, pytest.approx(1 / 3)]
    assert r.shares["detractor_share"].tolist() == [
        pytest.approx(1 / 3),
        0.5,
        0.0,
        pytest.approx(1 / 3),
    ]
    # intervals: the adjusted Wald of engagement.nps on each group's answers
    high = nps([10, 9, 6])
    # n' = 6, p' = 2.75 / 6, d' = 1.75 / 6: centre 100 × 1 / 6 = 16.7,
    # SE = 100 √((4.5/6 − (1/6)²) / 6) = 34.4
    se = 100 * math.sqrt((4.5 / 6 - (1 / 6) ** 2) / 6)
    assert r.lower[0] == pytest.approx(max(-100, 100 / 6 - 1.959963984540054 * se))
    assert (r.lower[0], r.upper[0]) == (high.low, high.high)
    assert r.row("mid")["upper"] == nps([8, 3]).high
    assert (r.kind, r.label_column, r.confidence) == ("nps", "tier", 0.95)


def test_csat_by_tier_by_hand() -> None:
    scores = [5, 4, 2, 4, 5, 3]  # a: 5, 4; b: 2; c: 4; d: 5; e: 3
    r = survey_by_group(IDS, scores, groups=TIERS, kind="csat")
    # high: 2 of 3 satisfied; mid: 2 of 2; low: 0 of 1; all: 4 of 6
    assert r.score.tolist() == [pytest.approx(2 / 3), 1.0, 0.0, pytest.approx(2 / 3)]
    assert r.shares["satisfied_share"].tolist() == r.score.tolist()
    low, high = wilson_interval(2, n=3)
    assert (r.lower[0], r.upper[0]) == (float(low), float(high))
    assert (r.upper[1], r.lower[2]) == (1.0, 0.0)  # Wilson reaches the bound it holds
    # a 1-7 scale with 6 and 7 satisfied
    seven = survey_by_group(
        IDS, [7, 6, 5, 1, 7, 2], groups=TIERS, kind="csat", scale=(1, 7), satisfied_from=6
    )
    assert seven.score.tolist()[:3] == [pytest.approx(2 / 3), 0.5, 0.0]
    assert (
        seven.row("all")["score"]
        == csat([7, 6, 5, 1, 7, 2], scale=(1, 7), satisfied_from=6).estimate
    )


def test_group_without_answers_is_nan() -> None:
    r = survey_by_group(["a", "c"], [10, 9], groups=TIERS)
    low = r.row("low")
    assert (low["respondents"], low["customers"]) == (0, 2)
    assert all(math.isnan(low[name]) for name in ("score", "lower", "upper"))


def test_unknown_customers_raise_by_default() -> None:
    with pytest.raises(UnknownCodeError, match=r"customer_ids\[1\]='zz'.*1 answer"):
        survey_by_group(["a", "zz"], [10, 3], groups=TIERS)


def test_unknown_customers_in_their_own_row() -> None:
    r = survey_by_group(
        ["a", "zz", "yy", "f"], [10, 3, 9, 0], groups=TIERS, unknown_ids="unmatched"
    )
    assert r.group.tolist() == ["high", "mid", "low", "unmatched", "all"]
    assert r.respondents.tolist() == [1, 0, 1, 2, 4]
    # unmatched: 3 detractor, 9 promoter: 0; all: 10, 9 promoters, 3, 0 detractors: 0
    assert r.row("unmatched")["score"] == 0.0
    assert r.row("unmatched")["customers"] == 0
    assert r.row("low")["score"] == -100.0  # f answered 0


def test_rfm_segments_with_integer_ids() -> None:
    scores = RFMScores.from_scores(
        recency=[5, 5, 1, 2, 3], frequency=[5, 1, 1, 5, 3], monetary=[1, 1, 1, 1, 1]
    )
    segments = rfm_segments(
        scores
    )  # ids 0..4: Champions, New, Lost, Can't lose them, Need attention
    r = survey_by_group(np.array([0, 0, 2, 4]), [10, 9, 2, 8], groups=segments)
    assert r.label_column == "segment"
    assert r.row("Champions")["score"] == 100.0  # 10, 9
    assert r.row("Lost")["score"] == -100.0  # 2
    assert r.row("Need attention")["score"] == 0.0  # 8
    assert r.row("New")["respondents"] == 0
    assert r.row("all")["score"] == 25.0  # 2 promoters, 1 passive, 1 detractor of 4


def test_survey_table_exports() -> None:
    frame = survey_by_group(IDS, NPS_SCORES, groups=TIERS).to_pandas()
    assert list(frame.columns) == [
        "group",
        "customers",
        "respondents",
        "score",
        "lower",
        "upper",
        "promoter_share",
        "passive_share",
        "detractor_share",
    ]
    assert len(frame) == 4


@pytest.mark.parametrize(
    ("ids", "scores", "kwargs", "error", "match"),
    [
        (["a", "b"], [10], {}, InvalidInputError, "equal lengths"),
        (["a"], [11], {}, InvalidInputError, r"scores\[0\]"),
        (["a"], [6], {"kind": "csat"}, InvalidInputError, r"scores\[0\]"),
        (["a"], [4], {"kind": "csat", "satisfied_from": 9}, InvalidInputError, "satisfied_from"),
        (["a"], [4], {"kind": "ces"}, UnknownCodeError, "kind"),
        (["a"], [4], {"unknown_ids": "drop"}, UnknownCodeError, "unknown_ids"),
        ([], [], {}, EmptyInputError, "customer_ids"),
        ([None], [4], {}, InvalidInputError, "customer_ids"),
    ],
)
def test_survey_refuses(
    ids: list[object], scores: list[int], kwargs: dict[str, object], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        survey_by_group(ids, scores, groups=TIERS, **kwargs)  # type: ignore[arg-type]


def test_survey_refuses_groups_of_wrong_type() -> None:
    with pytest.raises(InvalidInputError, match="groups"):
        survey_by_group(["a"], [4], groups={"a": "high"})  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.sampled_from("abcdefxy"), st.integers(0, 10)), min_size=1, max_size=40),
    st.sampled_from(["nps", "csat"]),
)
def test_survey_invariants(answers: list[tuple[str, int]], kind: str) -> None:
    """Respondents add up to the total; scores lie in their interval and range; shares sum to 1."""
    ids = [i for i, _ in answers]
    scores = [s if kind == "nps" else 1 + s % 5 for _, s in answers]
    r = survey_by_group(ids, scores, groups=TIERS, kind=kind, unknown_ids="unmatched")  # type: ignore[arg-type]
    assert r.respondents[:-1].sum() == r.respondents[-1] == len(answers)
    answered = r.respondents > 0
    assert np.all(r.lower[answered] <= r.upper[answered])
    if kind == "csat":  # (the adjusted-Wald NPS interval is centred on the adjusted score,
        # and may leave out an extreme raw score: one answer of 9 has NPS 100, upper 98.5)
        assert np.all(r.lower[answered] <= r.score[answered] + 1e-9)
        assert np.all(r.score[answered] <= r.upper[answered] + 1e-9)
    low, high = (-100.0, 100.0) if kind == "nps" else (0.0, 1.0)
    assert np.all((r.lower[answered] >= low) & (r.upper[answered] <= high))
    total = sum(r.shares.values())
    if kind == "nps":
        assert np.allclose(total[answered], 1.0)
    assert np.all(np.isnan(r.score[~answered]))
