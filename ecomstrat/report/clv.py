"""The CLV part of the demo report: BG/NBD and Gamma-Gamma fits, and predicted CLV.

:func:`clv_overview` fits both models on a summary and computes each customer's CLV; the
result offers plain numbers (:meth:`CLVOverview.to_dict`) and formatted sections
(:meth:`CLVOverview.sections`). :func:`clv_section` is the shortcut to the sections.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import invalid
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models._base import FitStatistics
from ecomstrat.models.bgnbd import BGNBD, FittedBGNBD
from ecomstrat.models.gamma_gamma import FittedGammaGamma, GammaGamma
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["CLVOverview", "ModelFit", "clv_overview", "clv_overview_from", "clv_section"]

#: Quantiles of the CLV distribution shown in the report.
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
#: Share of customers whose part of the total CLV the report shows.
TOP_SHARE = 0.1


@attrs.frozen
class ModelFit:
    """Estimates, standard errors and fit diagnostics of one model, as plain numbers."""

    name: str
    estimates: dict[str, float]
    standard_errors: dict[str, float]
    log_likelihood: float
    iterations: int
    seconds: float
    n_customers: int
    n_patterns: int

    @classmethod
    def of(cls, name: str, estimates: dict[str, float], fit: FitStatistics) -> ModelFit:
        """Collect the numbers of a fitted model."""
        d = fit.diagnostics
        return cls(
            name,
            estimates,
            dict(fit.standard_errors),
            fit.log_likelihood,
            d.n_iterations,
            d.seconds,
            d.n_customers,
            d.n_patterns,
        )

    def section(self, title: str, labels: dict[str, str]) -> Section:
        """Parameter table with the fit diagnostics as notes."""
        rows = [
            (labels.get(k, k), fmt.number(v, 4), fmt.number(self.standard_errors.get(k), 4))
            for k, v in self.estimates.items()
        ]
        notes = [
            f"Log-likelihood {fmt.number(self.log_likelihood, 1)} on"
            f" {fmt.count(self.n_customers)} customers ({fmt.count(self.n_patterns)} distinct"
            f" patterns); {self.iterations} iterations in {self.seconds:.2f} s."
        ]
        return Section(title, rows, header=("parameter", "estimate", "std. error"), notes=notes)


def _top_share(values: FloatArray, share: float) -> float | None:
    total = float(values.sum())
    if total <= 0:
        return None
    k = max(1, math.ceil(share * values.size))
    top = np.partition(values, values.size - k)[values.size - k :]
    return float(top.sum()) / total


@attrs.frozen
class CLVOverview:
    """Fitted purchase and spend models, and the distribution of predicted CLV."""

    time_unit: str
    horizon: float
    horizon_unit: str
    annual_discount_rate: float
    margin: float
    purchases: ModelFit
    spend: ModelFit
    frequency_monetary_correlation: float | None
    n_customers: int
    total_clv: float
    mean_clv: float
    clv_quantiles: dict[str, float]
    top_decile_clv_share: float | None
    mean_expected_purchases: float
    n_excluded_from_spend_fit: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict."""
        return attrs.asdict(self)

    def sections(self) -> tuple[Section, ...]:
        """Purchase model, spend model, and CLV distribution sections."""
        unit = self.time_unit
        purchases = self.purchases.section(
            f"BG/NBD purchase model ({unit}s)", {"alpha": f"alpha (per {unit})"}
        )
        spend = self.spend.section("Gamma-Gamma spend model", {})
        corr = self.frequency_monetary_correlation
        if corr is not None and not math.isnan(corr):
            spend = attrs.evolve(
                spend,
                notes=(
                    *spend.notes,
                    f"Frequency-monetary correlation among repeat buyers: {corr:.3f}"
                    " (the model assumes independence).",
                ),
            )
        if self.n_excluded_from_spend_fit:
            spend = attrs.evolve(
                spend,
                notes=(
                    *spend.notes,
                    f"{fmt.count(self.n_excluded_from_spend_fit)} repeat buyers whose repeat"
                    " purchases are worth 0 were left out of the fit; they get the population"
                    " mean spend.",
                ),
            )
        horizon = f"{self.horizon:g} {self.horizon_unit}s"
        rows = [
            (f"{q:.0%} quantile", fmt.number(v))
            for q, v in zip(QUANTILES, self.clv_quantiles.values(), strict=True)
        ]
        rows += [
            ("mean", fmt.number(self.mean_clv)),
            ("total", fmt.number(self.total_clv)),
            ("mean expected purchases", fmt.number(self.mean_expected_purchases, 3)),
        ]
        notes = [
            f"Residual value over {horizon} at {fmt.share(self.annual_discount_rate)} a year"
            f" (continuous discounting), margin {fmt.share(self.margin)} of spend.",
        ]
        if self.top_decile_clv_share is not None:
            notes.append(
                f"The top 10% of customers by predicted CLV hold"
                f" {fmt.share(self.top_decile_clv_share)} of it."
            )
        clv = Section(f"Predicted CLV ({horizon})", rows, header=("", "CLV"), notes=notes)
        return (purchases, spend, clv)


