"""BG/CNBD-k and MBG/CNBD-k: BTYDplus' values, the k = 1 identities, the plain reference."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import BGNBD, MBGNBD, TransactionLog
from ecomstrat._kernels import cnbd as kernels
from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.metrics.regularity import log_inter_transaction_times
from ecomstrat.metrics.summary import calibration_holdout_summary, rfm_summary
from ecomstrat.models.cnbd import BGCNBD, MBGCNBD, CNBDParams, FittedBGCNBD, FittedMBGCNBD
from tests.reference import cnbd as ref

MODELS = {0: BGCNBD, 1: MBGCNBD}
BASE = {0: BGNBD, 1: MBGNBD}

# BTYDplus src/slice-sampling.cpp L497-505: params (k, r, alpha, a, b) = (3, 0.5, 2, 0.3, 0.6)
UNIT = {"r": 0.5, "alpha": 2.0, "a": 0.3, "b": 0.6, "k": 3, "time_unit": "week"}


def build(model, *, k, **params):
    """``model(k=k).from_params(**params)``."""
    return model(k=k).from_params(**params)


def _history(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    T = rng.uniform(5.0, 60.0, n)
    x = rng.poisson(3.0, n).astype(float)
    t_x = np.where(x > 0, rng.uniform(0.0, 1.0, n) * T, 0.0)
    litt = np.where(x > 0, x * np.log(np.maximum(t_x, 1e-3) / np.maximum(x, 1.0)), 0.0)
    return x, t_x, T, litt


def _simulated_regular(rng, n: int, *, k: int):
    """BG customers with Erlang-k gaps (a purchase every k/λ weeks), observed for 52 weeks."""
    T = 52.0
    lam = rng.gamma(3.0, 1 / 3.0, n)
    p = rng.beta(1.0, 6.0, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    litt = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            gap = rng.gamma(k, 1 / lam[i])
            if t + gap > T:
                break
            t += gap
            x[i] += 1
            t_x[i] = t
            litt[i] += math.log(gap)
            if rng.random() < p[i]:
                break
    return x, t_x, np.full(n, T), litt


# ----------------------------------------------------------------------- published unit values


def test_btydplus_hard_coded_unit_values() -> None:
    m = build(BGCNBD, **UNIT)
    # stopifnot(round(xbgcnbd_ll_cpp(params, c(3,4), c(12,12), c(14,14), c(3,3)), 5) == ...)
    ll = [m.log_likelihood(([x], [12.0], [14.0]), litt=[3.0]) for x in (3, 4)]
    assert [round(v, 5) for v in ll] == [-10.42500, -12.22396]
    # pmf(t=10, x=2) = 0.05669 (BG), 0.04548 (MBG)
    assert round(float(m.probability_of_purchases(2, 10.0)), 5) == 0.05669
    mbg = build(MBGCNBD, **UNIT)
    assert round(float(mbg.pmf(2, 10.0)), 5) == 0.04548
    # sum of the pmf over 0..1000 rounds to 1, its mean to the expectation
    n = np.arange(1001)
    probabilities = m.probability_of_purchases(n, 10.0)
    assert round(float(probabilities.sum()), 5) == 1.0
    assert float((n * probabilities).sum()) == pytest.approx(
        float(m.expected_purchases(10.0)), rel=1e-12
    )


def test_hand_worked_k2_customer() -> None:
    # k=2, r=1, α=1, a=1, b=1, BG; x=1, t_x=1, T=2, litt=log 1 = 0.
    # S1 = a/(b+x-1) ((α+T)/(α+t_x))^(r+kx) = 1 · (3/2)^3 = 3.375
    # S2 = 1 + (r+kx) (T-t_x)/(α+T) = 1 + 3/3 = 2
    # P(alive) = 1/(1 + 3.375/2) = 0.372093...
    m = build(BGCNBD, r=1.0, alpha=1.0, a=1.0, b=1.0, k=2, time_unit="week")
    assert m.probability_alive(([1], [1.0], [2.0]))[0] == pytest.approx(
        1 / (1 + 3.375 / 2), rel=1e-14
    )
    # ℓ = log B(1, 2) - log B(1, 1) + log Γ(3) - log Γ(1) + 0 - 3 log 3 + log(5.375)
    expected = math.log(0.5) + math.log(2.0) - 3 * math.log(3.0) + math.log(5.375)
    assert m.log_likelihood(([1], [1.0], [2.0]), litt=[0.0]) == pytest.approx(expected, rel=1e-14)


# ------------------------------------------------------------------------- k = 1 is the BG/NBD


@pytest.mark.parametrize("shift", [0, 1])
def test_k1_equals_bgnbd_and_mbgnbd(shift: int) -> None:
    params = {"r": 0.45, "alpha": 3.2, "a": 0.8, "b": 2.6, "time_unit": "week"}
    base = BASE[shift].from_params(**params)
    cnbd = build(MODELS[shift], **params, k=1)
    x, t_x, T, _ = _history(3)
    data = (x, t_x, T)
    assert cnbd.log_likelihood(data) == pytest.approx(base.log_likelihood(data), rel=1e-10, abs=0)
    np.testing.assert_allclose(
        cnbd.probability_alive(data), base.probability_alive(data), rtol=1e-10
    )
    for t in (1.0, 26.0, 104.0):
        np.testing.assert_allclose(
            cnbd.conditional_expected_purchases(t, data),
            base.conditional_expected_purchases(t, data),
            rtol=1e-10,
        )
    for t in (5.0, 52.0):
        np.testing.assert_allclose(
            cnbd.conditional_expected_purchases(t, data, method="approximate"),
            base.conditional_expected_purchases(t, data),
            rtol=1e-10,
        )
        for purchases in (0, 1, 4):
            np.testing.assert_allclose(
                cnbd.conditional_probability_of_purchases(purchases, t, data),
                base.conditional_probability_of_purchases(purchases, t, data),
                rtol=1e-10,
                atol=1e-300,
            )
    for i in range(0, x.size, 50):
        assert cnbd.probability_alive_one(x[i], t_x[i], T[i]) == pytest.approx(
            base.probability_alive_one(x[i], t_x[i], T[i]), rel=1e-10
        )
        assert cnbd.conditional_expected_purchases_one(9.0, x[i], t_x[i], T[i]) == pytest.approx(
            base.conditional_expected_purchases_one(9.0, x[i], t_x[i], T[i]), rel=1e-10
        )
        assert cnbd.expected_residual_purchases_one(
            x[i], t_x[i], T[i], annual_discount_rate=0.1
        ) == pytest.approx(
            base.expected_residual_purchases_one(x[i], t_x[i], T[i], annual_discount_rate=0.1),
            rel=1e-10,
        )
    ts = np.array([0.5, 10.0, 52.0, 300.0])
    np.testing.assert_allclose(cnbd.expected_purchases(ts), base.expected_purchases(ts), rtol=1e-10)
    n = np.arange(8)
    np.testing.assert_allclose(
        cnbd.probability_of_purchases(n, 20.0), base.probability_of_purchases(n, 20.0), rtol=1e-10
    )
    np.testing.assert_allclose(
        cnbd.expected_residual_purchases(data, annual_discount_rate=0.1),
        base.expected_residual_purchases(data, annual_discount_rate=0.1),
        rtol=1e-10,
    )


@pytest.mark.parametrize("shift", [0, 1])
def test_k1_fit_equals_bgnbd_fit(shift: int) -> None:
    summary = simulate_transactions(2_000, seed=7).summary()
    base = BASE[shift]().fit(summary)
    cnbd = MODELS[shift](k=1).fit(summary)  # k = 1: litt is not needed (its constant is 0)
    assert cnbd.k == 1
    assert cnbd.fit is not None
    assert base.fit is not None
    assert cnbd.fit.log_likelihood == pytest.approx(base.fit.log_likelihood, abs=1e-6)
    np.testing.assert_allclose(cnbd.params.to_tuple(), base.params.to_tuple(), rtol=1e-4)
    # the saved-model dict keeps k
    restored = type(cnbd).from_dict(cnbd.to_dict())
    assert restored.k == 1
    assert restored.params == cnbd.params
    # parameter draws keep k (intervals evaluate copies of the fitted model)
    interval = cnbd.conditional_expected_purchases_interval(10.0, summary, n_draws=20, seed=1)
    assert np.all(interval.lower <= interval.upper)


# ------------------------------------------------------------------------ the plain reference


@pytest.mark.parametrize("shift", [0, 1])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kernels_match_plain_reference(shift: int, k: int) -> None:
    r, alpha, a, b = 0.85, 1.45, 0.79, 2.42
    m = build(MODELS[shift], r=r, alpha=alpha, a=a, b=b, k=k, time_unit="week")
    x, t_x, T, litt = _history(11, 60)
    data = (x, t_x, T)
    for i in range(x.size):
        one = ([x[i]], [t_x[i]], [T[i]])
        want = ref.loglik(k, r, alpha, a, b, shift, int(x[i]), t_x[i], T[i], litt[i])
        assert m.log_likelihood(one, litt=[litt[i]]) == pytest.approx(want, rel=1e-11)
    for i in range(0, x.size, 7):
        assert m.probability_alive_one(x[i], t_x[i], T[i]) == m.probability_alive(data)[i]
        assert m.conditional_expected_purchases_one(13.0, x[i], t_x[i], T[i]) == pytest.approx(
            m.conditional_expected_purchases(13.0, data)[i], rel=1e-14
        )
    alive = [
        ref.p_alive(k, r, alpha, a, b, shift, int(xi), ti, Ti)
        for xi, ti, Ti in zip(x, t_x, T, strict=True)
    ]
    np.testing.assert_allclose(m.probability_alive(data), alive, rtol=1e-11)
    cet = [
        ref.conditional(k, r, alpha, a, b, shift, 13.0, int(xi), ti, Ti)
        for xi, ti, Ti in zip(x, t_x, T, strict=True)
    ]
    np.testing.assert_allclose(
        m.conditional_expected_purchases(13.0, data, method="approximate"), cet, rtol=1e-10
    )
    for i in range(0, x.size, 6):
        one = ([x[i]], [t_x[i]], [T[i]])
        for purchases in range(4):
            want = ref.conditional_pmf(
                k, r, alpha, a, b, shift, 13.0, int(x[i]), t_x[i], T[i], purchases
            )
            got = m.conditional_probability_of_purchases(purchases, 13.0, one)[0]
            assert got == pytest.approx(want, rel=1e-9, abs=1e-14)
    n = np.arange(12)
    pmf = [ref.pmf(k, r, alpha, a, b, shift, 7.0, int(j)) for j in n]
    np.testing.assert_allclose(m.probability_of_purchases(n, 7.0), pmf, rtol=1e-9, atol=1e-15)
    for t in (3.0, 30.0):
        assert float(m.expected_purchases(t)) == pytest.approx(
            ref.expectation(k, r, alpha, a, b, shift, t, n_max=400), rel=1e-9
        )


@pytest.mark.parametrize("shift", [0, 1])
def test_gradient_matches_finite_differences(shift: int) -> None:
    x, t_x, T, litt = _history(17, 200)
    theta = np.array([0.7, 2.3, 0.9, 1.7])
    w = np.ones(x.size)
    _, grad = kernels.loglik(theta, 3, x, t_x, T, litt, w, shift=shift)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6 * theta[j]
        up, _ = kernels.loglik(theta + step, 3, x, t_x, T, litt, w, shift=shift)
        down, _ = kernels.loglik(theta - step, 3, x, t_x, T, litt, w, shift=shift)
        assert grad[j] == pytest.approx((up - down) / (2 * step[j]), rel=1e-6)


# ----------------------------------------------------------------------- properties


@given(
    k=st.integers(1, 6),
    shift=st.sampled_from([0, 1]),
    r=st.floats(0.1, 3.0),
    alpha=st.floats(0.5, 10.0),
    a=st.floats(0.2, 3.0),
    b=st.floats(0.2, 5.0),
    t=st.floats(0.1, 30.0),
)
def test_pmf_is_a_distribution_with_the_expected_mean(k, shift, r, alpha, a, b, t) -> None:
    m = build(MODELS[shift], r=r, alpha=alpha, a=a, b=b, k=k, time_unit="week")
    n = np.arange(3000)
    p = m.probability_of_purchases(n, t)
    assert np.all((p >= 0.0) & (p <= 1.0))
    assert float(p.sum()) == pytest.approx(1.0, abs=1e-9)
    assert float((n * p).sum()) == pytest.approx(
        float(m.expected_purchases(t)), rel=1e-7, abs=1e-12
    )


@given(
    k=st.integers(1, 8),
    shift=st.sampled_from([0, 1]),
    x=st.integers(0, 40),
    frac=st.floats(0.0, 1.0),
    T=st.floats(0.5, 200.0),
)
def test_alive_is_a_probability_and_falls_with_the_gap(k, shift, x, frac, T) -> None:
    m = build(MODELS[shift], r=0.9, alpha=2.0, a=0.7, b=1.9, k=k, time_unit="week")
    t_x = frac * T if x > 0 else 0.0
    p = m.probability_alive(([x], [t_x], [T]))[0]
    assert 0.0 <= p <= 1.0
    if x > 0 and t_x < T:
        later = m.probability_alive(([x], [t_x], [T + 5.0]))[0]
        assert later <= p + 1e-12  # a longer silence never makes a customer more likely alive


@given(
    k=st.integers(1, 5),
    shift=st.sampled_from([0, 1]),
    x=st.integers(0, 30),
    frac=st.floats(0.0, 1.0),
    T=st.floats(0.5, 100.0),
    t=st.floats(0.1, 60.0),
)
def test_conditional_pmf_is_a_distribution_with_the_exact_mean(k, shift, x, frac, T, t) -> None:
    m = build(MODELS[shift], r=0.8, alpha=2.5, a=0.9, b=2.2, k=k, time_unit="week")
    history = ([x], [frac * T if x > 0 else 0.0], [T])
    n = np.arange(1500)
    p = m.conditional_probability_of_purchases(n, t, (*(np.repeat(c, n.size) for c in history),))
    assert np.all((p >= 0.0) & (p <= 1.0))
    assert float(p.sum()) == pytest.approx(1.0, abs=1e-9)
    mean = float(m.conditional_expected_purchases(t, history)[0])
    assert float((n * p).sum()) == pytest.approx(mean, rel=1e-8, abs=1e-13)


@pytest.mark.parametrize("shift", [0, 1])
def test_a_new_customer_expects_the_unconditional_purchases(shift: int) -> None:
    # at age 0 (no purchase yet, no phase completed) the conditional expectation is E[X(t)]
    m = build(MODELS[shift], r=0.45, alpha=3.2, a=0.8, b=2.6, k=3, time_unit="week")
    cet = m.conditional_expected_purchases(26.0, ([0], [0.0], [1e-12]))[0]
    assert cet == pytest.approx(float(m.expected_purchases(26.0)), rel=1e-9)


def _simulate_with_holdout(rng, n, *, k, r, alpha, a, b, mbg, T, t):
    """(x, t_x, purchases in (T, T+t]) of n customers of the (M)BG/CNBD-k process."""
    lam = rng.gamma(r, 1 / alpha, n)
    left = rng.geometric(rng.beta(a, b, n)) - (1 if mbg else 0)
    x, t_x, y, now = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.flatnonzero(left > 0)
    while active.size:
        later = now[active] + rng.gamma(k, 1 / lam[active])
        kept = later <= T + t
        idx, times_ = active[kept], later[kept]
        now[idx] = times_
        calibration = times_ <= T
        x[idx[calibration]] += 1
        t_x[idx[calibration]] = times_[calibration]
        y[idx[~calibration]] += 1
        left[idx] -= 1
        active = idx[left[idx] > 0]
    return x, t_x, y


@pytest.mark.parametrize("shift", [0, 1])
def test_exact_expectation_matches_simulated_purchases(shift: int) -> None:
    # 60,000 simulated customers (k = 3): the exact expectations add up to the purchases made
    # in the holdout within 3 standard errors, overall and for overdue customers; BTYDplus'
    # approximation falls short of them (hence its bias correction).
    params = {"r": 0.9, "alpha": 4.0, "a": 0.6, "b": 2.5}
    rng = np.random.default_rng(40 + shift)
    n, T, t = 60_000, 40.0, 30.0
    x, t_x, y = _simulate_with_holdout(rng, n, k=3, **params, mbg=bool(shift), T=T, t=t)
    m = build(MODELS[shift], **params, k=3, time_unit="week")
    data = (x, t_x, np.full(n, T))
    exact = m.conditional_expected_purchases(t, data)
    approximate = m.conditional_expected_purchases(t, data, method="approximate")
    for group in (np.ones(n, dtype=bool), (x >= 3) & (T - t_x > 15.0)):
        se = math.sqrt(float(y[group].var()) * int(group.sum()))
        error = float(exact[group].sum() - y[group].sum())
        shortfall = float(y[group].sum() - approximate[group].sum())
        assert abs(error) < 3 * se
        assert shortfall > 2 * se
        assert shortfall > abs(error)


def test_bias_correction_matches_the_cohort_total() -> None:
    m = build(MBGCNBD, r=1.33, alpha=2.81, a=0.42, b=0.79, k=2, time_unit="week")
    x, t_x, T, _ = _history(23, 400)
    corrected = m.conditional_expected_purchases(
        20.0, (x, t_x, T), method="approximate", bias_correction=True
    )
    total = np.sum(m.expected_purchases(T + 20.0) - m.expected_purchases(T))
    assert float(corrected.sum()) == pytest.approx(float(total), rel=1e-12)
    plain = m.conditional_expected_purchases(20.0, (x, t_x, T), method="approximate")
    np.testing.assert_allclose(corrected / plain, corrected[0] / plain[0], rtol=1e-12)


def test_choosing_k_on_regular_simulated_data() -> None:
    # Erlang-3 inter-purchase times, BG dropout: the grid search must pick k = 3.
    x, t_x, T, litt = _simulated_regular(np.random.default_rng(2), 3000, k=3)
    fitted = BGCNBD().fit((x, t_x, T), litt=litt, time_unit="week")
    assert isinstance(fitted, FittedBGCNBD)
    assert fitted.k == 3


# ------------------------------------------------------------------------------ bad input


def test_bad_input_raises_typed_errors() -> None:
    data = ([1, 0], [3.0, 0.0], [10.0, 10.0])
    with pytest.raises(InvalidInputError, match="k"):
        BGCNBD(k=0)
    with pytest.raises(InvalidInputError, match="k"):
        MBGCNBD(k=51)
    with pytest.raises(InvalidInputError, match="litt"):
        BGCNBD(k=2).fit(data, time_unit="week")
    with pytest.raises(InvalidInputError, match="litt"):
        BGCNBD().fit(data, time_unit="week")
    with pytest.raises(InvalidInputError, match="litt"):
        BGCNBD(k=2).fit(data, litt=[1.0], time_unit="week")
    with pytest.raises(InvalidInputError, match="litt"):
        BGCNBD(k=2).fit(data, litt=[np.nan, 0.0], time_unit="week")
    with pytest.raises(InvalidInputError, match="litt"):
        BGCNBD(k=2).fit(data, litt=[0.5, 0.3], time_unit="week")  # x = 0 has no gap
    with pytest.raises(InvalidInputError, match="frequency"):
        BGCNBD(k=2).fit(([0, 0], [0.0, 0.0], [5.0, 5.0]), litt=[0.0, 0.0], time_unit="week")
    with pytest.raises(InvalidInputError, match="alpha"):
        build(BGCNBD, r=1.0, alpha=-1.0, a=1.0, b=1.0, k=2, time_unit="week")
    with pytest.raises(InvalidInputError, match="k"):
        build(BGCNBD, r=1.0, alpha=1.0, a=1.0, b=1.0, k=1.5, time_unit="week")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="bias_correction"):
        build(
            BGCNBD, r=1.0, alpha=1.0, a=1.0, b=1.0, k=2, time_unit="week"
        ).conditional_expected_purchases(1.0, data, bias_correction=True)
    with pytest.raises(InvalidInputError, match="method"):
        build(
            BGCNBD, r=1.0, alpha=1.0, a=1.0, b=1.0, k=2, time_unit="week"
        ).conditional_expected_purchases(1.0, data, method="magic")
    with pytest.raises(InvalidInputError, match="k"):
        BGCNBD().from_params(r=1.0, alpha=1.0, a=1.0, b=1.0, time_unit="week")
    m = FittedMBGCNBD(params=CNBDParams(1.0, 1.0, 1.0, 1.0), time_unit="week", k=2)
    with pytest.raises(InvalidInputError, match="litt"):
        m.log_likelihood(data)


def test_litt_from_a_table_column_and_from_the_log_statistics() -> None:
    pd = pytest.importorskip("pandas")
    log = TransactionLog.from_arrays(
        ["a", "a", "a", "b", "b", "c"],
        ["2024-01-01", "2024-01-15", "2024-02-05", "2024-01-03", "2024-01-31", "2024-01-10"],
        np.ones(6),
    )
    summary = rfm_summary(log, observation_end="2024-02-29", time_unit="week")
    stats = log_inter_transaction_times(log, observation_end="2024-02-29", time_unit="day")
    m = build(BGCNBD, r=1.0, alpha=2.0, a=1.0, b=2.0, k=2, time_unit="week")
    # a: gaps 2 and 3 weeks (litt log 6); b: 4 weeks (log 4); c: none
    by_stats = m.log_likelihood(summary, litt=stats)
    by_array = m.log_likelihood(summary, litt=[math.log(6.0), math.log(4.0), 0.0])
    assert by_stats == pytest.approx(by_array, rel=1e-13)
    table = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [2, 1, 0],
            "recency": [5.0, 4.0, 0.0],
            "T": summary.T,
            "litt": [math.log(6.0), math.log(4.0), 0.0],
        }
    )
    assert m.log_likelihood(table) == pytest.approx(by_array, rel=1e-13)


# --------------------------------------------------------------------------- shared references


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _grocery(shared_data):
    rows = _rows(shared_data / "btydplus_grocery_elog.csv")
    log = TransactionLog.from_arrays(
        [r["customer_id"] for r in rows], [r["date"] for r in rows], np.ones(len(rows))
    )
    split = calibration_holdout_summary(
        log, calibration_end="2006-12-31", observation_end="2007-12-30", time_unit="week"
    )
    litt = log_inter_transaction_times(log, observation_end="2006-12-31", time_unit="week")
    return split, litt


def _reference_model(row):
    model = MBGCNBD if row["model"].startswith("MBG") else BGCNBD
    values = {name: float(row[name]) for name in ("r", "alpha", "a", "b")}
    return model, values, int(row["k"])


def test_pointwise_values_at_fixed_parameters(shared_data) -> None:
    rows = _rows(shared_data / "ref_btydplus_pointwise.csv")
    params = {"r": 0.85, "alpha": 1.45, "a": 0.79, "b": 2.42, "k": 2, "time_unit": "week"}
    for name, model in (("bgcnbd", BGCNBD), ("mbgcnbd", MBGCNBD)):
        m = build(model, **params)
        for row in rows:
            data = ([float(row["x"])], [float(row["t.x"])], [float(row["T.cal"])])
            ll = m.log_likelihood(data, litt=[float(row["litt"])])
            assert ll == pytest.approx(float(row[f"LL_{name}"]), rel=1e-6)
            assert m.probability_alive(data)[0] == pytest.approx(
                float(row[f"PAlive_{name}"]), rel=1e-6
            )
            cet = m.conditional_expected_purchases(52.0, data, method="approximate")[0]
            assert cet == pytest.approx(float(row[f"CET52_{name}"]), rel=1e-6)


def test_grocery_fits_reproduce_btydplus(shared_data) -> None:
    split, litt = _grocery(shared_data)
    data = split.calibration
    rows = [
        r for r in _rows(shared_data / "ref_btydplus_mle.csv") if r["dataset"].startswith("grocery")
    ]
    assert len(rows) == 4
    for row in rows:
        model, values, k = _reference_model(row)
        fitted = model(k=k).fit(data, litt=litt)
        assert fitted.fit is not None
        assert fitted.fit.log_likelihood == pytest.approx(float(row["LL"]), abs=1e-4)
        for name, value in values.items():
            assert getattr(fitted.params, name) == pytest.approx(value, rel=1e-3)
        # holdout columns at BTYDplus' estimates: T.star = 52 weeks for everybody
        at_ref = build(model, **values, k=k, time_unit="week")
        assert at_ref.log_likelihood(data, litt=litt) == pytest.approx(float(row["LL"]), abs=1e-6)
        cet = at_ref.conditional_expected_purchases(
            split.duration_holdout, data, method="approximate", bias_correction=True
        )
        assert float(cet.sum()) == pytest.approx(float(row["sum_CET_holdout"]), rel=1e-6)
        assert float(at_ref.probability_alive(data).mean()) == pytest.approx(
            float(row["mean_PAlive"]), rel=1e-9
        )
        assert int(split.frequency_holdout.sum()) == int(row["sum_actual_holdout"])
    # the grid search picks k = 2 for both variants (BG/CNBD-k −15054.1729, MBG −14978.2107)
    assert BGCNBD().fit(data, litt=litt).k == 2
    chosen = MBGCNBD().fit(data, litt=litt)
    assert chosen.k == 2
    assert chosen.fit is not None
    assert chosen.fit.log_likelihood == pytest.approx(-14978.2107316284, abs=1e-4)


def test_cdnow_picks_k1(shared_data) -> None:
    raw = np.loadtxt(shared_data / "cdnow_sample.txt", dtype=str)
    dates = [f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]]
    log = TransactionLog.from_arrays(raw[:, 0], dates, raw[:, 4].astype(float))
    split = calibration_holdout_summary(
        log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
    )
    litt = log_inter_transaction_times(log, observation_end="1997-09-30", time_unit="week")
    rows = [
        r for r in _rows(shared_data / "ref_btydplus_mle.csv") if r["dataset"].startswith("cdnow")
    ]
    for row in rows:
        if "CNBD" not in row["model"]:
            continue
        model, values, _ = _reference_model(row)
        fitted = model().fit(split.calibration, litt=litt)
        assert fitted.k == 1
        assert fitted.fit is not None
        assert fitted.fit.log_likelihood == pytest.approx(float(row["LL"]), abs=1e-4)
        for name, value in values.items():
            assert getattr(fitted.params, name) == pytest.approx(value, rel=1e-3)
        at_ref = build(model, **values, k=1, time_unit="week")
        cet = at_ref.conditional_expected_purchases(split.duration_holdout, split.calibration)
        assert float(cet.sum()) == pytest.approx(float(row["sum_CET_holdout"]), rel=1e-6)
        assert float(at_ref.probability_alive(split.calibration).mean()) == pytest.approx(
            float(row["mean_PAlive"]), rel=1e-9
        )


def test_compression_weights_and_time_units_agree() -> None:
    rng = np.random.default_rng(8)
    x, t_x, T, litt = _simulated_regular(rng, 1500, k=2)
    days = np.round(np.column_stack([t_x, T]) * 7.0)  # whole days, so patterns repeat
    t_x, T = days[:, 0] / 7.0, np.maximum(days[:, 1], days[:, 0]) / 7.0
    T = np.where(T > 0, T, 1.0 / 7.0)
    packed = MBGCNBD(k=2).fit((x, t_x, T), litt=litt, time_unit="week", compress=True)
    plain = MBGCNBD(k=2).fit((x, t_x, T), litt=litt, time_unit="week", compress=False)
    assert packed.fit is not None
    assert plain.fit is not None
    assert packed.fit.log_likelihood == pytest.approx(plain.fit.log_likelihood, abs=1e-8)
    # weights 2 on each row fit as every row twice
    twice = MBGCNBD(k=2).fit(
        (np.r_[x, x], np.r_[t_x, t_x], np.r_[T, T]), litt=np.r_[litt, litt], time_unit="week"
    )
    weighted = MBGCNBD(k=2).fit(
        (x, t_x, T), litt=litt, time_unit="week", weights=2 * np.ones(x.size)
    )
    assert twice.fit is not None
    assert weighted.fit is not None
    assert weighted.fit.log_likelihood == pytest.approx(twice.fit.log_likelihood, rel=1e-12)
    # in days: α scales by 7, and the density of the x purchase times gains x·log(1/7) each
    in_days = MBGCNBD(k=2).fit((x, 7 * t_x, 7 * T), litt=litt + x * math.log(7.0), time_unit="day")
    assert in_days.fit is not None
    shift = float(np.sum(x)) * math.log(7.0)
    assert in_days.fit.log_likelihood == pytest.approx(plain.fit.log_likelihood - shift, abs=1e-5)
    assert in_days.params.alpha == pytest.approx(7 * plain.params.alpha, rel=1e-5)
