"""Saved models: exact round trips (in process and in a fresh one) and strict, typed refusals."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ecomstrat as es
from ecomstrat.exceptions import InvalidInputError, ModelFormatError
from ecomstrat.models._base import FitStatistics, FittedModel
from ecomstrat.models._fit import FitDiagnostics
from ecomstrat.models._persist import FORMAT_VERSION, MODELS

SIMULATION = es.simulate_transactions(400, seed=3)
SUMMARY = SIMULATION.summary()
HISTORIES = (
    [(0, 0, 6)] * 30
    + [(1, 1, 6)] * 10
    + [(2, 4, 6)] * 8
    + [(3, 6, 6)] * 6
    + [(6, 6, 6)] * 5
    + [(1, 5, 6)] * 7
    + [(4, 5, 6)] * 4
    + [(2, 2, 6)] * 3
)
DISCRETE = tuple(np.array(column) for column in zip(*HISTORIES, strict=True))
SURVIVORS = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
RFM = (SUMMARY.frequency, SUMMARY.recency, SUMMARY.T)


IDS = SUMMARY.customer_ids
COVARIATES = es.CustomerCovariates.from_arrays(IDS, {"offline": (IDS % 3 == 0).astype(float)})
#: Weekly covariates over the simulation: a promotion every fourth week, and the same offline.
WEEKS = np.arange(80)
TIME_VARYING = es.TimeVaryingCovariates.from_table(
    {
        "customer_id": np.repeat(IDS, len(WEEKS)),
        "cov_date": np.tile(np.datetime64("2024-01-01") + 7 * WEEKS, len(IDS)),
        "promotion": np.tile((WEEKS % 4 == 0).astype(float), len(IDS)),
        "offline": np.repeat((IDS % 3 == 0).astype(float), len(WEEKS)),
    }
)
COVARIATE_MODELS = ("CovariateBGNBD", "CovariateGGomNBD", "CovariateParetoNBD")


def _fit(name: str) -> FittedModel[Any]:
    if name in ("BGNBD", "MBGNBD", "ParetoNBD", "GammaGamma", "GGomNBD"):
        return getattr(es, name)().fit(SUMMARY)  # type: ignore[no-any-return]
    if name in ("BGCNBD", "MBGCNBD"):
        litt = es.log_inter_transaction_times(
            SIMULATION.log, observation_end=SIMULATION.observation_end, time_unit="week"
        )
        return getattr(es, name)(k=2).fit(SUMMARY, litt=litt)  # type: ignore[no-any-return]
    if name in COVARIATE_MODELS:
        model = getattr(es, name)(purchase="offline", dropout="offline")
        return model.fit(SUMMARY, COVARIATES)  # type: ignore[no-any-return]
    if name == "DynamicParetoNBD":
        model = es.DynamicParetoNBD(purchase=("promotion", "offline"), dropout="offline")
        return model.fit(SIMULATION.log, TIME_VARYING, calibration_end="2025-06-01")
    if name == "BGBB":
        return es.BGBB().fit(DISCRETE)
    return es.SBG().fit(SURVIVORS)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", es.BoundaryEstimateWarning)  # GGom/NBD: the Pareto/NBD limit
    FITTED = {name: _fit(name) for name in MODELS}


def predictions(model: FittedModel[Any]) -> list[float]:
    """A few predictions of each kind the model makes (all customers of the test data)."""
    if isinstance(model, es.FittedGammaGamma):
        repeat = SUMMARY.frequency > 0
        spend = (SUMMARY.frequency[repeat], SUMMARY.monetary[repeat])
        return list(model.conditional_expected_spend(spend))
    if isinstance(model, es.FittedSBG):
        return [*model.survival(np.arange(20)), *model.retention_rate([1, 5, 30])]
    data: Any = DISCRETE if isinstance(model, es.FittedBGBB) else RFM
    if isinstance(model, es.FittedDynamicParetoNBD):
        data = model.customers
        return [*model.probability_alive(data), *model.conditional_expected_purchases(3, data)]
    if getattr(model, "spec", None) is not None:
        data = SUMMARY  # the customers' covariates are found by id
    return [
        *model.probability_alive(data),  # type: ignore[attr-defined]
        *model.conditional_expected_purchases(10, data),  # type: ignore[attr-defined]
        *model.probability_of_purchases([0, 1, 2, 5], 10),  # type: ignore[attr-defined]
    ]


def _hex(values: list[float]) -> list[str]:
    return [float(v).hex() for v in values]


def _digest(document: dict[str, Any]) -> str:
    body = {key: value for key, value in document.items() if key != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# --- round trips -----------------------------------------------------------------------------


def test_the_registry_holds_every_public_fitted_model() -> None:
    assert es.ModelFormatError is ModelFormatError
    assert issubclass(ModelFormatError, InvalidInputError)
    public = {
        name.removeprefix("Fitted")
        for name in es.__all__
        if name.startswith("Fitted") and isinstance(getattr(es, name), type)
    }
    assert set(MODELS) == public
    assert all(cls is getattr(es, f"Fitted{name}") for name, (cls, _) in MODELS.items())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fitted_round_trip_in_process_is_exact(name: str, tmp_path: Path) -> None:
    fitted = FITTED[name]
    document = fitted.to_dict()
    assert document["model"] == name
    assert document["format_version"] == FORMAT_VERSION
    assert document["library_version"] == es.__version__
    assert document["fit"]["diagnostics"]["n_customers"] == fitted.fit.diagnostics.n_customers  # type: ignore[union-attr]
    json.dumps(document, allow_nan=False)  # strict JSON
    assert es.model_from_dict(json.loads(json.dumps(document))).to_dict() == document
    path = tmp_path / "model.json"
    es.save_model(fitted, path)
    loaded = es.load_model(path)
    assert type(loaded) is type(fitted)
    assert loaded.to_dict() == document
    assert repr(loaded) == repr(fitted)
    assert loaded.params.to_tuple() == fitted.params.to_tuple()
    assert loaded.fit is not None
    assert fitted.fit is not None
    np.testing.assert_array_equal(loaded.fit.covariance, fitted.fit.covariance)
    assert loaded.fit.diagnostics == fitted.fit.diagnostics
    assert _hex(predictions(loaded)) == _hex(predictions(fitted))
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary file left


def test_typed_from_dict_accepts_its_own_model_only() -> None:
    document = FITTED["BGNBD"].to_dict()
    assert isinstance(es.FittedBGNBD.from_dict(document), es.FittedBGNBD)
    with pytest.raises(ModelFormatError, match="must be a model of FittedMBGNBD") as caught:
        es.FittedMBGNBD.from_dict(document)
    assert caught.value.field == "model"


def _from_params(name: str, values: list[float], unit: str) -> FittedModel[Any]:
    estimator = getattr(es, name)
    params = dict(zip(MODELS[name][1].names(), values, strict=False))
    if name in ("BGNBD", "MBGNBD", "ParetoNBD"):
        return estimator.from_params(**params, time_unit=unit)  # type: ignore[no-any-return]
    return estimator.from_params(**params)  # type: ignore[no-any-return]


positive = st.floats(min_value=1e-6, max_value=1e6, exclude_min=True)
any_float = st.floats(allow_nan=True, allow_infinity=True)


@given(
    name=st.sampled_from(["BGBB", "BGNBD", "GammaGamma", "MBGNBD", "ParetoNBD", "SBG"]),
    values=st.lists(positive, min_size=4, max_size=4),
    unit=st.sampled_from([unit.value for unit in es.TimeUnit]),
    covariance=st.lists(any_float, min_size=16, max_size=16),
    log_likelihood=st.floats(allow_nan=False, allow_infinity=False),
    errors=st.lists(st.floats(min_value=0.0) | st.just(math.nan), min_size=4, max_size=4),
    curvature=any_float,
    fitted=st.booleans(),
)
def test_round_trip_is_exact_for_any_parameters_and_statistics(
    name: str,
    values: list[float],
    unit: str,
    covariance: list[float],
    log_likelihood: float,
    errors: list[float],
    curvature: float,
    fitted: bool,
) -> None:
    model = _from_params(name, values, unit)
    if fitted:
        names = model.params.names()
        k = len(names)
        diagnostics = FitDiagnostics(
            converged=True,
            message="x",
            n_iterations=3,
            n_evaluations=4,
            gradient_norm=1e-9,
            n_customers=10,
            n_patterns=2,
            seconds=0.5,
            method="L-BFGS-B",
            min_curvature=curvature,
        )
        statistics = FitStatistics(
            log_likelihood,
            dict(zip(names, errors, strict=False)),
            np.array(covariance[: k * k]).reshape(k, k),
            diagnostics,
        )
        model = type(model)(**{**_fields(model), "fit": statistics})
    loaded = es.model_from_dict(json.loads(json.dumps(model.to_dict(), allow_nan=False)))
    assert type(loaded) is type(model)
    assert _hex(list(loaded.params.to_tuple())) == _hex(list(model.params.to_tuple()))
    assert loaded.to_dict() == model.to_dict()
    if model.fit is not None:
        assert loaded.fit is not None
        np.testing.assert_array_equal(loaded.fit.covariance, model.fit.covariance)
        assert _hex(list(loaded.fit.standard_errors.values())) == _hex(
            list(model.fit.standard_errors.values())
        )
    with np.errstate(all="ignore"):
        assert _hex(predictions(loaded)) == _hex(predictions(model))


def _fields(model: FittedModel[Any]) -> dict[str, Any]:
    import attrs

    return {field.name: getattr(model, field.name) for field in attrs.fields(type(model))}


def test_a_fresh_process_predicts_bit_identically(tmp_path: Path) -> None:
    for name, fitted in FITTED.items():
        es.save_model(fitted, tmp_path / f"{name}.json")
    script = f"""