def clv_overview(
    summary: CustomerSummary,
    *,
    horizon: float = 12.0,
    horizon_unit: str = "month",
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
) -> CLVOverview:
    """Fit BG/NBD and Gamma-Gamma on ``summary`` and summarise the predicted CLV.

    Parameters
    ----------
    summary : CustomerSummary
        Histories with ``monetary`` (mean repeat spend); fitted in its time unit.
    horizon, horizon_unit, annual_discount_rate, margin
        As for :func:`~ecomstrat.metrics.clv.customer_lifetime_value`.

    Returns
    -------
    CLVOverview

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> o = clv_overview(simulate_transactions(2_000, seed=5).summary())
    >>> o.n_customers, list(o.purchases.estimates)
    (2000, ['r', 'alpha', 'a', 'b'])
    >>> 0.1 <= o.top_decile_clv_share <= 1.0
    True
    """
    bgnbd = BGNBD().fit(summary)
    gamma_gamma = GammaGamma().fit(summary)
    overview, _ = clv_overview_from(
        summary,
        bgnbd,
        gamma_gamma,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        margin=margin,
    )
    return overview


def clv_overview_from(
    summary: CustomerSummary,
    purchases: FittedBGNBD,
    spend_model: FittedGammaGamma,
    spend: FloatArray | None = None,
    *,
    horizon: float = 12.0,
    horizon_unit: str = "month",
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    excluded_from_spend_fit: int = 0,
) -> tuple[CLVOverview, FloatArray]:
    """Summarise the CLV of already fitted models; also return the per-customer CLV.

    Parameters
    ----------
    summary : CustomerSummary
        The customers' histories.
    purchases : FittedBGNBD
        Fitted purchase model (with its ``fit`` result).
    spend_model : FittedGammaGamma
        Fitted spend model (with its ``fit`` result).
    spend : ndarray of float64, optional
        Expected spend per purchase of each customer (default: ``spend_model``'s conditional
        expectation on ``summary``).
    horizon, horizon_unit, annual_discount_rate, margin
        As for :func:`~ecomstrat.metrics.clv.customer_lifetime_value`.
    excluded_from_spend_fit : int, default 0
        Repeat buyers left out of the spend fit (reported in a note).

    Returns
    -------
    tuple of (CLVOverview, ndarray of float64)
    """
    if purchases.fit is None or spend_model.fit is None:
        raise invalid(
            "purchases" if purchases.fit is None else "spend_model",
            "<model built from parameters>",
            "must be a fitted model (with a fit result)",
            "Fit it with BGNBD().fit(summary) or GammaGamma().fit(summary).",
        )
    result = customer_lifetime_value(
        summary,
        purchase_model=purchases,
        spend=spend_model if spend is None else spend,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        gross_margin_rate=margin,
    )
    clv: AnyArray = result.clv
    quantiles = np.quantile(clv, QUANTILES)
    correlation = spend_model.frequency_monetary_correlation
    overview = CLVOverview(
        time_unit=purchases.time_unit.value,
        horizon=float(horizon),
        horizon_unit=result.horizon_unit.value,
        annual_discount_rate=float(annual_discount_rate),
        margin=float(margin),
        purchases=ModelFit.of("BG/NBD", purchases.params.to_dict(), purchases.fit),
        spend=ModelFit.of("Gamma-Gamma", spend_model.params.to_dict(), spend_model.fit),
        frequency_monetary_correlation=None
        if correlation is None or math.isnan(correlation)
        else correlation,
        n_customers=summary.n_customers,
        total_clv=float(clv.sum()),
        mean_clv=float(clv.mean()),
        clv_quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, quantiles, strict=True)},
        top_decile_clv_share=_top_share(result.clv, TOP_SHARE),
        mean_expected_purchases=float(result.expected_purchases.mean()),
        n_excluded_from_spend_fit=int(excluded_from_spend_fit),
    )
    return overview, np.asarray(clv, dtype=np.float64)


def clv_section(
    summary: CustomerSummary,
    *,
    horizon: float = 12.0,
    horizon_unit: str = "month",
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
) -> list[Section]:
    """The CLV sections of the demo report (see :func:`clv_overview`).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sections = clv_section(simulate_transactions(2_000, seed=5).summary())
    >>> [s.title for s in sections]  # doctest: +NORMALIZE_WHITESPACE
    ['BG/NBD purchase model (weeks)', 'Gamma-Gamma spend model', 'Predicted CLV (12 months)']
    """
    overview = clv_overview(
        summary,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        margin=margin,
    )
    return list(overview.sections())
