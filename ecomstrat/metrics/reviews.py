"""Ratings and reviews: shrunk averages, distribution, velocity, answers, ratings by group.

Shrunk (Bayesian) average ratings, the rating distribution, review velocity, negative
reviews answered in time, and ratings by lifecycle stage or value tier.

All take a :class:`~ecomstrat.frames.reviews.Reviews` frame. See :doc:`/reviews`.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import (
    check_choice,
    check_finite,
    check_non_negative,
    check_positive,
    invalid,
    shown,
)
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._labels import LabelledAssignment
from ecomstrat.frames.reviews import Reviews
from ecomstrat.metrics._groups import check_groups, row_group_codes
from ecomstrat.metrics.engagement import Proportion, wilson_interval

__all__ = [
    "NegativeAnswered",
    "RatingSummary",
    "RatingsByGroup",
    "negative_answered",
    "negative_threshold",
    "rating_summary",
    "ratings_by_group",
]

#: Days of the window in which review velocity is expressed.
VELOCITY_DAYS = 30
_NS_PER_DAY = 86_400 * 10**9
_NS_PER_HOUR = 3_600 * 10**9

UnknownIds = Literal["raise", "unmatched"]


def _check_reviews(reviews: object) -> Reviews:
    if not isinstance(reviews, Reviews):
        raise invalid("reviews", shown(reviews), "must be a Reviews frame",
                      "Build one with Reviews.from_arrays or ecomstrat.io.reviews.")  # fmt: skip
    return reviews


def negative_threshold(scale: tuple[int, int], negative_at_most: int | None = None) -> int:
    """The highest star counted as negative: ``negative_at_most``, or ``lowest + 1`` by default.

    On the usual 1–5 scale the default is 2 (one and two stars are negative).

    Examples
    --------
    >>> negative_threshold((1, 5)), negative_threshold((0, 10), 4)
    (2, 4)
    """
    low, high = scale
    if negative_at_most is None:
        return low + 1
    whole = isinstance(negative_at_most, int | np.integer) and not isinstance(
        negative_at_most, bool
    )
    if not whole or not low <= negative_at_most < high:
        raise invalid("negative_at_most", shown(negative_at_most),
                      f"must be a whole number from {low} to {high - 1}",
                      "E.g. 2 on a 1-5 scale.")  # fmt: skip
    return int(negative_at_most)


@attrs.frozen(eq=False)
class RatingSummary(Tabular):
    """Per-product ratings (see :func:`rating_summary`).

    One row per product, in order of first appearance.

    Attributes
    ----------
    product_id : ndarray
        Product ids.
    reviews : ndarray of int64
        Reviews of each product, ``n``.
    mean_rating : ndarray of float64
        Raw average stars.
    shrunk_rating : ndarray of float64
        Bayesian average ``(prior_weight * prior_mean + sum of stars) / (prior_weight + n)``.
    share_negative : ndarray of float64
        Share of reviews with stars ``<= negative_at_most``.
    velocity : ndarray of float64
        Reviews per 30 days over the period (``reviews * 30 / period_days``).
    star_counts : ndarray of int64, shape (products, stars)
        Reviews with each star, lowest first (columns ``stars_1`` ... in :meth:`columns`).
    prior_mean, prior_weight : float
        The prior: ``prior_weight`` pseudo-reviews at ``prior_mean`` stars.
    negative_at_most : int
        The highest negative star.
    period_days : float
        Length of the period the velocity is measured over.
    scale : (int, int)
        The rating scale.
    """

    product_id: AnyArray
    reviews: IntArray
    mean_rating: FloatArray
    shrunk_rating: FloatArray
    share_negative: FloatArray
    velocity: FloatArray
    star_counts: IntArray
    prior_mean: float
    prior_weight: float
    negative_at_most: int
    period_days: float
    scale: tuple[int, int]

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.product_id.size)

    @property
    def stars(self) -> IntArray:
        """The stars of the scale, lowest first (the columns of :attr:`star_counts`)."""
        return np.arange(self.scale[0], self.scale[1] + 1, dtype=np.int64)

    @property
    def distribution(self) -> dict[int, int]:
        """Reviews per star over all products, lowest star first."""
        totals = self.star_counts.sum(axis=0)
        return {int(s): int(c) for s, c in zip(self.stars, totals, strict=True)}

    def ranked(self, *, descending: bool = True) -> IntArray:
        """Row positions ordered by shrunk rating (ties: more reviews first, then row order)."""
        key = -self.shrunk_rating if descending else self.shrunk_rating
        order: IntArray = np.lexsort((np.arange(len(self)), -self.reviews, key))
        return order

    def columns(self) -> dict[str, AnyArray]:
        """Product id, counts, ratings, share negative, velocity, then ``stars_<k>`` per star."""
        out: dict[str, AnyArray] = {
            "product_id": self.product_id,
            "reviews": self.reviews,
            "mean_rating": self.mean_rating,
            "shrunk_rating": self.shrunk_rating,
            "share_negative": self.share_negative,
            "velocity": self.velocity,
        }
        for k, star in enumerate(self.stars.tolist()):
            out[f"stars_{star}"] = self.star_counts[:, k]
        return out


def rating_summary(
    reviews: Reviews,
    *,
    prior_weight: float = 5.0,
    prior_mean: float | None = None,
    negative_at_most: int | None = None,
) -> RatingSummary:
    """Average and Bayesian-shrunk rating, distribution, share negative and velocity per product.

    Parameters
    ----------
    reviews : Reviews
        The reviews.
    prior_weight : float, default 5.0
        ``C``: how many pseudo-reviews at ``prior_mean`` each product starts with (>= 0; 0
        gives the raw mean). A product with ``n`` reviews is pulled towards the prior with
        weight ``C / (C + n)``: with the default, a product with 5 reviews sits halfway.
    prior_mean : float, optional
        ``m``: the prior rating, on the scale. Default: the mean of all reviews (every review
        weighs the same).
    negative_at_most : int, optional
        Highest negative star; default ``lowest + 1`` (2 on a 1–5 scale).

    Returns
    -------
    RatingSummary

    Notes
    -----
    Shrunk rating (the "Bayesian average"; the formula IMDb publishes for its Top 250,
    ``WR = (v R + m C) / (v + m)``): ``(C m + sum of stars) / (C + n)``. It is the posterior
    mean of a product's rating under a normal prior centred on ``m`` whose weight equals
    ``C`` reviews, so it always lies between ``m`` and the raw mean (Gelman et al. 2013,
    *Bayesian Data Analysis*, 3rd ed., ch. 2 and 5, on shrinkage of group means). Ranking by
    it keeps a product with one five-star review from topping one with hundreds of 4.8s.

    Velocity: reviews per 30 days, ``n * 30 / D``, where ``D`` is the period from the
    first to the last review of the whole frame, in days (at least 1 day).

    Examples
    --------
    >>> reviews = Reviews.from_arrays(
    ...     ["A", "A", "A", "B"], [5, 4, 3, 1],
    ...     ["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-31"],
    ... )
    >>> s = rating_summary(reviews, prior_weight=2)
    >>> s.prior_mean  # (5 + 4 + 3 + 1) / 4
    3.25
    >>> s.mean_rating.tolist(), s.shrunk_rating.tolist()  # A: (2*3.25 + 12) / 5; B: (6.5 + 1) / 3
    ([4.0, 1.0], [3.7, 2.5])
    >>> s.velocity.tolist(), s.share_negative.tolist()  # 30 days: A 3, B 1 review
    ([3.0, 1.0], [0.0, 1.0])
    >>> s.distribution
    {1: 1, 2: 0, 3: 1, 4: 1, 5: 1}
    """
    reviews = _check_reviews(reviews)
    weight = check_non_negative("prior_weight", check_finite("prior_weight", prior_weight))
    low, high = reviews.scale
    if prior_mean is None:
        mean = float(reviews.ratings.mean())
    else:
        mean = check_finite("prior_mean", prior_mean)
        if not low <= mean <= high:
            raise invalid("prior_mean", mean, f"must lie on the scale, from {low} to {high}")
    threshold = negative_threshold(reviews.scale, negative_at_most)
    m = reviews.n_products
    index = reviews.product_index
    stars = reviews.ratings
    n = np.bincount(index, minlength=m).astype(np.int64)
    total = np.bincount(index, weights=stars.astype(np.float64), minlength=m)
    negative = np.bincount(index, weights=(stars <= threshold).astype(np.float64), minlength=m)
    width = high - low + 1
    star_counts = np.bincount(index * width + (stars - low), minlength=m * width)
    span_ns = int(reviews.times.max().astype(np.int64) - reviews.times.min().astype(np.int64))
    days = max(span_ns / _NS_PER_DAY, 1.0)
    return RatingSummary(
        product_id=reviews.product_ids,
        reviews=n,
        mean_rating=total / n,
        shrunk_rating=(weight * mean + total) / (weight + n),
        share_negative=negative / n,
        velocity=n * VELOCITY_DAYS / days,
        star_counts=star_counts.reshape(m, width).astype(np.int64),
        prior_mean=mean,
        prior_weight=weight,
        negative_at_most=threshold,
        period_days=days,
        scale=(low, high),
    )


@attrs.frozen(eq=False)
class NegativeAnswered(Tabular):
    """Negative reviews answered within the target time (see :func:`negative_answered`).

    Attributes
    ----------
    negative : int
        Negative reviews.
    answered : int
        Of them, answered at all.
    answered_in_time : int
        Of them, answered within ``target_hours`` of the review.
    share : Proportion
        ``answered_in_time / negative`` with its Wilson interval (NaN without negative reviews).
    median_hours : float
        Median hours from review to answer, over answered negative reviews (NaN if none).
    target_hours : float
        The target.
    negative_at_most : int
        The highest negative star.
    """

    negative: int
    answered: int
    answered_in_time: int
    share: Proportion
    median_hours: float
    target_hours: float
    negative_at_most: int

    def columns(self) -> dict[str, AnyArray]:
        """One row: counts, share, its interval, median hours and the target."""
        return {
            "negative": np.array([self.negative]),
            "answered": np.array([self.answered]),
            "answered_in_time": np.array([self.answered_in_time]),
            "share": np.array([self.share.estimate]),
            "lower": np.array([self.share.low]),
            "upper": np.array([self.share.high]),
            "median_hours": np.array([self.median_hours]),
            "target_hours": np.array([self.target_hours]),
        }


def negative_answered(
    reviews: Reviews,
    *,
    target_hours: float = 48.0,
    negative_at_most: int | None = None,
    confidence: float = 0.95,
) -> NegativeAnswered:
    """Share of negative reviews the merchant answered within ``target_hours``, with interval.

    Parameters
    ----------
    reviews : Reviews
        Reviews with ``answered`` times (without them no review counts as answered).
    target_hours : float, default 48
        The target response time (> 0); an answer exactly at the target is in time.
    negative_at_most : int, optional
        Highest negative star; default ``lowest + 1`` (2 on a 1–5 scale).
    confidence : float, default 0.95
        Level of the Wilson interval.

    Returns
    -------
    NegativeAnswered

    Notes
    -----
    A proportion of negative reviews, so its interval is the Wilson score interval (Wilson
    1927, *JASA* 22(158)), as for every share in :mod:`ecomstrat.metrics.engagement`.

    Examples
    --------
    >>> reviews = Reviews.from_arrays(
    ...     ["A", "A", "B", "B", "B"], [1, 2, 2, 5, 1],
    ...     ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"],
    ...     answered=["2024-01-02", "2024-01-05", None, "2024-01-02", "2024-01-04"],
    ... )
    >>> r = negative_answered(reviews)  # negatives: 4; in 48 h: the 24 h ones (2); 96 h late
    >>> r.negative, r.answered, r.answered_in_time, r.share.estimate, r.median_hours
    (4, 3, 2, 0.5, 24.0)
    """
    reviews = _check_reviews(reviews)
    target = check_positive("target_hours", check_finite("target_hours", target_hours))
    threshold = negative_threshold(reviews.scale, negative_at_most)
    negative = reviews.ratings <= threshold
    n = int(negative.sum())
    answered = negative & reviews.is_answered
    hours = np.full(reviews.n_reviews, np.nan)
    if reviews.answered is not None:
        delay = reviews.answered[answered].astype(np.int64) - reviews.times[answered].astype(
            np.int64
        )
        hours[answered] = delay / _NS_PER_HOUR
    in_time = answered & (hours <= target)
    k = int(in_time.sum())
    low, high = wilson_interval(k, n=n, confidence=confidence)
    share = Proportion(k / n if n else np.nan, k, n, float(low), float(high), float(confidence))
    median = float(np.median(hours[answered])) if answered.any() else np.nan
    return NegativeAnswered(n, int(answered.sum()), k, share, median, target, threshold)


#: Name of the extra row holding the reviews of customers absent from the grouping.
UNMATCHED = "unmatched"
#: Name of the last row, over all the reviews.
ALL = "all"


@attrs.frozen(eq=False)
class RatingsByGroup(Tabular):
    """Mean rating and share negative per group (see :func:`ratings_by_group`).

    One row per group in code order (groups without reviews included, with NaN), then
    ``"unmatched"`` (only with ``unknown_ids="unmatched"``), then ``"all"``.

    Attributes
    ----------
    group : ndarray of str
        Group label.
    customers : ndarray of int64
        Customers in the group (0 for ``"unmatched"``; all grouped customers for ``"all"``).
    reviewers : ndarray of int64
        Distinct customers of the group who wrote a review.
    reviews : ndarray of int64
        Reviews written by the group's customers.
    mean_rating, share_negative, lower, upper : ndarray of float64
        Average stars, share of negative reviews and its Wilson interval (NaN without reviews).
    label_column : str
        What the groups are (``"stage"``, ``"segment"``, ``"tier"``…).
    negative_at_most : int
        The highest negative star.
    """

    group: AnyArray
    customers: IntArray
    reviewers: IntArray
    reviews: IntArray
    mean_rating: FloatArray
    share_negative: FloatArray
    lower: FloatArray
    upper: FloatArray
    label_column: str
    negative_at_most: int

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.group.size)

    def row(self, group: str) -> dict[str, Any]:
        """The row of one group as a dict of Python scalars."""
        names = self.group.tolist()
        check_choice("group", group, names)
        i = names.index(group)
        return {name: values[i].item() for name, values in self.columns().items()}

    def columns(self) -> dict[str, AnyArray]:
        """Group, customers, reviewers, reviews, mean rating, share negative and interval."""
        return {
            "group": self.group,
            "customers": self.customers,
            "reviewers": self.reviewers,
            "reviews": self.reviews,
            "mean_rating": self.mean_rating,
            "share_negative": self.share_negative,
            "lower": self.lower,
            "upper": self.upper,
        }


def ratings_by_group(
    reviews: Reviews,
    *,
    groups: LabelledAssignment,
    unknown_ids: UnknownIds = "raise",
    negative_at_most: int | None = None,
    confidence: float = 0.95,
) -> RatingsByGroup:
    """Mean rating and share of negative reviews per lifecycle stage, segment or value tier.

    Parameters
    ----------
    reviews : Reviews
        Reviews with ``customer_ids`` (the join key).
    groups : LabelledAssignment
        Each customer's group: :class:`~ecomstrat.LifecycleStages`,
        :class:`~ecomstrat.RFMSegments`, :class:`~ecomstrat.ValueTiers`…
    unknown_ids : {"raise", "unmatched"}
        Reviews by customers absent from ``groups``: raise
        :class:`~ecomstrat.UnknownCodeError` naming the first (default), or gather them in an
        ``"unmatched"`` row. They count in the ``"all"`` row either way.
    negative_at_most : int, optional
        Highest negative star; default ``lowest + 1`` (2 on a 1–5 scale).
    confidence : float, default 0.95
        Level of the Wilson interval of the share negative.

    Returns
    -------
    RatingsByGroup

    Raises
    ------
    InvalidInputError
        If the reviews have no customer ids, or ``groups`` is not a labelled assignment.
    UnknownCodeError
        With ``unknown_ids="raise"``, for a review whose customer is not in ``groups``.

    Notes
    -----
    The join is that of :func:`~ecomstrat.metrics.surveys.survey_by_group` (reviews keyed by
    customer id). Share-negative interval: Wilson (1927), *JASA* 22(158).

    Examples
    --------
    >>> from ecomstrat.metrics.value_tiers import value_tiers
    >>> tiers = value_tiers([90.0, 50.0, 10.0, 5.0], top_shares=(0.5,),
    ...                     customer_ids=["a", "b", "c", "d"])
    >>> reviews = Reviews.from_arrays(["P", "P", "Q", "Q"], [5, 4, 1, 4],
    ...                               ["2024-01-01"] * 4, customer_ids=["a", "b", "c", "a"])
    >>> r = ratings_by_group(reviews, groups=tiers)  # top: 5, 4, 4; rest: 1
    >>> r.group.tolist(), [round(x, 3) for x in r.mean_rating.tolist()]
    (['top 50%', 'rest', 'all'], [4.333, 1.0, 3.5])
    >>> r.share_negative.tolist(), r.reviewers.tolist()
    ([0.0, 1.0, 0.25], [2, 1, 3])
    """
    reviews = _check_reviews(reviews)
    groups = check_groups(groups)
    check_choice("unknown_ids", unknown_ids, ("raise", "unmatched"))
    if reviews.customer_index is None or reviews.customer_ids is None:
        raise invalid("reviews", repr(reviews), "has no customer ids to join on",
                      "Build the reviews with customer_ids=... to group them.")  # fmt: skip
    threshold = negative_threshold(reviews.scale, negative_at_most)
    ids = reviews.customer_ids[reviews.customer_index]
    codes, unknown = row_group_codes(
        "customer_ids", ids, groups, raise_unknown=unknown_ids == "raise", what="review(s)"
    )
    n_names = len(groups.names)
    names = list(groups.names)
    customers = list(np.bincount(groups.codes, minlength=n_names).tolist())
    selections = [codes == c for c in range(n_names)]
    if unknown_ids == "unmatched":
        names.append(UNMATCHED)
        customers.append(0)
        selections.append(unknown)
    names.append(ALL)
    customers.append(groups.n_customers)
    selections.append(np.ones(ids.size, dtype=bool))
    stars = reviews.ratings
    negative = stars <= threshold
    counts = np.array([int(s.sum()) for s in selections], dtype=np.int64)
    bad = np.array([int(negative[s].sum()) for s in selections], dtype=np.int64)
    reviewers = [int(np.unique(reviews.customer_index[s]).size) for s in selections]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.array([stars[s].sum() for s in selections], dtype=np.float64) / counts
        shares = bad / counts
    low, high = wilson_interval(bad, n=counts, confidence=confidence)
    return RatingsByGroup(
        group=np.array(names, dtype=str),
        customers=np.array(customers, dtype=np.int64),
        reviewers=np.array(reviewers, dtype=np.int64),
        reviews=counts,
        mean_rating=means,
        share_negative=shares.astype(np.float64),
        lower=np.asarray(low, dtype=np.float64),
        upper=np.asarray(high, dtype=np.float64),
        label_column=groups._label_column,
        negative_at_most=threshold,
    )
