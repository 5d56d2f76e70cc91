"""One grammar across models and results (the rules of docs/api.md, checked on every public name).

Fitted models: keyword-only ``from_params`` (``time_unit`` required in continuous time),
``fit(data, *, time_unit=None, initial=None, ...)``, ``conditional_expected_purchases(t, data)``,
``probability_alive(data)``, ``probability_of_purchases(n, t)`` with ``n`` purchases, one verb
for discounted residual purchases whose rate keyword names its unit, one ``repr``.
Results: one export base; stage, segment and tier assignments one labelled base.
Arguments: data positional, everything else keyword-only, one name per concept.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._export import Tabular
from ecomstrat.models._base import FittedModel

PUBLIC = {name: getattr(es, name) for name in es.__all__ if name != "__version__"}
FITTED = sorted(
    (name for name, obj in PUBLIC.items() if inspect.isclass(obj) and issubclass(obj, FittedModel)),
)
ESTIMATORS = [name.removeprefix("Fitted") for name in FITTED]
#: Models whose structure goes to the constructor (covariates, or k): ``from_params`` is then a
#: method of the configured model, and covariate models take the covariates beside the data.
COVARIATE = {"CovariateBGNBD", "CovariateGGomNBD", "CovariateParetoNBD", "DynamicParetoNBD"}
REGULARITY = {"BGCNBD", "MBGCNBD"}
CONTINUOUS = {"BGNBD", "MBGNBD", "ParetoNBD", "GGomNBD", *REGULARITY, *COVARIATE}
PURCHASE_MODELS = {"BGNBD", "MBGNBD", "ParetoNBD", "BGBB", "GGomNBD", *REGULARITY, *COVARIATE}
#: The parameter class of each model whose name is not ``<model>Params``.
PARAMS = {
    "BGCNBD": "CNBDParams",
    "MBGCNBD": "CNBDParams",
    "CovariateBGNBD": "BGNBDParams",
    "CovariateGGomNBD": "GGomNBDParams",
    "CovariateParetoNBD": "ParetoNBDParams",
    "DynamicParetoNBD": "ParetoNBDParams",
}
#: Result classes (returned by public functions or methods) that are single records, not tables.
RECORDS = {"CostLine", "HoldoutErrors", "MarketEntry", "ShelfPrice", "StrategyReport"}


def _params(function: Any) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(function).parameters.values())
    return [p for p in parameters if p.name not in ("self", "cls")]


def test_every_model_is_listed() -> None:
    assert ESTIMATORS == [
        "BGBB",
        "BGCNBD",
        "BGNBD",
        "CovariateBGNBD",
        "CovariateGGomNBD",
        "CovariateParetoNBD",
        "DynamicParetoNBD",
        "GGomNBD",
        "GammaGamma",
        "MBGCNBD",
        "MBGNBD",
        "ParetoNBD",
        "SBG",
    ]


def _estimator(name: str) -> Any:
    """The model, configured when its structure goes to the constructor."""
    return PUBLIC[name](purchase=("x",)) if name in COVARIATE else PUBLIC[name]()


@pytest.mark.parametrize("name", ESTIMATORS)
def test_from_params_is_keyword_only_with_the_unit_required_in_continuous_time(name: str) -> None:
    builder = _estimator(name).from_params
    params = _params(builder)
    assert all(p.kind is p.KEYWORD_ONLY for p in params), params
    fields = [field.name for field in PUBLIC[PARAMS.get(name, f"{name}Params")].__attrs_attrs__]
    expected = [*fields, "time_unit"] if name in CONTINUOUS else fields
    if name in COVARIATE:
        expected = [*fields, "coefficients", "time_unit", "covariates"]
        assert params[-1].default is None
        params = params[:-1]
    assert [p.name for p in _params(builder)] == expected
    assert all(p.default is p.empty for p in params)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_fit_takes_data_then_keywords(name: str) -> None:
    data, *rest = _params(_estimator(name).fit)
    # the time-varying model reads every purchase's date: its data is the transaction log
    assert data.name == ("log" if name == "DynamicParetoNBD" else "data")
    assert data.kind is data.POSITIONAL_OR_KEYWORD
    if name in COVARIATE:
        covariates, *rest = rest
        assert covariates.name == "covariates"
        assert covariates.kind is covariates.POSITIONAL_OR_KEYWORD
    assert all(p.kind is p.KEYWORD_ONLY for p in rest)
    keywords = {p.name: p.default for p in rest}
    assert keywords["initial"] is None
    if name in CONTINUOUS:
        # the time-varying model's unit is its covariates' period
        assert keywords["time_unit"] == ("week" if name == "DynamicParetoNBD" else None)


@pytest.mark.parametrize("name", FITTED)
def test_one_repr_and_keyword_fields(name: str) -> None:
    cls = PUBLIC[name]
    assert cls.__repr__ is FittedModel.__repr__
    assert all(field.kw_only for field in cls.__attrs_attrs__)


@pytest.mark.parametrize("name", sorted(PURCHASE_MODELS))
def test_purchase_model_methods(name: str) -> None:
    fitted = PUBLIC[f"Fitted{name}"]
    signature = {
        method: [p.name for p in _params(getattr(fitted, method))][:2]
        for method in ("conditional_expected_purchases", "probability_of_purchases")
    }
    assert signature == {
        "conditional_expected_purchases": ["t", "data"],
        "probability_of_purchases": ["n", "t"],
    }
    assert _params(fitted.probability_alive)[0].name == "data"
    residual = {p.name: p for p in _params(fitted.expected_residual_purchases)}
    rate = "annual_discount_rate" if name in CONTINUOUS else "discount_rate_per_period"
    assert residual[rate].kind is inspect.Parameter.KEYWORD_ONLY
    assert next(iter(residual)) == "data"


def test_survival_model_residual_lifetime() -> None:
    parameters = {p.name: p for p in _params(es.FittedSBG.expected_residual_lifetime)}
    assert parameters["discount_rate_per_period"].kind is inspect.Parameter.KEYWORD_ONLY


def _fitted(name: str) -> Any:
    values = {"BGNBD": (0.24, 4.4, 0.79, 2.4), "MBGNBD": (0.5, 5.0, 0.4, 2.0)}
    values |= {"ParetoNBD": (0.55, 10.6, 0.61, 11.7), "BGBB": (1.2, 0.75, 0.66, 2.8)}
    fields = [field.name for field in PUBLIC[f"{name}Params"].__attrs_attrs__]
    keywords: dict[str, Any] = dict(zip(fields, values[name], strict=True))
    if name in CONTINUOUS:
        keywords["time_unit"] = "week"
    return PUBLIC[name].from_params(**keywords)


@pytest.mark.parametrize("name", sorted(PURCHASE_MODELS - COVARIATE - REGULARITY - {"GGomNBD"}))
@pytest.mark.parametrize("rate", [-0.01, 1.5, float("nan")])
def test_one_allowed_discount_range(name: str, rate: float) -> None:
    keyword = "annual_discount_rate" if name in CONTINUOUS else "discount_rate_per_period"
    data = ([2.0], [5.0], [10.0]) if name in CONTINUOUS else ([2], [5], [6])
    with pytest.raises(InvalidInputError, match=keyword):
        _fitted(name).expected_residual_purchases(data, **{keyword: rate})


def _public_modules() -> list[Any]:
    modules = []
    for info in pkgutil.walk_packages(es.__path__, "ecomstrat."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        if info.name.split(".")[1] in {"cli", "report", "__main__"}:
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _result_classes() -> list[type]:
    """Classes returned by public functions and methods (their return annotations)."""
    found = {}
    for obj in PUBLIC.values():
        callables = [obj]
        if inspect.isclass(obj):
            callables = [
                member
                for name, member in vars(obj).items()
                if not name.startswith("_") and inspect.isfunction(member)
            ]
        for function in callables:
            annotation = inspect.signature(function).return_annotation
            text = str(annotation)
            found |= {
                name: cls
                for name, cls in PUBLIC.items()
                if inspect.isclass(cls) and text in (name, f"{name} | None")
            }
    skip = {
        name
        for name, cls in found.items()
        if issubclass(cls, FittedModel | BaseException) or getattr(cls, "_is_protocol", False)
    }
    return [found[name] for name in sorted(set(found) - skip - {"Money", "MarketProfile"})]


def test_results_share_one_export_base() -> None:
    results = _result_classes()
    assert len(results) > 20
    tables = [cls for cls in results if cls.__name__ not in RECORDS]
    not_tabular = [cls.__name__ for cls in tables if not issubclass(cls, Tabular)]
    assert not not_tabular
    for cls in tables:
        for method in ("to_pandas", "to_polars", "to_arrow"):
            assert getattr(cls, method) is getattr(Tabular, method), (cls, method)


def test_no_public_class_is_named_result_and_one_stage() -> None:
    classes = [name for name, obj in PUBLIC.items() if inspect.isclass(obj)]
    assert [name for name in classes if name.endswith("Result")] == []
    stages = {
        id(module.Stage)
        for module in _public_modules()
        if "Stage" in getattr(module, "__all__", ())
    }
    assert len(stages) == 1


def test_labelled_assignments() -> None:
    for name in ("LifecycleStages", "RFMSegments", "ValueTiers"):
        cls = PUBLIC[name]
        for member in ("names", "codes", "labels", "counts", "shares", "ids_in"):
            assert hasattr(cls, member), (name, member)
        assert issubclass(cls, Tabular)


#: Public callables with more than one positional parameter, each one of the data (reviewed).
TWO_POSITIONAL = {
    "CustomerSummary.from_arrays": "the columns",
    "TransactionLog.from_arrays": "the columns",
    "Money.from_minor": "an amount and its currency, as Money(amount, currency)",
    "landed_cost": "the profile first, then the order",
    "landed_cost_batch": "the profile first, then the goods",
    "landed_cost_split": "the profile first, then the parcels",
    "survey_by_group": "the answers: customer ids, then scores",
    "EventLog.from_arrays": "the columns",
    "OrderLines.from_arrays": "the columns",
    "Reviews.from_arrays": "the columns",
    "next_best_products": "the order lines, then the affinity rules found in them",
    "price_for_shelf_price": "the profile first, then the target price",
    "save_model": "the model, then the file, as json.dump(obj, fp)",
    "customer_lifetime_value_one": "one customer's x, t_x, T, monetary",
    "check_model": "the model, then the data it is checked on",
    "period_transactions": "the model, then the data it is checked on",
    "holdout_by_frequency": "the model, then the data it is checked on",
    "holdout_errors": "the model, then the data it is checked on",
    "tracking": "the model, then the data it is checked on",
    "probability_alive_history": "the model, then the data it is checked on",
    "CustomerCovariates.from_arrays": "the columns: customer ids, then the covariates",
    "CovariateSpec.gradient": "the gradients in the purchase, then the dropout coefficients",
    "CovariateBGNBD.fit": "the data: customers, then their covariates",
    "CovariateGGomNBD.fit": "the data: customers, then their covariates",
    "CovariateParetoNBD.fit": "the data: customers, then their covariates",
    "DynamicParetoNBD.fit": "the data: the orders, then the covariates over time",
}
#: Model methods whose positional signature the grammar fixes: ``(t, data)``, ``(n, t[, data])``
#: and one customer's ``([t,] x, t_x, T)``.
MODEL_METHODS = {
    "conditional_expected_purchases",
    "probability_of_purchases",
    "conditional_probability_of_purchases",
    "probability_alive_one",
    "conditional_expected_purchases_one",
    "expected_residual_purchases_one",
}
#: Words the vocabulary replaced; no public parameter may use them.
RETIRED = {
    "gross_margin",
    "contribution_margin_rate",
    "n_star",
    "discount_rate",
    "compress_patterns",
}


def _callables() -> list[tuple[str, Any]]:
    found = []
    for name, obj in PUBLIC.items():
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj) and obj.__module__.startswith("ecomstrat"):
            for member, value in vars(obj).items():
                raw = value.__func__ if isinstance(value, staticmethod | classmethod) else value
                if not member.startswith("_") and inspect.isfunction(raw):
                    found.append((f"{name}.{member}", raw))
    return found


@pytest.mark.parametrize(("name", "function"), _callables(), ids=lambda v: str(v))
def test_arguments(name: str, function: Any) -> None:
    params = _params(function)
    names = [p.name for p in params]
    assert not RETIRED & set(names), (name, RETIRED & set(names))
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    allowed = name in TWO_POSITIONAL or name.rsplit(".", 1)[-1] in MODEL_METHODS
    assert len(positional) <= 1 or allowed, (name, positional)


def test_result_columns_have_equal_length() -> None:
    log = es.simulate_transactions(50, seed=1).log
    summary = es.rfm_summary(log)
    results = [
        log,
        summary,
        es.rfm_scores(summary),
        es.rfm_segments(es.rfm_scores(summary)),
        es.stage_customers(log, observation_end=log.times.max()),
        es.cohort_retention(log),
        es.funnel({"visit": 100, "cart": 30, "order": 10}),
    ]
    for result in results:
        lengths = {len(np.asarray(column)) for column in result.columns().values()}
        assert len(lengths) == 1, type(result).__name__
