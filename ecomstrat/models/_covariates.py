"""The covariate design every covariate model shares: which covariates, their coefficients.

A :class:`CovariateSpec` says which covariates act on the purchase process and which on the
dropout process, which of them get one coefficient for both (``equal``), and the L2 penalty
on each process's coefficients. It maps the coefficient vector ``c`` the optimiser sees to the
per-process vectors ``(γ_purchase, γ_dropout)`` (:meth:`CovariateSpec.expand`) and a
gradient back (:meth:`CovariateSpec.gradient`, the chain rule). :func:`covariate_matrices`
turns covariates into the per-process design matrices ``X_purchase``, ``X_dropout`` of the
model's customers; :class:`CovariateFit` runs :func:`~ecomstrat.models._fit.maximize_likelihood`
on "positive base parameters + real-valued coefficients"; :func:`resolve_matrices` finds the
covariates of the customers a fitted model predicts for.

How a model uses the linear predictors ``η = X γ`` is its own business: the Pareto/NBD of
CLVTools scales ``α_i = α₀·exp(−η_purchase,i)`` and ``β_i = β₀·exp(−η_dropout,i)``.

Examples
--------
>>> spec = CovariateSpec(purchase=("gender", "channel"), dropout=("gender",), equal=("gender",))
>>> spec.coefficient_names()
('purchase.channel', 'equal.gender')
>>> g_purchase, g_dropout = spec.expand(np.array([0.5, -1.0]))
>>> g_purchase.tolist(), g_dropout.tolist()
([-1.0, 0.5], [-1.0])
>>> spec.gradient(np.array([10.0, 20.0]), np.array([3.0])).tolist()  # [20, 10 + 3]
[20.0, 13.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_non_negative,
    check_number,
    check_positive,
    invalid,
    number_or_raw,
    shown,
)
from ecomstrat.frames._foreign import frame_library
from ecomstrat.frames.covariates import CustomerCovariates, TimeVaryingCovariates
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._base import FitStatistics, row_index
from ecomstrat.models._fit import MaximumLikelihood, Mixing, maximize_likelihood

__all__ = [
    "CovariateEstimate",
    "CovariateFit",
    "CovariateMatrices",
    "CovariateModel",
    "CovariateSpec",
    "as_covariate_names",
    "compress_with_covariates",
    "covariate_matrices",
    "data_customer_ids",
    "resolve_matrices",
]

#: The processes and the prefix of their coefficient names.
_PREFIXES = ("purchase", "dropout", "equal")

Objective = Callable[[FloatArray], tuple[float, FloatArray]]


def as_covariate_names(value: object) -> Any:
    """Convert for attrs: one name (a str) or a sequence of names as a tuple; else unchanged.

    A bare string is one covariate (``purchase="gender"`` means ``("gender",)``); a list,
    tuple or numpy array becomes a tuple; anything else (a set has no order) is left for
    :class:`CovariateSpec` to refuse by name.

    Examples
    --------
    >>> as_covariate_names("gender"), as_covariate_names(["gender", "channel"])
    (('gender',), ('gender', 'channel'))
    """
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return value


def _check_list(field: str, names: object) -> tuple[str, ...]:
    if not isinstance(names, tuple):
        raise invalid(
            field,
            shown(names),
            "must be a sequence of covariate names",
            "E.g. ('gender', 'channel').",
        )
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise invalid(f"{field}[{i}]", shown(name), "must be a non-empty str")
        if name in seen:
            raise invalid(
                f"{field}[{i}]", name, f"is duplicated: name each covariate once in {field}"
            )
        seen.add(name)
    return names


@attrs.frozen
class CovariateSpec:
    """Which covariates act on which process, and how their coefficients are tied and penalised.

    Parameters
    ----------
    purchase : tuple of str
        Covariates of the purchase (transaction) process.
    dropout : tuple of str
        Covariates of the dropout (lifetime) process.
    equal : tuple of str
        Covariates in both lists that get one coefficient for both processes (CLVTools'
        ``names.cov.constr``).
    purchase_penalty, dropout_penalty : float
        Strength ``λ >= 0`` of the L2 penalty ``λ·γ²`` on each coefficient of the process
        (a coefficient in ``equal`` gets the sum of both).

    Raises
    ------
    InvalidInputError
        Naming the field: names that are not non-empty strings, duplicated names, an
        ``equal`` name missing from ``purchase`` or ``dropout``, a penalty that is negative
        or not finite, or no covariate at all.

    Notes
    -----
    The coefficient vector is ordered as :meth:`coefficient_names`: ``purchase.<c>`` for the
    purchase covariates not in ``equal``, then ``dropout.<c>``, then ``equal.<c>``. The
    penalised log-likelihood is ``ℓ − Σ λ_k c_k²`` (CLVTools' ``reg.lambdas`` with the
    penalty on the coefficients' own scale; Bachmann, Meierer & Näf 2021).

    Examples
    --------
    >>> spec = CovariateSpec(purchase=("gender", "channel"), dropout=("gender", "channel"),
    ...                      equal=("gender",), purchase_penalty=0.1, dropout_penalty=0.2)
    >>> spec.coefficient_names()
    ('purchase.channel', 'dropout.channel', 'equal.gender')
    >>> spec.penalties().round(3).tolist()
    [0.1, 0.2, 0.3]
    """

    purchase: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    dropout: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    equal: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    purchase_penalty: float = attrs.field(default=0.0, converter=number_or_raw)
    dropout_penalty: float = attrs.field(default=0.0, converter=number_or_raw)
    _purchase_index: IntArray = attrs.field(init=False, eq=False, repr=False)
    _dropout_index: IntArray = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        purchase = _check_list("purchase", self.purchase)
        dropout = _check_list("dropout", self.dropout)
        equal = _check_list("equal", self.equal)
        for i, name in enumerate(equal):
            if name not in purchase or name not in dropout:
                lacking = "purchase" if name not in purchase else "dropout"
                raise invalid(
                    f"equal[{i}]",
                    name,
                    f"must also be in purchase and dropout (it is not in {lacking})",
                    "A covariate with one coefficient for both processes acts on both.",
                )
        check_non_negative("purchase_penalty", self.purchase_penalty)
        check_non_negative("dropout_penalty", self.dropout_penalty)
        if not purchase and not dropout:
            raise invalid(
                "purchase",
                (),
                "names no covariate, and neither does dropout",
                "Name the covariates of at least one process, or use the model without covariates.",
            )
        position = {name: k for k, name in enumerate(self.coefficient_names())}
        p_index = [position[f"{'equal' if c in equal else 'purchase'}.{c}"] for c in purchase]
        d_index = [position[f"{'equal' if c in equal else 'dropout'}.{c}"] for c in dropout]
        object.__setattr__(self, "_purchase_index", np.array(p_index, dtype=np.int64))
        object.__setattr__(self, "_dropout_index", np.array(d_index, dtype=np.int64))

    @property
    def n_coefficients(self) -> int:
        """Length of the coefficient vector."""
        return len(self.purchase) + len(self.dropout) - len(self.equal)

    def coefficient_names(self) -> tuple[str, ...]:
        """``purchase.<c>``, then ``dropout.<c>`` (both without ``equal``), then ``equal.<c>``."""
        return (
            *(f"purchase.{c}" for c in self.purchase if c not in self.equal),
            *(f"dropout.{c}" for c in self.dropout if c not in self.equal),
            *(f"equal.{c}" for c in self.equal),
        )

    def columns(self) -> tuple[str, ...]:
        """Every covariate used, each once: the purchase ones first, in their order."""
        return tuple(dict.fromkeys((*self.purchase, *self.dropout)))

    def _vector(self, coefficients: object) -> FloatArray:
        vector = as_float_array("coefficients", coefficients, ndim=1)
        if vector.shape != (self.n_coefficients,):
            raise invalid(
                "coefficients",
                f"<array of length {vector.shape[0]}>",
                f"must hold {self.n_coefficients} values ({', '.join(self.coefficient_names())})",
            )
        return vector

    def expand(self, coefficients: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(γ_purchase, γ_dropout)``, in the order of :attr:`purchase` and :attr:`dropout`.

        An ``equal.<c>`` coefficient appears in both.
        """
        vector = self._vector(coefficients)
        return vector[self._purchase_index], vector[self._dropout_index]

    def gradient(self, g_purchase: FloatArray, g_dropout: FloatArray) -> FloatArray:
        """The gradient in the coefficients from those in ``γ_purchase`` and ``γ_dropout``.

        The chain rule through :meth:`expand`: an ``equal.<c>`` coefficient gets the sum of
        its two entries.
        """
        gp = as_float_array("g_purchase", g_purchase, ndim=1)
        gd = as_float_array("g_dropout", g_dropout, ndim=1)
        for name, values, size in (
            ("g_purchase", gp, self.purchase),
            ("g_dropout", gd, self.dropout),
        ):
            if values.shape != (len(size),):
                raise invalid(
                    name, f"<array of length {values.shape[0]}>", f"must hold {len(size)} values"
                )
        out = np.zeros(self.n_coefficients)
        np.add.at(out, self._purchase_index, gp)
        np.add.at(out, self._dropout_index, gd)
        return out

    def penalties(self) -> FloatArray:
        """``λ`` per coefficient: the process's penalty, the sum of both for ``equal.<c>``."""
        out = np.zeros(self.n_coefficients)
        np.add.at(out, self._purchase_index, float(self.purchase_penalty))
        np.add.at(out, self._dropout_index, float(self.dropout_penalty))
        return out

    def coefficient_vector(
        self, coefficients: Mapping[str, float], *, name: str = "coefficients"
    ) -> FloatArray:
        """The values of a mapping with exactly the keys :meth:`coefficient_names`, in order.

        Raises
        ------
        InvalidInputError
            Naming ``name`` and the missing or unknown keys, or a value that is not a finite
            number.

        Examples
        --------
        >>> spec = CovariateSpec(purchase=("gender",), dropout=("gender",))
        >>> spec.coefficient_vector({"dropout.gender": -0.5, "purchase.gender": 0.3}).tolist()
        [0.3, -0.5]
        """
        if not isinstance(coefficients, Mapping):
            raise invalid(
                name, shown(coefficients), "must be a mapping of coefficient names to numbers"
            )
        names = self.coefficient_names()
        unknown = [key for key in coefficients if key not in names]
        missing = [key for key in names if key not in coefficients]
        if unknown or missing:
            raise invalid(
                name,
                {str(k): shown(v) for k, v in coefficients.items()},
                f"must have exactly the keys {', '.join(map(repr, names))}",
                f"Missing: {missing}; unknown: {unknown}.",
            )
        values = []
        for key in names:
            value = check_number(f"{name}[{key!r}]", coefficients[key])
            if not np.isfinite(value):
                raise invalid(f"{name}[{key!r}]", value, "must be a finite number")
            values.append(value)
        return np.array(values, dtype=np.float64)

    def coefficient_dict(self, coefficients: FloatArray) -> dict[str, float]:
        """The coefficient vector as ``{name: value}`` in the order of :meth:`coefficient_names`."""
        vector = self._vector(coefficients)
        return dict(zip(self.coefficient_names(), map(float, vector), strict=True))

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain JSON types (lists and floats), for persistence."""
        return {
            "purchase": list(self.purchase),
            "dropout": list(self.dropout),
            "equal": list(self.equal),
            "purchase_penalty": float(self.purchase_penalty),
            "dropout_penalty": float(self.dropout_penalty),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CovariateSpec:
        """The inverse of :meth:`to_dict`.

        Raises
        ------
        InvalidInputError
            For an unknown key (naming it) or a field the constructor refuses.

        Examples
        --------
        >>> spec = CovariateSpec(purchase=("gender",), purchase_penalty=0.5)
        >>> CovariateSpec.from_dict(spec.to_dict()) == spec
        True
        """
        if not isinstance(data, Mapping):
            raise invalid("covariate spec", shown(data), "must be a mapping (see to_dict)")
        known = {field.name for field in attrs.fields(cls) if field.init}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise invalid(
                f"covariate spec[{unknown[0]!r}]",
                shown(data[unknown[0]]),
                f"is not a field: the fields are {', '.join(sorted(known))}",
            )
        return cls(**{str(key): value for key, value in data.items()})


# ---------------------------------------------------------------------------------------------
# Design matrices
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class CovariateMatrices:
    """The covariates of a model's customers, per process.

    Attributes
    ----------
    purchase : ndarray of float64
        ``(n, len(spec.purchase))``, C-contiguous, one row per customer.
    dropout : ndarray of float64
        ``(n, len(spec.dropout))``.

    Examples
    --------
    >>> spec = CovariateSpec(purchase=("vip",), dropout=("vip",), equal=("vip",))
    >>> m = covariate_matrices(spec, {"customer_id": [1, 2], "vip": [0, 1]}, n=2)
    >>> [eta.tolist() for eta in m.linear_predictors(spec, np.array([0.7]))]
    [[0.0, 0.7], [0.0, 0.7]]
    >>> m.coefficient_gradient(spec, np.array([1.0, 2.0]), np.array([3.0, 4.0])).tolist()
    [6.0]
    """

    purchase: FloatArray
    dropout: FloatArray

    def __attrs_post_init__(self) -> None:
        for name in ("purchase", "dropout"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.dtype != np.float64 or value.ndim != 2:
                raise invalid(name, shown(value), "must be a two-dimensional float64 array")
            if not value.flags.c_contiguous:
                object.__setattr__(self, name, np.ascontiguousarray(value))
        if self.purchase.shape[0] != self.dropout.shape[0]:
            raise invalid(
                "dropout",
                f"<array of shape {self.dropout.shape}>",
                f"must have one row per customer, as purchase ({self.purchase.shape[0]})",
            )

    @property
    def n_customers(self) -> int:
        """Number of rows."""
        return int(self.purchase.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def linear_predictors(
        self, spec: CovariateSpec, coefficients: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """``(X_purchase γ_purchase, X_dropout γ_dropout)``: one value per customer each."""
        gp, gd = spec.expand(coefficients)
        return self.purchase @ gp, self.dropout @ gd

    def coefficient_gradient(
        self, spec: CovariateSpec, d_purchase: FloatArray, d_dropout: FloatArray
    ) -> FloatArray:
        """``∂ℓ/∂c`` from ``∂ℓ/∂η`` per customer of each process (the chain rule).

        ``X_purchaseᵀ d_purchase`` and ``X_dropoutᵀ d_dropout`` through
        :meth:`CovariateSpec.gradient`.
        """
        return spec.gradient(self.purchase.T @ d_purchase, self.dropout.T @ d_dropout)

    def take(self, rows: IntArray) -> CovariateMatrices:
        """The rows ``rows`` (positions), e.g. the first row of each distinct pattern."""
        return CovariateMatrices(
            np.ascontiguousarray(self.purchase[rows]), np.ascontiguousarray(self.dropout[rows])
        )


def _as_covariates(covariates: object) -> CustomerCovariates:
    if isinstance(covariates, CustomerCovariates):
        return covariates
    if isinstance(covariates, TimeVaryingCovariates):
        raise invalid(
            "covariates",
            repr(covariates),
            "must be static covariates (one row per customer) for this model",
            "Use covariates.static([...]) for those that never change, or a time-varying model.",
        )
    if frame_library(covariates) is None and not isinstance(covariates, Mapping):
        raise invalid(
            "covariates",
            shown(covariates),
            "must be a CustomerCovariates, a pandas, polars or Arrow table or a mapping of"
            " columns with a customer_id column",
            "Build one with CustomerCovariates.from_table(...).",
        )
    return CustomerCovariates.from_table(covariates)


def covariate_matrices(
    spec: CovariateSpec,
    covariates: CustomerCovariates | object,
    *,
    customer_ids: Sequence[Any] | AnyArray | None = None,
    n: int | None = None,
    fitting: bool = False,
) -> CovariateMatrices:
    """The purchase and dropout design matrices of ``spec`` for the model's customers.

    Parameters
    ----------
    spec : CovariateSpec
        Which covariates act on which process.
    covariates : CustomerCovariates, or anything :meth:`CustomerCovariates.from_table` takes
        One row per customer (a table needs a ``customer_id`` column).
    customer_ids : array-like, optional
        The model's customers, in the data's row order: the rows are aligned to them by id.
    n : int, optional
        Without ``customer_ids``: the number of customers; the covariates must have exactly
        that many rows, taken in order.
    fitting : bool, default False
        Also require every used column to vary across the customers (a constant column is
        confounded with the base rate, and its coefficient is not identified).

    Returns
    -------
    CovariateMatrices

    Raises
    ------
    UnknownCodeError
        If a covariate of ``spec`` is not among the covariates (naming it, listing them).
    InvalidInputError
        Naming ``covariates`` when customers have no row (their count and the first few
        ids) or the row count differs from ``n``; naming the column when ``fitting`` and it
        is constant.

    Examples
    --------
    >>> spec = CovariateSpec(purchase=("gender",), dropout=("channel",))
    >>> cov = CustomerCovariates.from_arrays(["a", "b"], {"gender": [0, 1], "channel": [1, 0]})
    >>> covariate_matrices(spec, cov, customer_ids=["b", "a", "b"]).dropout.ravel().tolist()
    [0.0, 1.0, 0.0]
    """
    table = _as_covariates(covariates)
    purchase = table.matrix(spec.purchase)  # unknown names raise here, naming them
    dropout = table.matrix(spec.dropout)
    if customer_ids is not None:
        rows = table.positions(customer_ids)
        if rows.shape[0] != table.n_customers or not np.array_equal(rows, np.arange(rows.shape[0])):
            purchase = np.ascontiguousarray(purchase[rows])
            dropout = np.ascontiguousarray(dropout[rows])
    elif n is not None and table.n_customers != n:
        raise invalid(
            "covariates",
            f"<covariates of {table.n_customers} customers>",
            f"must have one row per customer of the data ({n}) when the data carry no customer ids",
            "Pass data with customer ids (a CustomerSummary, or a table with a customer_id"
            " column), or covariates in the data's row order.",
        )
    matrices = CovariateMatrices(purchase, dropout)
    if fitting:
        _check_vary(matrices, spec)
    return matrices


def _check_vary(matrices: CovariateMatrices, spec: CovariateSpec) -> None:
    columns = [*spec.purchase, *spec.dropout]
    values = np.hstack([matrices.purchase, matrices.dropout])
    constant = np.all(values == values[:1], axis=0)
    if constant.any():
        j = int(np.argmax(constant))
        raise invalid(
            columns[j],
            float(values[0, j]),
            f"is the same for all {values.shape[0]} customers: a constant covariate is"
            " confounded with the base rate, so its coefficient cannot be estimated",
            "Drop it from the model (or fit on customers where it varies).",
        )


def data_customer_ids(data: object) -> AnyArray | None:
    """The customer ids of a model's data: a summary's, a table's ``customer_id``; else None.

    The same as :func:`~ecomstrat.models._predictions.given_customer_ids`.
    """
    from ecomstrat.models._predictions import given_customer_ids

    return given_customer_ids(data)


def _data_rows(data: object) -> int | None:
    """Rows of the data: a summary's or table's length, the length of a tuple's arrays."""
    if isinstance(data, CustomerSummary) or frame_library(data) is not None:
        return len(data)  # type: ignore[arg-type]
    if isinstance(data, tuple | list):
        sizes = {int(np.size(column)) for column in data if np.ndim(column) > 0}
        if not sizes:
            return 1
        if len(sizes) == 1:
            return sizes.pop()
    return None


def resolve_matrices(
    spec: CovariateSpec,
    data: object,
    covariates: CustomerCovariates | object | None,
    stored: CustomerCovariates | None,
    *,
    n: int | None = None,
) -> CovariateMatrices:
    """The covariates of the customers a fitted model predicts for.

    Explicit ``covariates`` are aligned by the data's customer ids when it has them (a
    :class:`CustomerSummary`, a table with ``customer_id``), else taken in row order (``n``
    rows, by default the data's). Without them, the model's ``stored`` covariates (those of
    the fitted customers) are looked up by the data's ids.

    Parameters
    ----------
    spec : CovariateSpec
        The model's covariates.
    data : CustomerSummary, table or tuple of arrays
        What the prediction method was given.
    covariates : CustomerCovariates or table, optional
        The ``covariates=`` argument of the prediction method.
    stored : CustomerCovariates, optional
        The covariates kept by the fitted model.
    n : int, optional
        Customers in ``data`` (by default its length).

    Raises
    ------
    InvalidInputError
        Naming ``covariates``: when neither ``covariates`` nor ids to look the stored ones
        up are given (pass ``covariates=``), or a customer has no row.

    Examples
    --------
    >>> spec = CovariateSpec(purchase=("vip",))
    >>> stored = CustomerCovariates.from_arrays(["a", "b"], {"vip": [1, 0]})
    >>> summary = CustomerSummary.from_arrays([1], [2.0], [5.0], customer_ids=["b"])
    >>> resolve_matrices(spec, summary, None, stored).purchase.tolist()
    [[0.0]]
    """
    ids = data_customer_ids(data)
    rows = _data_rows(data) if n is None else n
    if covariates is not None:
        if ids is not None:
            return covariate_matrices(spec, covariates, customer_ids=ids)
        return covariate_matrices(spec, covariates, n=rows)
    if stored is None:
        raise invalid(
            "covariates",
            None,
            "must be given: this model keeps no covariates (it was built from parameters)",
            "Pass covariates=... with one row per customer.",
        )
    if ids is None:
        raise invalid(
            "covariates",
            None,
            "must be given for data without customer ids: the model's stored covariates are"
            " looked up by id",
            "Pass covariates=... in the data's row order, or data with customer ids (a"
            " CustomerSummary or a table with a customer_id column).",
        )
    return covariate_matrices(spec, stored, customer_ids=ids)


def compress_with_covariates(
    columns: Sequence[FloatArray],
    matrices: CovariateMatrices,
    weights: FloatArray,
    *,
    compress: bool | None,
) -> tuple[tuple[FloatArray, ...], CovariateMatrices, FloatArray]:
    """Merge customers with identical data columns *and* covariates, adding up their weights.

    The policy of :func:`~ecomstrat.models._base.compress_rows` (``None``: merge when the
    distinct rows are at most half), over any number of columns: they are folded three at a
    time into row codes by :func:`~ecomstrat.models._base.row_index`, O(n) per column.

    Examples
    --------
    >>> spec = CovariateSpec(purchase=("vip",))
    >>> m = covariate_matrices(spec, {"customer_id": [1, 2, 3], "vip": [1, 1, 0]}, n=3)
    >>> (x,), merged, w = compress_with_covariates([np.array([2.0, 2.0, 2.0])], m,
    ...                                            np.ones(3), compress=True)
    >>> x.tolist(), merged.purchase.ravel().tolist(), w.tolist()
    ([2.0, 2.0], [1.0, 0.0], [2.0, 1.0])
    """
    from ecomstrat.models._base import COMPRESS_MAX_SHARE

    arrays = tuple(np.ascontiguousarray(c, dtype=np.float64) for c in columns)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    size = w.shape[0]
    if compress is False or size < 2:
        return arrays, matrices, w
    keys = [*arrays, *matrices.purchase.T, *matrices.dropout.T]
    first, inverse = row_index(keys[:3])
    for start in range(3, len(keys), 2):
        first, inverse = row_index([inverse.astype(np.float64), *keys[start : start + 2]])
    if not compress and first.shape[0] > COMPRESS_MAX_SHARE * size:
        return arrays, matrices, w
    merged = np.bincount(inverse, weights=w, minlength=first.shape[0]).astype(np.float64)
    return tuple(c[first] for c in arrays), matrices.take(first), merged


# ---------------------------------------------------------------------------------------------
# Fitting: positive base parameters + real-valued coefficients
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class CovariateEstimate:
    """A covariate model's maximum-likelihood estimate, split into base params and coefficients.

    Attributes
    ----------
    estimate : MaximumLikelihood
        The optimiser's result over ``names`` (base parameters, then coefficients).
    names : tuple of str
        Every parameter, in the order of ``estimate.params``.
    base : dict of str to float
        The positive base parameters (``r``, ``alpha``...).
    coefficients : dict of str to float
        The coefficients by :meth:`CovariateSpec.coefficient_names`.
    """

    estimate: MaximumLikelihood
    names: tuple[str, ...]
    base: dict[str, float]
    coefficients: dict[str, float]

    def fit_statistics(self) -> FitStatistics:
        """The :class:`~ecomstrat.FitStatistics` (standard errors named like :attr:`names`)."""
        return FitStatistics.from_estimate(self.estimate, names=self.names)


@attrs.frozen
class CovariateFit:
    """The parameter vector of a covariate model: positive base parameters, then coefficients.

    Parameters
    ----------
    spec : CovariateSpec
        The covariates (their coefficients follow the base parameters).
    base_names : tuple of str
        The positive parameters, in the order of the model's kernels (``r, alpha, s, beta``).

    Examples
    --------
    >>> fit = CovariateFit(CovariateSpec(purchase=("vip",), purchase_penalty=0.5), ("r", "alpha"))
    >>> fit.names(), fit.free(), fit.penalties().tolist()
    (('r', 'alpha', 'purchase.vip'), (False, False, True), [0.0, 0.0, 0.5])
    >>> fit.initial({"r": 0.5, "alpha": 3.0}).tolist()
    [0.5, 3.0, 0.0]
    >>> base, coefficients = fit.split(np.array([0.5, 3.0, -0.2]))
    >>> base.tolist(), coefficients.tolist()
    ([0.5, 3.0], [-0.2])
    """

    spec: CovariateSpec
    base_names: tuple[str, ...] = attrs.field(converter=tuple)

    def names(self) -> tuple[str, ...]:
        """Base parameter names, then :meth:`CovariateSpec.coefficient_names`."""
        return (*self.base_names, *self.spec.coefficient_names())

    def free(self) -> tuple[bool, ...]:
        """``maximize_likelihood(free=...)``: False for the base parameters, True for the rest."""
        return (False,) * len(self.base_names) + (True,) * self.spec.n_coefficients

    def penalties(self, base_penalty: float = 0.0) -> FloatArray:
        """Per-parameter ``λ``: ``base_penalty`` on the log base parameters, then the spec's."""
        strength = check_non_negative("penalty", base_penalty)
        return np.concatenate([np.full(len(self.base_names), strength), self.spec.penalties()])

    def initial(
        self,
        base: Mapping[str, float] | Sequence[float],
        given: Mapping[str, float] | None = None,
    ) -> FloatArray:
        """The starting point: ``base`` (e.g. the no-covariate fit), coefficients 0.

        ``given`` (the user's ``initial=``) overrides any base parameter or coefficient by
        name; an unknown name, a base value <= 0 or a coefficient that is not finite raises
        :class:`InvalidInputError` naming ``initial``.
        """
        if isinstance(base, Mapping):
            start = [float(base[name]) for name in self.base_names]
        else:
            start = [float(value) for value in base]
        values = dict(zip(self.base_names, start, strict=True))
        values.update(dict.fromkeys(self.spec.coefficient_names(), 0.0))
        if given is not None:
            if not isinstance(given, Mapping):
                raise invalid(
                    "initial", shown(given), "must be a mapping of parameter names to numbers"
                )
            for key, value in given.items():
                if key not in values:
                    raise invalid(
                        "initial",
                        {str(k): shown(v) for k, v in given.items()},
                        f"has the unknown key {key!r}: the parameters are"
                        f" {', '.join(map(repr, self.names()))}",
                    )
                if key in self.base_names:
                    values[key] = check_positive(f"initial[{key!r}]", value)
                else:
                    number = check_number(f"initial[{key!r}]", value)
                    if not np.isfinite(number):
                        raise invalid(f"initial[{key!r}]", number, "must be a finite number")
                    values[key] = number
        return np.array([values[name] for name in self.names()], dtype=np.float64)

    def split(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(base parameters, coefficients)`` of a full parameter vector."""
        k = len(self.base_names)
        return theta[:k], theta[k:]

    def maximize(
        self,
        objective: Objective,
        initial: FloatArray,
        *,
        n_customers: int,
        n_patterns: int,
        mixing: Sequence[Mixing] = (),
        model: str = "model",
        base_penalty: float = 0.0,
        max_iterations: int = 1000,
        tolerance: float = 1e-9,
    ) -> CovariateEstimate:
        """Maximise ``objective`` (natural parameters -> ``(ℓ, ∂ℓ/∂θ)``) over the whole vector.

        The base parameters are optimised on the log scale, the coefficients on their own;
        the penalty is ``base_penalty`` on each log base parameter and the spec's on each
        coefficient (see :func:`~ecomstrat.models._fit.maximize_likelihood`).
        """
        names = self.names()
        estimate = maximize_likelihood(
            objective,
            initial,
            names,
            n_customers=n_customers,
            n_patterns=n_patterns,
            mixing=mixing,
            model=model,
            max_iterations=max_iterations,
            tolerance=tolerance,
            penalty=self.penalties(base_penalty).tolist(),
            free=self.free(),
        )
        base, coefficients = self.split(estimate.params)
        return CovariateEstimate(
            estimate,
            names,
            dict(zip(self.base_names, map(float, base), strict=True)),
            self.spec.coefficient_dict(coefficients),
        )


@attrs.frozen
class CovariateModel:
    """Base of the covariate models: which covariates act on which process, and penalties.

    The fields of every covariate model's constructor (documented there); :attr:`spec`
    checks them when the model is built, so a wrong name fails before any data is read.
    """

    purchase: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    dropout: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    equal: tuple[str, ...] = attrs.field(default=(), converter=as_covariate_names)
    purchase_penalty: float = attrs.field(default=0.0, converter=number_or_raw)
    dropout_penalty: float = attrs.field(default=0.0, converter=number_or_raw)

    def __attrs_post_init__(self) -> None:
        _ = self.spec  # errors name the field

    @property
    def spec(self) -> CovariateSpec:
        """The covariate specification (validated)."""
        return CovariateSpec(
            purchase=self.purchase,
            dropout=self.dropout,
            equal=self.equal,
            purchase_penalty=self.purchase_penalty,
            dropout_penalty=self.dropout_penalty,
        )
