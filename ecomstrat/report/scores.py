"""The scorers part of the report: summary statistics of each scorer's scores.

Examples
--------
>>> import numpy as np
>>> o = scores_overview({"rfm": np.array([3.0, 9.0, 15.0])}, {"rfm": "RFM score."})
>>> o.scorers["rfm"].median, o.scorers["rfm"].maximum
(9.0, 15.0)
>>> [s.title for s in o.sections()]
['Scores (3 customers)']
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat.report import _format as fmt
from ecomstrat.report.overview import _Overview
from ecomstrat.report.section import Section

__all__ = ["ScoreStatistics", "ScoresOverview", "scores_overview"]


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
    def of(cls, values: AnyArray, description: str) -> ScoreStatistics:
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
class ScoresOverview(_Overview):
    """Statistics per scorer, and the scorers left out with the reason."""

    n_customers: int
    scorers: dict[str, ScoreStatistics]
    skipped: dict[str, str]

    def sections(self) -> tuple[Section, ...]:
        """One row per scorer; descriptions and skipped scorers as notes."""
        rows = [
            (
                name,
                *(
                    fmt.number(getattr(s, f), 3)
                    for f in ("mean", "std", "minimum", "p10", "median", "p90", "maximum")
                ),
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
    descriptions: Mapping[str, str],
    *,
    skipped: Mapping[str, str] | None = None,
) -> ScoresOverview:
    """Summarise per-customer scores by scorer.

    ``scores`` is the output of :func:`ecomstrat.scoring.registry.score`.

    Parameters
    ----------
    scores : mapping of str to ndarray
        Scores by scorer name, all of one length.
    descriptions : mapping of str to str
        One sentence per scorer.
    skipped : mapping of str to str, optional
        Scorers not run, with the reason.
    """
    n = len(next(iter(scores.values()))) if scores else 0
    return ScoresOverview(
        n_customers=n,
        scorers={
            name: ScoreStatistics.of(values, descriptions.get(name, ""))
            for name, values in scores.items()
        },
        skipped=dict(skipped or {}),
    )
