"""The model benchmark's table: model -> task -> implementation, and the data they share.

Every implementation has the same three steps, like :mod:`benchmarks.comparisons`:

``prepare(data)``
    Untimed: what the implementation starts from (numpy arrays for ecomstrat, pandas Series or a
    DataFrame for the peers, a model holding the prediction parameters).
``run(prepared)``
    Timed: one fit, or one prediction for every customer.
``result(output)``
    Untimed: a float64 array to compare across implementations (the estimates, in the order
    of :data:`PARAMETERS`, or the per-customer predictions).

Predictions use fixed parameters (:data:`PREDICTION_PARAMS`, the published CDNOW / donation
estimates) so that they are timed independently of any fit. Heavy imports happen inside the
functions, so the runner never imports numba, pandas, lifetimes or pymc-marketing.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CASES",
    "MODELS",
    "PARAMETERS",
    "PREDICTION_PARAMS",
    "Case",
    "ModelData",
    "make_data",
]

#: Model -> its parameter names, in the order results are compared.
PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "mbgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
    "gamma_gamma": ("p", "q", "gamma"),
    "bgbb": ("alpha", "beta", "gamma", "delta"),
}
MODELS = tuple(PARAMETERS)

#: Parameters of the timed predictions: FHL (2005) on CDNOW (weeks), Fader & Hardie (2013)
#: Gamma-Gamma, Fader, Hardie & Shang (2010) BG/BB on the donation data.
PREDICTION_PARAMS: Mapping[str, tuple[float, ...]] = {
    "bgnbd": (0.243, 4.414, 0.793, 2.426),
    "mbgnbd": (0.243, 4.414, 0.793, 2.426),
    "paretonbd": (0.553, 10.578, 0.606, 11.669),
    "gamma_gamma": (6.25, 3.74, 15.44),
    "bgbb": (1.204, 0.750, 0.657, 2.783),
}
#: Prediction horizon: 10 weeks (continuous models) or 5 opportunities (BG/BB).
HORIZON_WEEKS = 10.0
HORIZON_OPPORTUNITIES = 5
#: Opportunities per customer in the BG/BB data (the donation data set has 6).
OPPORTUNITIES = 6

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ModelData:
    """One simulated customer base: continuous-time ``x, t_x, T`` (weeks), spend, and
    discrete-time ``x, t_x, n`` (BG/BB) for the same number of customers."""

    x: Array
    t_x: Array
    T: Array
    monetary: Array
    discrete_x: Array
    discrete_t_x: Array
    discrete_n: Array

    @property
    def n_customers(self) -> int:
        return int(self.x.shape[0])

    def spend(self) -> tuple[Array, Array]:
        """Frequency and average spend of the customers with at least one repeat purchase."""
        repeat = self.x > 0
        return self.x[repeat], self.monetary[repeat]

    def head(self, n: int) -> ModelData:
        return ModelData(*(getattr(self, name)[:n].copy() for name in _FIELDS))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in _FIELDS:
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> ModelData:
        return cls(*(np.load(folder / f"{name}.npy") for name in _FIELDS))


_FIELDS = ("x", "t_x", "T", "monetary", "discrete_x", "discrete_t_x", "discrete_n")


def make_data(n_customers: int, seed: int = 1, *, distinct: bool = False) -> ModelData:
    """Simulate ``n_customers``: ``simulate_transactions`` (BG/NBD process, CDNOW parameters,
    weekly summary) and BG/BB histories over :data:`OPPORTUNITIES` opportunities.

    Times are in whole days, so customers share ``(x, T)`` pairs as in real data. With
    ``distinct``, every ``T`` is moved later by less than a day (uniform), so that no two
    customers share one: the worst case for the pattern compression and prediction caches.
    """
    from ecomstrat.datasets.simulate import simulate_transactions

    summary = simulate_transactions(n_customers, seed=seed).summary()
    x_d, t_x_d, n_d = _bgbb_histories(n_customers, seed)
    T = np.asarray(summary.T, dtype=np.float64)
    if distinct:
        T = T + np.random.default_rng(seed + 1).uniform(0.0, 1.0 / 7.0, n_customers)
    return ModelData(
        np.asarray(summary.frequency, dtype=np.float64),
        np.asarray(summary.recency, dtype=np.float64),
        T,
        np.asarray(summary.monetary, dtype=np.float64),
        x_d,
        t_x_d,
        n_d,
    )


def _bgbb_histories(n_customers: int, seed: int) -> tuple[Array, Array, Array]:
    """BG/BB: p ~ Beta(α, β), θ ~ Beta(γ, δ); alive at opportunity j with prob. (1-θ)^j."""
    alpha, beta, gamma, delta = PREDICTION_PARAMS["bgbb"]
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    # Opportunities survived before dropping out (geometric, counted from the first).
    alive_for = rng.geometric(np.clip(theta, 1e-12, 1.0)) - 1
    x = np.zeros(n_customers)
    t_x = np.zeros(n_customers)
    for j in range(1, OPPORTUNITIES + 1):
        bought = (alive_for >= j) & (rng.random(n_customers) < p)
        x += bought
        t_x[bought] = j
    return x, t_x, np.full(n_customers, float(OPPORTUNITIES))


# --- implementations --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way of doing one task of one model."""

    prepare: Callable[[ModelData], Any]
    run: Callable[[Any], Any]
    result: Callable[[Any], Array]
    #: Modules that must be importable.
    requires: tuple[str, ...] = ()
    #: Extra environment of the measuring subprocess.
    env: Mapping[str, str] = field(default_factory=dict)

    def available(self) -> bool:
        return all(importlib.util.find_spec(module) is not None for module in self.requires)


