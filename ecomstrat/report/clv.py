"""The model and CLV parts of the report: purchase model and P(alive), spend model, CLV.

:func:`purchase_model_overview` describes a fitted purchase model (BG/NBD, MBG/NBD or
Pareto/NBD) and its P(alive), explaining what P(alive) means for one-time buyers.
:func:`clv_overview` fits BG/NBD and Gamma-Gamma on a summary and computes each customer's
CLV; the result offers plain numbers (:meth:`CLVOverview.to_dict`) and formatted sections
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
from ecomstrat.metrics.clv import LifetimeValues, customer_lifetime_value
from ecomstrat.metrics.value_tiers import top_value_share
from ecomstrat.models._base import FitStatistics
from ecomstrat.models._protocols import TransactionModel
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import FittedGammaGamma, GammaGamma
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = [
    "MODEL_NAMES",
    "CLVOverview",
    "ModelFit",
    "PurchaseModelOverview",
    "clv_overview",
    "clv_overview_from",
    "clv_section",
    "purchase_model_overview",
]

#: Quantiles of the CLV distribution shown in the report.
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
#: Share of customers whose part of the total CLV the report shows.
TOP_SHARE = 0.1
#: Purchase model key (``--model``) -> its name in the report.
MODEL_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pnbd": "Pareto/NBD"}
#: Quantiles of P(alive) shown in the report.
P_ALIVE_QUANTILES = (0.1, 0.5, 0.9)


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


def _p_alive_notes(model: str, n_one_time: int, one_time_alive: float | None) -> list[str]:
    if model == "bgnbd":
        return [
            f"BG/NBD gives every one-time buyer ({fmt.count(n_one_time)} customers here)"
            " P(alive) = 1: in BG/NBD a customer can drop out only right after a repeat"
            " purchase, so a customer who never bought again counts as alive however long"
            " ago the first purchase was. Their expected purchases still fall with age.",
            "MBG/NBD (model 'mbgnbd'; --model mbgnbd on the command line) also lets"
            " customers drop out right after the first purchase, so long-silent one-time"
            " buyers get a P(alive) below 1.",
        ]
    mean = "" if one_time_alive is None else f", mean P(alive) {one_time_alive:.3f}"
    return [
        f"One-time buyers ({fmt.count(n_one_time)} customers{mean}) can have dropped out"
        " too: their P(alive) falls with the time since their first purchase."
    ]


@attrs.frozen
class PurchaseModelOverview:
    """A fitted purchase model's parameters and the distribution of its P(alive)."""

    model: str
    name: str
    time_unit: str
    fit: ModelFit
    mean_p_alive: float
    p_alive_quantiles: dict[str, float]
    n_one_time_buyers: int
    mean_p_alive_one_time_buyers: float | None

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict."""
        return attrs.asdict(self)

    def sections(self) -> tuple[Section, ...]:
        """The parameter table, then P(alive) with what it means for one-time buyers."""
        unit = self.time_unit
        params = self.fit.section(
            f"{self.name} purchase model ({unit}s)",
            {"alpha": f"alpha (per {unit})", "beta": f"beta (per {unit})"},
        )
        rows = [("mean", fmt.number(self.mean_p_alive, 3))]
        rows += [
            (f"{q:.0%} quantile", fmt.number(v, 3))
            for q, v in zip(P_ALIVE_QUANTILES, self.p_alive_quantiles.values(), strict=True)
        ]
        notes = _p_alive_notes(
            self.model, self.n_one_time_buyers, self.mean_p_alive_one_time_buyers
        )
        alive = Section(f"P(alive), {self.name}", rows, header=("", "P(alive)"), notes=notes)
        return (params, alive)


def purchase_model_overview(
    summary: CustomerSummary, model: TransactionModel, *, key: str = "bgnbd"
) -> tuple[PurchaseModelOverview, FloatArray]:
    """Describe a fitted purchase model and its P(alive); also return P(alive) per customer.

    Parameters
    ----------
    summary : CustomerSummary
        The customers' histories.
    model : TransactionModel
        A fitted purchase model with its ``fit`` result and ``params``.
    key : {"bgnbd", "mbgnbd", "pnbd"}, default "bgnbd"
        Which model it is (see :data:`MODEL_NAMES`).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(2_000, seed=5).summary()
    >>> overview, p_alive = purchase_model_overview(summary, BGNBD().fit(summary))
    >>> overview.mean_p_alive_one_time_buyers
    1.0
    >>> [s.title for s in overview.sections()]
    ['BG/NBD purchase model (weeks)', 'P(alive), BG/NBD']
    """
    fit = getattr(model, "fit", None)
    if fit is None:
        raise invalid(
            "model",
            "<model built from parameters>",
            "must be a fitted model (with a fit result)",
            "Fit it, e.g. BGNBD().fit(summary).",
        )
    name = MODEL_NAMES[key]
    p_alive = np.asarray(model.probability_alive(summary), dtype=np.float64)
    one_time = summary.frequency == 0
    params: dict[str, float] = model.params.to_dict()  # type: ignore[attr-defined]
    overview = PurchaseModelOverview(
        model=key,
        name=name,
        time_unit=model.time_unit.value,
        fit=ModelFit.of(name, {k: float(v) for k, v in params.items()}, fit),
        mean_p_alive=float(p_alive.mean()),
        p_alive_quantiles={
            f"{q:g}": float(v)
            for q, v in zip(P_ALIVE_QUANTILES, np.quantile(p_alive, P_ALIVE_QUANTILES), strict=True)
        },
        n_one_time_buyers=int(one_time.sum()),
        mean_p_alive_one_time_buyers=float(p_alive[one_time].mean()) if one_time.any() else None,
    )
    return overview, p_alive


@attrs.frozen
class CLVOverview:
    """The fitted spend model and the distribution of predicted CLV.

    ``margin`` is the gross margin rate applied to the spend; ``basis`` says whether the CLV
    is gross margin or revenue (a margin of 1 that nobody gave).
    """

    purchase_model: str
    horizon: float
    horizon_unit: str
    annual_discount_rate: float
    margin: float
    basis: str
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
        """Spend model and CLV distribution sections."""
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
                    " purchases are worth 0 or less on average were left out of the fit; their"
                    " purchases are valued at the population mean spend, like one-time buyers'.",
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
        margin = (
            f"x gross margin {fmt.share(self.margin)}"
            if self.basis == "gross margin"
            else "(revenue: no gross margin rate was given)"
        )
        notes = [
            f"CLV = {self.basis}: expected purchases ({self.purchase_model}) over {horizon}"
            f" x expected spend per purchase (Gamma-Gamma) {margin}, discounted at"
            f" {fmt.share(self.annual_discount_rate)} a year (continuous discounting). The clv"
            " scorer and the customers file use the same definition.",
        ]
        if self.top_decile_clv_share is not None:
            notes.append(
                f"The top 10% of customers by predicted CLV hold"
                f" {fmt.share(self.top_decile_clv_share)} of it."
            )
        clv = Section(
            f"Predicted CLV ({horizon}, {self.basis})", rows, header=("", "CLV"), notes=notes
        )
        return (spend, clv)


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
    >>> o.n_customers, list(o.spend.estimates), o.basis
    (2000, ['p', 'q', 'gamma'], 'revenue')
    >>> 0.1 <= o.top_decile_clv_share <= 1.0
    True
    """
    overview, _ = clv_overview_from(
        summary,
        BGNBD().fit(summary),
        GammaGamma().fit(summary),
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        margin=margin,
    )
    return overview


