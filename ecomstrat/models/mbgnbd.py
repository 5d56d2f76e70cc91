"""The MBG/NBD model: BG/NBD with a possible dropout right after the first purchase.

Batislam, Denizel & Filiztekin (2007) let the customer drop out at time 0 as well, which
removes the BG/NBD's implication that every one-time buyer is alive. Fitting and predictions
share the BG/NBD machinery (:mod:`ecomstrat.models.bgnbd`) with their own kernels
(:mod:`ecomstrat._kernels.mbgnbd`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import attrs

from ecomstrat._kernels import mbgnbd as _mbgnbd
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.models._protocols import RFMData
from ecomstrat.models.bgnbd import (
    KernelSet,
    _BetaGeometricParams,
    _FittedBetaGeometric,
    fit_beta_geometric,
)

__all__ = ["MBGNBD", "FittedMBGNBD", "MBGNBDParams"]

_MBGNBD_KERNELS: KernelSet = {
    "loglik": (_mbgnbd.loglik, _mbgnbd.loglik_parallel),
    "p_alive": (_mbgnbd.p_alive, _mbgnbd.p_alive_parallel),
    "conditional": (_mbgnbd.conditional, _mbgnbd.conditional_parallel),
    "unconditional": (_mbgnbd.unconditional, _mbgnbd.unconditional_parallel),
    "pmf": (_mbgnbd.pmf, _mbgnbd.pmf_parallel),
    "discounted": (_mbgnbd.discounted, _mbgnbd.discounted_parallel),
}


@attrs.frozen
class MBGNBDParams(_BetaGeometricParams):
    """Parameters of the MBG/NBD model (same meaning as :class:`~ecomstrat.BGNBDParams`).

    Parameters
    ----------
    r, alpha : float
        Shape and rate (per the model's time unit) of the Gamma distribution of purchase
        rates.
    a, b : float
        Parameters of the Beta distribution of the dropout probability, which applies at
        time 0 and after each repeat purchase.

    Examples
    --------
    >>> MBGNBDParams(0.525, 6.183, 0.891, 1.614).b
    1.614
    """


@attrs.frozen(eq=False, repr=False)
class FittedMBGNBD(_FittedBetaGeometric[MBGNBDParams]):
    """An MBG/NBD model with known parameters: predictions per customer.

    Same methods and conventions as :class:`~ecomstrat.FittedBGNBD`.

    Parameters
    ----------
    params : MBGNBDParams
        ``r, alpha, a, b``.
    time_unit : TimeUnit
        Unit of time of ``alpha`` and of every time argument.
    fit : FitResult, optional
        Log-likelihood, standard errors and diagnostics (None when built from parameters).

    Notes
    -----
    Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
    for customer base analysis", International Journal of Research in Marketing 24(3),
    201-209. With ``x + 1`` dropout opportunities after ``x`` repeat purchases:

    - likelihood ``Γ(r+x)α^r/Γ(r) · [B(a, b+x+1)/B(a, b) (α+T)^-(r+x)
      + B(a+1, b+x)/B(a, b) (α+t_x)^-(r+x)]``;
    - ``P(alive) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x))`` (below 1 for ``x = 0`` too);
    - ``E[X(t)] = b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]``, computed as
      ``b/(a+b)`` times the BG/NBD expectation with ``b + 1``: survive time 0, then behave
      as a BG/NBD customer (so the same treatment of ``a <= 1`` applies);
    - ``E[Y(t) | x, t_x, T] = P(alive) (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x)
      2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]``;
    - ``P(X(t) = n) = B(a, b+n+1)/B(a, b) NBD(n) + B(a+1, b+n)/B(a, b) P(NBD >= n)``.

    Examples
    --------
    >>> m = MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week")
    >>> history = ([2, 0], [30.43, 0.0], [38.86, 38.86])
    >>> m.probability_alive(history).round(4)
    array([0.7062, 0.3897])
    >>> m.conditional_expected_purchases(39.0, history).round(4)
    array([1.263, 0.154])
    """

    _kernels: ClassVar[KernelSet] = _MBGNBD_KERNELS


@attrs.frozen
class MBGNBD:
    """The MBG/NBD model: fit it to customer histories, or build it from known parameters.

    Like :class:`~ecomstrat.BGNBD`, but a customer may become inactive right after the first
    purchase (with the same probability ``p`` as after each repeat purchase).

    Notes
    -----
    Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
    for customer base analysis", International Journal of Research in Marketing 24(3),
    201-209. Also known as lifetimes' ``ModifiedBetaGeoFitter``.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(3_000, seed=7).summary()
    >>> fitted = MBGNBD().fit(summary)
    >>> fitted.fit.diagnostics.converged, fitted.time_unit.value
    (True, 'week')
    """

    def fit(
        self,
        data: RFMData,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: MBGNBDParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
    ) -> FittedMBGNBD:
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            A summary (its ``time_unit`` is used) or ``(frequency, recency, T)``.
        time_unit : TimeUnit or str, optional
            Unit to fit in: a summary is converted to it; for arrays it is their unit
            (default ``"day"``).
        initial : MBGNBDParams, mapping or sequence of 4 floats, optional
            Starting values (default: as for :meth:`BGNBD.fit`).
        compress : bool, optional
            Evaluate the likelihood on distinct ``(x, t_x, T)`` patterns with weights:
            ``None`` does so when they are at most half of the customers.

        Returns
        -------
        FittedMBGNBD

        Raises
        ------
        InvalidInputError
            If the data break a rule (negative or fractional frequency, recency > T…).
        ConvergenceError
            If the optimiser's end point is not a maximum; the message says why.

        Warns
        -----
        BoundaryEstimateWarning
            When the purchase rates or dropout probabilities hardly vary across customers (a
            mixing distribution collapsed); the estimates are kept.
        """
        params, unit, result = fit_beta_geometric(
            _MBGNBD_KERNELS, data, time_unit, initial, compress
        )
        return FittedMBGNBD(MBGNBDParams(*params), unit, result)

    @staticmethod
    def from_params(
        *, r: float, alpha: float, a: float, b: float, time_unit: TimeUnit | str = "day"
    ) -> FittedMBGNBD:
        """A fitted model with known parameters (``fit`` is None).

        Examples
        --------
        >>> MBGNBD.from_params(r=0.5, alpha=6.0, a=0.9, b=1.6, time_unit="week")
        FittedMBGNBD(r=0.5, alpha=6, a=0.9, b=1.6, time_unit='week')
        """
        return FittedMBGNBD(MBGNBDParams(r, alpha, a, b), TimeUnit.parse(time_unit), None)