def _params_of(fitted: Any) -> Array:
    return np.array(list(fitted.params.to_dict().values()), dtype=np.float64)


def _as_array(values: Any) -> Array:
    return np.asarray(values, dtype=np.float64)


def _ecomstrat_model(model: str) -> Any:
    """The model class (for fits) and a builder from :data:`PREDICTION_PARAMS`."""
    import ecomstrat as es

    return {
        "bgnbd": es.BGNBD,
        "mbgnbd": es.MBGNBD,
        "paretonbd": es.ParetoNBD,
        "gamma_gamma": es.GammaGamma,
        "bgbb": es.BGBB,
    }[model]


def _ecomstrat_fitted(model: str) -> Any:
    cls = _ecomstrat_model(model)
    names = PARAMETERS[model]
    kwargs = dict(zip(names, PREDICTION_PARAMS[model], strict=True))
    if model in ("bgnbd", "mbgnbd", "paretonbd"):
        kwargs["time_unit"] = "week"
    return cls.from_params(**kwargs)


def _ecomstrat_cases(model: str) -> dict[str, Case]:
    cls = _ecomstrat_model
    if model == "gamma_gamma":
        return {
            "fit": Case(lambda d: d.spend(), lambda s: cls(model)().fit(s), _params_of),
            "spend": Case(
                lambda d: (_ecomstrat_fitted(model), d.spend()),
                lambda p: p[0].conditional_expected_spend(p[1]),
                _as_array,
            ),
        }
    columns: Callable[[ModelData], tuple[Array, Array, Array]]
    if model == "bgbb":
        columns, horizon, options = _discrete, float(HORIZON_OPPORTUNITIES), {}
    else:
        columns, horizon, options = _rfm, HORIZON_WEEKS, {"time_unit": "week"}
    return {
        "fit": Case(columns, lambda p: cls(model)().fit(p, **options), _params_of),
        "conditional": Case(
            lambda d: (_ecomstrat_fitted(model), columns(d)),
            lambda p: p[0].conditional_expected_purchases(horizon, p[1]),
            _as_array,
        ),
        "p_alive": Case(
            lambda d: (_ecomstrat_fitted(model), columns(d)),
            lambda p: p[0].probability_alive(p[1]),
            _as_array,
        ),
    }


def _rfm(d: ModelData) -> tuple[Array, Array, Array]:
    return d.x, d.t_x, d.T


def _discrete(d: ModelData) -> tuple[Array, Array, Array]:
    return d.discrete_x, d.discrete_t_x, d.discrete_n


def _quiet_lifetimes() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes sets deprecated pandas options on import
        import lifetimes
    return lifetimes


