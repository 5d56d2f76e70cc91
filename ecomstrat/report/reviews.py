"""Report part on ratings and reviews: top and bottom products, distribution, velocity, answers.

:func:`reviews_overview` computes :func:`~ecomstrat.metrics.reviews.rating_summary` and
:func:`~ecomstrat.metrics.reviews.negative_answered` of a
:class:`~ecomstrat.frames.reviews.Reviews` frame (and
:func:`~ecomstrat.metrics.reviews.ratings_by_group` when a grouping is given);
:class:`ReviewsOverview` formats them as :class:`~ecomstrat.report.Section` objects.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from ecomstrat.frames._labels import LabelledAssignment
from ecomstrat.frames.reviews import Reviews
from ecomstrat.metrics.reviews import (
    VELOCITY_DAYS,
    NegativeAnswered,
    RatingsByGroup,
    RatingSummary,
    negative_answered,
    rating_summary,
    ratings_by_group,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = [
    "ReviewsOverview",
    "answered_section",
    "distribution_section",
    "groups_section",
    "products_section",
    "reviews_overview",
]


@attrs.frozen(eq=False)
class ReviewsOverview:
    """Ratings per product, the rating distribution, and answers to negative reviews.

    ``by_group`` is None unless a grouping was given and the reviews have customer ids.
    """

    summary: RatingSummary
    answered: NegativeAnswered
    by_group: RatingsByGroup | None
    n_reviews: int
    n_top: int = 5

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        s = self.summary
        top = s.ranked()[: self.n_top]
        bottom = s.ranked(descending=False)[: self.n_top]
        share = self.answered.share
        return {
            "reviews": self.n_reviews,
            "products": len(s),
            "prior_mean": s.prior_mean,
            "prior_weight": s.prior_weight,
            "mean_rating": _nan_none(float((s.mean_rating * s.reviews).sum() / s.reviews.sum())),
            "distribution": {str(k): v for k, v in s.distribution.items()},
            "velocity_per_30_days": float(s.reviews.sum()) * VELOCITY_DAYS / s.period_days,
            "period_days": s.period_days,
            "top": fmt.json_columns(_rows(s, top)),
            "bottom": fmt.json_columns(_rows(s, bottom)),
            "negative_answered": {
                "negative": self.answered.negative,
                "answered": self.answered.answered,
                "answered_in_time": self.answered.answered_in_time,
                "target_hours": self.answered.target_hours,
                "share": _nan_none(share.estimate),
                "lower": _nan_none(share.low),
                "upper": _nan_none(share.high),
                "median_hours": _nan_none(self.answered.median_hours),
            },
            "by_group": None
            if self.by_group is None
            else fmt.json_columns(self.by_group.columns()),
        }

    def sections(self) -> list[Section]:
        """Top and bottom products, the distribution, negative answers, then groups if any."""
        out = [
            products_section(self.summary, k=self.n_top),
            distribution_section(self.summary),
            answered_section(self.answered),
        ]
        if self.by_group is not None:
            out.append(groups_section(self.by_group))
        return out


def _nan_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _rows(summary: RatingSummary, rows: Any) -> dict[str, Any]:
    columns = summary.columns()
    keep = ("product_id", "reviews", "mean_rating", "shrunk_rating", "share_negative", "velocity")
    return {name: np.asarray(columns[name])[rows] for name in keep}


def reviews_overview(
    reviews: Reviews,
    *,
    prior_weight: float = 5.0,
    target_hours: float = 48.0,
    groups: LabelledAssignment | None = None,
    n_top: int = 5,
) -> ReviewsOverview:
    """Compute the reviews part of the report (arguments as in the review metrics).

    ``groups`` (lifecycle stages or value tiers of the same customers) adds ratings by
    group when the reviews have customer ids; reviews by customers outside the grouping are
    reported in an ``"unmatched"`` row.

    Examples
    --------
    >>> reviews = Reviews.from_arrays(
    ...     ["A", "A", "B", "C"], [5, 4, 1, 3],
    ...     ["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-31"],
    ...     answered=[None, None, "2024-01-22", None],
    ... )
    >>> part = reviews_overview(reviews, n_top=2)
    >>> d = part.to_dict()
    >>> d["top"]["product_id"], d["bottom"]["product_id"], d["negative_answered"]["share"]
    (['A', 'C'], ['B', 'C'], 1.0)
    >>> [s.title for s in part.sections()]
    ['Products by rating (Bayesian average)', 'Rating distribution', 'Negative reviews answered']
    """
    summary = rating_summary(reviews, prior_weight=prior_weight)
    answered = negative_answered(reviews, target_hours=target_hours)
    by_group = None
    if groups is not None and reviews.customer_ids is not None:
        by_group = ratings_by_group(reviews, groups=groups, unknown_ids="unmatched")
    return ReviewsOverview(summary, answered, by_group, reviews.n_reviews, n_top)


def products_section(summary: RatingSummary, *, k: int = 5) -> Section:
    """The ``k`` best and ``k`` worst products by shrunk rating."""
    top = summary.ranked()[:k].tolist()
    bottom = [i for i in summary.ranked(descending=False)[:k].tolist() if i not in top]
    rows: list[list[str]] = []
    for label, positions in (("top", top), ("bottom", bottom[::-1])):
        rows.extend(
            [
                label,
                str(summary.product_id[i]),
                fmt.count(int(summary.reviews[i])),
                fmt.number(float(summary.mean_rating[i])),
                fmt.number(float(summary.shrunk_rating[i])),
                fmt.share(float(summary.share_negative[i])),
                fmt.number(float(summary.velocity[i]), 1),
            ]
            for i in positions
        )
    notes = [
        f"Bayesian average = (C x m + sum of stars) / (C + reviews), prior C ="
        f" {summary.prior_weight:g} reviews at m = {summary.prior_mean:.2f} stars (the"
        " overall mean unless set); it ranks products with few reviews near m.",
        f"Negative: {summary.negative_at_most} stars or fewer. Velocity: reviews per"
        f" {VELOCITY_DAYS} days over {summary.period_days:.0f} days.",
    ]
    return Section(
        "Products by rating (Bayesian average)",
        rows,
        header=["", "product", "reviews", "mean", "shrunk", "negative", "per 30 days"],
        notes=notes,
    )


def distribution_section(summary: RatingSummary) -> Section:
    """Reviews per star over all products, and the overall velocity."""
    counts = summary.distribution
    total = sum(counts.values())
    rows = [
        [f"{star} stars", fmt.count(count), fmt.share(count / total)]
        for star, count in sorted(counts.items(), reverse=True)
    ]
    velocity = total * VELOCITY_DAYS / summary.period_days
    notes = [
        f"{fmt.count(total)} reviews of {fmt.count(len(summary))} products;"
        f" {fmt.number(velocity, 1)} reviews per {VELOCITY_DAYS} days."
    ]
    return Section("Rating distribution", rows, header=["rating", "reviews", "share"],
                   notes=notes)  # fmt: skip


def answered_section(answered: NegativeAnswered) -> Section:
    """Negative reviews answered within the target, with the Wilson interval."""
    share = answered.share
    interval = (
        fmt.MISSING
        if math.isnan(share.low)
        else f"{fmt.share(share.low)} - {fmt.share(share.high)}"
    )
    rows = [
        ["negative reviews", fmt.count(answered.negative)],
        ["answered", fmt.count(answered.answered)],
        [f"answered within {answered.target_hours:g} h", fmt.count(answered.answered_in_time)],
        ["share in time", fmt.MISSING if answered.negative == 0 else fmt.share(share.estimate)],
        [f"{share.confidence:.0%} interval", interval],
        ["median hours to answer", fmt.MISSING if math.isnan(answered.median_hours)
         else fmt.number(answered.median_hours, 1)],
    ]  # fmt: skip
    notes = [
        f"Negative: {answered.negative_at_most} stars or fewer; Wilson score interval.",
    ]
    return Section("Negative reviews answered", rows, notes=notes)


def groups_section(by_group: RatingsByGroup) -> Section:
    """Mean rating and share negative per lifecycle stage or value tier."""
    rows = []
    for i in range(len(by_group)):
        empty = by_group.reviews[i] == 0
        rows.append(
            [
                str(by_group.group[i]),
                fmt.count(int(by_group.reviews[i])),
                fmt.MISSING if empty else fmt.number(float(by_group.mean_rating[i])),
                fmt.MISSING if empty else fmt.share(float(by_group.share_negative[i])),
            ]
        )
    notes = [f"Reviews joined to each reviewer's {by_group.label_column} by customer id."]
    return Section(
        f"Ratings by {by_group.label_column}",
        rows,
        header=[by_group.label_column, "reviews", "mean rating", "negative"],
        notes=notes,
    )
