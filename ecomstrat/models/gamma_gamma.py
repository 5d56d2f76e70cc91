"""The Gamma-Gamma model of the mean value of a customer's repeat transactions.

:class:`GammaGamma` fits ``p, q, gamma`` on the repeat buyers of a summary and returns a frozen
:class:`FittedGammaGamma` whose :meth:`~FittedGammaGamma.conditional_expected_spend` is the
expected value of each customer's future transactions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np

from ecomstrat._kernels import gamma_gamma as _kernels
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_same_length,
    invalid,
    number_or_raw,
    plain,
    positive_field,
)
from ecomstrat.exceptions import EcomstratWarning, EmptyInputError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._data import check_data
from ecomstrat.models._fit import Mixing, maximize_likelihood

__all__ = [
    "CORRELATION_WARNING_THRESHOLD",
    "FittedGammaGamma",
    "FrequencyMonetaryCorrelationWarning",
    "GammaGamma",
    "GammaGammaParams",
    "frequency_monetary_correlation",
]

#: ``(frequency, monetary)`` per customer: a summary, or two equal-length arrays.
SpendData: TypeAlias = (
    CustomerSummary | tuple[Sequence[float] | AnyArray, Sequence[float] | AnyArray]
)

#: Magnitude of the Pearson correlation of frequency and monetary value above which fit warns.
CORRELATION_WARNING_THRESHOLD = 0.3


class FrequencyMonetaryCorrelationWarning(EcomstratWarning):
    """Frequency and monetary value are correlated, which the Gamma-Gamma model rules out."""


@attrs.frozen
class GammaGammaParams(Params):
    """Parameters of the Gamma-Gamma spend model.

    Parameters
    ----------
    p : float
        Shape of the Gamma distribution of one transaction's value given the customer's
        scale ``ν``.
    q, gamma : float
        Shape and rate of the Gamma distribution of ``ν`` across customers.

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0.

    Examples
    --------
    >>> GammaGammaParams(p=6.25, q=3.74, gamma=15.44).to_dict()
    {'p': 6.25, 'q': 3.74, 'gamma': 15.44}
    """

    p: float = attrs.field(converter=number_or_raw, validator=positive_field)
    q: float = attrs.field(converter=number_or_raw, validator=positive_field)
    gamma: float = attrs.field(converter=number_or_raw, validator=positive_field)

    @property
    def mean_spend(self) -> float:
        """Population mean transaction value ``p γ / (q - 1)`` (inf when ``q <= 1``)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else math.inf


_FIXES = {
    "pandas": "Convert it with ecomstrat.summary_from_pandas(df, frequency=..., recency=...,"
    " T=..., monetary=...), or pass (df['frequency'].to_numpy(), df['monetary'].to_numpy()).",
    "polars": "Pass its columns, (df['frequency'].to_numpy(), df['monetary'].to_numpy()), or"
    " summarise an order table with ecomstrat.rfm_summary(ecomstrat.log_from_polars(df)).",
    "": "Pass a CustomerSummary (e.g. ecomstrat.rfm_summary(log)) or (frequency, monetary).",
}


def _spend_arrays(data: SpendData) -> tuple[FloatArray, FloatArray, AnyArray | None]:
    """Validated ``(frequency, monetary, customer ids)``, errors naming the customer."""
    ids: AnyArray | None
    if isinstance(data, CustomerSummary):
        freq: Any = data.frequency
        money: Any = data.monetary
        ids = data.customer_ids
    else:
        freq, money = check_data(
            data, "a CustomerSummary or a (frequency, monetary) tuple of arrays", _FIXES, columns=2
        )
        ids = None
    x = as_float_array("frequency", freq, ndim=1)
    m = as_float_array("monetary", money, ndim=1)
    n = check_same_length(frequency=x, monetary=m)
    if n == 0:
        raise EmptyInputError("no customers: frequency and monetary are empty.")
    rules = [
        ("frequency", x, ~np.isfinite(x) | (x < 0), "must be a finite number >= 0", None),
        ("frequency", x, x != np.round(x), "must be a whole number", None),
        ("monetary", m, ~np.isfinite(m), "must be a finite number", None),
        (
            "monetary",
            m,
            (x > 0) & ~(m > 0),
            "must be > 0 for a repeat buyer (frequency > 0)",
            "The Gamma-Gamma model needs positive spend: drop refund-only customers or fit"
            " on gross values.",
        ),
    ]
    for name, values, bad, rule, fix in rules:
        if bad.any():
            i = int(np.argmax(bad))
            where = "" if ids is None else f" (customer {plain(ids[i])!r})"
            extra = f"{int(bad.sum())} row(s) break this rule."
            raise invalid(
                f"{name}[{i}]",
                float(values[i]),
                rule,
                f"{fix} {extra}" if fix else extra,
                where=where,
            )
    return x, m, ids


