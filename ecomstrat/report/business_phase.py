"""Report part on the business's own lifecycle phase and its remaining customer potential.

:func:`business_phase_overview` computes :func:`~ecomstrat.lifecycle.business_phase` and
:func:`~ecomstrat.lifecycle.diffusion_fit` of the transaction log alone, so it can run on every
report; on a log shorter than the rules need it raises
:class:`~ecomstrat.lifecycle.SeriesTooShortError` (an
:class:`~ecomstrat.exceptions.EcomstratError`), which the pipeline turns into a skipped part.
:class:`BusinessPhaseOverview` formats it as three :class:`~ecomstrat.report.Section` objects.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np

from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle.business import (
    BusinessPhase,
    DiffusionFit,
    PhaseRules,
    SeriesTooShortError,
    business_phase,
    diffusion_fit,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = [
    "BusinessPhaseOverview",
    "business_phase_overview",
    "diffusion_section",
    "monthly_section",
    "phase_section",
]


def _rate(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else f"{value:+.1%} a month"


def _points(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else f"{100 * value:+.1f} points"


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


@attrs.frozen(eq=False)
class BusinessPhaseOverview:
    """The phase with its reasons, the monthly series and the diffusion estimate.

    ``diffusion`` is None (and ``diffusion_skipped`` says why) when the series is long enough
    for the phase but too short for a diffusion fit.
    """

    phase: BusinessPhase
    diffusion: DiffusionFit | None
    n_months_shown: int = 24
    diffusion_skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        p, d = self.phase, self.diffusion
        return {
            "phase": p.phase,
            "reasons": list(p.reasons),
            "revenue_trend": _none_if_nan(p.revenue_trend),
            "active_trend": _none_if_nan(p.active_trend),
            "new_customer_trend": _none_if_nan(p.new_customer_trend),
            "trend": _none_if_nan(p.trend),
            "acceleration": _none_if_nan(p.acceleration),
            "age_months": p.age_months,
            "rules": attrs.asdict(p.rules),
            "monthly": fmt.json_columns(p.columns()),
            "diffusion": None
            if d is None
            else {
                "model": d.model,
                "parameters": d.parameters,
                "standard_errors": {k: _none_if_nan(v) for k, v in d.standard_errors.items()},
                "acquired": d.acquired,
                "remaining": d.remaining,
                "remaining_lower": _none_if_nan(d.remaining_lower),
                "remaining_upper": _none_if_nan(d.remaining_upper),
                "confidence": d.confidence,
                "at_bound": d.at_bound,
            },
            "diffusion_skipped": self.diffusion_skipped,
        }

    def sections(self) -> list[Section]:
        """The phase and its reasons, the monthly series, then the diffusion estimate."""
        out = [phase_section(self.phase), monthly_section(self.phase, n_months=self.n_months_shown)]
        if self.diffusion is not None:
            out.append(diffusion_section(self.diffusion))
        return out


def business_phase_overview(
    log: TransactionLog,
    *,
    observation_end: object = None,
    rules: PhaseRules | None = None,
    model: Literal["bass", "logistic"] = "bass",
    confidence: float = 0.9,
    n_months_shown: int = 24,
) -> BusinessPhaseOverview:
    """Compute the business-phase part of the report from the transaction log alone.

    Raises
    ------
    SeriesTooShortError
        When the log has fewer complete months than ``rules.min_months`` (7 by default).
        A series long enough for the phase but shorter than the 6 months a diffusion fit
        needs gives ``diffusion=None`` instead.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> part = business_phase_overview(simulate_transactions(300, seed=4).log)
    >>> part.to_dict()["phase"], part.to_dict()["diffusion"]["acquired"]
    ('maturity', 300)
    >>> [s.title for s in part.sections()]
    ['Business phase', 'Monthly activity', 'Customer potential (Bass diffusion)']
    """
    phase = business_phase(log, observation_end=observation_end, rules=rules)
    try:
        fit = diffusion_fit(
            log, model=model, observation_end=observation_end, confidence=confidence
        )
    except SeriesTooShortError as error:
        return BusinessPhaseOverview(phase, None, n_months_shown, str(error))
    return BusinessPhaseOverview(phase, fit, n_months_shown)


def phase_section(phase: BusinessPhase) -> Section:
    """The phase, the trends behind it, and the rules that fired."""
    rules = phase.rules
    rows = [
        ["phase", phase.phase],
        ["complete months", fmt.count(phase.age_months)],
        [f"revenue trend (last {rules.window_months} months)", _rate(phase.revenue_trend)],
        [f"active-customer trend (last {rules.window_months} months)", _rate(phase.active_trend)],
        [
            f"new-customer trend (last {rules.window_months} months)",
            _rate(phase.new_customer_trend),
        ],
        ["business trend", _rate(phase.trend)],
        ["acceleration (vs the window before)", _points(phase.acceleration)],
    ]
    notes = [
        *phase.reasons,
        f"Rules, first match: decline when the trend <= -{rules.decline_rate:.1%} a month;"
        f" start-up when younger than {rules.startup_months} months; growth when the trend"
        f" >= +{rules.growth_rate:.1%} a month; maturity otherwise. Trend = OLS slope / mean"
        " over the window, averaged over revenue and active customers.",
    ]
    return Section("Business phase", rows, notes=notes)


def monthly_section(phase: BusinessPhase, *, n_months: int = 24) -> Section:
    """The last ``n_months`` months: new and active customers, revenue."""
    m = phase.monthly
    start = max(m.n_months - n_months, 0)
    months = m.period[start:].astype("datetime64[M]").astype(str)
    rows = [
        [
            str(months[i]),
            fmt.count(int(m.new_customers[start + i])),
            fmt.count(int(m.active_customers[start + i])),
            fmt.number(float(m.revenue[start + i])),
            fmt.count(int(m.cumulative_customers[start + i])),
        ]
        for i in range(months.shape[0])
    ]
    notes = ["Complete calendar months only; a customer is new in the month of their first order."]
    if start > 0:
        notes.append(f"The first {start} of {m.n_months} months are not shown.")
    return Section(
        "Monthly activity",
        rows,
        header=["month", "new customers", "active customers", "revenue", "customers to date"],
        notes=notes,
    )


def diffusion_section(fit: DiffusionFit) -> Section:
    """Market potential, customers acquired and the potential left, with the parameters."""
    level = f"{fit.confidence:.0%}"
    rows = [
        ["market potential m", fmt.number(fit.market_potential, 0)],
        ["customers acquired N(T)", fmt.count(fit.acquired)],
        ["remaining potential m - N(T)", fmt.number(fit.remaining, 0)],
        [
            f"{level} interval",
            f"{fmt.number(_none_if_nan(fit.remaining_lower), 0)}"
            f" to {fmt.number(_none_if_nan(fit.remaining_upper), 0)}",
        ],
    ]
    rows.extend(
        [
            f"{name} (s.e.)",
            f"{fit.parameters[name]:.4g} ({fit.standard_errors[name]:.2g})",
        ]
        for name in fit.parameters
        if name != "m"
    )
    title = "Bass diffusion" if fit.model == "bass" else "logistic diffusion"
    notes = [
        "Nonlinear least squares on cumulative customers by month (Bass 1969; Srinivasan &"
        " Mason 1986); interval by the delta method on m. Cumulative errors are autocorrelated,"
        " so read the interval as a lower bound on the uncertainty.",
    ]
    if fit.at_bound:
        notes.append(
            "m is at a bound of the search: the curve has flattened (nothing left) or has not"
            " bent yet (m not identified)."
        )
    fitted_last = float(np.asarray(fit.fitted)[-1])
    notes.append(f"Fitted customers to date: {fmt.number(fitted_last, 0)}.")
    return Section(f"Customer potential ({title})", rows, notes=notes)
