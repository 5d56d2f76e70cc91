"""Survey answers joined to customer value: NPS and CSAT by lifecycle stage, segment or tier.

Answers are keyed by customer id; the grouping is any labelled assignment — lifecycle stages,
RFM segments or value tiers — so that "how satisfied are our most valuable customers?" is one
call. Scores and intervals are those of :func:`~ecomstrat.metrics.engagement.nps` and
:func:`~ecomstrat.metrics.engagement.csat`. See :doc:`/incentives`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_same_length
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._labels import LabelledAssignment
from ecomstrat.metrics._groups import check_groups, row_group_codes
from ecomstrat.metrics.engagement import _scale, _scores, csat, nps

__all__ = ["SurveyByGroup", "survey_by_group"]

SurveyKind = Literal["nps", "csat"]
UnknownIds = Literal["raise", "unmatched"]

#: Name of the extra row holding the answers of customers absent from the grouping.
UNMATCHED = "unmatched"
#: Name of the last row, over all the answers.
ALL = "all"


@attrs.frozen(eq=False)
class SurveyByGroup(Tabular):
    """NPS or CSAT of each group, with its interval (see :func:`survey_by_group`).

    One row per group of the grouping, in code order (groups without answers included, with
    NaN scores), then ``"unmatched"`` (only with ``unknown_ids="unmatched"``), then ``"all"``.

    Attributes
    ----------
    group : ndarray of str
        Group label.
    customers : ndarray of int64
        Customers in the group (0 for ``"unmatched"``; all grouped customers for ``"all"``).
    respondents : ndarray of int64
        Answers from the group's customers.
    score, lower, upper : ndarray of float64
        NPS in [−100, 100] or CSAT share in [0, 1], and the interval; NaN without answers.
    promoter_share, passive_share, detractor_share : ndarray of float64
        For ``kind="nps"``: shares of 9–10, 7–8 and 0–6 answers.
    satisfied_share : ndarray of float64
        For ``kind="csat"``: share of satisfied answers (equal to ``score``).
    kind : str
        ``"nps"`` or ``"csat"``.
    label_column : str
        What the groups are (``"stage"``, ``"segment"``, ``"tier"``…).
    confidence : float
        Level of the intervals.
    """

    group: AnyArray
    customers: IntArray
    respondents: IntArray
    score: FloatArray
    lower: FloatArray
    upper: FloatArray
    shares: dict[str, FloatArray]
    kind: str
    label_column: str
    confidence: float

    def __attrs_post_init__(self) -> None:
        for name in ("group", "customers", "respondents", "score", "lower", "upper"):
            object.__setattr__(self, name, frozen_view(getattr(self, name)))
        object.__setattr__(self, "shares", {k: frozen_view(v) for k, v in self.shares.items()})

    def __len__(self) -> int:
        return int(self.group.size)

    def row(self, group: str) -> dict[str, Any]:
        """The row of one group as a dict of Python scalars."""
        names = self.group.tolist()
        check_choice("group", group, names)
        i = names.index(group)
        return {name: values[i].item() for name, values in self.columns().items()}

    def columns(self) -> dict[str, AnyArray]:
        """``group``, ``customers``, ``respondents``, ``score``, ``lower``, ``upper``, shares."""
        return {
            "group": self.group,
            "customers": self.customers,
            "respondents": self.respondents,
            "score": self.score,
            "lower": self.lower,
            "upper": self.upper,
            **self.shares,
        }


def survey_by_group(
    customer_ids: Sequence[Any] | AnyArray,
    scores: Sequence[float] | AnyArray,
    *,
    groups: LabelledAssignment,
    kind: SurveyKind = "nps",
    unknown_ids: UnknownIds = "raise",
    confidence: float = 0.95,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: int = 4,
) -> SurveyByGroup:
    """NPS or CSAT of each lifecycle stage, RFM segment or value tier, with intervals.

    Parameters
    ----------
    customer_ids : array-like
        Customer id of each answer; a customer may answer several times (each answer counts).
    scores : array-like of int
        The answers: 0–10 for ``kind="nps"``, whole numbers on ``scale`` for ``"csat"``.
    groups : LabelledAssignment
        Each customer's group: :class:`~ecomstrat.LifecycleStages`,
        :class:`~ecomstrat.RFMSegments`, :class:`~ecomstrat.ValueTiers`…
    kind : {"nps", "csat"}
        Net Promoter Score (adjusted-Wald interval) or top-box CSAT share (Wilson interval).
    unknown_ids : {"raise", "unmatched"}
        What to do with answers from customers absent from ``groups``: raise
        :class:`~ecomstrat.UnknownCodeError` naming the first (default: a survey matched to the
        wrong customer base should not pass silently), or gather them in an ``"unmatched"``
        row. They count in the ``"all"`` row either way.
    confidence : float, default 0.95
        Level of the intervals.
    scale, satisfied_from
        For ``kind="csat"``: the answer scale and the lowest satisfied answer (as in
        :func:`~ecomstrat.metrics.engagement.csat`).

    Returns
    -------
    SurveyByGroup

    Raises
    ------
    UnknownCodeError
        With ``unknown_ids="raise"``, for an answer whose customer is not in ``groups``.
    InvalidInputError
        If ``customer_ids`` and ``scores`` differ in length, or a score is off the scale.

    Notes
    -----
    NPS: Reichheld (2003), "The one number you need to grow", *HBR* 81(12); interval: adjusted
    Wald, Rocks (2016), *The American Statistician* 70(4). CSAT interval: Wilson (1927), *JASA*
    22(158). Comparing scores across groups this way is the "discover your current situation"
    step of linking attitudes to value: Kumar & Reinartz (2018), *Customer Relationship
    Management*, 3rd ed. Groups with few respondents have wide intervals: read them before
    the scores. See :doc:`/incentives`.

    Examples
    --------
    >>> from ecomstrat.metrics.value_tiers import value_tiers
    >>> tiers = value_tiers([90.0, 50.0, 10.0, 5.0], top_shares=(0.5,),
    ...                     customer_ids=["a", "b", "c", "d"])
    >>> tiers.labels().tolist()
    ['top 50%', 'top 50%', 'rest', 'rest']
    >>> r = survey_by_group(["a", "b", "c", "d"], [10, 9, 3, 8], groups=tiers)
    >>> r.group.tolist(), r.score.tolist()  # top: 2 promoters of 2; rest: 1 detractor of 2
    (['top 50%', 'rest', 'all'], [100.0, -50.0, 25.0])
    """
    check_choice("kind", kind, ("nps", "csat"))
    check_choice("unknown_ids", unknown_ids, ("raise", "unmatched"))
    groups = check_groups(groups)
    ids = as_ids("customer_ids", customer_ids)
    check_same_length(customer_ids=ids, scores=scores)
    if ids.size == 0:
        raise EmptyInputError("customer_ids is empty: at least one answer is needed.")
    if kind == "nps":
        values = _scores("scores", scores, 0, 10)
    else:
        low, high = _scale(scale)
        values = _scores("scores", scores, low, high)
        csat(values[:1], scale=scale, satisfied_from=satisfied_from)  # checks satisfied_from
    answer_code, unknown = row_group_codes(
        "customer_ids", ids, groups, raise_unknown=unknown_ids == "raise", what="answer(s)"
    )
    n_names = len(groups.names)
    names = list(groups.names)
    customers = list(np.bincount(groups.codes, minlength=n_names).tolist())
    selections = [answer_code == c for c in range(n_names)]
    if unknown_ids == "unmatched":
        names.append(UNMATCHED)
        customers.append(0)
        selections.append(unknown)
    names.append(ALL)
    customers.append(groups.n_customers)
    selections.append(np.ones(ids.size, dtype=bool))
    rows = [_row(values[s], kind, confidence, scale, satisfied_from) for s in selections]
    share_names = (
        ("promoter_share", "passive_share", "detractor_share")
        if kind == "nps"
        else ("satisfied_share",)
    )
    return SurveyByGroup(
        group=np.array(names, dtype=str),
        customers=np.array(customers, dtype=np.int64),
        respondents=np.array([r[0] for r in rows], dtype=np.int64),
        score=np.array([r[1] for r in rows]),
        lower=np.array([r[2] for r in rows]),
        upper=np.array([r[3] for r in rows]),
        shares={name: np.array([r[4][k] for r in rows]) for k, name in enumerate(share_names)},
        kind=kind,
        label_column=groups._label_column,
        confidence=float(confidence),
    )


def _row(
    values: IntArray,
    kind: str,
    confidence: float,
    scale: tuple[int, int],
    satisfied_from: int,
) -> tuple[int, float, float, float, tuple[float, ...]]:
    """``(respondents, score, lower, upper, shares)`` of one group's answers."""
    n = int(values.size)
    if kind == "nps":
        if n == 0:
            return 0, np.nan, np.nan, np.nan, (np.nan, np.nan, np.nan)
        r = nps(values, confidence=confidence)
        return n, r.score, r.low, r.high, (r.promoters / n, r.passives / n, r.detractors / n)
    if n == 0:
        return 0, np.nan, np.nan, np.nan, (np.nan,)
    c = csat(values, scale=scale, satisfied_from=satisfied_from, confidence=confidence)
    return n, c.estimate, c.low, c.high, (c.estimate,)