_LIFETIMES_FITTERS = {
    "bgnbd": "BetaGeoFitter",
    "mbgnbd": "ModifiedBetaGeoFitter",
    "paretonbd": "ParetoNBDFitter",
    "gamma_gamma": "GammaGammaFitter",
    "bgbb": "BetaGeoBetaBinomFitter",
}
#: lifetimes' names where they differ from ours.
_LIFETIMES_NAMES = {"gamma": "v"}


def _lifetimes_fitter(model: str, with_params: bool) -> Any:
    import pandas as pd

    fitter = getattr(_quiet_lifetimes(), _LIFETIMES_FITTERS[model])()
    if with_params:
        names = PARAMETERS[model]
        if model == "gamma_gamma":
            names = tuple(_LIFETIMES_NAMES.get(name, name) for name in names)
        fitter.params_ = pd.Series(dict(zip(names, PREDICTION_PARAMS[model], strict=True)))
    return fitter


def _lifetimes_params(model: str) -> Callable[[Any], Array]:
    def params(fitter: Any) -> Array:
        if model == "gamma_gamma":
            return np.array([fitter.params_[k] for k in ("p", "q", "v")], dtype=np.float64)
        return np.array([fitter.params_[k] for k in PARAMETERS[model]], dtype=np.float64)

    return params


def _lifetimes_cases(model: str) -> dict[str, Case]:
    import_only = ("lifetimes", "pandas")

    def series(*arrays: Array) -> tuple[Any, ...]:
        import pandas as pd

        return tuple(pd.Series(a) for a in arrays)

    def fit(columns: Callable[[ModelData], tuple[Array, ...]]) -> Case:
        def run(prepared: tuple[Any, ...]) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return _lifetimes_fitter(model, False).fit(*prepared)

        return Case(lambda d: series(*columns(d)), run, _lifetimes_params(model), import_only)

    def predict(method: str, columns: Callable[[ModelData], tuple[Array, ...]], *head: Any) -> Case:
        def run(prepared: tuple[Any, tuple[Any, ...]]) -> Any:
            fitter, data = prepared
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return getattr(fitter, method)(*head, *data)

        return Case(
            lambda d: (_lifetimes_fitter(model, True), series(*columns(d))),
            run,
            _as_array,
            import_only,
        )

    if model == "gamma_gamma":
        return {
            "fit": fit(lambda d: d.spend()),
            "spend": predict("conditional_expected_average_profit", lambda d: d.spend()),
        }
    if model == "bgbb":
        return {
            "fit": fit(_discrete),
            "conditional": predict(
                "conditional_expected_number_of_purchases_up_to_time",
                _discrete,
                HORIZON_OPPORTUNITIES,
            ),
            "p_alive": predict("conditional_probability_alive", _discrete, 1),
        }
    return {
        "fit": fit(_rfm),
        "conditional": predict(
            "conditional_expected_number_of_purchases_up_to_time", _rfm, HORIZON_WEEKS
        ),
        "p_alive": predict("conditional_probability_alive", _rfm),
    }


def _one_thread(cases: dict[str, Case]) -> dict[str, Case]:
    return {
        task: Case(c.prepare, c.run, c.result, c.requires, {"NUMBA_NUM_THREADS": "1"})
        for task, c in cases.items()
    }


def _table() -> dict[str, dict[str, dict[str, Case]]]:
    """model -> task -> implementation -> case."""
    from benchmarks.model_pymc import pymc_cases

    table: dict[str, dict[str, dict[str, Case]]] = {}
    for model in MODELS:
        implementations = {
            "ecomstrat": _ecomstrat_cases(model),
            "ecomstrat-1thread": _one_thread(_ecomstrat_cases(model)),
            "lifetimes": _lifetimes_cases(model),
            "pymc-marketing": pymc_cases(model),
        }
        tasks: dict[str, dict[str, Case]] = {}
        for name, cases in implementations.items():
            for task, case in cases.items():
                tasks.setdefault(task, {})[name] = case
        table[model] = tasks
    return table


#: model -> task -> implementation -> :class:`Case`.
CASES = _table()
