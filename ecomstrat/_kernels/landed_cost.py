"""Landed cost of many single-line orders: float64 arrays in, one column per cost kind out.

The arithmetic mirrors :func:`ecomstrat.localization.landed_cost` step for step, in
float64 and in minor units (cents): every amount is rounded to a whole number of minor units
with the market's rounding mode, treating fractions within 1e-6 of a minor unit of an integer
or a half as exact (so 0.19 × 1,050 cents = 199.5 is the tie the decimal calculation sees,
not 199.49999999999997). Lines then agree with the exact calculation to within one minor unit.

The wrapper resolves the market profile into a parameter vector (:class:`P`), a table of
threshold tests (:class:`T`, columns :data:`TEST_COLUMNS`), a table of national fees
(:data:`FEE_COLUMNS`) and a table of duty bands (:data:`BAND_COLUMNS`); limits and fixed
amounts arrive in minor units of the market currency. The output has one row per cost kind
(``goods`` … ``service``, in the order of ``ecomstrat.localization.landed_cost.KINDS``), then
the sums paid at checkout, on delivery and by the merchant, then the total: :data:`N_COLUMNS`
rows, named by the wrapper.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range

_Floats: TypeAlias = NDArray[np.float64]

#: Output rows: the 13 cost kinds, then the sums by stage (checkout, delivery, merchant) and
#: the total.
N_COLUMNS = 17
TEST_COLUMNS = ("on", "limit", "basis", "per_item", "inclusive")
FEE_COLUMNS = (*TEST_COLUMNS, "amount", "per_category", "merchant", "in_base")
BAND_COLUMNS = ("bounded", "up_to", "rate", "deduction")

#: Orders from which the wrapper runs the parallel kernel. Below, thread start-up costs more
#: than it saves; on the (busy) 2-core development machine the parallel kernel was slower at
#: 10^5 orders and about 15 % faster at 10^6 (``python -m benchmarks.landed_cost``).
PARALLEL_MIN_ORDERS = 500_000


# P and T are named tuples of ints, not IntEnums: numba < 0.68 cannot index an array with an
# IntEnum member, and pyproject.toml supports numba 0.60. Kernels see them as constants.
class _Positions(NamedTuple):
    """Positions in the parameter vector."""

    SCALE: int = 0
    MODE: int = 1
    CIF: int = 2
    GOODS_FACTOR: int = 3
    FLAT_ON: int = 4
    FLAT_AMOUNT: int = 5
    FLAT_PER_CATEGORY: int = 6
    BANDS_NEED_SCHEME: int = 7
    BANDS_COVER_TAX: int = 8
    BANDS_BASIS: int = 9
    SURCHARGE_RATE: int = 10
    SURCHARGE_IN_BASE: int = 11
    GROSS_UP: int = 12
    BASE_FREIGHT: int = 13
    BASE_DUTY: int = 14
    POS_ON: int = 15
    POS_ALL: int = 16
    POS_IMPORT: int = 17
    POS_DUTY_EXEMPT: int = 18
    POS_FACTOR: int = 19
    DDP: int = 20
    BROKERAGE_FIXED: int = 21
    BROKERAGE_RATE: int = 22
    DDP_SURCHARGE: int = 23
    PAY_RATE: int = 24
    PAY_FIXED: int = 25
    FX_FEE: int = 26
    RET_RATE: int = 27
    RET_FIXED: int = 28
    DUTY_RECOVERABLE: int = 29
    TAX_RECOVERABLE: int = 30
    SERVICE: int = 31
    SHIP_BY_MERCHANT: int = 32
    INSURANCE_RATE: int = 33
    DDP_RATE: int = 34
    FLAT_NEEDS_SCHEME: int = 35


P = _Positions()


N_PARAMS = len(P)


class _Rows(NamedTuple):
    """Rows of the threshold-test table."""

    DM_DUTY: int = 0
    DM_TAX: int = 1
    FLAT: int = 2
    POS: int = 3


T = _Rows()


#: Rounding modes, in the order of ``ecomstrat.localization.rules.ROUNDINGS``.
HALF_EVEN, HALF_UP, HALF_DOWN, DOWN, UP, FLOOR, CEILING = range(7)


#: Tolerance, in minor units, under which a float is taken to sit exactly on an integer, a
#: half or a limit (float noise of rate × amount is far smaller; real differences far larger).
EPS = 1e-6


@jit
def round_minor(x: float, mode: int) -> float:
    """Round ``x`` (in minor units) to a whole number with a :mod:`decimal`-style mode.

    Fractions within :data:`EPS` of 0, 1/2 or 1 are taken as exactly that, so float noise
    never decides a tie or a step (no division: this runs a dozen times per order).
    """
    sign = 1.0 if x >= 0 else -1.0
    a = abs(x)
    f = float(math.floor(a))
    d = a - f
    if d < EPS:
        d = 0.0
    elif d > 1.0 - EPS:
        f += 1.0
        d = 0.0
    elif abs(d - 0.5) < EPS:
        d = 0.5
    if mode == HALF_EVEN:
        r = f + 1.0 if d > 0.5 or (d == 0.5 and f % 2.0 == 1.0) else f
    elif mode == HALF_UP:
        r = f + 1.0 if d >= 0.5 else f
    elif mode == HALF_DOWN:
        r = f + 1.0 if d > 0.5 else f
    elif mode == DOWN:
        r = f
    elif mode == UP:
        r = f + 1.0 if d > 0.0 else f
    elif mode == FLOOR:
        r = f if sign > 0 else (f + 1.0 if d > 0.0 else f)
    else:  # CEILING
        r = (f + 1.0 if d > 0.0 else f) if sign > 0 else f
    return sign * r


@jit
def _within(value: float, limit: float, inclusive: float) -> bool:
    """``value <= limit`` (inclusive) or ``value < limit``, with :data:`EPS` tolerance."""
    return value <= limit + EPS if inclusive == 1.0 else value < limit - EPS


@jit
def _test(row: _Floats, intrinsic: float, customs: float, quantity: float) -> bool:
    """Whether the order passes a threshold test (basis 0: intrinsic, 1: customs value)."""
    value = intrinsic if row[2] == 0.0 else customs
    if row[3] == 1.0:
        value = value / quantity
    return _within(value, row[1], row[4])


@jit
def _exempt(row: _Floats, intrinsic: float, customs: float, quantity: float) -> bool:
    """Whether a de minimis on a value (not on the tax amount) exempts the order."""
    return row[0] == 1.0 and row[2] != 2.0 and _test(row, intrinsic, customs, quantity)


@jit
def _waived(row: _Floats, amount: float) -> bool:
    """Whether a de minimis on the tax (or duty) amount waives ``amount`` (minor units)."""
    return row[0] == 1.0 and row[2] == 2.0 and amount > 0.0 and _within(amount, row[1], row[4])


@jit
def _one(
    V_in: float,
    qty: float,
    ncat: float,
    S_in: float,
    N_in: float,
    d: float,
    t: float,
    x: float,
    p: _Floats,
    tests: _Floats,
    fees: _Floats,
    bands: _Floats,
    out: _Floats,
    i: int,
) -> None:
    scale = p[P.SCALE]
    mode = int(p[P.MODE])
    V = round_minor(V_in * scale, mode)
    S = round_minor(S_in * scale, mode)
    if math.isnan(N_in):
        N = round_minor(p[P.INSURANCE_RATE] * V, mode)
    else:
        N = round_minor(N_in * scale, mode)
    F = S + N
    cif = p[P.CIF] == 1.0
    cv = p[P.GOODS_FACTOR] * V + (F if cif else 0.0)

    # Collection.
    in_pos = False
    if p[P.POS_ALL] == 1.0:
        in_pos = True
    elif tests[T.POS, 0] == 1.0:
        in_pos = _test(tests[T.POS], V, cv, qty)
    pos_import = p[P.POS_IMPORT] == 1.0
    dutiable = not (in_pos and p[P.POS_DUTY_EXEMPT] == 1.0)

    # Duty.
    decided = False
    band_applied = False
    duty_exact = 0.0
    flat_value = V if tests[T.FLAT, 2] == 0.0 else cv
    flat_scope = p[P.FLAT_NEEDS_SCHEME] == 0.0 or (p[P.POS_ON] == 1.0 and in_pos)
    if (
        p[P.FLAT_ON] == 1.0
        and flat_scope
        and _within(flat_value, tests[T.FLAT, 1], tests[T.FLAT, 4])
    ):
        count = (ncat if p[P.FLAT_PER_CATEGORY] == 1.0 else 1.0) if dutiable else 0.0
        duty_exact = p[P.FLAT_AMOUNT] * count
        decided = True
    elif bands.shape[0] > 0 and ((p[P.POS_ON] == 1.0 and in_pos) or p[P.BANDS_NEED_SCHEME] == 0.0):
        value = 0.0
        if dutiable:
            value = V if p[P.BANDS_BASIS] == 0.0 else cv
        for b in range(bands.shape[0]):
            if bands[b, 0] == 0.0 or value <= bands[b, 1] + EPS:
                duty_exact = max(bands[b, 2] * value - bands[b, 3], 0.0)
                band_applied = True
                decided = True
                break
    if not decided:
        exempt = _exempt(tests[T.DM_DUTY], V, cv, qty)
        duty_exact = d * cv if (dutiable and not exempt) else 0.0
    duty = round_minor(duty_exact, mode)
    if _waived(tests[T.DM_DUTY], duty):
        duty = 0.0
    duty_checkout = p[P.DDP] == 1.0 or (pos_import and (in_pos or not dutiable))

    surcharge = round_minor(p[P.SURCHARGE_RATE] * duty, mode)
    in_base = surcharge if p[P.SURCHARGE_IN_BASE] == 1.0 else 0.0

    fee_buyer = 0.0
    fee_merchant = 0.0
    for f in range(fees.shape[0]):
        if fees[f, 0] == 1.0 and not _within(
            V if fees[f, 2] == 0.0 else cv, fees[f, 1], fees[f, 4]
        ):
            continue
        count = ncat if fees[f, 6] == 1.0 else 1.0
        amount = round_minor(fees[f, 5] * count, mode)
        if fees[f, 7] == 1.0:
            fee_merchant += amount
        else:
            fee_buyer += amount
        if fees[f, 8] == 1.0:
            in_base += amount

    # Tax. A supply scheme taxes the whole price, with the duty and charges the buyer pays
    # at checkout (VAT Directive art. 78(a)).
    duty_block = duty + surcharge + fee_buyer
    cover = band_applied and p[P.BANDS_COVER_TAX] == 1.0
    extra = F if (p[P.BASE_FREIGHT] == 1.0 and not cif) else 0.0
    with_duty = p[P.BASE_DUTY] == 1.0
    gross = p[P.GROSS_UP] == 1.0
    tax_pos = 0.0
    excise_pos = 0.0
    tax_border = 0.0
    excise_border = 0.0
    if in_pos and not cover:
        factor = p[P.POS_FACTOR]
        if pos_import:
            base = cv + extra + ((duty + in_base) if with_duty else 0.0)
            if gross:
                tax_pos = round_minor(base * t / (1.0 - t) * factor, mode)
            else:
                tax_pos = round_minor(base * t / (1.0 - x) * factor, mode)
            excise_pos = round_minor(base * x / (1.0 - x) * factor, mode)
        else:
            in_price = duty_block if (with_duty and duty_checkout) else 0.0
            tax_pos = round_minor(t * (V + F + in_price) * factor, mode)
    if not in_pos and not cover:
        if not _exempt(tests[T.DM_TAX], V, cv, qty):
            base = cv + extra + ((duty + in_base) if with_duty else 0.0)
            e = base * x / (1.0 - x) if x > 0.0 else 0.0
            full = base + e if with_duty else base
            tx = full * t / (1.0 - t) if gross else full * t
            excise_border = round_minor(e, mode)
            tax_border = round_minor(tx, mode)
        if _waived(tests[T.DM_TAX], tax_border):
            tax_border = 0.0
            excise_border = 0.0

    # Carrier fees.
    ddp = p[P.DDP] == 1.0
    at_border = tax_border + excise_border
    if not (pos_import and (in_pos or not dutiable)):
        at_border += duty_block
    brokerage = 0.0
    ddp_surcharge = 0.0
    if at_border > 0.0:
        if ddp:
            ddp_surcharge = round_minor(p[P.DDP_SURCHARGE] + p[P.DDP_RATE] * at_border, mode)
        else:
            brokerage = round_minor(p[P.BROKERAGE_FIXED] + p[P.BROKERAGE_RATE] * at_border, mode)

    # Stages.
    ship_merchant = p[P.SHIP_BY_MERCHANT] == 1.0
    checkout = V + (0.0 if ship_merchant else S + N) + tax_pos + excise_pos
    delivery = 0.0
    merchant = (S + N if ship_merchant else 0.0) + fee_merchant + ddp_surcharge
    if duty_checkout:
        checkout += duty_block
    else:
        delivery += duty_block
    if ddp:
        checkout += tax_border + excise_border
    else:
        delivery += tax_border + excise_border + brokerage

    pay = round_minor(p[P.PAY_RATE] * checkout + p[P.PAY_FIXED], mode)
    fx_cost = round_minor(p[P.FX_FEE] * checkout, mode)
    lost = 0.0
    if duty_checkout and p[P.DUTY_RECOVERABLE] == 0.0:
        lost += duty_block
    if p[P.TAX_RECOVERABLE] == 0.0:
        if pos_import:
            lost += tax_pos + excise_pos
        if ddp:
            lost += tax_border + excise_border
    ret = round_minor(p[P.RET_RATE] * (p[P.RET_FIXED] + lost), mode)
    service = round_minor(p[P.SERVICE], mode)
    merchant += pay + fx_cost + ret + service

    out[0, i] = V / scale
    out[1, i] = S / scale
    out[2, i] = N / scale
    out[3, i] = duty / scale
    out[4, i] = (excise_pos + excise_border) / scale
    out[5, i] = (tax_pos + tax_border) / scale
    out[6, i] = (surcharge + fee_buyer + fee_merchant) / scale
    out[7, i] = brokerage / scale
    out[8, i] = ddp_surcharge / scale
    out[9, i] = pay / scale
    out[10, i] = fx_cost / scale
    out[11, i] = ret / scale
    out[12, i] = service / scale
    out[13, i] = checkout / scale
    out[14, i] = delivery / scale
    out[15, i] = merchant / scale
    out[16, i] = (checkout + delivery + merchant) / scale


@jit
def _at(values: _Floats, i: int) -> float:
    """``values[i]``, or the single value of a one-element array."""
    value: float = values[0] if values.shape[0] == 1 else values[i]
    return value


def landed_cost_batch(
    goods: _Floats,
    quantity: _Floats,
    n_categories: _Floats,
    shipping: _Floats,
    insurance: _Floats,
    duty_rate: _Floats,
    tax_rate: _Floats,
    excise_rate: _Floats,
    params: _Floats,
    tests: _Floats,
    fees: _Floats,
    bands: _Floats,
    out: _Floats,
    *,
    parallel: bool = False,
) -> None:
    """Cost every order into ``out``, a ``(N_COLUMNS, n)`` array, in major units.

    The caller allocates ``out`` (numpy's allocator reuses freed pages; allocating inside
    the kernel made large batches pay page faults on every call). Every per-order input but
    ``goods`` may also be a one-element array, read as the same value for every order (less
    memory traffic when a parameter is constant).

    Parameters
    ----------
    goods : float64[n]
        Value of the goods in the market currency.
    shipping, insurance : float64[n] or float64[1]
        Amounts in the market currency (``insurance`` NaN: use the insurance rate).
    quantity, n_categories : float64[n] or float64[1]
        Items and distinct tariff subheadings per order (whole numbers >= 1).
    duty_rate, tax_rate, excise_rate : float64[n] or float64[1]
        Per-order rates (fractions).
    params : float64[N_PARAMS]
        See :class:`P`.
    tests : float64[4, 5]
        Threshold tests by :class:`T` row: on, limit (minor units), basis (0 intrinsic,
        1 customs value, 2 tax amount), per item, inclusive.
    fees : float64[k, 9]
        National fees: a ceiling test, then amount (minor units), per category, paid by the
        merchant, in the tax base.
    bands : float64[m, 4]
        Duty bands: bounded, upper bound and deduction (minor units), rate.
    out : float64[N_COLUMNS, n]
        Receives the result.
    parallel : bool, default False
        Cost the orders in blocks on several threads.
    """
    orders = (goods, quantity, n_categories, shipping, insurance, duty_rate, tax_rate, excise_rate)
    inputs = tuple(map(frozen, orders))
    tables = tuple(map(frozen, (params, tests, fees, bands)))

    def cost(lo: int, hi: int) -> Any:
        return _cost_orders(lo, hi, inputs, tables, out)

    over_range(cost, goods.shape[0], parallel)


@jit
def _cost_orders(
    lo: int, hi: int, orders: tuple[_Floats, ...], tables: tuple[_Floats, ...], out: _Floats
) -> None:
    """Cost orders ``lo..hi-1`` (the per-order arrays of ``landed_cost_batch``) into ``out``."""
    goods, quantity, n_categories, shipping, insurance, duty_rate, tax_rate, excise_rate = orders
    params, tests, fees, bands = tables
    for i in range(lo, hi):
        _one(
            goods[i],
            _at(quantity, i),
            _at(n_categories, i),
            _at(shipping, i),
            _at(insurance, i),
            _at(duty_rate, i),
            _at(tax_rate, i),
            _at(excise_rate, i),
            params,
            tests,
            fees,
            bands,
            out,
            i,
        )


def warm_up() -> None:
    """Compile (or load from the cache) the kernel of this module on a one-order batch."""
    params = np.zeros(N_PARAMS)
    params[P.SCALE] = 100.0
    one = np.ones(1)
    none = np.zeros(1)
    out = np.empty((N_COLUMNS, 1))
    tables = (params, np.zeros((len(T), len(TEST_COLUMNS))), np.zeros((0, len(FEE_COLUMNS))))
    bands = np.zeros((0, len(BAND_COLUMNS)))
    landed_cost_batch(
        one, one, one, none, np.full(1, np.nan), none, none, none, *tables, bands, out
    )
