"""Saved models: one versioned JSON document for every fitted model, read back strictly.

A document holds the model's name, its parameters, its time unit (continuous-time models),
its own extra fields (the Gamma-Gamma's frequency-monetary correlation) and, for an
estimated model, the fit statistics: log-likelihood, standard errors, covariance and every
diagnostic (number of customers, iterations…), with the library and format versions.

Nothing is executed on load: the model name is looked up in :data:`MODELS`, an explicit table
of the six fitted classes (no import by name, no pickle, no ``eval``), and every field is
checked for presence, type and range before a model is built. Floats are written by ``json``
(the shortest ``repr``, which reads back to the same bits); non-finite diagnostics are the
strings ``"nan"``, ``"inf"`` and ``"-inf"``, so the files are strict JSON.

A file also stores the SHA-256 digest of its canonical content (``"sha256"``): an edited or
corrupted file is refused. The digest is not a signature: whoever can write the file can
recompute it. Protect the files as you protect code (permissions, a signed artefact store).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ecomstrat._validation import plain, shown
from ecomstrat._version import __version__
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError, ModelFormatError
from ecomstrat.frames.covariates import CustomerCovariates, TimeVaryingCovariates
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._base import FitStatistics, FittedModel, Params
from ecomstrat.models._covariates import CovariateSpec
from ecomstrat.models._fit import FitDiagnostics
from ecomstrat.models.bgbb import BGBBParams, FittedBGBB
from ecomstrat.models.bgnbd import BGNBDParams, FittedBGNBD, FittedMBGNBD, MBGNBDParams
from ecomstrat.models.cnbd import CNBDParams, FittedBGCNBD, FittedMBGCNBD
from ecomstrat.models.covariate_bgnbd import FittedCovariateBGNBD
from ecomstrat.models.covariate_paretonbd import FittedCovariateParetoNBD
from ecomstrat.models.dynamic_paretonbd import FittedDynamicParetoNBD
from ecomstrat.models.gamma_gamma import FittedGammaGamma, GammaGammaParams
from ecomstrat.models.ggomnbd import FittedCovariateGGomNBD, FittedGGomNBD, GGomNBDParams
from ecomstrat.models.paretonbd import FittedParetoNBD, ParetoNBDParams
from ecomstrat.models.sbg import FittedSBG, SBGParams

__all__ = ["FORMAT", "FORMAT_VERSION", "MODELS", "load_model", "model_from_dict", "save_model"]

#: The ``"format"`` of every saved model.
FORMAT = "ecomstrat.fitted-model"

#: The version this library writes; it reads this one and every earlier one.
FORMAT_VERSION = 1

#: Model name -> (fitted class, parameter class): the only classes a document can build.
MODELS: dict[str, tuple[type[FittedModel[Any]], type[Params]]] = {
    "BGBB": (FittedBGBB, BGBBParams),
    "BGCNBD": (FittedBGCNBD, CNBDParams),
    "BGNBD": (FittedBGNBD, BGNBDParams),
    "CovariateBGNBD": (FittedCovariateBGNBD, BGNBDParams),
    "CovariateGGomNBD": (FittedCovariateGGomNBD, GGomNBDParams),
    "CovariateParetoNBD": (FittedCovariateParetoNBD, ParetoNBDParams),
    "DynamicParetoNBD": (FittedDynamicParetoNBD, ParetoNBDParams),
    "GGomNBD": (FittedGGomNBD, GGomNBDParams),
    "GammaGamma": (FittedGammaGamma, GammaGammaParams),
    "MBGCNBD": (FittedMBGCNBD, CNBDParams),
    "MBGNBD": (FittedMBGNBD, MBGNBDParams),
    "ParetoNBD": (FittedParetoNBD, ParetoNBDParams),
    "SBG": (FittedSBG, SBGParams),
}

#: The fields of a saved :class:`~ecomstrat.models._covariates.CovariateSpec`.
_SPEC_KEYS = ("purchase", "dropout", "equal", "purchase_penalty", "dropout_penalty")

_HEADER = ("format", "format_version", "library_version", "model")
_DIGEST = "sha256"
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_NEW_FILE_MODE = 0o644


def _name_of(fitted: FittedModel[Any]) -> str:
    for name, (cls, _) in MODELS.items():
        if type(fitted) is cls:
            return name
    raise InvalidInputError(
        f"fitted=<{type(fitted).__name__}> is invalid: must be one of the fitted models"
        f" {', '.join(cls.__name__ for cls, _ in MODELS.values())}."
    )


# --- writing -------------------------------------------------------------------------------


def _float_out(value: float) -> float | str:
    value = float(value)
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _scalar_out(kind: str, value: Any) -> Any:
    if kind == "CovariateSpec":
        return value.to_dict()
    if kind == "dict[str, float]":
        return {str(name): _float_out(v) for name, v in value.items()}
    if kind == "CustomerCovariates | None":
        return None if value is None else _covariates_out(value)
    if kind == "TimeVaryingCovariates | None":
        return None if value is None else _time_varying_out(value)
    if kind == "CustomerSummary | None":
        return None if value is None else _summary_out(value)
    if kind == "float":
        return _float_out(value)
    if kind == "float | None":
        return None if value is None else _float_out(value)
    if kind in ("int", "bool", "str"):
        return {"int": int, "bool": bool, "str": str}[kind](value)
    raise TypeError(f"cannot save a field of type {kind!r}")  # a new field needs a codec here


def _ids_out(ids: np.ndarray[Any, Any]) -> list[int] | list[str]:
    return [int(i) for i in ids] if ids.dtype.kind in "iu" else [str(i) for i in ids]


def _covariates_out(covariates: CustomerCovariates) -> dict[str, Any]:
    """Ids (numbers or strings), names and one row of values per customer."""
    return {
        "customer_ids": _ids_out(covariates.customer_ids),
        "names": list(covariates.names),
        "values": [[_float_out(v) for v in row] for row in covariates.values],
    }


def _time_varying_out(covariates: TimeVaryingCovariates) -> dict[str, Any]:
    """Ids, the period grid (ISO dates), names and values per customer, period and covariate."""
    return {
        "customer_ids": _ids_out(covariates.customer_ids),
        "period_starts": [str(day) for day in covariates.period_starts.astype("datetime64[D]")],
        "period": covariates.period.value,
        "names": list(covariates.names),
        "values": covariates.values.tolist(),
    }


def _summary_out(summary: CustomerSummary) -> dict[str, Any]:
    """The per-customer history a time-varying model reads: counts, times, first purchases."""
    first = summary.first_purchase
    end = summary.observation_end
    return {
        "customer_ids": _ids_out(summary.customer_ids),
        "frequency": [int(v) for v in summary.frequency],
        "recency": [float(v) for v in summary.recency],
        "T": [float(v) for v in summary.T],
        "first_purchase": None if first is None else [str(v) for v in first],
        "time_unit": summary.time_unit.value,
        "period": summary.period.value,
        "observation_end": None if end is None else str(end),
    }


def _extra_fields(cls: type[Any], known: tuple[str, ...]) -> list[attrs.Attribute[Any]]:
    return [field for field in attrs.fields(cls) if field.name not in known]


_FIT_KNOWN = ("log_likelihood", "standard_errors", "covariance", "diagnostics")
_MODEL_KNOWN = ("params", "fit", "time_unit")


def _fit_out(fit: FitStatistics) -> dict[str, Any]:
    out: dict[str, Any] = {
        "log_likelihood": _float_out(fit.log_likelihood),
        "standard_errors": {name: _float_out(v) for name, v in fit.standard_errors.items()},
        "covariance": [[_float_out(v) for v in row] for row in np.asarray(fit.covariance)],
        "diagnostics": {
            field.name: _scalar_out(str(field.type), getattr(fit.diagnostics, field.name))
            for field in attrs.fields(FitDiagnostics)
        },
    }
    for field in _extra_fields(FitStatistics, _FIT_KNOWN):
        out[field.name] = _scalar_out(str(field.type), getattr(fit, field.name))
    return out


def model_to_dict(fitted: FittedModel[Any]) -> dict[str, Any]:
    """The document of ``fitted`` (see :meth:`FittedModel.to_dict`)."""
    cls = type(fitted)
    out: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "model": _name_of(fitted),
        "params": {name: float(v) for name, v in fitted.params.to_dict().items()},
    }
    if "time_unit" in attrs.fields_dict(cls):
        out["time_unit"] = fitted.time_unit.value  # type: ignore[attr-defined]
    for field in _extra_fields(cls, _MODEL_KNOWN):
        out[field.name] = _scalar_out(str(field.type), getattr(fitted, field.name))
    out["fit"] = None if fitted.fit is None else _fit_out(fitted.fit)
    return out


def _canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes the digest covers: sorted keys, no spaces, ASCII, strict JSON."""
    body = {key: value for key, value in document.items() if key != _DIGEST}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("ascii")


