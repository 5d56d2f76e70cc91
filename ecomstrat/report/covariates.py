"""Report part on customer covariates: how each one changes purchase and dropout rates.

:func:`covariates_overview` fits the Pareto/NBD with every covariate in both processes
(:class:`~ecomstrat.CovariateParetoNBD`, CLVTools' parameterisation) next to the same model
without covariates, and :class:`CovariatesOverview` shows each effect as a rate multiplier
with its interval, and the likelihood-ratio test of all of them together.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from scipy import stats

from ecomstrat._validation import invalid
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models.covariate_paretonbd import CovariateParetoNBD, FittedCovariateParetoNBD
from ecomstrat.models.paretonbd import FittedParetoNBD, ParetoNBD
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["CovariateEffect", "CovariatesOverview", "covariates_overview"]

#: Two-sided normal quantile of the 95 % intervals.
_Z95 = 1.959963984540054
#: Processes, as the coefficient names spell them, and how the report says them.
_PROCESSES = {"purchase": "purchase rate", "dropout": "dropout rate"}


@attrs.frozen
class CovariateEffect:
    """One coefficient: its process, estimate, standard error and rate multiplier.

    ``multiplier = exp(coefficient)``: the factor on the mean purchase (or dropout) rate per
    unit of the covariate; ``lower``/``upper`` its 95 % Wald interval; ``p_value`` of
    coefficient = 0.
    """

    covariate: str
    process: str
    coefficient: float
    standard_error: float
    multiplier: float
    lower: float
    upper: float
    p_value: float


@attrs.frozen(eq=False)
class CovariatesOverview:
    """Covariate effects of a Pareto/NBD fit, and its test against the fit without them."""

    model: FittedCovariateParetoNBD
    baseline: FittedParetoNBD
    effects: tuple[CovariateEffect, ...]
    n_customers: int
    n_without: int
    dropped: tuple[str, ...]

    @property
    def likelihood_ratio(self) -> float:
        """``2 (ℓ_covariates − ℓ_without)``, >= 0 up to optimiser tolerance."""
        return 2.0 * (_loglik(self.model) - _loglik(self.baseline))

    @property
    def degrees_of_freedom(self) -> int:
        """Number of coefficients."""
        return len(self.effects)

    @property
    def p_value(self) -> float:
        """P-value of the likelihood-ratio test (chi-square, :attr:`degrees_of_freedom`)."""
        return float(stats.chi2.sf(max(self.likelihood_ratio, 0.0), self.degrees_of_freedom))

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        return {
            "model": self.model.name,
            "time_unit": self.model.time_unit.value,
            "customers": self.n_customers,
            "customers_without_covariates": self.n_without,
            "dropped_constant": list(self.dropped),
            "params": self.model.params.to_dict(),
            "effects": [
                {key: _json(value) for key, value in attrs.asdict(effect).items()}
                for effect in self.effects
            ],
            "likelihood_ratio": _json(self.likelihood_ratio),
            "degrees_of_freedom": self.degrees_of_freedom,
            "p_value": _json(self.p_value),
        }

    def sections(self) -> list[Section]:
        """One table: each covariate's effect on each process."""
        rows = [
            [
                effect.covariate,
                _PROCESSES[effect.process],
                fmt.number(effect.coefficient, 3),
                fmt.number(effect.standard_error, 3),
                f"x {effect.multiplier:.2f}",
                f"{effect.lower:.2f} to {effect.upper:.2f}",
                fmt.p_value(effect.p_value),
            ]
            for effect in self.effects
        ]
        notes = [
            f"Pareto/NBD with covariates ({self.model.time_unit.value}s) on"
            f" {fmt.count(self.n_customers)} customers: a coefficient g multiplies the mean"
            " purchase (or dropout) rate by exp(g) per unit of the covariate (CLVTools'"
            " parameterisation: alpha_i = alpha0 exp(-g x_i), beta_i = beta0 exp(-g x_i)).",
            f"All coefficients together: likelihood ratio {self.likelihood_ratio:.1f} on"
            f" {self.degrees_of_freedom} degrees of freedom, p = {fmt.p_value(self.p_value)}"
            " against the Pareto/NBD without covariates.",
            "A multiplier above 1 on the dropout rate means shorter lives. Effects are"
            " associations in these data, not causes.",
        ]
        if self.n_without:
            notes.append(
                f"{fmt.count(self.n_without)} customers without covariates were left out of"
                " this fit."
            )
        if self.dropped:
            notes.append(f"Left out as constant across these customers: {', '.join(self.dropped)}.")
        header = ["covariate", "process", "coefficient", "SE", "multiplier", "95% CI", "p-value"]
        return [Section("Covariate effects", rows, header=header, notes=notes)]


