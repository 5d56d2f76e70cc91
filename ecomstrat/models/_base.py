"""What every fitted model carries besides its parameters, and the shared fitting steps."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import attrs
import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import check_positive, invalid, shown
from ecomstrat.exceptions import BoundaryEstimateWarning
from ecomstrat.models._data import RFMArrays, compress
from ecomstrat.models._fit import FitDiagnostics, MaximumLikelihood, Mixing, maximize_likelihood

__all__ = [
    "FitResult",
    "coerce_initial",
    "fit_patterns",
    "warn_boundary",
]

_P = TypeVar("_P")
_COUNTS = {2: "two", 3: "three", 4: "four"}

#: Compress to unique patterns when they are at most this share of the rows.
COMPRESS_MAX_SHARE = 0.5


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


def fit_patterns(
    data: RFMArrays,
    loglik: Callable[[FloatArray, RFMArrays], tuple[float, FloatArray]],
    initial: Sequence[float],
    names: Sequence[str],
    *,
    compress_patterns: bool | None = None,
    mixing: Sequence[Mixing] = (),
    model: str = "model",
) -> MaximumLikelihood:
    """Maximise ``loglik(theta, data)`` after compressing ``data`` when that pays off.

    ``compress_patterns=None`` compresses when the distinct ``(x, t_x, T)`` rows are at most
    half of the rows; ``True``/``False`` force it. ``mixing`` and ``model`` are passed to
    :func:`~ecomstrat.models._fit.maximize_likelihood`.
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
        mixing=mixing,
        model=model,
    )


def coerce_initial(initial: object, params_type: type[_P], names: Sequence[str]) -> _P:
    """Starting values given as a params object, a mapping of every name, or a sequence.

    Each value must be a number > 0; anything else raises :class:`InvalidInputError` naming
    ``initial`` (and the parameter).
    """
    if isinstance(initial, params_type):
        return initial
    count = _COUNTS.get(len(names), str(len(names)))
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
        values = [initial[name] for name in names]
    elif isinstance(initial, Iterable) and not isinstance(initial, str | bytes):
        values = list(initial)
        if len(values) != len(names):
            raise invalid(
                "initial", shown(values), f"must hold {count} values ({', '.join(names)})"
            )
    else:
        raise invalid(
            "initial",
            shown(initial),
            f"must be a {params_type.__name__}, a mapping of {', '.join(names)} or a sequence of"
            f" {count} numbers",
        )
    for name, value in zip(names, values, strict=True):
        check_positive(f"initial {name}", value)
    return params_type(*(float(value) for value in values))


def warn_boundary(hint: str, *, stacklevel: int) -> None:
    """Emit :class:`BoundaryEstimateWarning` for a boundary maximum (nothing if ``hint`` is "").

    ``stacklevel`` counts from the caller, as for :func:`warnings.warn`.
    """
    if hint:
        warnings.warn(
            f"{hint} The estimates are kept: predictions are valid, standard errors of those"
            " parameters are not.",
            BoundaryEstimateWarning,
            stacklevel=stacklevel + 1,
        )