def save_model(fitted: FittedModel[Any], path: str | os.PathLike[str]) -> None:
    """Write ``fitted`` to ``path`` as versioned JSON, with a SHA-256 digest of its content.

    The file is written to a temporary file beside ``path`` and renamed over it, so a reader
    never sees half a file; it keeps the permissions of the file it replaces (a new file is
    readable by all, writable by its owner). Read it back with :func:`load_model`.

    Parameters
    ----------
    fitted : FittedModel
        Any fitted model: :class:`~ecomstrat.FittedBGNBD`, :class:`~ecomstrat.FittedMBGNBD`,
        :class:`~ecomstrat.FittedParetoNBD`, :class:`~ecomstrat.FittedBGBB`,
        :class:`~ecomstrat.FittedSBG` or :class:`~ecomstrat.FittedGammaGamma`.
    path : str or path-like
        The file to write (replaced if it exists).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ecomstrat import BGNBD, load_model, save_model
    >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bgnbd.json"
    >>> save_model(m, path)
    >>> load_model(path)
    FittedBGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit='week')
    """
    document = model_to_dict(fitted)
    document[_DIGEST] = hashlib.sha256(_canonical(document)).hexdigest()
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    target = Path(path)
    mode = target.stat().st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- reading -------------------------------------------------------------------------------


