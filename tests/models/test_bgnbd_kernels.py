"""The BG/NBD-family kernels agree with their plain-Python (mpmath) references."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat._kernels import bgnbd as kb
from ecomstrat.models._base import compress_rows
from tests.reference.bgnbd import COMPARISONS

MODELS = ("bgnbd", "mbgnbd")
RTOL = 1e-9


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


def parameters() -> st.SearchStrategy[tuple[float, float, float, float]]:
    return st.tuples(
        log_uniform(0.02, 20.0),
        log_uniform(0.05, 100.0),
        log_uniform(0.05, 20.0),
        log_uniform(0.05, 20.0),
    )


@st.composite
def histories(draw: st.DrawFn, max_size: int = 6) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, max_size))
    x = np.array(draw(st.lists(st.integers(0, 60), min_size=n, max_size=n)), dtype=float)
    T = np.array(draw(st.lists(log_uniform(0.05, 300.0), min_size=n, max_size=n)))
    u = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    t_x = np.where(x > 0, u * T, 0.0)
    t = np.array(draw(st.lists(log_uniform(0.01, 500.0), min_size=n, max_size=n)))
    return x, t_x, T, t


def close(got: np.ndarray, want: np.ndarray, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("impl", ["numba", "numba-parallel"])
@settings(max_examples=30)
@given(theta=parameters(), data=histories())
def test_loglik_and_gradient_agree_with_reference(model, impl, theta, data) -> None:
    x, t_x, T, _ = data
    w = np.arange(1.0, x.size + 1.0)
    params = np.array(theta)
    want_value, want_grad = COMPARISONS[f"{model}_loglik"]["python"](params, x, t_x, T, w)
    value, grad = COMPARISONS[f"{model}_loglik"][impl](params, x, t_x, T, w)
    assert value == pytest.approx(want_value, rel=1e-11, abs=1e-9)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-7, atol=1e-7 * np.abs(want_grad).max())


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=30)
@given(theta=parameters(), data=histories())
def test_gradient_matches_finite_differences(model, theta, data) -> None:
    x, t_x, T, _ = data
    w = np.ones(x.size)
    kernel = COMPARISONS[f"{model}_loglik"]["numba"]
    params = np.array(theta)
    _, grad = kernel(params, x, t_x, T, w)
    for j in range(4):
        h = 1e-5 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        numeric = (kernel(up, x, t_x, T, w)[0] - kernel(down, x, t_x, T, w)[0]) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6 * (1 + abs(numeric)))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("impl", ["numba", "numba-parallel"])
@settings(max_examples=40)
@given(theta=parameters(), data=histories())
def test_predictions_agree_with_reference(model, impl, theta, data) -> None:
    x, t_x, T, t = data
    table = COMPARISONS
    for name, args in (
        ("p_alive", (*theta, x, t_x, T)),
        ("conditional", (*theta, t, x, t_x, T)),
        ("unconditional", (*theta, t)),
        ("pmf", (*theta, x, t)),
    ):
        want = table[f"{model}_{name}"]["python"](*args)
        got = table[f"{model}_{name}"][impl](*args)
        close(got, want)


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=15)
@given(
    theta=parameters(),
    data=histories(max_size=2),
    rate=log_uniform(1e-4, 0.05),
    finite=st.booleans(),
)
def test_discounted_purchases_agree_with_quadrature(model, theta, data, rate, finite) -> None:
    x, t_x, T, t = data
    horizon = float(t[0]) if finite else math.inf
    args = (*theta, rate, horizon, x, t_x, T)
    want = COMPARISONS[f"{model}_discounted"]["python"](*args)
    got = COMPARISONS[f"{model}_discounted"]["numba"](*args)
    close(got, want, rtol=1e-8)


@pytest.mark.parametrize("a", [1.0, 1.0 + 1e-9, 1.0 - 1e-8, 1.0 + 1e-5])
def test_expected_purchases_near_a_equal_one(a: float) -> None:
    # Eq. 9 has a removable singularity at a = 1: the kernel must stay accurate around it.
    t = np.array([0.5, 10.0, 400.0])
    want = COMPARISONS["bgnbd_unconditional"]["python"](0.4, 3.0, a, 2.5, t)
    close(COMPARISONS["bgnbd_unconditional"]["numba"](0.4, 3.0, a, 2.5, t), want, rtol=1e-8)


def test_expected_purchases_when_a_plus_b_at_most_one() -> None:
    # 2F1(r, b; a+b-1; z) is undefined for a + b <= 1: the kernel integrates the rate instead.
    t = np.array([0.3, 7.0, 90.0])
    r, alpha, a, b = 0.7, 2.0, 0.3, 0.5
    with mp.workdps(30):
        want = [
            float(mp.quad(lambda u: r / alpha * mp.hyp2f1(r + 1, a, a + b, -u / alpha), [0, ti]))
            for ti in t
        ]
    close(kb.unconditional(r, alpha, a, b, t, shift=0.0), np.array(want), rtol=1e-10)


def _hyp_cases() -> list[tuple[float, float, float, float]]:
    """Parameters as the BTYD formulas build them, from ordinary to extreme, near z = 1."""
    rng = np.random.default_rng(20240601)
    cases = []
    for _ in range(120):
        r, a, b = 10.0 ** rng.uniform(-3, 3, 3)
        x = float(rng.choice([0, 1, 3, 30, 1000, 10000]))
        if rng.integers(2):
            A, B, C = r + x, b + x, a + b + x - 1
        else:
            A, B, C = r + x + 1, b + x, a + b + x
        w = float(10.0 ** rng.uniform(-14, 0))
        if C > 0 and 1 - w > 0:
            cases.append((A, B, C, w))
    return cases


def test_log_hyp2f1_matches_mpmath_up_to_z_near_one() -> None:
    reference = COMPARISONS["log_hyp2f1_pos"]["python"]
    checked = 0
    for A, B, C, w in _hyp_cases():
        with mp.workdps(150):  # mpmath itself needs the digits for huge parameters
            zz = mp.mpf(1) - mp.mpf(w)
            plain = mp.log(mp.hyp2f1(A, B, C, zz))
            euler = (C - A - B) * mp.log(w) + mp.log(mp.hyp2f1(C - A, C - B, C, zz))
            if abs(plain - euler) > 1e-12 * max(1, abs(plain)):
                continue  # mpmath disagrees with itself: no trustworthy reference
        want = float(mp.re(plain))
        got = kb.log_hyp2f1_pos(A, B, C, 1 - w, w)
        assert got == pytest.approx(want, rel=1e-11, abs=1e-11), (A, B, C, w)
        checked += 1
    assert checked > 100
    assert reference(0.5, 1.5, 2.5, 0.25, 0.75) == pytest.approx(
        kb.log_hyp2f1_pos(0.5, 1.5, 2.5, 0.25, 0.75), rel=1e-14
    )


@settings(max_examples=60)
@given(
    p=log_uniform(0.01, 1e4),
    q=log_uniform(0.01, 1e3),
    x=st.floats(1e-6, 1 - 1e-12),
)
def test_log_betainc_matches_mpmath(p: float, q: float, x: float) -> None:
    want = COMPARISONS["log_betainc"]["python"](p, q, x, 1 - x)
    got = kb.log_betainc(p, q, x, 1 - x)
    if want < -700:
        assert got < -690
    else:
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


EXTREME = [1e-3, 1.0, 1e3]


@pytest.mark.parametrize("model", MODELS)
def test_no_nan_or_inf_on_extreme_but_valid_inputs(model: str) -> None:
    """Every kernel stays finite for parameters over six decades, x up to 10^4, huge T."""
    x = np.array([0.0, 0.0, 1.0, 1.0, 1e4, 1e4, 7.0, 7.0])
    T = np.array([1e-3, 1e6, 1e-3, 1e6, 1e6, 1.0, 50.0, 1e6])
    t_x = np.array([0.0, 0.0, 1e-3, 0.5, 1e6, 1.0, 0.0, 3.0])
    n = np.array([0.0, 1.0, 5.0, 1e4, 0.0, 1.0, 2.0, 3.0])
    kernels = {
        name: COMPARISONS[f"{model}_{name}"]["numba"]
        for name in ("loglik", "p_alive", "conditional", "unconditional", "pmf", "discounted")
    }
    for r in EXTREME:
        for alpha in EXTREME:
            for a in EXTREME:
                for b in EXTREME:
                    theta = (r, alpha, a, b)
                    value, grad = kernels["loglik"](np.array(theta), x, t_x, T, np.ones(8))
                    assert np.isfinite(value)
                    assert np.isfinite(grad).all()
                    p_alive = kernels["p_alive"](*theta, x, t_x, T)
                    assert ((p_alive >= 0) & (p_alive <= 1)).all()
                    for t in (1e-6, 1.0, 1e6):
                        times = np.full(8, t)
                        outs = [
                            kernels["conditional"](*theta, times, x, t_x, T),
                            kernels["unconditional"](*theta, times),
                            kernels["pmf"](*theta, n, times),
                            kernels["discounted"](*theta, 1e-3, t, x, t_x, T),
                        ]
                        assert all(np.isfinite(o).all() for o in outs), (theta, t)
                    dert = kernels["discounted"](*theta, 1e-3, math.inf, x, t_x, T)
                    assert np.isfinite(dert).all(), theta


@given(
    rows=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.5, 1.0, 2.5]), st.floats(2.5, 4)),
        min_size=1,
        max_size=60,
    )
)
def test_compress_rows_agrees_with_numpy(rows) -> None:
    x, t_x, T = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    t_x = np.where(x > 0, t_x, 0.0)
    T = np.round(T, 1)
    w = np.arange(1.0, x.size + 1.0)
    bits = [np.ascontiguousarray(c).view(np.int64) for c in (x, t_x, T)]
    first, inverse = COMPARISONS["unique_rows"]["numba"](*bits)
    want_first, want_inverse = COMPARISONS["unique_rows"]["numpy"](*bits)
    np.testing.assert_array_equal(first, want_first)
    np.testing.assert_array_equal(inverse, want_inverse)
    (cx, ct, cT), cw = compress_rows((x, t_x, T), w, compress=True)
    np.testing.assert_array_equal(ct, t_x[first])
    np.testing.assert_array_equal(cx, x[first])
    np.testing.assert_array_equal(cT, T[first])
    np.testing.assert_array_equal(cw, np.bincount(inverse, weights=w))
    assert cw.sum() == w.sum()


@pytest.mark.parametrize("model", MODELS)
def test_prediction_cache_is_invisible(model: str) -> None:
    """Repeated (x, T) pairs hit the kernels' cache: results equal one-by-one computation."""
    rng = np.random.default_rng(5)
    n = 30_000  # above the parallel threshold: several chunks, each with its cache
    x = rng.integers(0, 6, n).astype(float)
    T = rng.integers(200, 260, n) / 7.0
    t_x = np.where(x > 0, np.floor(rng.uniform(0, 1, n) * T * 7) / 7, 0.0)
    t = np.full(n, 26.0)
    theta = (0.3, 4.0, 0.8, 2.4)
    for name, args in (
        ("conditional", lambda i: (*theta, t[i], x[i], t_x[i], T[i])),
        ("discounted", lambda i: (*theta, 0.002, 52.0, x[i], t_x[i], T[i])),
    ):
        everyone = COMPARISONS[f"{model}_{name}"]["numba-parallel"](*args(slice(None)))
        sample = rng.choice(n, 50, replace=False)
        alone = np.array(
            [COMPARISONS[f"{model}_{name}"]["numba"](*args(slice(i, i + 1)))[0] for i in sample]
        )
        np.testing.assert_array_equal(everyone[sample], alone)


