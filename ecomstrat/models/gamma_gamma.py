"""The Gamma-Gamma model of the mean value of a customer's repeat transactions.

:class:`GammaGamma` fits ``p, q, gamma`` on the repeat buyers of a summary and returns a frozen
:class:`FittedGammaGamma` whose :meth:`~FittedGammaGamma.conditional_expected_spend` is the
expected value of each customer's future transactions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeAlias

import attrs
import numpy as np

from ecomstrat._kernels import gamma_gamma as _kernels
from ecomstrat._typing import AnyArray, BoolArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_choice,
    check_same_length,
    invalid,
    number_or_raw,
    plain,
    positive_field,
)
from ecomstrat.exceptions import EcomstratWarning, EmptyInputError
from ecomstrat.frames._foreign import Table
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._data import check_data, table_ids
from ecomstrat.models._fit import Mixing, check_weights, maximize_likelihood

__all__ = [
    "CORRELATION_WARNING_THRESHOLD",
    "FittedGammaGamma",
    "FrequencyMonetaryCorrelationWarning",
    "GammaGamma",
    "GammaGammaParams",
    "NonPositiveSpendWarning",
    "frequency_monetary_correlation",
]

#: ``(frequency, monetary)`` per customer: a summary, or two equal-length arrays.
SpendData: TypeAlias = (
    CustomerSummary | Table | tuple[Sequence[float] | AnyArray, Sequence[float] | AnyArray]
)

#: What to do with repeat buyers whose mean spend is <= 0: leave their spend out, or raise.
NonPositiveSpend: TypeAlias = Literal["exclude", "raise"]

#: Magnitude of the Pearson correlation of frequency and monetary value above which fit warns.
CORRELATION_WARNING_THRESHOLD = 0.3


class FrequencyMonetaryCorrelationWarning(EcomstratWarning):
    """Frequency and monetary value are correlated, which the Gamma-Gamma model rules out."""


class NonPositiveSpendWarning(EcomstratWarning):
    """Repeat buyers with a mean spend <= 0 were left out of the spend model's information.

    The Gamma-Gamma model gives a mean spend <= 0 probability zero (refund-only customers,
    free goods), so with ``non_positive="exclude"`` these customers are not fitted on and are
    predicted like one-time buyers; the message counts them and names the first.
    """


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


_SPEND = (
    "a CustomerSummary, a pandas, polars or Arrow table with columns frequency and monetary,"
    " or a (frequency, monetary) tuple of arrays"
)
_FIX = "Pass a CustomerSummary (e.g. ecomstrat.rfm_summary(log)) or (frequency, monetary)."


def _spend_arrays(data: SpendData) -> tuple[FloatArray, FloatArray, AnyArray | None]:
    """Validated ``(frequency, monetary, customer ids)``, errors naming the customer."""
    ids: AnyArray | None
    if isinstance(data, CustomerSummary):
        freq: Any = data.frequency
        money: Any = data.monetary
        ids = data.customer_ids
    else:
        freq, money = check_data(data, _SPEND, _FIX, columns=("frequency", "monetary"))
        ids = table_ids(data)
    x = as_float_array("frequency", freq, ndim=1)
    m = as_float_array("monetary", money, ndim=1)
    n = check_same_length(frequency=x, monetary=m)
    if n == 0:
        raise EmptyInputError("no customers: frequency and monetary are empty.")
    rules = [
        ("frequency", x, ~np.isfinite(x) | (x < 0), "must be a finite number >= 0"),
        ("frequency", x, x != np.round(x), "must be a whole number"),
        ("monetary", m, ~np.isfinite(m), "must be a finite number"),
    ]
    for name, values, bad, rule in rules:
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(
                f"{name}[{i}]",
                float(values[i]),
                rule,
                f"{int(bad.sum())} row(s) break this rule.",
                where=_customer(ids, i),
            )
    return x, m, ids


def _customer(ids: AnyArray | None, i: int) -> str:
    return "" if ids is None else f" (customer {plain(ids[i])!r})"


def _non_positive_spenders(
    x: FloatArray, m: FloatArray, ids: AnyArray | None, non_positive: NonPositiveSpend
) -> BoolArray:
    """Repeat buyers with ``monetary <= 0``; raises naming the first if ``non_positive="raise"``."""
    check_choice("non_positive", non_positive, ("exclude", "raise"))
    bad = (x > 0) & ~(m > 0)
    if non_positive == "raise" and bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"monetary[{i}]",
            float(m[i]),
            "must be > 0 for a repeat buyer (frequency > 0)",
            "The Gamma-Gamma model needs positive spend: pass non_positive='exclude' to leave"
            " such customers out (they are then predicted like one-time buyers), or fit on"
            f" gross values. {int(bad.sum())} row(s) break this rule.",
            where=_customer(ids, i),
        )
    return np.asarray(bad, dtype=np.bool_)


def _warn_non_positive(
    excluded: BoolArray, m: FloatArray, ids: AnyArray | None, what: str, *, stacklevel: int
) -> None:
    """Emit :class:`NonPositiveSpendWarning` counting ``excluded`` (nothing if none)."""
    if excluded.any():
        i = int(np.argmax(excluded))
        warnings.warn(
            f"{int(excluded.sum())} repeat buyer(s) with monetary <= 0 {what}, the first"
            f" monetary[{i}]={float(m[i])!r}{_customer(ids, i)}: the Gamma-Gamma model"
            " needs positive spend. Pass non_positive='raise' to refuse them instead.",
            NonPositiveSpendWarning,
            stacklevel=stacklevel + 1,
        )


def frequency_monetary_correlation(data: SpendData) -> float:
    """Pearson correlation of frequency and monetary value among repeat buyers.

    The Gamma-Gamma model assumes the two are independent; a magnitude above
    :data:`CORRELATION_WARNING_THRESHOLD` (0.3) makes :meth:`GammaGamma.fit` warn. Only the
    repeat buyers with ``monetary > 0`` are counted, the customers the model is fitted on.

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
    repeat = (x > 0) & (m > 0)
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

    name: ClassVar[str] = "Gamma-Gamma"

    frequency_monetary_correlation: float | None = None

    def conditional_expected_spend(
        self, data: SpendData, *, non_positive: NonPositiveSpend = "exclude"
    ) -> FloatArray:
        """Expected value of each customer's future transactions given their history.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, monetary)``: repeat transactions and their mean value (0 for
            customers without repeat transactions, who get the population mean).
        non_positive : {"exclude", "raise"}
            Repeat buyers with ``monetary <= 0``: ``"exclude"`` (default) predicts them like
            one-time buyers, the population mean ``p γ / (q - 1)``, with a
            :class:`NonPositiveSpendWarning` counting them; ``"raise"`` refuses them.

        Returns
        -------
        ndarray of float64
            ``p (γ + x z̄) / (p x + q - 1)``; inf where the posterior mean does not exist
            (``p x + q <= 1``, e.g. ``q <= 1`` for a one-time buyer).

        Raises
        ------
        InvalidInputError
            If a frequency is negative or fractional, a monetary value is not finite, or
            (with ``non_positive="raise"``) a repeat buyer's monetary value is <= 0.
        UnknownCodeError
            If ``non_positive`` is not one of the values above.

        Warns
        -----
        NonPositiveSpendWarning
            With ``non_positive="exclude"``, when some repeat buyers have ``monetary <= 0``.

        Examples
        --------
        >>> import warnings
        >>> m = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     spend = m.conditional_expected_spend(([2, 3, 0], [22.35, 0.0, 0.0]))
        >>> spend.round(2)
        array([24.66, 35.22, 35.22])
        >>> print(caught[0].message)  # doctest: +ELLIPSIS
        1 repeat buyer(s) with monetary <= 0 get the population mean spend ... monetary[1]=0.0: ...
        """
        return self._expected_spend(data, non_positive, stacklevel=2)

    def _expected_spend(
        self, data: SpendData, non_positive: NonPositiveSpend, *, stacklevel: int
    ) -> FloatArray:
        """:meth:`conditional_expected_spend`, warning ``stacklevel`` frames up."""
        x, m, ids = _spend_arrays(data)
        excluded = _non_positive_spenders(x, m, ids, non_positive)
        p, q, g = self.params.p, self.params.q, self.params.gamma
        _warn_non_positive(
            excluded,
            m,
            ids,
            f"get the population mean spend p*gamma/(q-1) = {self.params.mean_spend:.6g},"
            " like one-time buyers",
            stacklevel=stacklevel + 1,
        )
        x = np.where(excluded, 0.0, x)
        denominator = p * x + q - 1.0
        out = np.full(x.shape, np.inf)
        ok = denominator > 0
        spent = np.where(x > 0, x * m, 0.0)
        out[ok] = p * (g + spent[ok]) / denominator[ok]
        return out

    def log_likelihood(
        self, data: SpendData, *, non_positive: NonPositiveSpend = "exclude"
    ) -> float:
        """Log-likelihood of the repeat buyers' mean spend at these parameters.

        ``non_positive`` is as in :meth:`GammaGamma.fit`: by default repeat buyers with
        ``monetary <= 0`` are left out (with a :class:`NonPositiveSpendWarning`).
        """
        x, m, ids = _spend_arrays(data)
        excluded = _non_positive_spenders(x, m, ids, non_positive)
        _warn_non_positive(excluded, m, ids, "were left out of the log-likelihood", stacklevel=2)
        repeat = (x > 0) & ~excluded
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
    summary's ``monetary`` averages repeat transactions), and of those only the ones with a
    positive mean spend: the model gives a mean of 0 or less probability zero, so by default
    (``non_positive="exclude"``) such customers are left out with a
    :class:`NonPositiveSpendWarning` and predicted like one-time buyers.

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
        non_positive: NonPositiveSpend = "exclude",
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
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
        non_positive : {"exclude", "raise"}
            Repeat buyers with ``monetary <= 0`` (e.g. only refunds or free goods):
            ``"exclude"`` (default) fits on the other repeat buyers and warns with a
            :class:`NonPositiveSpendWarning` counting them; ``"raise"`` refuses them.
        weights : array_like, optional
            Customers each row stands for (finite, >= 0; default 1 each): pre-aggregated or
            compressed data fit exactly as the expanded rows.
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters: maximises
            ``ℓ(θ) − λ Σ (log θ_k)²``, the remedy for a flat likelihood (default 0, plain
            maximum likelihood; standard errors then come from the penalised Hessian).

        Returns
        -------
        FittedGammaGamma

        Raises
        ------
        InvalidInputError
            If a frequency is negative or fractional, a monetary value is not finite, or
            (with ``non_positive="raise"``) a repeat buyer's monetary value is <= 0, naming
            the customer.
        UnknownCodeError
            If ``non_positive`` is not one of the values above.
        EmptyInputError
            If no customer has a repeat transaction with a positive mean spend.
        ConvergenceError
            If the optimiser's end point is not a maximum; the message says why.

        Warns
        -----
        NonPositiveSpendWarning
            With ``non_positive="exclude"``, when some repeat buyers have ``monetary <= 0``.
        BoundaryEstimateWarning
            When the customers' spend scales hardly vary (``q`` and ``gamma`` run off to
            infinity together); the estimates are kept.
        FrequencyMonetaryCorrelationWarning
            When the magnitude of the correlation of frequency and monetary value among
            repeat buyers exceeds 0.3.
        """
        x, m, ids = _spend_arrays(data)
        excluded = _non_positive_spenders(x, m, ids, non_positive)
        w = check_weights(weights, x.size)
        repeat = (x > 0) & ~excluded & (w > 0)
        if not repeat.any():
            raise EmptyInputError(
                "no repeat buyers with a positive spend: the Gamma-Gamma model is fitted on"
                f" customers with frequency > 0 and monetary > 0 ({int(excluded.sum())}"
                " repeat buyer(s) have monetary <= 0)."
            )
        _warn_non_positive(excluded, m, ids, "were left out of the fit", stacklevel=2)
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
        (xs, ms), ws = compress_rows((xs, ms), w[repeat], compress=compress)
        if initial is None:
            start: Sequence[float] = (1.0, 2.0, float(np.average(ms, weights=ws)))
        else:
            start = coerce_initial(initial, GammaGammaParams).to_tuple()
        names = GammaGammaParams.names()
        estimate = maximize_likelihood(
            lambda theta: _loglik(theta, xs, ms, ws),
            start,
            names,
            n_customers=round(float(np.sum(ws))),
            n_patterns=int(xs.size),
            # nu ~ Gamma(q, gamma): a customer's mean transaction value is p / nu
            mixing=(Mixing("gamma", "q", "gamma", "spend scales"),),
            model="Gamma-Gamma",
            penalty=penalty,
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