def covariates_overview(
    summary: CustomerSummary, covariates: CustomerCovariates
) -> CovariatesOverview:
    """Fit the Pareto/NBD with and without ``covariates`` on the customers that have them.

    Every covariate enters both the purchase and the dropout process. Customers without a
    row of covariates are left out (and counted); covariates that do not vary across the
    remaining customers are left out (and named).

    Raises
    ------
    InvalidInputError
        When no customer of ``summary`` has covariates, or no covariate varies.
    ConvergenceError
        When a fit does not converge.

    Examples
    --------
    >>> from ecomstrat import rfm_summary, simulate_covariate_transactions
    >>> sim = simulate_covariate_transactions(2_000, seed=4)
    >>> summary = rfm_summary(sim.log, observation_end=sim.observation_end, time_unit="week")
    >>> part = covariates_overview(summary, sim.covariates)
    >>> [(e.covariate, e.process) for e in part.effects][:2]
    [('offline', 'purchase'), ('newsletter', 'purchase')]
    >>> part.p_value < 0.001
    True
    """
    ids = summary.customer_ids
    known = np.isin(ids.astype(str), covariates.customer_ids.astype(str))
    if not known.any():
        raise invalid(
            "covariates",
            f"<{len(covariates)} customers>",
            "must have a row for at least one customer of the transactions",
            "The covariates' customer ids must match the transactions' ids.",
        )
    rows = np.flatnonzero(known)
    fitted_summary = summary.take(rows)
    own = covariates.align(fitted_summary.customer_ids)
    varies = [name for j, name in enumerate(own.names) if np.ptp(own.values[:, j]) > 0.0]
    dropped = tuple(name for name in own.names if name not in varies)
    model = CovariateParetoNBD(purchase=tuple(varies), dropout=tuple(varies))
    fitted = model.fit(fitted_summary, own)
    baseline = ParetoNBD().fit(fitted_summary, time_unit=fitted.time_unit)
    effects = tuple(_effects(fitted))
    return CovariatesOverview(fitted, baseline, effects, len(rows), len(ids) - len(rows), dropped)


def _effects(model: FittedCovariateParetoNBD) -> list[CovariateEffect]:
    """One effect per coefficient; an ``equal.*`` coefficient gives a row per process."""
    errors = model.fit.standard_errors if model.fit is not None else {}
    out: list[CovariateEffect] = []
    for name, value in model.coefficients.items():
        kind, covariate = name.split(".", 1)
        se = float(errors.get(name, math.nan))
        z = value / se if se > 0 else math.nan
        p = float(2.0 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan
        processes = ("purchase", "dropout") if kind == "equal" else (kind,)
        low, high = math.exp(value - _Z95 * se), math.exp(value + _Z95 * se)
        out.extend(
            CovariateEffect(covariate, process, float(value), se, math.exp(value), low, high, p)
            for process in processes
        )
    return out


def _json(value: object) -> object:
    """A float as JSON (NaN becomes ``None``); anything else as it is."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _loglik(model: FittedCovariateParetoNBD | FittedParetoNBD) -> float:
    return math.nan if model.fit is None else model.fit.log_likelihood