def test_inputs_not_mutated() -> None:
    x = np.array([0.0, 2.0, 5.0])
    t_x = np.array([0.0, 3.0, 9.0])
    T = np.array([10.0, 10.0, 12.0])
    t = np.array([1.0, 2.0, 3.0])
    copies = [a.copy() for a in (x, t_x, T, t)]
    kb.conditional(0.3, 4.0, 0.8, 2.4, t, x, t_x, T, shift=0.0)
    kb.loglik(np.array([0.3, 4.0, 0.8, 2.4]), x, t_x, T, np.ones(3), shift=1.0)
    for original, copy in zip((x, t_x, T, t), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_kernels_run_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernels are ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels import bgnbd as m, gamma_gamma, patterns
        assert not hasattr(m.posterior, "py_func")
        x = np.array([0.0, 2.0, 9.0]); t_x = np.array([0.0, 5.0, 30.0])
        T = np.array([38.0, 38.0, 38.0]); t = np.array([10.0, 52.0, 500.0])
        theta = (0.243, 4.414, 0.793, 2.426)
        for shift in (0.0, 1.0):
            print(repr(m.loglik(np.array(theta), x, t_x, T, np.ones(3), shift=shift)[0]))
            print(m.conditional(*theta, t, x, t_x, T, shift=shift).tolist())
            print(m.discounted(*theta, 0.002, 60.0, x, t_x, T, shift=shift).tolist())
            print(m.pmf(*theta, x, t, shift=shift).tolist())
        keys = np.array([3, 1, 3], dtype=np.int64)
        print(np.concatenate(patterns.unique_rows(keys, keys, keys)).tolist())
        print(repr(gamma_gamma.loglik(np.array([6.0, 3.0, 15.0]), x[1:], t[1:], np.ones(2))[0]))
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(root)}
    plain = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    env.pop("NUMBA_DISABLE_JIT")
    jitted = subprocess.run(
        [sys.executable, "-c", script.replace("assert not hasattr", "assert hasattr")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for a, b in zip(plain.stdout.splitlines(), jitted.stdout.splitlines(), strict=True):
        np.testing.assert_allclose(np.array(eval(a)), np.array(eval(b)), rtol=1e-12)


def test_cached_parallel_likelihood_reloads_in_fresh_processes(tmp_path: Path) -> None:
    """BG/NBD then MBG/NBD, each in a fresh process on one numba cache, twice.

    Both models share the parallel likelihood and posterior kernels. A jitted wrapper per
    model calling the likelihood crashed (SIGSEGV) when the third process loaded it from the
    cache (numba 0.65 and 0.68), so the wrappers are plain Python; this replays that sequence.
    """
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from ecomstrat._kernels import bgnbd
        rng = np.random.default_rng(0)
        n = 30_000
        x = rng.integers(0, 5, n).astype(float)
        T = rng.uniform(1.0, 50.0, n)
        t_x = np.where(x > 0, T * rng.random(n), 0.0)
        theta = np.array([0.243, 4.414, 0.793, 2.426])
        shift = 0.0 if sys.argv[1] == "bgnbd" else 1.0
        print(bgnbd.loglik(theta, x, t_x, T, np.ones(n), shift=shift, parallel=True)[0])
        t = np.full(n, 10.0)
        print(bgnbd.conditional(*theta, t, x, t_x, T, shift=shift, parallel=True).sum())
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(root)}
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, family],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for family in ("bgnbd", "mbgnbd", "mbgnbd", "bgnbd")
    ]
    assert outputs[0] == outputs[3]
    assert outputs[1] == outputs[2]
