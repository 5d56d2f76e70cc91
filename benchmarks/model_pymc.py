"""pymc-marketing's CLV models as benchmark cases: MAP fits with flat priors, and predictions.

pymc-marketing's default priors are informative (Weibull, Pareto), so its MAP estimate differs
from the maximum-likelihood one; with ``HalfFlat`` priors on every parameter the MAP objective
is the log-likelihood itself and the estimates are comparable with ecomstrat's and lifetimes'.
Its predictions read the parameters from the model's posterior: the cases fit the model on
the first customers (untimed, in ``prepare``), then overwrite the single posterior draw with
:data:`~benchmarks.model_cases.PREDICTION_PARAMS` and predict for every customer.

pymc-marketing compiles its graphs with pytensor on first use (about 10 s per model on this
machine, cached on disk in ``~/.pytensor`` afterwards): the benchmark's warm-up call absorbs it
and reports it as ``warm-up s``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.model_cases import (
    HORIZON_OPPORTUNITIES,
    HORIZON_WEEKS,
    PARAMETERS,
    PREDICTION_PARAMS,
    Case,
)

if TYPE_CHECKING:
    from benchmarks.model_cases import ModelData

__all__ = ["pymc_cases"]

_CLASSES = {
    "bgnbd": "BetaGeoModel",
    "mbgnbd": "ModifiedBetaGeoModel",
    "paretonbd": "ParetoNBDModel",
    "gamma_gamma": "GammaGammaModel",
    "bgbb": "BetaGeoBetaBinomModel",
}
#: pymc-marketing's parameter names where they differ from ours.
_NAMES = {"gamma_gamma": {"gamma": "v"}}
#: Customers the prediction cases fit on before overwriting the estimates.
_PREDICTION_FIT_CUSTOMERS = 2_000
_REQUIRES = ("pymc_marketing", "pandas")


def _names(model: str) -> tuple[str, ...]:
    rename = _NAMES.get(model, {})
    return tuple(rename.get(name, name) for name in PARAMETERS[model])


def _frame(model: str, data: ModelData, limit: int | None = None) -> Any:
    import pandas as pd

    if model == "gamma_gamma":
        x, m = data.spend()
        columns = {"frequency": x, "monetary_value": m}
    elif model == "bgbb":  # its prediction graphs want integer counts
        columns = {
            "frequency": data.discrete_x.astype(np.int64),
            "recency": data.discrete_t_x.astype(np.int64),
            "T": data.discrete_n.astype(np.int64),
        }
    else:
        columns = {"frequency": data.x, "recency": data.t_x, "T": data.T}
    frame = pd.DataFrame(columns)
    if limit is not None:
        frame = frame.iloc[:limit]
    frame.insert(0, "customer_id", np.arange(len(frame)))
    return frame


def _fit(model: str, frame: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arviz and pymc warn on import and on MAP fits
        from pymc_extras.prior import Prior
        from pymc_marketing import clv

        config = {name: Prior("HalfFlat") for name in _names(model)}
        fitted = getattr(clv, _CLASSES[model])(model_config=config)
        fitted.fit(frame, method="map", progressbar=False)
    return fitted


def _estimates(fitted: Any, model: str) -> np.ndarray:
    posterior = fitted.idata.posterior
    return np.array([float(posterior[n].values.squeeze()) for n in _names(model)])


def _with_prediction_params(model: str, data: ModelData) -> tuple[Any, Any]:
    fitted = _fit(model, _frame(model, data, _PREDICTION_FIT_CUSTOMERS))
    posterior = fitted.idata.posterior
    for name, value in zip(_names(model), PREDICTION_PARAMS[model], strict=True):
        posterior[name].values[...] = value
    return fitted, _frame(model, data)


def _predict(call: Callable[[Any, Any], Any]) -> Callable[[tuple[Any, Any]], Any]:
    def run(prepared: tuple[Any, Any]) -> Any:
        fitted, frame = prepared
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call(fitted, frame)

    return run


def _per_customer(output: Any) -> np.ndarray:
    """The single draw's values, one per customer."""
    return np.asarray(output.values, dtype=np.float64).reshape(-1)


def pymc_cases(model: str) -> dict[str, Case]:
    """Task -> case for ``model`` (pymc-marketing has no sBG counterpart in this table)."""
    fit = Case(lambda d: _frame(model, d), lambda f: _fit(model, f), lambda m: _estimates(m, model))
    cases = {"fit": Case(fit.prepare, fit.run, fit.result, _REQUIRES)}

    def predicting(call: Callable[[Any, Any], Any]) -> Case:
        return Case(
            lambda d: _with_prediction_params(model, d), _predict(call), _per_customer, _REQUIRES
        )

    if model == "gamma_gamma":
        cases["spend"] = predicting(lambda m, f: m.expected_customer_spend(f))
    elif model == "bgbb":
        cases["conditional"] = predicting(
            lambda m, f: m.expected_purchases(f, future_t=HORIZON_OPPORTUNITIES)
        )
        cases["p_alive"] = predicting(lambda m, f: m.expected_probability_alive(f, future_t=1))
    else:
        cases["conditional"] = predicting(
            lambda m, f: m.expected_purchases(f, future_t=HORIZON_WEEKS)
        )
        cases["p_alive"] = predicting(lambda m, f: m.expected_probability_alive(f))
    return cases