class _Absent:
    """The value of a field that is not there (messages then show no value)."""


_ABSENT: Any = _Absent()


@attrs.frozen
class _Reader:
    """Checks one document, raising :class:`ModelFormatError` naming ``source`` and the field."""

    path: str | None

    def error(self, field: str, value: object, rule: str, fix: str = "") -> ModelFormatError:
        source = "model dict" if self.path is None else f"model file {self.path!r}"
        what = f"field {field!r}" if field else "the document"
        if value is not _ABSENT:
            what += f" = {plain(shown(value))!r}"
        verdict = rule if rule.startswith(("is ", "does ")) else f"is invalid: {rule}"
        message = f"Cannot load {source}: {what} {verdict}."
        if fix:
            message += f" {fix}"
        return ModelFormatError(message, path=self.path, field=field)

    def mapping(
        self, field: str, value: object, keys: tuple[str, ...], *, optional: tuple[str, ...] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(field, value, f"must be an object, not {_kind(value)}")
        prefix = f"{field}." if field else ""
        missing = [key for key in keys if key not in value]
        if missing:
            raise self.error(prefix + missing[0], _ABSENT, "is missing")
        extra = sorted(str(key) for key in value if key not in keys and key not in optional)
        if extra:
            raise self.error(
                prefix + extra[0], _ABSENT, f"is not a field here (expected {', '.join(keys)})"
            )
        return value

    def number(self, field: str, value: object, *, finite: bool = True) -> float:
        if isinstance(value, str) and not finite and value in _NON_FINITE:
            return _NON_FINITE[value]
        if isinstance(value, bool) or not isinstance(value, int | float):
            allowed = "a number" if finite else 'a number, "nan", "inf" or "-inf"'
            raise self.error(field, value, f"must be {allowed}, not {_kind(value)}")
        number = float(value)
        if finite and not math.isfinite(number):
            raise self.error(field, value, "must be a finite number")
        return number

    def scalar(self, kind: str, field: str, value: object) -> Any:
        if kind == "CovariateSpec":
            spec = self.mapping(field, value, _SPEC_KEYS)
            try:
                return CovariateSpec.from_dict(spec)
            except InvalidInputError as error:
                raise self.error(field, _ABSENT, str(error)) from error
        if kind == "dict[str, float]":
            if not isinstance(value, Mapping):
                raise self.error(field, value, f"must be an object, not {_kind(value)}")
            return {str(k): self.number(f"{field}.{k}", v) for k, v in value.items()}
        if kind == "CustomerCovariates | None":
            return None if value is None else self.covariates(field, value)
        if kind == "TimeVaryingCovariates | None":
            return None if value is None else self.time_varying(field, value)
        if kind == "CustomerSummary | None":
            return None if value is None else self.summary(field, value)
        if kind == "float":
            return self.number(field, value, finite=False)
        if kind == "float | None":
            return None if value is None else self.number(field, value, finite=False)
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self.error(field, value, "must be a whole number >= 0")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.error(field, value, "must be true or false")
            return value
        if kind == "str":
            if not isinstance(value, str):
                raise self.error(field, value, f"must be a string, not {_kind(value)}")
            return value
        raise TypeError(f"cannot load a field of type {kind!r}")

    def covariates(self, field: str, value: object) -> CustomerCovariates:
        table = self.mapping(field, value, ("customer_ids", "names", "values"))
        ids = self.ids(f"{field}.customer_ids", table["customer_ids"])
        names, rows = table["names"], table["values"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.error(f"{field}.names", names, "must be a list of strings")
        rule = f"must hold one list of {len(names)} numbers per customer"
        if not isinstance(rows, list) or len(rows) != len(ids):
            raise self.error(f"{field}.values", _ABSENT, rule)
        values = np.zeros((len(ids), len(names)))
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(names):
                raise self.error(f"{field}.values[{i}]", row, rule)
            values[i] = [self.number(f"{field}.values[{i}][{j}]", v) for j, v in enumerate(row)]
        try:
            return CustomerCovariates.from_arrays(
                ids, {name: values[:, j] for j, name in enumerate(names)}
            )
        except InvalidInputError as error:
            raise self.error(field, _ABSENT, str(error)) from error

    def ids(self, field: str, value: object) -> np.ndarray[Any, Any]:
        kinds = {type(i) for i in value} if isinstance(value, list) else {None}
        if not (kinds <= {int} or kinds <= {str}):
            raise self.error(field, _ABSENT, "must be a list of numbers or strings")
        return np.array(value, dtype=np.int64 if kinds == {int} else object)

    def numbers(self, field: str, value: object, size: int) -> np.ndarray[Any, Any]:
        if not isinstance(value, list) or len(value) != size:
            raise self.error(field, _ABSENT, f"must be a list of {size} numbers")
        return np.array([self.number(f"{field}[{i}]", v) for i, v in enumerate(value)])

    def time_varying(self, field: str, value: object) -> TimeVaryingCovariates:
        keys = ("customer_ids", "period_starts", "period", "names", "values")
        table = self.mapping(field, value, keys)
        ids = self.ids(f"{field}.customer_ids", table["customer_ids"])
        names = table["names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.error(f"{field}.names", names, "must be a list of strings")
        starts = table["period_starts"]
        try:
            grid = np.array(starts, dtype="datetime64[D]")
            values = np.array(table["values"], dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise self.error(field, _ABSENT, f"holds a malformed date or value ({error})") from None
        shape = (len(ids), len(grid), len(names))
        if values.shape != shape or grid.ndim != 1:
            raise self.error(f"{field}.values", _ABSENT, f"must have the shape {shape}")
        try:
            return TimeVaryingCovariates(ids, grid, tuple(names), values, table["period"])
        except InvalidInputError as error:
            raise self.error(field, _ABSENT, str(error)) from error

    def summary(self, field: str, value: object) -> CustomerSummary:
        keys = ("customer_ids", "frequency", "recency", "T", "first_purchase", "time_unit")
        table = self.mapping(field, value, (*keys, "period", "observation_end"))
        ids = self.ids(f"{field}.customer_ids", table["customer_ids"])
        n = len(ids)
        columns = [self.numbers(f"{field}.{name}", table[name], n) for name in keys[1:4]]
        try:
            first = table["first_purchase"]
            end = table["observation_end"]
            return CustomerSummary(
                ids,
                columns[0].astype(np.int64),
                columns[1],
                columns[2],
                np.zeros(n),
                first_purchase=None if first is None else np.array(first, dtype="datetime64[ns]"),
                time_unit=table["time_unit"],
                period=table["period"],
                observation_end=None if end is None else np.datetime64(end, "ns"),
            )
        except (InvalidInputError, TypeError, ValueError) as error:
            raise self.error(field, _ABSENT, str(error)) from None

    def header(
        self, document: object
    ) -> tuple[type[FittedModel[Any]], type[Params], Mapping[str, Any]]:
        """The model's classes, once the format, its version and the model name are checked."""
        if not isinstance(document, Mapping):
            raise self.error("", _ABSENT, f"must be a JSON object, not {_kind(document)}")
        doc = document
        if doc.get("format") != FORMAT:
            raise self.error(
                "format",
                doc.get("format", _ABSENT),
                f"must be {FORMAT!r}",
                "The file is not a model written by ecomstrat.save_model.",
            )
        version = doc.get("format_version", _ABSENT)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.error("format_version", version, "must be a whole number >= 1")
        if version > FORMAT_VERSION:
            raise self.error(
                "format_version",
                version,
                f"is newer than this ecomstrat ({__version__}) reads ({FORMAT_VERSION})",
                f"The model was saved by ecomstrat {doc.get('library_version')!s}; upgrade"
                " ecomstrat to load it.",
            )
        self.scalar("str", "library_version", doc.get("library_version"))
        name = doc.get("model", _ABSENT)
        if not isinstance(name, str) or name not in MODELS:
            close = difflib.get_close_matches(str(name), MODELS, n=1)
            raise self.error(
                "model",
                name,
                f"must be one of {', '.join(map(repr, MODELS))}",
                f"Did you mean {close[0]!r}?" if close else "",
            )
        return (*MODELS[name], doc)

    def fit(self, value: object, names: tuple[str, ...]) -> FitStatistics | None:
        if value is None:
            return None
        extras = _extra_fields(FitStatistics, _FIT_KNOWN)
        fit = self.mapping("fit", value, (*_FIT_KNOWN, *(f.name for f in extras)))
        log_likelihood = self.number("fit.log_likelihood", fit["log_likelihood"])
        errors_in = self.mapping("fit.standard_errors", fit["standard_errors"], names)
        errors = {}
        for name in names:
            error = self.number(f"fit.standard_errors.{name}", errors_in[name], finite=False)
            if error < 0:
                raise self.error(f"fit.standard_errors.{name}", error, "must be >= 0 (or nan)")
            errors[name] = error
        covariance = self.matrix("fit.covariance", fit["covariance"], len(names))
        fields = attrs.fields(FitDiagnostics)
        diagnostics_in = self.mapping(
            "fit.diagnostics", fit["diagnostics"], tuple(f.name for f in fields)
        )
        diagnostics = FitDiagnostics(
            **{
                f.name: self.scalar(
                    str(f.type), f"fit.diagnostics.{f.name}", diagnostics_in[f.name]
                )
                for f in fields
            }
        )
        more = {f.name: self.scalar(str(f.type), f"fit.{f.name}", fit[f.name]) for f in extras}
        return FitStatistics(log_likelihood, errors, covariance, diagnostics, **more)

    def matrix(self, field: str, value: object, size: int) -> np.ndarray[Any, Any]:
        rule = f"must be a {size} x {size} list of lists of numbers (one row per parameter)"
        if not isinstance(value, list) or len(value) != size:
            raise self.error(field, value, rule)
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, list) or len(row) != size:
                raise self.error(f"{field}[{i}]", row, rule)
            rows.append(
                [self.number(f"{field}[{i}][{j}]", v, finite=False) for j, v in enumerate(row)]
            )
        return np.array(rows, dtype=np.float64).reshape(size, size)

    def model(self, document: object) -> FittedModel[Any]:
        cls, params_type, document = self.header(document)
        names = params_type.names()
        extras = _extra_fields(cls, _MODEL_KNOWN)
        has_unit = "time_unit" in attrs.fields_dict(cls)
        keys = (*_HEADER, "params", *(("time_unit",) if has_unit else ()))
        keys += (*(f.name for f in extras), "fit")
        doc = self.mapping("", document, keys, optional=(_DIGEST,))
        params_in = self.mapping("params", doc["params"], names)
        values = {}
        for name in names:
            value = self.number(f"params.{name}", params_in[name])
            if not value > 0:
                raise self.error(f"params.{name}", value, "must be > 0")
            values[name] = value
        kwargs: dict[str, Any] = {}
        if has_unit:
            units = [unit.value for unit in TimeUnit]
            if doc["time_unit"] not in units:
                raise self.error(
                    "time_unit", doc["time_unit"], f"must be one of {', '.join(map(repr, units))}"
                )
            kwargs["time_unit"] = TimeUnit(doc["time_unit"])
        for field in extras:
            kwargs[field.name] = self.scalar(str(field.type), field.name, doc[field.name])
        spec = kwargs.get("spec")
        if isinstance(spec, CovariateSpec):
            expected = spec.coefficient_names()
            given = tuple(kwargs["coefficients"])
            if sorted(given) != sorted(expected):
                raise self.error(
                    "coefficients",
                    _ABSENT,
                    f"must name exactly the coefficients of the spec ({', '.join(expected)})",
                )
            kwargs["coefficients"] = {name: kwargs["coefficients"][name] for name in expected}
            names = (*names, *expected)
        kwargs["fit"] = self.fit(doc["fit"], names)
        try:
            return cls(params=params_type(**values), **kwargs)
        except InvalidInputError as error:
            raise self.error("", _ABSENT, str(error)) from error


def _kind(value: object) -> str:
    names = {
        type(None): "null",
        bool: "a boolean",
        str: "a string",
        list: "a list",
        dict: "an object",
    }
    return names.get(type(value), type(value).__name__)


def model_from_dict(data: Mapping[str, Any]) -> FittedModel[Any]:
    """The fitted model a dict from ``fitted.to_dict()`` describes, strictly checked.

    The model is whichever of the six ``data["model"]`` names (``"BGNBD"``, ``"MBGNBD"``,
    ``"ParetoNBD"``, ``"BGBB"``, ``"SBG"``, ``"GammaGamma"``), looked up in a fixed table:
    nothing is imported or executed. A ``"sha256"`` entry, when present, must match the
    content.

    Parameters
    ----------
    data : mapping
        The document.

    Raises
    ------
    ModelFormatError
        An unknown model, a newer format version, a missing, extra or mistyped field, or a
        value out of range; the message names the field.

    Examples
    --------
    >>> from ecomstrat import SBG, ModelFormatError, model_from_dict
    >>> d = SBG.from_params(alpha=0.704, beta=1.182).to_dict()
    >>> model_from_dict(d)
    FittedSBG(alpha=0.704, beta=1.182)
    >>> d["params"]["beta"] = -1.0
    >>> try:
    ...     model_from_dict(d)
    ... except ModelFormatError as error:
    ...     print(error.field, "|", error)
    params.beta | Cannot load model dict: field 'params.beta' = -1.0 is invalid: must be > 0.
    """
    return _read(data, path=None)


def _read(data: Mapping[str, Any], *, path: str | None) -> FittedModel[Any]:
    """:func:`model_from_dict`, naming ``path`` in its errors."""
    reader = _Reader(path)
    fitted = reader.model(data)
    if _DIGEST in data:
        digest = hashlib.sha256(_canonical(data)).hexdigest()
        if data[_DIGEST] != digest:
            raise reader.error(
                _DIGEST,
                _ABSENT,
                "does not match the content: the model was edited or corrupted after it was saved",
                "Save the model again from its fit rather than editing the file.",
            )
    return fitted


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def load_model(path: str | os.PathLike[str]) -> FittedModel[Any]:
    """Read a model written by :func:`save_model`; nothing in the file is executed.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    FittedModel
        The same fitted model as was saved (same class, parameters, time unit and fit
        statistics): its predictions are bit-identical.

    Raises
    ------
    ModelFormatError
        The file is not strict JSON, not a saved model, from a newer format version, names an
        unknown model, lacks, adds or mistypes a field, holds a value out of range
        (a parameter <= 0, a non-finite log-likelihood, a covariance of the wrong shape, an
        unknown time unit) or no longer matches its ``sha256`` digest. The message names the
        file and the field.
    OSError
        The file cannot be read.
    """
    name = os.fspath(path)
    reader = _Reader(name)
    raw = Path(path).read_bytes()
    try:
        document = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_refuse_constant
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise reader.error("", _ABSENT, f"must be a JSON document ({error})") from None
    if isinstance(document, Mapping) and _DIGEST not in document:
        reader.header(document)
        raise reader.error(_DIGEST, _ABSENT, "is missing", "A file save_model wrote has one.")
    return _read(document, path=name)
