"""The scorers part of the report: summary statistics of each scorer's scores.

Examples
--------
>>> import numpy as np
>>> o = scores_overview({"rfm": np.array([3.0, 9.0, 15.0])}, descriptions={"rfm": "RFM score."})
>>> o.scorers["rfm"].median, o.scorers["rfm"].maximum
(9.0, 15.0)
>>> [s.title for s in o.sections()]
['Scores (3 customers)']
>>> o.columns()["median"].tolist()
[9.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat.frames._export import Tabular
from ecomstrat.report import _format as fmt
from ecomstrat.report.overview import _Overview
from ecomstrat.report.section import Section

__all__ = ["ScoreStatistics", "ScoresOverview", "scores_overview"]

#: The statistics of :class:`ScoreStatistics`, in table order.
_STATISTICS = ("mean", "std", "minimum", "p10", "median", "p90", "maximum")


@attrs.frozen
class ScoreStatistics:
    """Summary statistics of one scorer's scores."""

    description: str
    mean: float
    std: float
    minimum: float
    p10: float
    median: float
    p90: float
    maximum: float

    @classmethod
    def of(cls, values: AnyArray, *, description: str) -> ScoreStatistics:
        """The statistics of ``values`` (at least one, finite)."""
        v = np.asarray(values, dtype=np.float64)
        p10, median, p90 = (float(q) for q in np.quantile(v, (0.1, 0.5, 0.9)))
        return cls(
            description,
            float(v.mean()),
            float(v.std()),
            float(v.min()),
            p10,
            median,
            p90,
            float(v.max()),
        )


@attrs.frozen
class ScoresOverview(_Overview, Tabular):
    """Statistics per scorer, and the scorers left out with the reason.

    As a table (:meth:`columns`, ``to_pandas()``…): one row per scorer scored, indexed by
    ``scorer``, with its description and statistics.
    """

    _pandas_index: ClassVar[str | None] = "scorer"

    n_customers: int
    scorers: dict[str, ScoreStatistics]
    skipped: dict[str, str]

    def columns(self) -> dict[str, AnyArray]:
        """``scorer``, ``description`` and one column per statistic (``mean`` … ``maximum``)."""
        stats = self.scorers.values()
        out: dict[str, AnyArray] = {
            "scorer": np.array(list(self.scorers), dtype=str),
            "description": np.array([s.description for s in stats], dtype=str),
        }
        for field in _STATISTICS:
            out[field] = np.array([getattr(s, field) for s in stats], dtype=np.float64)
        return out

    def sections(self) -> tuple[Section, ...]:
        """One row per scorer; descriptions and skipped scorers as notes."""
        rows = [
            (
                name,
                *(fmt.number(getattr(s, f), 3) for f in _STATISTICS),
            )
            for name, s in self.scorers.items()
        ]
        notes = [f"{name}: {s.description}" for name, s in self.scorers.items()]
        notes += [f"Not scored: {name} ({why})." for name, why in self.skipped.items()]
        return (
            Section(
                f"Scores ({fmt.count(self.n_customers)} customers)",
                rows,
                header=("scorer", "mean", "std", "min", "10%", "median", "90%", "max"),
                notes=notes,
            ),
        )


def scores_overview(
    scores: Mapping[str, AnyArray],
    *,
    descriptions: Mapping[str, str] | None = None,
    skipped: Mapping[str, str] | None = None,
) -> ScoresOverview:
    """Summarise per-customer scores by scorer.

    ``scores`` is typically the :class:`~ecomstrat.scoring.Scores` of
    :func:`ecomstrat.scoring.score`.

    Parameters
    ----------
    scores : mapping of str to ndarray
        Scores by scorer name, all of one length.
    descriptions : mapping of str to str, optional
        One sentence per scorer (empty for those left out).
    skipped : mapping of str to str, optional
        Scorers not run, with the reason.
    """
    n = len(next(iter(scores.values()))) if scores else 0
    described = descriptions or {}
    return ScoresOverview(
        n_customers=n,
        scorers={
            name: ScoreStatistics.of(values, description=described.get(name, ""))
            for name, values in scores.items()
        },
        skipped=dict(skipped or {}),
    )