def frequency_monetary_correlation(data: SpendData) -> float:
    """Pearson correlation of frequency and monetary value among repeat buyers.

    The Gamma-Gamma model assumes the two are independent; a magnitude above
    :data:`CORRELATION_WARNING_THRESHOLD` (0.3) makes :meth:`GammaGamma.fit` warn.

    Parameters
    ----------
    data : CustomerSummary or tuple of arrays
        ``(frequency, monetary)``.

    Returns
    -------
    float
        NaN when fewer than two repeat buyers or a constant column.

    Examples
    --------
    >>> round(frequency_monetary_correlation(([1, 2, 3, 0], [10.0, 12.0, 9.0, 0.0])), 4)
    -0.3273
    """
    x, m, _ = _spend_arrays(data)
    repeat = x > 0
    xs, ms = x[repeat], m[repeat]
    if xs.size < 2 or np.ptp(xs) == 0 or np.ptp(ms) == 0:
        return math.nan
    return float(np.corrcoef(xs, ms)[0, 1])


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedGammaGamma(FittedModel[GammaGammaParams]):
    """A Gamma-Gamma spend model with known parameters.

    Parameters
    ----------
    params : GammaGammaParams
        ``p, q, gamma``.
    fit : FitStatistics, optional
        Log-likelihood, standard errors and diagnostics (None when built from parameters).
    frequency_monetary_correlation : float, optional
        Correlation of frequency and monetary value among the repeat buyers it was fitted on.

    Notes
    -----
    Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
    analysis", Journal of Marketing Research 42(4), 415-430; Fader & Hardie (2013), "The
    Gamma-Gamma model of monetary value". The posterior of ``ν`` given ``x`` transactions of
    mean ``z̄`` is Gamma(``px + q``, ``γ + x z̄``), so the expected value of a future
    transaction is ``E[Z | x, z̄] = p (γ + x z̄) / (p x + q - 1)``, a weighted mean of the
    population mean ``p γ / (q - 1)`` and the customer's own mean.

    Examples
    --------
    >>> m = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> m.conditional_expected_spend(([2, 1, 0], [22.35, 11.77, 0.0])).round(2)
    array([24.66, 18.92, 35.22])
    >>> round(m.params.mean_spend, 2)
    35.22
    """

    frequency_monetary_correlation: float | None = None

    def conditional_expected_spend(self, data: SpendData) -> FloatArray:
        """Expected value of each customer's future transactions given their history.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, monetary)``: repeat transactions and their mean value (0 for
            customers without repeat transactions, who get the population mean).

        Returns
        -------
        ndarray of float64
            ``p (γ + x z̄) / (p x + q - 1)``; inf where the posterior mean does not exist
            (``p x + q <= 1``, e.g. ``q <= 1`` for a one-time buyer).
        """
        x, m, _ = _spend_arrays(data)
        p, q, g = self.params.p, self.params.q, self.params.gamma
        denominator = p * x + q - 1.0
        out = np.full(x.shape, np.inf)
        ok = denominator > 0
        spent = np.where(x > 0, x * m, 0.0)
        out[ok] = p * (g + spent[ok]) / denominator[ok]
        return out

    def log_likelihood(self, data: SpendData) -> float:
        """Log-likelihood of the repeat buyers' mean spend at these parameters."""
        x, m, _ = _spend_arrays(data)
        repeat = x > 0
        theta = np.array(self.params.to_tuple())
        value, _ = _loglik(theta, x[repeat], m[repeat], np.ones(int(repeat.sum())))
        return float(value)


def _loglik(
    theta: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray
) -> tuple[float, FloatArray]:
    kernel = _kernels.loglik_parallel if x.size >= _kernels.PARALLEL_MIN_ROWS else _kernels.loglik
    value, gradient = kernel(
        np.ascontiguousarray(theta, dtype=np.float64),
        np.ascontiguousarray(x),
        np.ascontiguousarray(m),
        np.ascontiguousarray(w),
    )
    return float(value), np.asarray(gradient, dtype=np.float64)


