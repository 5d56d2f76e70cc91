"""What every fitted model carries besides its parameters, and the shared fitting steps."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import check_positive, invalid
from ecomstrat.exceptions import BoundaryEstimateWarning
from ecomstrat.models._data import RFMArrays, compress
from ecomstrat.models._fit import FitDiagnostics, MaximumLikelihood, maximize_likelihood

__all__ = [
    "RUNAWAY_SHAPE",
    "FitResult",
    "coerce_initial",
    "fit_patterns",
    "positive_params",
    "runaway_hint",
    "warn_boundary",
]

_P = TypeVar("_P")
_COUNTS = {2: "two", 3: "three", 4: "four"}

#: Compress to unique patterns when they are at most this share of the rows.
COMPRESS_MAX_SHARE = 0.5

#: A Gamma shape (or Beta ``a + b``) beyond which a failed fit is explained as vanishing
#: heterogeneity: the mixing distribution was collapsing to a single value.
RUNAWAY_SHAPE = 1e4


@attrs.frozen(eq=False)
class FitResult:
    """Log-likelihood, uncertainty and diagnostics of a maximum-likelihood fit.

    Attributes
    ----------
    log_likelihood : float
        Maximised log-likelihood (natural log, summed over customers).
    standard_errors : dict of str to float
        Asymptotic standard errors (square roots of the covariance diagonal).
    covariance : ndarray
        Inverse observed information, in the order of ``standard_errors``.
    diagnostics : FitDiagnostics
        Optimiser status, iterations, gradient norm, sizes and timing.
    """

    log_likelihood: float
    standard_errors: dict[str, float]
    covariance: FloatArray
    diagnostics: FitDiagnostics

    @classmethod
    def from_estimate(cls, estimate: MaximumLikelihood, names: Sequence[str]) -> FitResult:
        """Wrap a :class:`MaximumLikelihood` with named standard errors."""
        errors = dict(zip(names, map(float, estimate.standard_errors), strict=True))
        return cls(estimate.log_likelihood, errors, estimate.covariance, estimate.diagnostics)


def positive_params(names: Sequence[str], values: Sequence[float]) -> None:
    """Check that every model parameter is finite and > 0, naming the first that is not."""
    for name, value in zip(names, values, strict=True):
        check_positive(name, value)


def fit_patterns(
    data: RFMArrays,
    loglik: Callable[[FloatArray, RFMArrays], tuple[float, FloatArray]],
    initial: Sequence[float],
    names: Sequence[str],
    *,
    compress_patterns: bool | None = None,
) -> MaximumLikelihood:
    """Maximise ``loglik(theta, data)`` after compressing ``data`` when that pays off.

    ``compress_patterns=None`` compresses when the distinct ``(x, t_x, T)`` rows are at most
    half of the rows; ``True``/``False`` force it.
    """
    patterns = data
    if compress_patterns is not False:
        merged = compress(data)
        if compress_patterns or len(merged) <= COMPRESS_MAX_SHARE * len(data):
            patterns = merged
    return maximize_likelihood(
        lambda theta: loglik(theta, patterns),
        initial,
        names,
        n_customers=round(float(np.sum(data.weights))),
        n_patterns=len(patterns),
    )


def coerce_initial(
    initial: _P | Mapping[str, float] | Sequence[float], params_type: type[_P], names: Sequence[str]
) -> _P:
    """Starting values given as a params object, a mapping of every name, or a sequence."""
    if isinstance(initial, params_type):
        return initial
    if isinstance(initial, Mapping):
        unknown = sorted(set(initial) - set(names))
        missing = [name for name in names if name not in initial]
        if unknown or missing:
            raise invalid(
                "initial",
                dict(initial),
                f"must have exactly the keys {', '.join(map(repr, names))}",
                f"Missing: {missing}; unknown: {unknown}.",
            )
        return params_type(**{name: initial[name] for name in names})
    values: list[Any] = list(initial)  # type: ignore[arg-type]
    if len(values) != len(names):
        count = _COUNTS.get(len(names), str(len(names)))
        raise invalid("initial", values, f"must hold {count} values ({', '.join(names)})")
    return params_type(*values)


def runaway_hint(model: str, collapsing: Sequence[tuple[str, str, str]]) -> str:
    """Explain a failed fit whose mixing distributions were collapsing to single values.

    Parameters
    ----------
    model : str
        The model's name, e.g. ``"BG/NBD"``.
    collapsing : sequence of (grown, varies, limit)
        What grew (``"r=2e+05 and alpha=4e+06"``), what hardly varies across customers
        (``"purchase rates"``) and the single value approached (``"r/alpha=0.05 per week"``).

    Returns
    -------
    str
        One sentence per entry ("" when there is none), to append to the error message.
    """
    return " ".join(
        f"{grown} grew together: the {varies} hardly vary across customers, and the likelihood"
        f" keeps rising towards a single value {limit}, a limit the {model} reaches only at"
        " infinite parameters."
        for grown, varies, limit in collapsing
    )


def warn_boundary(hint: str, *, stacklevel: int) -> None:
    """Emit :class:`BoundaryEstimateWarning` for a converged fit (nothing if ``hint`` is "").

    ``stacklevel`` counts from the caller, as for :func:`warnings.warn`.
    """
    if hint:
        warnings.warn(
            f"{hint} The estimates are kept: predictions are valid, standard errors of those"
            " parameters are not.",
            BoundaryEstimateWarning,
            stacklevel=stacklevel + 1,
        )
