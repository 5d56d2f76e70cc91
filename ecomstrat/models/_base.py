"""The fitted-model base every model shares: parameters, fit statistics, one ``repr``, a dict.

Also the shared fitting steps: starting values (:func:`coerce_initial`), the compression of
repeated rows (:func:`compress_rows`, one policy for every model) and the boundary warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar

import attrs
import numpy as np

from ecomstrat._kernels.patterns import unique_rows
from ecomstrat._typing import FloatArray, IntArray
from ecomstrat._validation import check_positive, invalid, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import BoundaryEstimateWarning, ModelFormatError
from ecomstrat.models._fit import FitDiagnostics, MaximumLikelihood

__all__ = [
    "COMPRESS_MAX_SHARE",
    "FitStatistics",
    "FittedModel",
    "Params",
    "coerce_initial",
    "compress_rows",
    "warn_boundary",
]

_COUNTS = {2: "two", 3: "three", 4: "four"}

#: ``compress=None`` merges repeated rows when the distinct ones are at most this share.
COMPRESS_MAX_SHARE = 0.5


@attrs.frozen
class Params:
    """Base of every model's parameters: positive floats, in the order of the kernels.

    Subclasses declare the fields (``attrs`` fields with ``positive_field``); the base gives
    them their names, values and dictionary once.
    """

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The parameter names, in the order of the kernels."""
        return tuple(field.name for field in attrs.fields(cls))

    def to_tuple(self) -> tuple[float, ...]:
        """The values, in the order of :meth:`names`."""
        return tuple(getattr(self, name) for name in self.names())

    def to_dict(self) -> dict[str, float]:
        """The parameters by name."""
        return dict(zip(self.names(), self.to_tuple(), strict=True))


_P = TypeVar("_P", bound=Params)