@attrs.frozen
class GammaGamma:
    """The Gamma-Gamma spend model: fit it on repeat buyers, or build it from parameters.

    Each transaction's value is Gamma(``p``, ``ν``) around the customer's mean ``p/ν``, and
    ``ν`` is Gamma(``q``, ``gamma``) across customers, independently of the purchase
    process. Only customers with at least one repeat transaction are used to fit (the
    summary's ``monetary`` averages repeat transactions).

    Notes
    -----
    Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
    analysis", Journal of Marketing Research 42(4), 415-430; Fader & Hardie (2013), "The
    Gamma-Gamma model of monetary value". Spend has no time unit, so unlike the purchase
    models ``fit`` takes none. See :doc:`/models-gamma-gamma`.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(3_000, seed=7).summary()
    >>> fitted = GammaGamma().fit(summary)
    >>> fitted.fit.diagnostics.n_customers == int((summary.frequency > 0).sum())
    True
    """

    def fit(
        self,
        data: SpendData,
        *,
        initial: GammaGammaParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
    ) -> FittedGammaGamma:
        """Estimate ``p, q, gamma`` by maximum likelihood on the repeat buyers.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, monetary)``; customers with ``frequency == 0`` are left out.
        initial : GammaGammaParams, mapping or sequence of 3 floats, optional
            Starting values (default ``p = 1, q = 2`` and ``gamma`` = the mean of
            ``monetary``, which matches the population mean spend).
        compress : bool, optional
            Evaluate the likelihood on distinct ``(x, monetary)`` pairs with weights:
            ``None`` does so when they are at most half of the repeat buyers.

        Returns
        -------
        FittedGammaGamma

        Raises
        ------
        InvalidInputError
            If ``monetary`` is not > 0 for a repeat buyer (naming the customer), or the
            frequency is negative or fractional.
        EmptyInputError
            If no customer has a repeat transaction.
        ConvergenceError
            If the optimiser's end point is not a maximum; the message says why.

        Warns
        -----
        BoundaryEstimateWarning
            When the customers' spend scales hardly vary (``q`` and ``gamma`` run off to
            infinity together); the estimates are kept.
        FrequencyMonetaryCorrelationWarning
            When the magnitude of the correlation of frequency and monetary value among
            repeat buyers exceeds 0.3.
        """
        x, m, _ = _spend_arrays(data)
        repeat = x > 0
        if not repeat.any():
            raise EmptyInputError(
                "no repeat buyers: the Gamma-Gamma model is fitted on customers with frequency > 0."
            )
        xs, ms = x[repeat], m[repeat]
        correlation = frequency_monetary_correlation((xs, ms))
        if abs(correlation) > CORRELATION_WARNING_THRESHOLD:
            warnings.warn(
                f"frequency and monetary value are correlated (Pearson r = {correlation:.3f}"
                f" among {xs.size} repeat buyers, above {CORRELATION_WARNING_THRESHOLD}); the"
                " Gamma-Gamma model assumes they are independent, so its spend predictions"
                " may be biased.",
                FrequencyMonetaryCorrelationWarning,
                stacklevel=2,
            )
        (xs, ms), weights = compress_rows((xs, ms), np.ones(xs.size), compress=compress)
        if initial is None:
            start: Sequence[float] = (1.0, 2.0, float(np.mean(m[repeat])))
        else:
            start = coerce_initial(initial, GammaGammaParams).to_tuple()
        names = GammaGammaParams.names()
        estimate = maximize_likelihood(
            lambda theta: _loglik(theta, xs, ms, weights),
            start,
            names,
            n_customers=int(repeat.sum()),
            n_patterns=int(xs.size),
            # nu ~ Gamma(q, gamma): a customer's mean transaction value is p / nu
            mixing=(Mixing("gamma", "q", "gamma", "spend scales"),),
            model="Gamma-Gamma",
        )
        warn_boundary(estimate.boundary, stacklevel=2)
        return FittedGammaGamma(
            params=GammaGammaParams(*map(float, estimate.params)),
            fit=FitStatistics.from_estimate(estimate, names=names),
            frequency_monetary_correlation=correlation,
        )

    @staticmethod
    def from_params(*, p: float, q: float, gamma: float) -> FittedGammaGamma:
        """A fitted model with known parameters (``fit`` is None).

        Examples
        --------
        >>> GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
        FittedGammaGamma(p=6.25, q=3.74, gamma=15.44)
        """
        return FittedGammaGamma(params=GammaGammaParams(p=p, q=q, gamma=gamma))
