"""Benchmark of batch landed costing: numba kernel vs numpy vs pure-Python per-order costing.

Run from the project root::

    python -m benchmarks.landed_cost                       # 1e4, 1e5, 1e6 orders into DE
    python -m benchmarks.landed_cost --sizes 1e6 --market BR --repeats 5

Every implementation costs the same synthetic orders with the same resolved profile
(``COMPARISONS``: name -> function of the prepared inputs returning the ``(17, n)`` column
array of ``ecomstrat.localization.landed_cost.COLUMNS``):

``numba`` / ``numba-serial``
    The kernel behind :func:`ecomstrat.landed_cost_batch`, parallel
    and serial.
``numpy``
    The same arithmetic vectorised with numpy (``landed_cost_numpy``).
``python``
    :func:`ecomstrat.landed_cost`, exact decimals, one order at a time
    (run on at most ``--python-max`` orders; its time per order is reported).

Before timing, all implementations are run on the smallest size and compared with the exact
per-order calculation: every line must agree to within one minor unit. Nothing is asserted
about speed; the numbers are reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

#: Exchange rates the markets need for thresholds stated in another currency.
_FX: dict[str, dict[str, str]] = {
    "BR": {"USD": "5.00"},
    "KR": {"USD": "1400"},
    "MX": {"USD": "18.50"},
    "PL": {"EUR": "4.25"},
    "SE": {"EUR": "11.00"},
}


class Prepared(NamedTuple):
    """Inputs of one run: the profile, its kernel parameters and the order arrays."""

    profile: Any
    as_of: str
    goods: Floats
    quantity: Floats
    n_categories: Floats
    shipping: Floats
    insurance: Floats
    duty_rate: Floats
    tax_rate: Floats
    excise_rate: Floats
    params: Floats
    tests: Floats
    fees: Floats
    bands: Floats


def make_orders(n: int, seed: int = 7) -> dict[str, Floats]:
    """``n`` synthetic single-line orders: log-normal baskets (median ~90), cents."""
    rng = np.random.default_rng(seed)
    goods = np.round(rng.lognormal(np.log(90.0), 0.8, n), 2)
    shipping = np.round(rng.uniform(4.0, 25.0, n), 2)
    quantity = rng.integers(1, 4, n).astype(np.float64)
    return {"goods": goods, "shipping": shipping, "quantity": quantity}


def prepare(market: str, n: int, as_of: str = "2026-03-01", seed: int = 7) -> Prepared:
    """Resolve ``market`` and build the kernel inputs for ``n`` orders (untimed)."""
    from ecomstrat.localization import market_profile
    from ecomstrat.localization.landed_cost import _params, _plan

    profile = market_profile(market, as_of=as_of)
    plan = _plan(profile, "DDP", None, _FX.get(market), "buyer")
    params, tests, fees, bands = _params(plan)
    orders = make_orders(n, seed)
    # Constant parameters go in as one-element arrays, as landed_cost_batch passes them.
    return Prepared(
        profile,
        as_of,
        orders["goods"],
        orders["quantity"],
        np.ones(1),
        orders["shipping"],
        np.full(1, np.nan),
        np.full(1, float(profile.duty.default_rate)),
        np.full(1, float(profile.tax.standard_rate)),
        np.zeros(1),
        params,
        tests,
        fees,
        bands,
    )


def _kernel_args(
    p: Prepared,
) -> tuple[
    Floats, Floats, Floats, Floats, Floats, Floats, Floats, Floats, Floats, Floats, Floats, Floats
]:
    return (
        p.goods,
        p.quantity,
        p.n_categories,
        p.shipping,
        p.insurance,
        p.duty_rate,
        p.tax_rate,
        p.excise_rate,
        p.params,
        p.tests,
        p.fees,
        p.bands,
    )


def run_numba(p: Prepared) -> Floats:
    """The parallel kernel."""
    from ecomstrat._kernels.landed_cost import N_COLUMNS, landed_cost_batch

    out = np.empty((N_COLUMNS, p.goods.shape[0]))
    landed_cost_batch(*_kernel_args(p), out, parallel=True)
    return out


def run_numba_serial(p: Prepared) -> Floats:
    """The serial kernel."""
    from ecomstrat._kernels.landed_cost import N_COLUMNS, landed_cost_batch

    out = np.empty((N_COLUMNS, p.goods.shape[0]))
    landed_cost_batch(*_kernel_args(p), out)
    return out


def _round(x: Floats, mode: int) -> Floats:
    """Vectorised ``round_minor`` (the kernel's rounding, same tolerance)."""
    from ecomstrat._kernels.landed_cost import EPS

    sign = np.where(x >= 0, 1.0, -1.0)
    a = np.abs(x)
    f = np.floor(a)
    d = a - f
    up = d > 1.0 - EPS
    f = np.where(up, f + 1.0, f)
    d = np.where((d < EPS) | up, 0.0, np.where(np.abs(d - 0.5) < EPS, 0.5, d))
    if mode == 0:
        r = np.where((d > 0.5) | ((d == 0.5) & (f % 2.0 == 1.0)), f + 1.0, f)
    elif mode == 1:
        r = np.where(d >= 0.5, f + 1.0, f)
    elif mode == 2:
        r = np.where(d > 0.5, f + 1.0, f)
    elif mode == 3:
        r = f
    elif mode == 4:
        r = np.where(d > 0.0, f + 1.0, f)
    elif mode == 5:
        r = np.where(sign > 0, f, np.where(d > 0.0, f + 1.0, f))
    else:
        r = np.where(sign > 0, np.where(d > 0.0, f + 1.0, f), f)
    out: Floats = sign * r
    return out


def _within(value: Floats, limit: float, inclusive: float) -> NDArray[np.bool_]:
    from ecomstrat._kernels.landed_cost import EPS

    return value <= limit + EPS if inclusive == 1.0 else value < limit - EPS


def landed_cost_numpy(
    goods: Floats,
    quantity: Floats,
    n_categories: Floats,
    shipping: Floats,
    insurance: Floats,
    duty_rate: Floats,
    tax_rate: Floats,
    excise_rate: Floats,
    p: Floats,
    tests: Floats,
    fees: Floats,
    bands: Floats,
) -> Floats:
    """The kernel's arithmetic, vectorised over orders with numpy."""
    from ecomstrat._kernels.landed_cost import N_COLUMNS, P, T

    n = goods.shape[0]
    scale = p[P.SCALE]
    mode = int(p[P.MODE])
    V = _round(goods * scale, mode)
    S = _round(shipping * scale, mode)
    N = np.where(
        np.isnan(insurance),
        _round(p[P.INSURANCE_RATE] * V, mode),
        _round(np.nan_to_num(insurance) * scale, mode),
    )
    F = S + N
    cif = p[P.CIF] == 1.0
    cv = p[P.GOODS_FACTOR] * V + (F if cif else 0.0)

    def test(row: Floats) -> NDArray[np.bool_]:
        value = V if row[2] == 0.0 else cv
        if row[3] == 1.0:
            value = value / quantity
        return _within(value, row[1], row[4])

    false = np.zeros(n, dtype=bool)
    if p[P.POS_ALL] == 1.0:
        in_pos = ~false
    elif tests[T.POS, 0] == 1.0:
        in_pos = test(tests[T.POS])
    else:
        in_pos = false
    pos_import = p[P.POS_IMPORT] == 1.0
    dutiable = ~(in_pos & (p[P.POS_DUTY_EXEMPT] == 1.0))

    duty_exact = np.zeros(n)
    decided = false.copy()
    band_applied = false.copy()
    if p[P.FLAT_ON] == 1.0:
        flat = _within(V if tests[T.FLAT, 2] == 0.0 else cv, tests[T.FLAT, 1], tests[T.FLAT, 4])
        if p[P.FLAT_NEEDS_SCHEME] == 1.0:
            flat &= (p[P.POS_ON] == 1.0) & in_pos
        count = (n_categories if p[P.FLAT_PER_CATEGORY] == 1.0 else 1.0) * dutiable
        duty_exact = np.where(flat, p[P.FLAT_AMOUNT] * count, duty_exact)
        decided |= flat
    if bands.shape[0] > 0:
        eligible = ~decided & (((p[P.POS_ON] == 1.0) & in_pos) | (p[P.BANDS_NEED_SCHEME] == 0.0))
        value = np.where(dutiable, V if p[P.BANDS_BASIS] == 0.0 else cv, 0.0)
        for b in range(bands.shape[0]):
            hit = eligible & ~band_applied & ((bands[b, 0] == 0.0) | (value <= bands[b, 1] + 1e-6))
            duty_exact = np.where(
                hit, np.maximum(bands[b, 2] * value - bands[b, 3], 0.0), duty_exact
            )
            band_applied |= hit
        decided |= band_applied
    exempt = false
    if tests[T.DM_DUTY, 0] == 1.0 and tests[T.DM_DUTY, 2] != 2.0:
        exempt = test(tests[T.DM_DUTY])
    duty_exact = np.where(decided, duty_exact, np.where(dutiable & ~exempt, duty_rate * cv, 0.0))
    duty = _round(duty_exact, mode)
    if tests[T.DM_DUTY, 0] == 1.0 and tests[T.DM_DUTY, 2] == 2.0:
        waive = (duty > 0) & _within(duty, tests[T.DM_DUTY, 1], tests[T.DM_DUTY, 4])
        duty = np.where(waive, 0.0, duty)
    ddp = p[P.DDP] == 1.0
    duty_checkout = ddp | (pos_import & (in_pos | ~dutiable))
    surcharge = _round(p[P.SURCHARGE_RATE] * duty, mode)
    in_base = surcharge * (p[P.SURCHARGE_IN_BASE] == 1.0)
    fee_buyer = np.zeros(n)
    fee_merchant = np.zeros(n)
    for f in range(fees.shape[0]):
        applies = ~false
        if fees[f, 0] == 1.0:
            applies = _within(V if fees[f, 2] == 0.0 else cv, fees[f, 1], fees[f, 4])
        count = n_categories if fees[f, 6] == 1.0 else np.ones(n)
        amount = np.where(applies, _round(fees[f, 5] * count, mode), 0.0)
        if fees[f, 7] == 1.0:
            fee_merchant += amount
        else:
            fee_buyer += amount
        if fees[f, 8] == 1.0:
            in_base += amount

    cover = band_applied & (p[P.BANDS_COVER_TAX] == 1.0)
    extra = F if (p[P.BASE_FREIGHT] == 1.0 and not cif) else 0.0
    with_duty = p[P.BASE_DUTY] == 1.0
    gross = p[P.GROSS_UP] == 1.0
    base = cv + extra + ((duty + in_base) if with_duty else 0.0)
    x = excise_rate
    t = tax_rate
    pos = in_pos & ~cover
    factor = p[P.POS_FACTOR]
    if pos_import:
        tp = base * t / (1.0 - t) if gross else base * t / (1.0 - x)
        tax_pos = np.where(pos, _round(tp * factor, mode), 0.0)
        excise_pos = np.where(pos, _round(base * x / (1.0 - x) * factor, mode), 0.0)
    else:
        in_price = np.where(duty_checkout & with_duty, duty + surcharge + fee_buyer, 0.0)
        tax_pos = np.where(pos, _round(t * (V + F + in_price) * factor, mode), 0.0)
        excise_pos = np.zeros(n)
    border = ~in_pos & ~cover
    exempt_t = false
    if tests[T.DM_TAX, 0] == 1.0 and tests[T.DM_TAX, 2] != 2.0:
        exempt_t = test(tests[T.DM_TAX])
    ok = border & ~exempt_t
    e = np.where(x > 0.0, base * x / (1.0 - x), 0.0)
    full = base + e if with_duty else base
    tx = full * t / (1.0 - t) if gross else full * t
    excise_border = np.where(ok, _round(e, mode), 0.0)
    tax_border = np.where(ok, _round(tx, mode), 0.0)
    if tests[T.DM_TAX, 0] == 1.0 and tests[T.DM_TAX, 2] == 2.0:
        waive = (
            border & (tax_border > 0) & _within(tax_border, tests[T.DM_TAX, 1], tests[T.DM_TAX, 4])
        )
        tax_border = np.where(waive, 0.0, tax_border)
        excise_border = np.where(waive, 0.0, excise_border)

    duty_block = duty + surcharge + fee_buyer
    at_border = (
        tax_border + excise_border + np.where(pos_import & (in_pos | ~dutiable), 0.0, duty_block)
    )
    due = at_border > 0
    if ddp:
        ddp_fee = np.where(due, _round(p[P.DDP_SURCHARGE] + p[P.DDP_RATE] * at_border, mode), 0.0)
        brokerage = np.zeros(n)
    else:
        brokerage = np.where(
            due, _round(p[P.BROKERAGE_FIXED] + p[P.BROKERAGE_RATE] * at_border, mode), 0.0
        )
        ddp_fee = np.zeros(n)
    ship_merchant = p[P.SHIP_BY_MERCHANT] == 1.0
    checkout = V + (0.0 if ship_merchant else S + N) + tax_pos + excise_pos
    checkout = checkout + np.where(duty_checkout, duty_block, 0.0)
    delivery = np.where(duty_checkout, 0.0, duty_block)
    if ddp:
        checkout = checkout + tax_border + excise_border
    else:
        delivery = delivery + tax_border + excise_border + brokerage
    merchant = (S + N if ship_merchant else 0.0) + fee_merchant + ddp_fee
    pay = _round(p[P.PAY_RATE] * checkout + p[P.PAY_FIXED], mode)
    fx_cost = _round(p[P.FX_FEE] * checkout, mode)
    lost = np.where(duty_checkout & (p[P.DUTY_RECOVERABLE] == 0.0), duty_block, 0.0)
    if p[P.TAX_RECOVERABLE] == 0.0:
        if pos_import:
            lost = lost + tax_pos + excise_pos
        if ddp:
            lost = lost + tax_border + excise_border
    ret = _round(p[P.RET_RATE] * (p[P.RET_FIXED] + lost), mode)
    service = np.full(n, _round(np.array([p[P.SERVICE]]), mode)[0])
    merchant = merchant + pay + fx_cost + ret + service
    rows = [
        V,
        S,
        N,
        duty,
        excise_pos + excise_border,
        tax_pos + tax_border,
        surcharge + fee_buyer + fee_merchant,
        brokerage,
        ddp_fee,
        pay,
        fx_cost,
        ret,
        service,
        checkout,
        delivery,
        merchant,
        checkout + delivery + merchant,
    ]
    out = np.empty((N_COLUMNS, n))
    for k, row in enumerate(rows):
        out[k] = row / scale
    return out


def run_numpy(p: Prepared) -> Floats:
    """The numpy version."""
    return landed_cost_numpy(*_kernel_args(p))


def run_python(p: Prepared) -> Floats:
    """Exact per-order costing with :func:`landed_cost`, one order at a time."""
    from ecomstrat._kernels.landed_cost import N_COLUMNS
    from ecomstrat.domain.money import Money
    from ecomstrat.localization import landed_cost
    from ecomstrat.localization.landed_cost import KINDS

    profile = p.profile
    cur = profile.currency.code
    out = np.empty((N_COLUMNS, p.goods.shape[0]))
    fx = _FX.get(profile.country)
    for i in range(p.goods.shape[0]):
        cost = landed_cost(
            profile,
            Money(Decimal(repr(float(p.goods[i]))), cur),
            shipping=Decimal(repr(float(p.shipping[i]))),
            quantity=int(p.quantity[i]),
            fx=fx,
        )
        for k, kind in enumerate(KINDS):
            out[k, i] = float(cost.amount(kind).amount)
        out[13, i] = float(cost.checkout.amount)
        out[14, i] = float(cost.on_delivery.amount)
        out[15, i] = float(cost.merchant_cost.amount)
        out[16, i] = float(cost.total.amount)
    return out


#: The comparison table: implementation name -> function of the prepared inputs.
COMPARISONS: dict[str, Callable[[Prepared], Floats]] = {
    "numba": run_numba,
    "numba-serial": run_numba_serial,
    "numpy": run_numpy,
    "python": run_python,
}


def agreement(reference: Floats, other: Floats, scale: float) -> float:
    """Largest per-line difference, in minor units."""
    return float(np.max(np.abs(reference - other)) * scale)


def _time(run: Callable[[Prepared], Floats], prepared: Prepared, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(prepared)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.landed_cost", description=__doc__)
    parser.add_argument(
        "--sizes", default="1e4,1e5,1e6", type=lambda s: [int(float(x)) for x in s.split(",")]
    )
    parser.add_argument("--market", default="DE")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--python-max",
        type=int,
        default=20_000,
        help="run the pure-Python per-order costing on at most this many orders",
    )
    args = parser.parse_args(argv)

    from ecomstrat._kernels.landed_cost import P

    start = time.perf_counter()
    warm = prepare(args.market, 1_000)
    for name in ("numba", "numba-serial"):
        COMPARISONS[name](warm)
    print(f"warm-up (compile or cache load): {time.perf_counter() - start:.2f} s", file=sys.stderr)

    check = prepare(args.market, min(args.sizes[0], 5_000))
    reference = run_python(check)
    scale = float(check.params[P.SCALE])
    for name in ("numba", "numba-serial", "numpy"):
        diff = agreement(reference, COMPARISONS[name](check), scale)
        verdict = "ok" if diff <= 1.0 + 1e-9 else "MISMATCH"
        print(
            f"check {name:>12} vs python on {check.goods.shape[0]:,} orders: "
            f"max {diff:.0f} minor unit(s) per line [{verdict}]"
        )

    print(
        f"\n{'orders':>10}  {'implementation':>14}  {'seconds':>9}  {'ns/order':>9}  {'x numba':>8}"
    )
    for n in args.sizes:
        prepared = prepare(args.market, n)
        base = _time(run_numba, prepared, args.repeats)
        for name, run in COMPARISONS.items():
            if name == "python":
                m = min(n, args.python_max)
                sub = prepare(args.market, m)
                seconds = _time(run, sub, 1) * n / m
                label = f"{seconds:9.2f}" + ("*" if m < n else " ")
            else:
                seconds = base if name == "numba" else _time(run, prepared, args.repeats)
                label = f"{seconds:9.4f} "
            print(f"{n:>10,}  {name:>14}  {label}  {seconds / n * 1e9:9.0f}  {seconds / base:8.1f}")
    print("\n* extrapolated from --python-max orders.")


if __name__ == "__main__":
    main()