def clv_overview_from(
    summary: CustomerSummary,
    purchases: TransactionModel,
    spend_model: FittedGammaGamma,
    spend: FloatArray | None = None,
    *,
    horizon: float = 12.0,
    horizon_unit: str = "month",
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    margin_given: bool | None = None,
    purchase_model: str = "BG/NBD",
    excluded_from_spend_fit: int = 0,
) -> tuple[CLVOverview, LifetimeValues]:
    """Summarise the CLV of already fitted models; also return the per-customer values.

    Parameters
    ----------
    summary : CustomerSummary
        The customers' histories.
    purchases : TransactionModel
        Fitted purchase model (BG/NBD, MBG/NBD, Pareto/NBD).
    spend_model : FittedGammaGamma
        Fitted spend model (with its ``fit`` result).
    spend : ndarray of float64, optional
        Expected spend per purchase of each customer (default: ``spend_model``'s conditional
        expectation on ``summary``).
    horizon, horizon_unit, annual_discount_rate, margin
        As for :func:`~ecomstrat.metrics.clv.customer_lifetime_value` (``margin`` is its
        ``gross_margin_rate``).
    margin_given : bool, optional
        Whether ``margin`` is a real gross margin rate (the CLV is labelled "gross margin")
        or a placeholder 1 (labelled "revenue"). Default: ``margin != 1``.
    purchase_model : str, default "BG/NBD"
        Name of the purchase model, for the notes.
    excluded_from_spend_fit : int, default 0
        Repeat buyers left out of the spend fit (reported in a note).

    Returns
    -------
    tuple of (CLVOverview, LifetimeValues)
    """
    if spend_model.fit is None:
        raise invalid(
            "spend_model",
            "<model built from parameters>",
            "must be a fitted model (with a fit result)",
            "Fit it with GammaGamma().fit(summary).",
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
    given = margin != 1 if margin_given is None else margin_given
    overview = CLVOverview(
        purchase_model=purchase_model,
        horizon=float(horizon),
        horizon_unit=result.horizon_unit.value,
        annual_discount_rate=float(annual_discount_rate),
        margin=float(margin),
        basis="gross margin" if given else "revenue",
        spend=ModelFit.of("Gamma-Gamma", spend_model.params.to_dict(), spend_model.fit),
        frequency_monetary_correlation=None
        if correlation is None or math.isnan(correlation)
        else correlation,
        n_customers=summary.n_customers,
        total_clv=float(clv.sum()),
        mean_clv=float(clv.mean()),
        clv_quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, quantiles, strict=True)},
        top_decile_clv_share=top_value_share(result.clv, TOP_SHARE),
        mean_expected_purchases=float(result.expected_purchases.mean()),
        n_excluded_from_spend_fit=int(excluded_from_spend_fit),
    )
    return overview, result


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
    >>> [s.title for s in sections]
    ['Gamma-Gamma spend model', 'Predicted CLV (12 months, revenue)']
    """
    overview = clv_overview(
        summary,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        margin=margin,
    )
    return list(overview.sections())