@attrs.frozen(eq=False)
class FitStatistics:
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
    def from_estimate(cls, estimate: MaximumLikelihood, *, names: Sequence[str]) -> FitStatistics:
        """Wrap a :class:`MaximumLikelihood` with standard errors named by ``names``."""
        errors = dict(zip(names, map(float, estimate.standard_errors), strict=True))
        return cls(estimate.log_likelihood, errors, estimate.covariance, estimate.diagnostics)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedModel(Generic[_P]):
    """Base of every fitted model: its parameters, how they were estimated, one ``repr``.

    Subclasses add their own fields (``time_unit`` for continuous-time models) and the
    predictions; every field is keyword-only, so field order never matters.

    Attributes
    ----------
    params : Params
        The model's parameters.
    fit : FitStatistics or None
        Log-likelihood, standard errors and diagnostics when the parameters were estimated;
        ``None`` when they were given (``from_params``).
    name : str
        The model's name as papers write it (``"BG/NBD"``, ``"Pareto/NBD"``…), a class
        attribute used in reports and plot titles.
    """

    name: ClassVar[str]

    params: _P
    fit: FitStatistics | None = None

    def parameter_draws(self, *, n_draws: int = 1000, seed: int | None = None) -> FloatArray:
        """Draws of the parameters from their asymptotic normal distribution, on the log scale.

        ``log θ ~ N(log θ̂, D⁻¹ Σ D⁻¹)``, ``D = diag(θ̂)``, with ``Σ`` the fit's covariance
        (the delta method); see :mod:`ecomstrat.models._uncertainty`.

        Parameters
        ----------
        n_draws : int
            Number of draws (default 1000; >= 1).
        seed : int, optional
            Seed of :func:`numpy.random.default_rng`.

        Returns
        -------
        ndarray of float64
            Shape ``(n_draws, n_params)``, columns in the order of ``params.names()``.

        Raises
        ------
        InvalidInputError
            If the model has no fit (``from_params``), is a boundary estimate, or its
            covariance is not positive definite.
        """
        from ecomstrat.models._uncertainty import parameter_draws

        return parameter_draws(self, n_draws=n_draws, seed=seed)

    def __repr__(self) -> str:
        values = {**self.params.to_dict(), **getattr(self, "coefficients", {})}
        shown = [f"{name}={value:.6g}" for name, value in values.items()]
        unit = getattr(self, "time_unit", None)
        if isinstance(unit, TimeUnit):
            shown.append(f"time_unit={unit.value!r}")
        if self.fit is not None:
            shown.append(f"log_likelihood={self.fit.log_likelihood:.6g}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def to_dict(self) -> dict[str, Any]:
        """Everything that defines the model, as a JSON-able dict (the saved-model format).

        Keys: ``format``, ``format_version``, ``library_version``, ``model`` (``"BGNBD"``,
        ``"MBGNBD"``, ``"ParetoNBD"``, ``"BGBB"``, ``"SBG"`` or ``"GammaGamma"``),
        ``params``, ``time_unit`` (continuous-time models), the model's own fields, and
        ``fit``: ``None``, or the log-likelihood, standard errors, covariance (list of rows)
        and diagnostics. Floats are exact; non-finite ones are ``"nan"``, ``"inf"`` or
        ``"-inf"``. :func:`~ecomstrat.model_from_dict` (any model) and :meth:`from_dict` (this
        class) are the inverse; :func:`~ecomstrat.save_model` writes it to a file.

        Examples
        --------
        >>> from ecomstrat import BGNBD, FittedBGNBD, model_from_dict
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> d = m.to_dict()
        >>> d["model"], d["params"]["alpha"], d["time_unit"], d["fit"]
        ('BGNBD', 4.414, 'week', None)
        >>> model_from_dict(d)
        FittedBGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit='week')
        >>> FittedBGNBD.from_dict(d).time_unit.value
        'week'
        """
        from ecomstrat.models._persist import model_to_dict

        return model_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The fitted model ``data`` (from :meth:`to_dict`) describes, strictly checked.

        ``FittedBGNBD.from_dict(d)`` accepts only a BG/NBD model;
        :func:`~ecomstrat.model_from_dict` builds whichever of the six models ``d["model"]``
        names. Nothing the data names is imported or executed.

        Raises
        ------
        ModelFormatError
            An unknown model, a newer format version, a missing, extra or mistyped field, or a
            value out of range; the message names the field.
        """
        from ecomstrat.models._persist import model_from_dict

        fitted = model_from_dict(data)
        if not isinstance(fitted, cls):
            raise ModelFormatError(
                f"Cannot load model dict: field 'model' = {data['model']!r} is invalid: must be"
                f" a model of {cls.__name__}. Use ecomstrat.model_from_dict to load any model.",
                field="model",
            )
        return fitted


def coerce_initial(initial: object, params_type: type[_P]) -> _P:
    """Starting values given as params, a mapping of every name, or a sequence.

    Params of another model with the same names (MBG/NBD estimates to start a BG/NBD fit)
    are accepted. Each value must be a number > 0; anything else raises
    :class:`InvalidInputError` naming ``initial`` (and the parameter).
    """
    if isinstance(initial, params_type):
        return initial
    names = params_type.names()
    count = _COUNTS.get(len(names), str(len(names)))
    if isinstance(initial, Params) and initial.names() == names:
        values: list[Any] = list(initial.to_tuple())
    elif isinstance(initial, Mapping):
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
    checked = [
        check_positive(f"initial {name}", value) for name, value in zip(names, values, strict=True)
    ]
    return params_type(*checked)


def compress_rows(
    columns: Sequence[FloatArray], weights: FloatArray, *, compress: bool | None
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Merge identical rows of ``columns`` (one to three), adding up their ``weights``.

    The one compression policy of every model's ``fit(..., compress=...)``: ``True`` merges,
    ``False`` does not, ``None`` merges when the distinct rows are at most
    :data:`COMPRESS_MAX_SHARE` of the rows. Rows are matched exactly (bit patterns) by
    :func:`~ecomstrat._kernels.patterns.unique_rows` in O(n); distinct rows keep the order
    of their first occurrence. Real customer bases repeat patterns (all one-time buyers of a
    cohort share one), so the likelihood needs far fewer evaluations and is unchanged.

    Returns
    -------
    tuple
        The (possibly merged) columns as float64 arrays, and their weights.
    """
    arrays = tuple(np.ascontiguousarray(column, dtype=np.float64) for column in columns)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    n = len(w)
    if compress is False or n < 2:
        return arrays, w
    first, inverse = row_index(arrays)
    if not compress and len(first) > COMPRESS_MAX_SHARE * n:
        return arrays, w
    merged = np.bincount(inverse, weights=w, minlength=len(first)).astype(np.float64)
    return tuple(column[first] for column in arrays), merged


def row_index(columns: Sequence[FloatArray]) -> tuple[IntArray, IntArray]:
    """First occurrence of each distinct row of one to three float64 columns, and its inverse.

    ``-0.0`` and ``+0.0`` are the same value.
    """
    if not 1 <= len(columns) <= 3:
        raise ValueError(f"row_index takes one to three columns, not {len(columns)}")
    n = len(columns[0])
    keys = [
        np.ascontiguousarray(np.asarray(c, dtype=np.float64) + 0.0).view(np.int64) for c in columns
    ]
    keys += [np.zeros(n, dtype=np.int64)] * (3 - len(keys))
    return unique_rows(keys[0], keys[1], keys[2])


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