import json, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import ecomstrat as es
from test_persist import predictions
out = {{}}
for name in {sorted(MODELS)!r}:
    model = es.load_model({str(tmp_path)!r} + "/" + name + ".json")
    out[name] = [float(v).hex() for v in predictions(model)]
print(json.dumps(out))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    got = json.loads(run.stdout)
    assert got == {name: _hex(predictions(fitted)) for name, fitted in FITTED.items()}


# --- refusals ----------------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(*keys: str, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def _delete(*keys: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return edit


TAMPERED: dict[str, tuple[Edit, str]] = {
    "unknown model": (_set("model", value="PickleModel"), "model"),
    "model null": (_set("model", value=None), "model"),
    "newer format": (_set("format_version", value=FORMAT_VERSION + 1), "format_version"),
    "format version text": (_set("format_version", value="1"), "format_version"),
    "not a model": (_set("format", value="something-else"), "format"),
    "missing parameter": (_delete("params", "alpha"), "params.alpha"),
    "extra parameter": (_set("params", "z", value=1.0), "params.z"),
    "extra field": (_set("__reduce__", value="os.system"), "__reduce__"),
    "missing fit": (_delete("fit"), "fit"),
    "missing time unit": (_delete("time_unit"), "time_unit"),
    "text parameter": (_set("params", "r", value="0.5"), "params.r"),
    "boolean parameter": (_set("params", "r", value=True), "params.r"),
    "negative parameter": (_set("params", "alpha", value=-4.0), "params.alpha"),
    "zero parameter": (_set("params", "b", value=0), "params.b"),
    "non-finite parameter": (_set("params", "a", value="inf"), "params.a"),
    "not a time unit": (_set("time_unit", value="fortnight"), "time_unit"),
    "time unit alias": (_set("time_unit", value="W"), "time_unit"),
    "non-finite log-likelihood": (_set("fit", "log_likelihood", value="nan"), "fit.log_likelihood"),
    "covariance 3x3": (
        _set("fit", "covariance", value=[[1.0, 0.0, 0.0]] * 3),
        "fit.covariance",
    ),
    "covariance ragged": (
        _set("fit", "covariance", value=[[1.0] * 4, [1.0] * 4, [1.0] * 3, [1.0] * 4]),
        "fit.covariance[2]",
    ),
    "covariance text": (
        _set("fit", "covariance", value=[[1.0] * 4, [1.0] * 4, [1.0, "x", 1.0, 1.0], [1.0] * 4]),
        "fit.covariance[2][1]",
    ),
    "negative standard error": (
        _set("fit", "standard_errors", "r", value=-0.1),
        "fit.standard_errors.r",
    ),
    "missing diagnostic": (
        _delete("fit", "diagnostics", "n_customers"),
        "fit.diagnostics.n_customers",
    ),
    "fractional count": (
        _set("fit", "diagnostics", "n_iterations", value=1.5),
        "fit.diagnostics.n_iterations",
    ),
    "negative count": (
        _set("fit", "diagnostics", "n_customers", value=-1),
        "fit.diagnostics.n_customers",
    ),
    "text flag": (
        _set("fit", "diagnostics", "converged", value="yes"),
        "fit.diagnostics.converged",
    ),
    "fit not an object": (_set("fit", value=[1, 2]), "fit"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
@pytest.mark.parametrize("digest", ["recomputed", "stale"])
def test_a_tampered_file_is_refused_naming_file_and_field(
    case: str, digest: str, tmp_path: Path
) -> None:
    edit, field = TAMPERED[case]
    path = tmp_path / "model.json"
    es.save_model(FITTED["BGNBD"], path)
    document = json.loads(path.read_text())
    edit(document)
    if digest == "recomputed":  # whoever edits can recompute the digest: the values are checked
        document["sha256"] = _digest(document)
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFormatError) as caught:
        es.load_model(path)
    error = caught.value
    assert isinstance(error, InvalidInputError)
    assert isinstance(error, ValueError)
    assert error.field == field, str(error)
    assert error.path == str(path)
    assert repr(str(path)) in str(error)
    assert repr(field) in str(error)


def test_an_edited_value_in_range_is_caught_by_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    es.save_model(FITTED["ParetoNBD"], path)
    text = path.read_text()
    alpha = json.loads(text)["params"]["alpha"]
    path.write_text(text.replace(f'"alpha": {alpha!r}', f'"alpha": {alpha * 2!r}', 1))
    with pytest.raises(ModelFormatError, match="edited or corrupted") as caught:
        es.load_model(path)
    assert caught.value.field == "sha256"


def test_a_file_without_its_digest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    document = FITTED["SBG"].to_dict()
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFormatError, match="'sha256' is missing"):
        es.load_model(path)
    # a dict needs no digest: model_from_dict reads what to_dict gave
    assert es.model_from_dict(document).to_dict() == document


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "must be a JSON document"),
        ('{"a": NaN}', "must be a JSON document"),
        ('{"a": 1, "a": 2}', "duplicate key"),
        ("[1, 2]", "must be a JSON object, not a list"),
        ('{"format": "ecomstrat.fitted-model"}', "'format_version'"),
        (b"\xff\xfe".decode("latin-1"), "must be a JSON document"),
    ],
)
def test_not_a_model_file(text: str, match: str, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(ModelFormatError, match=match):
        es.load_model(path)


def test_newer_format_says_to_upgrade(tmp_path: Path) -> None:
    document = FITTED["BGBB"].to_dict()
    document["format_version"] = 99
    document["library_version"] = "9.0.0"
    with pytest.raises(ModelFormatError, match=r"newer than this ecomstrat .*upgrade"):
        es.model_from_dict(document)


def test_unknown_model_lists_the_models() -> None:
    document = FITTED["SBG"].to_dict()
    document["model"] = "Pickle"
    with pytest.raises(ModelFormatError, match="'BGBB', 'BGCNBD', 'BGNBD', 'CovariateBGNBD'"):
        es.model_from_dict(document)


def test_only_the_registered_models_can_be_saved() -> None:
    class Custom(es.FittedSBG):
        pass

    with pytest.raises(InvalidInputError, match="must be one of the fitted models"):
        Custom(params=es.SBGParams(alpha=1.0, beta=1.0)).to_dict()


def test_unknown_model_suggests_a_close_name_and_survives_odd_types() -> None:
    document = FITTED["BGNBD"].to_dict()
    document["model"] = "BGNDB"
    with pytest.raises(ModelFormatError, match="Did you mean 'BGNBD'"):
        es.model_from_dict(document)
    document["model"] = ["BGNBD"]
    with pytest.raises(ModelFormatError, match="field 'model'"):
        es.model_from_dict(document)


def test_saving_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    es.save_model(FITTED["SBG"], path)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    es.save_model(FITTED["SBG"], path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert es.load_model(path).to_dict() == FITTED["SBG"].to_dict()
