"""Conversion funnels: step-to-step conversion with Wilson intervals, and drop-off.

A funnel is an ordered list of steps with the number of customers (or sessions) reaching
each; every step's count is a subset of the previous one's, so counts never increase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.metrics.engagement import _Fields, wilson_interval

__all__ = ["AARRR", "Funnel", "funnel"]

#: Dave McClure's "Startup Metrics for Pirates" stages, in the order of his 2007 talk
#: (later retellings often swap the last two).
AARRR = ("acquisition", "activation", "retention", "referral", "revenue")


@attrs.frozen(eq=False, repr=False)
class Funnel(_Fields):
    """Conversion through ordered steps (see :func:`funnel`).

    Attributes
    ----------
    steps : ndarray of str
        Step names, in order.
    counts : ndarray of int64
        Reaching each step; non-increasing.
    conversion : ndarray of float64
        ``counts[i] / counts[i - 1]``; NaN for the first step (and after an empty step).
    conversion_low, conversion_high : ndarray of float64
        Wilson interval of ``conversion``.
    drop_off : ndarray of float64
        ``1 − conversion``.
    lost : ndarray of int64
        ``counts[i - 1] − counts[i]`` (0 for the first step).
    overall : ndarray of float64
        ``counts[i] / counts[0]``.
    overall_low, overall_high : ndarray of float64
        Wilson interval of ``overall``.
    confidence : float
        Level of the intervals.
    """

    steps: AnyArray
    counts: IntArray
    conversion: FloatArray
    conversion_low: FloatArray
    conversion_high: FloatArray
    drop_off: FloatArray
    lost: IntArray
    overall: FloatArray
    overall_low: FloatArray
    overall_high: FloatArray
    confidence: float

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(Funnel):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                object.__setattr__(self, field.name, frozen_view(value))

    @property
    def biggest_drop(self) -> str:
        """The step with the lowest conversion from the one before (the first one if none)."""
        rates = self.conversion[1:]
        if rates.size == 0 or np.isnan(rates).all():
            return str(self.steps[0])
        return str(self.steps[1 + int(np.nanargmin(rates))])

    def columns(self) -> dict[str, AnyArray]:
        """One entry per step (``confidence`` left out)."""
        out = super().columns()
        del out["confidence"]
        out["step"] = out.pop("steps")
        out["count"] = out.pop("counts")
        return {"step": out.pop("step"), "count": out.pop("count"), **out}

    def __repr__(self) -> str:
        path = " > ".join(f"{s} {c}" for s, c in zip(self.steps, self.counts, strict=True))
        return f"Funnel({path})"


def funnel(
    counts: Sequence[int] | Mapping[str, int] | IntArray,
    *,
    steps: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Funnel:
    """Step conversion rates, intervals and drop-off of an ordered funnel.

    Parameters
    ----------
    counts : sequence of int, or mapping of step name to int
        How many reach each step, in order (a mapping keeps its insertion order). Whole
        numbers >= 0, never increasing, the first >= 1.
    steps : sequence of str, optional
        Step names for a sequence of counts; default ``"step 1"``, ``"step 2"``… Use
        :data:`AARRR` for the pirate-metrics stages.
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    Funnel

    Raises
    ------
    InvalidInputError
        If a count is negative, not whole, or larger than the one before it.
    EmptyInputError
        If there is no step.

    Notes
    -----
    The step conversion is a binomial proportion (those of step ``i − 1`` who reach step
    ``i``), so its interval is Wilson's (Wilson 1927; Brown, Cai & DasGupta 2001). The AARRR
    stages are from McClure (2007), "Startup Metrics for Pirates". See :doc:`/engagement`.

    Examples
    --------
    >>> f = funnel({"visit": 1000, "cart": 200, "checkout": 80, "purchase": 60})
    >>> f.conversion.tolist()  # 200/1000, 80/200, 60/80
    [nan, 0.2, 0.4, 0.75]
    >>> f.lost.tolist(), f.overall.tolist(), f.biggest_drop
    ([0, 800, 120, 20], [1.0, 0.2, 0.08, 0.06], 'cart')
    """
    names, values = _parse(counts, steps)
    before = np.concatenate(([0], values[:-1]))
    conversion = np.divide(values, before, out=np.full(values.size, np.nan), where=before > 0)
    reached = np.where(before > 0, values, 0)  # the first step has no trials: NaN
    conversion_low, conversion_high = wilson_interval(reached, n=before, confidence=confidence)
    overall = values / values[0]
    overall_low, overall_high = wilson_interval(
        values, n=np.full(values.size, values[0]), confidence=confidence
    )
    lost = np.concatenate(([0], values[:-1] - values[1:])).astype(np.int64)
    return Funnel(
        np.array(names, dtype=str),
        values,
        conversion,
        conversion_low,
        conversion_high,
        1.0 - conversion,
        lost,
        overall,
        overall_low,
        overall_high,
        float(confidence),
    )


def _parse(
    counts: Sequence[int] | Mapping[str, int] | IntArray, steps: Sequence[str] | None
) -> tuple[list[str], IntArray]:
    if isinstance(counts, Mapping):
        if steps is not None:
            raise invalid("steps", steps, "must be None when counts is a mapping")
        names = [str(k) for k in counts]
        raw = list(counts.values())
    else:
        raw = list(counts)
        names = [f"step {i + 1}" for i in range(len(raw))] if steps is None else list(steps)
    if not raw:
        raise EmptyInputError("counts is empty: a funnel needs at least one step.")
    if len(names) != len(raw):
        raise invalid("steps", names, f"must name each of the {len(raw)} counts")
    if len(set(names)) != len(names):
        raise invalid("steps", names, "must be distinct names")
    values = np.zeros(len(raw), dtype=np.int64)
    for i, (name, value) in enumerate(zip(names, raw, strict=True)):
        number = float(value)
        if not np.isfinite(number) or number != round(number) or number < 0:
            raise invalid(f"counts[{name!r}]", value, "must be a whole number >= 0")
        values[i] = int(number)
        if i and values[i] > values[i - 1]:
            raise invalid(
                f"counts[{name!r}]",
                int(number),
                f"is more than the previous step {names[i - 1]!r} ({values[i - 1]}): funnel"
                " counts must not increase",
                "Give the steps in order, each counting only those who passed the one before.",
            )
    if values[0] < 1:
        raise invalid(f"counts[{names[0]!r}]", raw[0], "must be >= 1 (the funnel's entrants)")
    return names, values
