"""Review metrics: hand-worked shrunk ratings, velocity, answered shares and group joins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.reviews import product_qualities, simulate_reviews
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.reviews import Reviews
from ecomstrat.metrics.reviews import (
    negative_answered,
    negative_threshold,
    rating_summary,
    ratings_by_group,
)
from ecomstrat.metrics.value_tiers import value_tiers
from ecomstrat.report.reviews import reviews_overview
from ecomstrat.report.text import render


def _reviews() -> Reviews:
    # Product A: 5, 5, 4 (Jan 1, 11, 21); product B: 1 (Jan 31); product C: 2, 3 (Jan 16, 31).
    return Reviews.from_arrays(
        ["A", "A", "A", "B", "C", "C"],
        [5, 5, 4, 1, 2, 3],
        ["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-31", "2024-01-16", "2024-01-31"],
        customer_ids=["x", "y", "z", "x", "w", "y"],
        answered=[None, None, None, "2024-01-31T12:00", "2024-01-19", None],
    )


def test_rating_summary_hand_worked() -> None:
    s = rating_summary(_reviews(), prior_weight=3)
    # overall mean m = (5 + 5 + 4 + 1 + 2 + 3) / 6 = 20 / 6 = 3.3333
    assert s.prior_mean == pytest.approx(20 / 6)
    assert s.reviews.tolist() == [3, 1, 2]
    # raw means: A 14/3 = 4.6667, B 1, C 5/2 = 2.5
    np.testing.assert_allclose(s.mean_rating, [14 / 3, 1.0, 2.5])
    # shrunk: A (3 * 10/3 + 14) / (3 + 3) = 24 / 6 = 4; B (10 + 1) / 4 = 2.75; C (10 + 5) / 5 = 3
    np.testing.assert_allclose(s.shrunk_rating, [4.0, 2.75, 3.0])
    # negative (<= 2): A 0/3, B 1/1, C 1/2
    np.testing.assert_allclose(s.share_negative, [0.0, 1.0, 0.5])
    # period Jan 1 .. Jan 31 = 30 days: velocity = reviews * 30 / 30 = reviews
    assert s.period_days == 30.0
    np.testing.assert_allclose(s.velocity, [3.0, 1.0, 2.0])
    assert s.star_counts.tolist() == [[0, 0, 0, 1, 2], [1, 0, 0, 0, 0], [0, 1, 1, 0, 0]]
    assert s.distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}
    assert s.ranked().tolist() == [0, 2, 1]  # 4 > 3 > 2.75
    cols = s.columns()
    assert list(cols)[-5:] == ["stars_1", "stars_2", "stars_3", "stars_4", "stars_5"]
    assert cols["stars_5"].tolist() == [2, 0, 0]


def test_rating_summary_prior_choices() -> None:
    # C = 0: shrunk equals raw mean; explicit m = 4, C = 1: B (4 + 1) / 2 = 2.5.
    raw = rating_summary(_reviews(), prior_weight=0)
    np.testing.assert_allclose(raw.shrunk_rating, raw.mean_rating)
    s = rating_summary(_reviews(), prior_weight=1, prior_mean=4)
    assert s.shrunk_rating[1] == pytest.approx(2.5)
    # negative_at_most=3: C has 2 of 2 negative
    assert rating_summary(_reviews(), negative_at_most=3).share_negative[2] == 1.0


def test_velocity_period_is_at_least_a_day() -> None:
    one_day = Reviews.from_arrays(["a", "a"], [4, 4], ["2024-01-01T10:00", "2024-01-01T11:00"])
    s = rating_summary(one_day)
    assert s.period_days == 1.0
    assert s.velocity.tolist() == [60.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prior_weight": -1}, "prior_weight"),
        ({"prior_weight": float("nan")}, "prior_weight"),
        ({"prior_mean": 6}, "prior_mean"),
        ({"negative_at_most": 5}, "negative_at_most"),
        ({"negative_at_most": 1.5}, "negative_at_most"),
    ],
)
def test_rating_summary_bad_arguments(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        rating_summary(_reviews(), **kwargs)  # type: ignore[arg-type]


def test_bad_reviews_argument() -> None:
    with pytest.raises(InvalidInputError, match="Reviews frame"):
        rating_summary([5, 4])  # type: ignore[arg-type]


def test_negative_threshold_default_is_lowest_plus_one() -> None:
    assert negative_threshold((1, 5)) == 2
    assert negative_threshold((0, 10)) == 1


def test_negative_answered_hand_worked() -> None:
    r = negative_answered(_reviews(), target_hours=48)
    # negatives: B (1 star, answered 12 h later), C's 2 (answered Jan 16 -> Jan 19 = 72 h)
    assert (r.negative, r.answered, r.answered_in_time) == (2, 2, 1)
    assert r.share.estimate == 0.5
    assert r.median_hours == pytest.approx(42.0)  # (12 + 72) / 2
    # Wilson 95% for 1 of 2: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
    # = (0.5 + 0.9604 ± 1.96 * sqrt(0.125 + 0.2401)) / 2.9208 -> 0.0945 .. 0.9055
    assert r.share.low == pytest.approx(0.0945, abs=1e-4)
    assert r.share.high == pytest.approx(0.9055, abs=1e-4)
    later = negative_answered(_reviews(), target_hours=72)  # exactly at the target counts
    assert later.answered_in_time == 2
    assert negative_answered(_reviews()).columns()["share"].tolist() == [0.5]


def test_negative_answered_without_answers_or_negatives() -> None:
    plain = Reviews.from_arrays(["a", "b"], [1, 5], ["2024-01-01", "2024-01-02"])
    r = negative_answered(plain)
    assert (r.negative, r.answered_in_time, r.share.estimate) == (1, 0, 0.0)
    assert np.isnan(r.median_hours)
    happy = Reviews.from_arrays(["a"], [5], ["2024-01-01"])
    r = negative_answered(happy)
    assert r.negative == 0
    assert np.isnan(r.share.estimate)
    assert np.isnan(r.share.low)
    with pytest.raises(InvalidInputError, match="target_hours"):
        negative_answered(plain, target_hours=0)


def _tiers() -> object:
    # spend x 90, y 50, z 10, w 5: top 50% = x, y; rest = z, w
    return value_tiers(
        [90.0, 50.0, 10.0, 5.0], top_shares=(0.5,), customer_ids=["x", "y", "z", "w"]
    )


def test_ratings_by_group_hand_worked() -> None:
    r = ratings_by_group(_reviews(), groups=_tiers())  # type: ignore[arg-type]
    # top 50% (x, y): 5, 1, 5, 3 -> mean 14 / 4 = 3.5, negative 1 / 4
    # rest (z, w): 4, 2 -> mean 3, negative 1 / 2; all: 20 / 6, 2 / 6
    assert r.group.tolist() == ["top 50%", "rest", "all"]
    np.testing.assert_allclose(r.mean_rating, [3.5, 3.0, 20 / 6])
    np.testing.assert_allclose(r.share_negative, [0.25, 0.5, 2 / 6])
    assert r.reviews.tolist() == [4, 2, 6]
    assert r.reviewers.tolist() == [2, 2, 4]
    assert r.customers.tolist() == [2, 2, 4]
    assert r.row("rest")["mean_rating"] == 3.0
    assert ((r.lower <= r.share_negative) & (r.share_negative <= r.upper)).all()


def test_ratings_by_group_unknown_and_missing_ids() -> None:
    tiers = value_tiers([90.0, 50.0], top_shares=(0.5,), customer_ids=["x", "y"])
    with pytest.raises(UnknownCodeError, match="customer_ids"):
        ratings_by_group(_reviews(), groups=tiers)
    r = ratings_by_group(_reviews(), groups=tiers, unknown_ids="unmatched")
    # z (4) and w (2) are unmatched: mean 3, one negative of two
    assert r.group.tolist() == ["top 50%", "rest", "unmatched", "all"]
    assert r.row("unmatched")["reviews"] == 2
    assert r.row("unmatched")["mean_rating"] == 3.0
    anonymous = Reviews.from_arrays(["a"], [5], ["2024-01-01"])
    with pytest.raises(InvalidInputError, match="no customer ids"):
        ratings_by_group(anonymous, groups=tiers)
    with pytest.raises(InvalidInputError, match="labelled assignment"):
        ratings_by_group(_reviews(), groups="tiers")  # type: ignore[arg-type]


def test_groups_without_reviews_get_nan() -> None:
    tiers = value_tiers([90.0, 50.0, 10.0, 5.0, 1.0], top_shares=(0.2,),
                        customer_ids=["v", "x", "y", "z", "w"])  # fmt: skip
    reviews = Reviews.from_arrays(["a"], [5], ["2024-01-01"], customer_ids=["w"])
    r = ratings_by_group(reviews, groups=tiers)
    assert r.reviews[0] == 0
    assert np.isnan(r.mean_rating[0])
    assert np.isnan(r.lower[0])


ratings_lists = st.lists(st.integers(1, 5), min_size=1, max_size=40)


@given(
    ratings=ratings_lists,
    products=st.lists(st.integers(0, 4), min_size=40, max_size=40),
    weight=st.floats(0, 50),
    prior=st.one_of(st.none(), st.floats(1, 5)),
)
def test_shrunk_between_prior_and_raw_mean(
    ratings: list[int], products: list[int], weight: float, prior: float | None
) -> None:
    n = len(ratings)
    reviews = Reviews.from_arrays(products[:n], ratings, ["2024-01-01"] * n)
    s = rating_summary(reviews, prior_weight=weight, prior_mean=prior)
    low = np.minimum(s.prior_mean, s.mean_rating) - 1e-9
    high = np.maximum(s.prior_mean, s.mean_rating) + 1e-9
    assert ((low <= s.shrunk_rating) & (s.shrunk_rating <= high)).all()
    assert ((s.share_negative >= 0) & (s.share_negative <= 1)).all()
    assert s.reviews.sum() == n == s.star_counts.sum()
    assert 1 <= s.prior_mean <= 5


@given(
    ratings=ratings_lists,
    delays=st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=40, max_size=40),
    target=st.floats(0.5, 100),
)
def test_answered_share_in_unit_interval(
    ratings: list[int], delays: list[int | None], target: float
) -> None:
    n = len(ratings)
    base = np.datetime64("2024-01-01T00:00", "ns")
    answered = [None if d is None else base + np.timedelta64(d, "h") for d in delays[:n]]
    reviews = Reviews.from_arrays(["p"] * n, ratings, [base] * n, answered=answered)
    r = negative_answered(reviews, target_hours=target)
    assert 0 <= r.answered_in_time <= r.answered <= r.negative
    if r.negative:
        assert 0 <= r.share.low <= r.share.estimate <= r.share.high <= 1


def test_simulated_reviews_are_deterministic_and_track_quality() -> None:
    sim = simulate_transactions(1500, seed=3)
    a = simulate_reviews(sim, n_products=8, seed=5)
    b = simulate_reviews(sim, n_products=8, seed=5)
    assert a.ratings.tolist() == b.ratings.tolist()
    np.testing.assert_array_equal(a.times, b.times)
    assert a.customer_ids is not None
    assert a.answered is not None
    assert (a.answered[a.is_answered] >= a.times[a.is_answered]).all()
    s = rating_summary(a, prior_weight=0)
    quality = product_qualities(8, seed=5)[s.product_id.astype(int)]
    # raw means follow latent quality (noise sd 1, clipped)
    assert np.corrcoef(quality, s.mean_rating)[0, 1] > 0.8
    with pytest.raises(InvalidInputError, match="simulation"):
        simulate_reviews("sim")  # type: ignore[arg-type]


def test_report_part_renders() -> None:
    part = reviews_overview(_reviews(), prior_weight=3, groups=_tiers(), n_top=2)  # type: ignore[arg-type]
    d = part.to_dict()
    assert d["top"]["product_id"] == ["A", "C"]
    assert d["bottom"]["product_id"] == ["B", "C"]
    assert d["distribution"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 2}
    assert d["velocity_per_30_days"] == pytest.approx(6.0)  # 6 reviews over 30 days
    assert d["negative_answered"]["answered_in_time"] == 1
    text = render(part.sections())
    assert "Ratings by tier" in text
    assert "Negative reviews answered" in text
