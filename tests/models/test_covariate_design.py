"""The shared covariate design: CovariateSpec, design matrices, resolution and fitting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.covariates import CustomerCovariates, TimeVaryingCovariates
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._covariates import (
    CovariateFit,
    CovariateMatrices,
    CovariateSpec,
    compress_with_covariates,
    covariate_matrices,
    data_customer_ids,
    resolve_matrices,
)

COV = CustomerCovariates.from_arrays(
    ["a", "b", "c"], {"gender": [0, 1, 1], "channel": [1, 0, 1], "const": [2, 2, 2]}
)


# --- CovariateSpec --------------------------------------------------------------------------------


def test_coefficient_names_and_order() -> None:
    spec = CovariateSpec(
        purchase=("gender", "channel"), dropout=("channel", "gender"), equal=("gender",)
    )
    assert spec.coefficient_names() == ("purchase.channel", "dropout.channel", "equal.gender")
    assert spec.columns() == ("gender", "channel")
    assert spec.n_coefficients == 3
    # c = (pc, dc, eg) = (1, 2, 3): purchase (gender, channel) = (3, 1); dropout (channel,
    # gender) = (2, 3).
    gp, gd = spec.expand(np.array([1.0, 2.0, 3.0]))
    assert gp.tolist() == [3.0, 1.0]
    assert gd.tolist() == [2.0, 3.0]
    # gradient: purchase.channel = 20, dropout.channel = 30, equal.gender = 10 + 40 = 50
    assert spec.gradient(np.array([10.0, 20.0]), np.array([30.0, 40.0])).tolist() == [20, 30, 50]


def test_penalties_per_coefficient() -> None:
    spec = CovariateSpec(
        purchase=("g", "c"), dropout=("g",), equal=("g",), purchase_penalty=0.1, dropout_penalty=0.2
    )
    assert spec.coefficient_names() == ("purchase.c", "equal.g")
    np.testing.assert_allclose(spec.penalties(), [0.1, 0.3])  # equal.g: 0.1 + 0.2


def test_a_bare_string_is_one_name() -> None:
    spec = CovariateSpec(purchase="gender")
    assert spec.purchase == ("gender",)
    assert spec.coefficient_names() == ("purchase.gender",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"purchase": ("g", "g")}, r"purchase\[1\]='g'.*duplicated"),
        ({"purchase": ("g",), "dropout": ("",)}, r"dropout\[0\]=''.*non-empty"),
        ({"purchase": (1,)}, r"purchase\[0\]=1.*non-empty str"),
        ({"purchase": ("g",), "equal": ("g",)}, r"equal\[0\]='g'.*not in dropout"),
        ({"purchase": ("g",), "purchase_penalty": -1.0}, "purchase_penalty=-1.0"),
        ({"purchase": ("g",), "dropout_penalty": math.nan}, "dropout_penalty"),
        ({"purchase": ("g",), "dropout_penalty": "0.1"}, "dropout_penalty"),
        ({}, "purchase=.*names no covariate"),
        ({"purchase": {"g": 1}}, "purchase=.*sequence of covariate names"),
    ],
)
def test_spec_validation_names_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        CovariateSpec(**kwargs)  # type: ignore[arg-type]


def test_expand_and_gradient_check_lengths() -> None:
    spec = CovariateSpec(purchase=("g",), dropout=("c",))
    with pytest.raises(InvalidInputError, match=r"coefficients=.*must hold 2 values"):
        spec.expand(np.array([1.0]))
    with pytest.raises(InvalidInputError, match=r"g_dropout"):
        spec.gradient(np.array([1.0]), np.array([1.0, 2.0]))


def test_coefficient_mapping_round_trip_and_errors() -> None:
    spec = CovariateSpec(purchase=("g",), dropout=("g", "c"))
    vector = spec.coefficient_vector({"dropout.c": 3.0, "purchase.g": 1.0, "dropout.g": 2.0})
    assert vector.tolist() == [1.0, 2.0, 3.0]
    assert spec.coefficient_dict(vector) == {"purchase.g": 1.0, "dropout.g": 2.0, "dropout.c": 3.0}
    with pytest.raises(InvalidInputError, match=r"coefficients=.*Missing: \['dropout.c'\]"):
        spec.coefficient_vector({"purchase.g": 1.0, "dropout.g": 2.0})
    with pytest.raises(InvalidInputError, match=r"unknown: \['trans.g'\]"):
        spec.coefficient_vector({"purchase.g": 1, "dropout.g": 2, "dropout.c": 3, "trans.g": 4})
    with pytest.raises(InvalidInputError, match=r"coefficients\['dropout.c'\]"):
        spec.coefficient_vector({"purchase.g": 1, "dropout.g": 2, "dropout.c": math.inf})


def test_dict_round_trip() -> None:
    spec = CovariateSpec(purchase=("g", "c"), dropout=("g",), equal=("g",), dropout_penalty=0.5)
    data = spec.to_dict()
    assert data == {
        "purchase": ["g", "c"], "dropout": ["g"], "equal": ["g"],
        "purchase_penalty": 0.0, "dropout_penalty": 0.5,
    }  # fmt: skip
    assert CovariateSpec.from_dict(data) == spec
    with pytest.raises(InvalidInputError, match=r"covariate spec\['trans'\]"):
        CovariateSpec.from_dict({**data, "trans": []})


_NAMES = st.lists(st.sampled_from("abcdef"), unique=True, max_size=4)


@st.composite
def _specs(draw: st.DrawFn) -> CovariateSpec:
    purchase = draw(_NAMES)
    dropout = draw(_NAMES)
    if not purchase and not dropout:
        purchase = ["a"]
    both = [c for c in purchase if c in dropout]
    equal = draw(st.lists(st.sampled_from(both), unique=True)) if both else []
    return CovariateSpec(purchase=tuple(purchase), dropout=tuple(dropout), equal=tuple(equal))


@given(_specs(), st.data())
def test_gradient_is_the_chain_rule_of_expand(spec: CovariateSpec, data: st.DataObject) -> None:
    k = spec.n_coefficients
    floats = st.floats(-2.0, 2.0, allow_nan=False)
    c = np.array(data.draw(st.lists(floats, min_size=k, max_size=k)))
    a = np.array(
        data.draw(st.lists(floats, min_size=len(spec.purchase), max_size=len(spec.purchase)))
    )
    b = np.array(
        data.draw(st.lists(floats, min_size=len(spec.dropout), max_size=len(spec.dropout)))
    )

    def f(coefficients: np.ndarray) -> float:  # a smooth function of (γ_purchase, γ_dropout)
        gp, gd = spec.expand(coefficients)
        return float(np.sum(np.sin(a * gp)) + np.sum(b * gd**2))

    gp, gd = spec.expand(c)
    analytic = spec.gradient(a * np.cos(a * gp), 2.0 * b * gd)
    step = 1e-6
    numeric = np.array(
        [(f(c + step * e) - f(c - step * e)) / (2 * step) for e in np.eye(k)]
    ).reshape(k)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


@given(_specs(), st.data())
def test_equal_coefficients_appear_in_both_processes(
    spec: CovariateSpec, data: st.DataObject
) -> None:
    k = spec.n_coefficients
    c = np.array(data.draw(st.lists(st.floats(-5, 5), min_size=k, max_size=k)))
    gp, gd = spec.expand(c)
    coefficients = dict(zip(spec.coefficient_names(), c, strict=True))
    for i, name in enumerate(spec.purchase):
        key = f"equal.{name}" if name in spec.equal else f"purchase.{name}"
        assert gp[i] == coefficients[key]
    for j, name in enumerate(spec.dropout):
        key = f"equal.{name}" if name in spec.equal else f"dropout.{name}"
        assert gd[j] == coefficients[key]
    for name in spec.equal:
        assert gp[spec.purchase.index(name)] == gd[spec.dropout.index(name)]


# --- design matrices ------------------------------------------------------------------------------


def test_matrices_by_id_and_by_row_order() -> None:
    spec = CovariateSpec(purchase=("gender",), dropout=("channel", "gender"))
    by_id = covariate_matrices(spec, COV, customer_ids=["c", "a", "c"])
    assert by_id.purchase.tolist() == [[1.0], [0.0], [1.0]]
    assert by_id.dropout.tolist() == [[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert by_id.purchase.flags.c_contiguous
    assert by_id.dropout.flags.c_contiguous
    in_order = covariate_matrices(spec, COV, n=3)
    assert in_order.purchase.ravel().tolist() == [0.0, 1.0, 1.0]
    assert len(in_order) == 3
    table = {"customer_id": ["a", "b"], "gender": [1, 0], "channel": [0, 0]}
    assert covariate_matrices(spec, table, n=2).purchase.ravel().tolist() == [1.0, 0.0]


def test_matrices_errors_name_the_argument() -> None:
    spec = CovariateSpec(purchase=("gender",), dropout=("age",))
    with pytest.raises(UnknownCodeError, match=r"'age'"):
        covariate_matrices(spec, COV, n=3)
    ok = CovariateSpec(purchase=("gender",))
    with pytest.raises(InvalidInputError, match=r"covariates=.*lack 1 .*'z'"):
        covariate_matrices(ok, COV, customer_ids=["a", "z"])
    with pytest.raises(
        InvalidInputError, match=r"covariates=.*one row per customer of the data \(4\)"
    ):
        covariate_matrices(ok, COV, n=4)
    with pytest.raises(InvalidInputError, match=r"covariates=.*CustomerCovariates"):
        covariate_matrices(ok, [[0, 1]], n=2)
    weekly = TimeVaryingCovariates.from_table(
        {"customer_id": [1], "cov_date": ["2005-01-02"], "gender": [1]}
    )
    with pytest.raises(InvalidInputError, match=r"static\(\[\.\.\.\]\)"):
        covariate_matrices(ok, weekly, n=1)


def test_fitting_refuses_a_constant_column() -> None:
    spec = CovariateSpec(purchase=("gender",), dropout=("const",))
    covariate_matrices(spec, COV, n=3)  # fine for predictions
    with pytest.raises(InvalidInputError, match=r"const=2.0.*same for all 3 customers"):
        covariate_matrices(spec, COV, n=3, fitting=True)
    # gender varies over all customers but not over those asked for
    with pytest.raises(InvalidInputError, match=r"gender=1.0.*same for all 2"):
        covariate_matrices(CovariateSpec(purchase=("gender",)), COV, customer_ids=["b", "c"],
                           fitting=True)  # fmt: skip


def test_linear_predictors_and_their_gradient() -> None:
    spec = CovariateSpec(purchase=("gender", "channel"), dropout=("gender",), equal=("gender",))
    m = covariate_matrices(spec, COV, n=3)
    # c = (purchase.channel, equal.gender) = (0.5, -1): η_p = -gender + 0.5 channel
    eta_p, eta_d = m.linear_predictors(spec, np.array([0.5, -1.0]))
    assert eta_p.tolist() == [0.5, -1.0, -0.5]
    assert eta_d.tolist() == [0.0, -1.0, -1.0]
    # ∂/∂channel = Σ channel·d_p = 1 + 3 = 4; ∂/∂gender = Σ gender·(d_p + d_d) = 2+3 + 20+30
    grad = m.coefficient_gradient(spec, np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 30.0]))
    assert grad.tolist() == [4.0, 55.0]


def test_matrices_check_their_arrays() -> None:
    with pytest.raises(InvalidInputError, match=r"dropout"):
        CovariateMatrices(np.zeros((2, 1)), np.zeros((3, 1)))
    with pytest.raises(InvalidInputError, match=r"purchase"):
        CovariateMatrices(np.zeros(2), np.zeros((2, 1)))


# --- resolution for predictions -------------------------------------------------------------------


def _summary(ids: list[str]) -> CustomerSummary:
    n = len(ids)
    return CustomerSummary.from_arrays([1] * n, [1.0] * n, [5.0] * n, customer_ids=ids)


def test_resolve_prefers_explicit_covariates() -> None:
    spec = CovariateSpec(purchase=("gender",))
    explicit = CustomerCovariates.from_arrays(["b", "a"], {"gender": [5, 6]})
    m = resolve_matrices(spec, _summary(["a", "b"]), explicit, COV)
    assert m.purchase.ravel().tolist() == [6.0, 5.0]  # by id
    rows = resolve_matrices(spec, ([1, 2], [1.0, 1.0], [5.0, 5.0]), explicit, COV)
    assert rows.purchase.ravel().tolist() == [5.0, 6.0]  # by row order


def test_resolve_falls_back_to_the_stored_covariates_by_id() -> None:
    spec = CovariateSpec(purchase=("gender",))
    m = resolve_matrices(spec, _summary(["c", "a"]), None, COV)
    assert m.purchase.ravel().tolist() == [1.0, 0.0]
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"customer_id": ["b"], "frequency": [1], "recency": [1.0], "T": [2.0]})
    assert data_customer_ids(table) is not None
    assert resolve_matrices(spec, table, None, COV).purchase.ravel().tolist() == [1.0]
    with pytest.raises(InvalidInputError, match=r"covariates=.*lack 1 .*'q'"):
        resolve_matrices(spec, _summary(["a", "q"]), None, COV)


def test_resolve_without_ids_or_covariates_says_what_to_pass() -> None:
    spec = CovariateSpec(purchase=("gender",))
    data = ([1, 2], [1.0, 1.0], [5.0, 5.0])
    with pytest.raises(InvalidInputError, match=r"covariates=None.*Pass covariates="):
        resolve_matrices(spec, data, None, COV)
    with pytest.raises(InvalidInputError, match=r"covariates=None.*built from parameters"):
        resolve_matrices(spec, _summary(["a"]), None, None)
    with pytest.raises(InvalidInputError, match=r"covariates=.*one row per customer of the data"):
        resolve_matrices(spec, data, COV, None)
    one = resolve_matrices(spec, (1, 1.0, 5.0), {"customer_id": ["x"], "gender": [1]}, None)
    assert one.purchase.tolist() == [[1.0]]


# --- compression ----------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 1)), min_size=2,
                max_size=40))  # fmt: skip
def test_compression_keeps_weighted_sums(rows: list[tuple[int, int, int]]) -> None:
    x = np.array([r[0] for r in rows], dtype=float)
    spec = CovariateSpec(purchase=("g", "h"), dropout=("h",))
    ids = np.arange(len(rows))
    table = {"customer_id": ids, "g": [r[1] for r in rows], "h": [r[2] for r in rows]}
    m = covariate_matrices(spec, table, n=len(rows))
    w = np.linspace(0.5, 2.0, len(rows))
    (xc,), mc, wc = compress_with_covariates([x], m, w, compress=True)

    def total(x: np.ndarray, m: CovariateMatrices, w: np.ndarray) -> float:
        return float(
            np.sum(w * np.exp(0.3 * x + m.purchase @ [0.7, -0.2] + 0.11 * m.dropout[:, 0]))
        )

    assert math.isclose(total(xc, mc, wc), total(x, m, w), rel_tol=1e-12)
    assert math.isclose(wc.sum(), w.sum(), rel_tol=1e-12)
    distinct = {(r[0], r[1], r[2]) for r in rows}
    assert len(wc) == len(distinct)
    same, _, w_same = compress_with_covariates([x], m, w, compress=False)
    assert w_same is not None
    assert len(w_same) == len(rows)
    assert same[0] is not None


# --- fitting --------------------------------------------------------------------------------------


def _poisson(fit: CovariateFit, spec: CovariateSpec, m: CovariateMatrices, y: np.ndarray):  # type: ignore[no-untyped-def]
    """ℓ = Σ y log μ − μ with μ_i = λ·exp(η_i): the gradient by the chain rule."""

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        (lam,), c = fit.split(theta)
        eta, _ = m.linear_predictors(spec, c)
        mu = lam * np.exp(eta)
        d_lam = float(np.sum(y / lam - np.exp(eta)))
        d_c = m.coefficient_gradient(spec, y - mu, np.zeros(len(y)))
        return float(np.sum(y * np.log(mu) - mu)), np.concatenate([[d_lam], d_c])

    return objective


def test_fit_helper_recovers_a_hand_worked_poisson_regression() -> None:
    # Counts 1, 3, 2 without the covariate (mean 2) and 4, 4 with it (mean 4): the MLE is
    # λ = 2 and γ = log(4 / 2) = log 2.
    y = np.array([1.0, 3.0, 2.0, 4.0, 4.0])
    table = {"customer_id": np.arange(5), "x": [0, 0, 0, 1, 1]}
    spec = CovariateSpec(purchase=("x",))
    m = covariate_matrices(spec, table, n=5, fitting=True)
    fit = CovariateFit(spec, ("lam",))
    assert fit.names() == ("lam", "purchase.x")
    assert fit.free() == (False, True)
    start = fit.initial({"lam": 1.0})
    assert start.tolist() == [1.0, 0.0]
    estimate = fit.maximize(_poisson(fit, spec, m, y), start, n_customers=5, n_patterns=5)
    assert math.isclose(estimate.base["lam"], 2.0, rel_tol=1e-7)
    assert math.isclose(estimate.coefficients["purchase.x"], math.log(2.0), rel_tol=1e-7)
    stats = estimate.fit_statistics()
    assert set(stats.standard_errors) == {"lam", "purchase.x"}
    # Fisher information of γ given λ: the SE of a log-ratio of Poisson means,
    # sqrt(1/Σy₀ + 1/Σy₁) = sqrt(1/6 + 1/8).
    assert math.isclose(stats.standard_errors["purchase.x"], math.sqrt(1 / 6 + 1 / 8), rel_tol=1e-4)


def test_fit_helper_penalty_shrinks_the_coefficient() -> None:
    y = np.array([1.0, 3.0, 2.0, 4.0, 4.0])
    table = {"customer_id": np.arange(5), "x": [0, 0, 0, 1, 1]}
    spec = CovariateSpec(purchase=("x",), purchase_penalty=2.0)
    m = covariate_matrices(spec, table, n=5)
    fit = CovariateFit(spec, ("lam",))
    objective = _poisson(fit, spec, m, y)
    estimate = fit.maximize(objective, fit.initial([1.0]), n_customers=5, n_patterns=5)
    gamma = estimate.coefficients["purchase.x"]
    assert 0.0 < gamma < math.log(2.0)
    # At the penalised maximum ∂ℓ/∂γ = 2·λ_pen·γ and ∂ℓ/∂λ = 0.
    _, gradient = objective(estimate.estimate.params)
    assert math.isclose(gradient[1], 2 * 2.0 * gamma, rel_tol=1e-5)
    assert abs(gradient[0]) < 1e-6


def test_fit_helper_initial_and_penalties() -> None:
    spec = CovariateSpec(purchase=("g",), dropout=("g",), dropout_penalty=0.3)
    fit = CovariateFit(spec, ("r", "alpha"))
    np.testing.assert_allclose(fit.penalties(0.1), [0.1, 0.1, 0.0, 0.3])
    start = fit.initial([0.5, 2.0], {"dropout.g": -0.4, "alpha": 3.0})
    assert start.tolist() == [0.5, 3.0, 0.0, -0.4]
    with pytest.raises(InvalidInputError, match=r"initial=.*unknown key 'beta'"):
        fit.initial([0.5, 2.0], {"beta": 1.0})
    with pytest.raises(InvalidInputError, match=r"initial\['alpha'\]"):
        fit.initial([0.5, 2.0], {"alpha": -1.0})
    with pytest.raises(InvalidInputError, match=r"initial\['purchase.g'\]"):
        fit.initial([0.5, 2.0], {"purchase.g": math.nan})
    base, coefficients = fit.split(np.array([1.0, 2.0, 3.0, 4.0]))
    assert base.tolist() == [1.0, 2.0]
    assert coefficients.tolist() == [3.0, 4.0]
