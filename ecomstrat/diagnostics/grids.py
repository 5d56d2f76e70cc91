"""What a fitted purchase model says about one history: grids over (x, t_x) and one customer's path.

:func:`frequency_recency_grid` evaluates P(alive) and the expected purchases of a model over
every frequency ``x`` and recency ``t_x`` at one fixed age ``T``: the model's own surface, not
an average over customers of different ages. :func:`probability_alive_history` follows one
customer of a :class:`~ecomstrat.TransactionLog` day by day, from their first purchase to the
end of observation, with P(alive) after each day.

Examples
--------
>>> from ecomstrat.models.bgnbd import BGNBD
>>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
>>> grid = frequency_recency_grid(m, age=39, horizon=39, max_frequency=3, recency_points=4)
>>> grid.recencies.tolist()
[0.0, 13.0, 26.0, 39.0]
>>> grid.probability_alive.round(3)
array([[1.   ,   nan,   nan,   nan],
       [  nan, 0.496, 0.358, 0.224],
       [  nan, 0.663, 0.66 , 0.638],
       [  nan, 0.754, 0.812, 0.848]])
"""

from __future__ import annotations

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import (
    check_count,
    check_non_negative,
    check_positive,
    invalid,
    plain,
    shown,
)
from ecomstrat.diagnostics.calibration import (
    CONTINUOUS,
    ContinuousModel,
    PurchaseModel,
    continuous_model,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, period_index, period_of, period_start, to_instant
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.models.bgbb import FittedBGBB

__all__ = [
    "AliveHistory",
    "FrequencyRecencyGrid",
    "frequency_recency_grid",
    "probability_alive_history",
]

_ALL_NAMES = (
    "BG/NBD, MBG/NBD, Pareto/NBD or BG/BB (FittedBGNBD, FittedMBGNBD, FittedParetoNBD, FittedBGBB)"
)

#: Time unit of the discrete BG/BB model: its times count opportunities.
OPPORTUNITY = "opportunity"

#: Age (model units) at which the first purchase day, T = 0, is evaluated: the limit T → 0+.
_AGE_ZERO = 1e-9


def plural(time_unit: str) -> str:
    """``"week"`` -> ``"weeks"``, ``"opportunity"`` -> ``"opportunities"``."""
    return "opportunities" if time_unit == OPPORTUNITY else f"{time_unit}s"


def duration_label(value: float, time_unit: str) -> str:
    """``"39 weeks"``, ``"1 day"``, ``"71.7 weeks"``, ``"6 opportunities"`` (3 digits)."""
    return f"{value:.3g} {time_unit if value == 1 else plural(time_unit)}"


@attrs.frozen(eq=False, repr=False)
class FrequencyRecencyGrid(Tabular):
    """P(alive) and expected purchases of a model over frequency x recency, at one age.

    Rows are recencies, columns frequencies: ``probability_alive[i, j]`` is the model's
    P(alive) of a customer with ``x = frequencies[j]`` repeat purchases, the last at
    ``t_x = recencies[i]``, observed for ``T = age``. Histories no customer can have are NaN.

    Attributes
    ----------
    model : str
        The model's name (``"BG/NBD"``…).
    time_unit : str
        Unit of ``age``, ``horizon`` and ``recencies`` (``"opportunity"`` for BG/BB).
    age : float
        ``T`` of every cell, in ``time_unit``.
    horizon : float
        Length of the window of :attr:`expected_purchases`, in ``time_unit``.
    frequencies : ndarray of float64
        ``0, 1, …, max_frequency`` (BG/BB: at most ``age``).
    recencies : ndarray of float64
        ``recency_points`` values from 0 to ``age`` (BG/BB: ``0, 1, …, age``).
    expected_purchases : ndarray of float64
        Shape ``(len(recencies), len(frequencies))``:
        ``model.conditional_expected_purchases(horizon, (x, t_x, age))``.
    probability_alive : ndarray of float64
        Same shape: ``model.probability_alive((x, t_x, age))``.

    Notes
    -----
    Impossible cells are NaN: ``x = 0`` with ``t_x > 0`` (without a repeat purchase the
    recency is 0) and, in continuous time, ``x > 0`` with ``t_x = 0`` (a repeat purchase
    comes after the first); for BG/BB, ``x > t_x`` (``x`` purchases need ``x``
    opportunities, the last at ``t_x``; Fader, Hardie & Shang 2010).
    """

    model: str
    time_unit: str
    age: float
    horizon: float
    frequencies: FloatArray
    recencies: FloatArray
    expected_purchases: FloatArray
    probability_alive: FloatArray

    @property
    def possible(self) -> BoolArray:
        """Mask of the cells a customer can be in (the non-NaN cells), same shape as the grid."""
        mask: BoolArray = ~np.isnan(self.probability_alive)
        return mask

    def columns(self) -> dict[str, AnyArray]:
        """Long format, possible cells only, by recency then frequency.

        Keys ``frequency``, ``recency``, ``expected_purchases``, ``probability_alive``.
        """
        recency, frequency = np.meshgrid(self.recencies, self.frequencies, indexing="ij")
        keep = self.possible
        return {
            "frequency": frequency[keep],
            "recency": recency[keep],
            "expected_purchases": self.expected_purchases[keep],
            "probability_alive": self.probability_alive[keep],
        }

    def __repr__(self) -> str:
        return (
            f"FrequencyRecencyGrid({self.model}, age={duration_label(self.age, self.time_unit)},"
            f" horizon={duration_label(self.horizon, self.time_unit)},"
            f" {self.frequencies.size} frequencies x {self.recencies.size} recencies)"
        )


def frequency_recency_grid(
    model: PurchaseModel,
    *,
    age: float,
    horizon: float,
    max_frequency: int = 20,
    recency_points: int = 40,
) -> FrequencyRecencyGrid:
    """Evaluate P(alive) and expected purchases over frequency and recency at a fixed age.

    Parameters
    ----------
    model : FittedBGNBD, FittedMBGNBD, FittedParetoNBD or FittedBGBB
        A fitted purchase model.
    age : float
        ``T`` of every cell, in the model's time unit (> 0); for BG/BB the number of
        opportunities ``n``, a whole number >= 1.
    horizon : float
        Window of the expected purchases, in the model's time unit (>= 0; BG/BB: a whole
        number of opportunities).
    max_frequency : int, default 20
        Largest frequency ``x`` (>= 1). BG/BB caps it at ``age``.
    recency_points : int, default 40
        Number of recencies, evenly spaced from 0 to ``age`` (>= 2). Not used for BG/BB, whose
        recencies are the opportunities ``0, 1, …, age``.

    Returns
    -------
    FrequencyRecencyGrid

    Raises
    ------
    InvalidInputError
        If ``model`` is not one of the four purchase models, or an argument breaks its rule.

    Notes
    -----
    One vectorised call per quantity: the possible cells are flattened, evaluated by
    ``model.probability_alive((x, t_x, T))`` and
    ``model.conditional_expected_purchases(horizon, (x, t_x, T))``, and scattered back.

    Unlike an average of customers' P(alive) by (x, t_x) cell, where each customer enters at
    their own age, every cell here has the same ``T``. Under the BG/NBD a customer without a
    repeat purchase is alive with probability 1 whatever ``T`` (dropout happens only right
    after a repeat purchase; Fader, Hardie & Lee 2005, eq. 18), so the cell ``x = 0`` is 1:
    that is the model, not an error. The MBG/NBD (Batislam, Denizel & Filiztekin 2007) and
    Pareto/NBD let such customers die. BG/BB's P(alive) is that of the next opportunity,
    eq. (11) of Fader, Hardie & Shang (2010).

    Examples
    --------
    >>> from ecomstrat.models.bgbb import BGBB
    >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> grid = frequency_recency_grid(m, age=6, horizon=5)
    >>> grid.frequencies.tolist(), grid.recencies.tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> float(grid.probability_alive[3, 3].round(3))  # t_x = 3, x = 3 (3 of the first 3)
    0.095
    >>> float(grid.expected_purchases[6, 6].round(2))  # bought at each of the 6
    3.75
    """
    discrete = isinstance(model, FittedBGBB)
    if not discrete and not isinstance(model, CONTINUOUS):
        raise invalid(
            "model",
            f"<{type(model).__name__}>",
            f"must be a fitted {_ALL_NAMES} purchase model",
            "Fit one with e.g. ecomstrat.models.bgnbd.BGNBD().fit(summary).",
        )
    T = check_positive("age", age)
    t = check_non_negative("horizon", horizon)
    top = check_count("max_frequency", max_frequency, minimum=1)
    points = check_count("recency_points", recency_points, minimum=2)
    if isinstance(model, FittedBGBB):
        n = _whole("age", T, "must be a whole number of opportunities >= 1 for BG/BB")
        _whole("horizon", t, "must be a whole number of opportunities for BG/BB")
        frequencies = np.arange(min(top, n) + 1, dtype=np.float64)
        recencies = np.arange(n + 1, dtype=np.float64)
        unit = OPPORTUNITY
    else:
        frequencies = np.arange(top + 1, dtype=np.float64)
        recencies = np.linspace(0.0, T, points)
        unit = model.time_unit.value
    t_x, x = np.meshgrid(recencies, frequencies, indexing="ij")
    possible = _possible(x, t_x, discrete=discrete)
    cells = (x[possible], t_x[possible], np.full(int(possible.sum()), T))
    alive = np.full(x.shape, np.nan)
    expected = np.full(x.shape, np.nan)
    alive[possible] = model.probability_alive(cells)
    expected[possible] = model.conditional_expected_purchases(t, cells)
    return FrequencyRecencyGrid(
        model.name,
        unit,
        T,
        t,
        frozen_view(frequencies),
        frozen_view(recencies),
        frozen_view(expected),
        frozen_view(alive),
    )


def _possible(x: FloatArray, t_x: FloatArray, *, discrete: bool) -> BoolArray:
    """Cells a customer can be in: ``x = 0`` needs ``t_x = 0``; ``x > 0`` needs ``t_x > 0``.

    In discrete time ``x > 0`` needs ``t_x >= x``.
    """
    first_only = (x == 0) & (t_x == 0)
    repeat = (x > 0) & ((t_x >= x) if discrete else (t_x > 0))
    mask: BoolArray = first_only | repeat
    return mask


def _whole(name: str, value: float, rule: str) -> int:
    if value != round(value):
        raise invalid(name, value, rule)
    return int(value)


@attrs.frozen(eq=False, repr=False)
class AliveHistory(Tabular):
    """One customer's P(alive) at the end of each day, from their first purchase on.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        Unit of ``age`` and ``recency`` (the model's).
    customer_id : object
        The customer, as the log holds them.
    dates : ndarray of datetime64[ns]
        Every day from the first purchase day to the observation end's day (their start, in
        the log's clock: UTC days for a UTC log).
    age : ndarray of float64
        ``T`` at the end of each day: time from the first purchase day, in ``time_unit``
        (0 on the first purchase day).
    frequency : ndarray of int64
        Repeat purchase days so far ``x``: days with orders after the first one.
    recency : ndarray of float64
        ``t_x`` so far: from the first purchase day to the last one, in ``time_unit``.
    probability_alive : ndarray of float64
        ``model.probability_alive((frequency, recency, age))``.
    purchase_dates : ndarray of datetime64[ns]
        The customer's purchase days up to the observation end.

    Notes
    -----
    On the last day ``(frequency, recency, age)`` is the customer's row of
    ``rfm_summary(log, observation_end=..., time_unit=model.time_unit)``.
    """

    model: str
    time_unit: str
    customer_id: object
    dates: DatetimeArray
    age: FloatArray
    frequency: IntArray
    recency: FloatArray
    probability_alive: FloatArray
    purchase_dates: DatetimeArray

    def columns(self) -> dict[str, AnyArray]:
        """One row per day: ``date``, ``age``, ``frequency``, ``recency``, ``probability_alive``."""
        return {
            "date": self.dates,
            "age": self.age,
            "frequency": self.frequency,
            "recency": self.recency,
            "probability_alive": self.probability_alive,
        }

    def __len__(self) -> int:
        return int(self.dates.shape[0])

    def __repr__(self) -> str:
        first, last = (str(d.astype("datetime64[D]")) for d in (self.dates[0], self.dates[-1]))
        return (
            f"AliveHistory({self.model}, customer {self.customer_id!r},"
            f" {self.purchase_dates.size} purchase days, {first} .. {last},"
            f" P(alive) at the end {float(self.probability_alive[-1]):.3g})"
        )


def probability_alive_history(
    model: ContinuousModel,
    log: TransactionLog,
    *,
    customer_id: object,
    observation_end: object = None,
) -> AliveHistory:
    """P(alive) of one customer at the end of each day, from their first purchase on.

    A purchase is a day with orders, as in :func:`~ecomstrat.rfm_summary` with its default
    daily period: at the end of day ``d``, ``x`` counts the purchase days after the first up
    to ``d``, ``t_x`` runs from the first purchase day to the last and ``T`` from the first
    purchase day to ``d``, all converted to the model's time unit.

    Parameters
    ----------
    model : FittedBGNBD, FittedMBGNBD or FittedParetoNBD
        A fitted continuous-time purchase model.
    log : TransactionLog
        The orders.
    customer_id : str or int
        One id of ``log.customer_ids``.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last day shown (inclusive); defaults to the last order of the log, as in
        :func:`~ecomstrat.rfm_summary`.

    Returns
    -------
    AliveHistory

    Raises
    ------
    InvalidInputError
        If ``model`` is not continuous-time, ``customer_id`` is not in the log, or
        ``observation_end`` precedes the customer's first purchase.

    Notes
    -----
    On the first purchase day ``T = 0``, where the models are defined only as a limit; the
    value shown is the model at ``T = 1e-9`` (``x = t_x = 0``): 1 for the BG/NBD and the
    Pareto/NBD, ``b / (a + b)`` for the MBG/NBD, whose customers may drop out at once
    (Batislam, Denizel & Filiztekin 2007). After that, P(alive) decays while the customer
    does not buy. A purchase day resets the Pareto/NBD's P(alive) to 1 (``t_x = T``;
    Schmittlein, Morrison & Colombo 1987) and raises the MBG/NBD's; the BG/NBD's, which
    is 1 until the first repeat purchase, drops then to ``b / (a + b)`` (a customer may
    drop out after any repeat purchase; Fader, Hardie & Lee 2005, eq. 18) and rises at the
    next ones.

    Examples
    --------
    >>> from ecomstrat.models.paretonbd import ParetoNBD
    >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b"], ["2024-01-01", "2024-01-08", "2024-01-03"], [10.0, 5.0, 8.0]
    ... )
    >>> h = probability_alive_history(m, log, customer_id="a", observation_end="2024-01-15")
    >>> h.frequency.tolist()
    [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
    >>> h.probability_alive[[0, 6, 7, 14]].round(3).tolist()
    [1.0, 0.957, 1.0, 0.952]
    """
    model = continuous_model(
        model, fix="BG/BB counts opportunities, not days; use frequency_recency_grid for it."
    )
    if not isinstance(log, TransactionLog):
        raise invalid(
            "log",
            f"<{type(log).__name__}>",
            "must be a TransactionLog",
            "Build one with ecomstrat.TransactionLog.from_arrays or ecomstrat.read_csv.",
        )
    row = _customer_row(log, customer_id)
    shown_id = plain(log.customer_ids[row])
    end = (
        np.datetime64(log.times.max(), "ns")
        if observation_end is None
        else to_instant("observation_end", observation_end, log.timezone)
    )
    days = np.unique(period_index(log.times[log.customer_index == row], TimeUnit.DAY))
    first, end_day = int(days[0]), period_of(end, TimeUnit.DAY)
    if end_day < first:
        raise invalid(
            "observation_end",
            str(end),
            f"is before the first purchase of customer {shown_id!r}"
            f" ({period_start(days[:1], TimeUnit.DAY)[0].astype('datetime64[D]')})",
            "Choose a later observation_end.",
        )
    bought = days[days <= end_day]
    day = np.arange(first, end_day + 1, dtype=np.int64)
    so_far = np.searchsorted(bought, day, side="right")  # purchase days up to each day, >= 1
    unit = model.time_unit
    age = _in_unit(day - first, unit)
    recency = _in_unit(bought[so_far - 1] - first, unit)
    frequency = (so_far - 1).astype(np.int64)
    alive = np.empty(day.size)
    later = age > 0
    if later.any():
        alive[later] = model.probability_alive((frequency[later], recency[later], age[later]))
    alive[~later] = model.probability_alive(([0.0], [0.0], [_AGE_ZERO]))[0]
    return AliveHistory(
        model.name,
        unit.value,
        shown_id,
        frozen_view(period_start(day, TimeUnit.DAY).astype(NS)),
        frozen_view(age),
        frozen_view(frequency),
        frozen_view(recency),
        frozen_view(alive),
        frozen_view(period_start(bought, TimeUnit.DAY).astype(NS)),
    )


def _in_unit(days: IntArray, unit: TimeUnit) -> FloatArray:
    """Whole days in ``unit``, with the arithmetic of :func:`~ecomstrat.rfm_summary` (same bits)."""
    durations = np.multiply(days, TimeUnit.DAY.days, dtype=np.float64)
    durations /= unit.days
    return durations


def _customer_row(log: TransactionLog, customer_id: object) -> int:
    """Position of ``customer_id`` in ``log.customer_ids``, or an error naming it."""
    value = plain(customer_id)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise invalid(
            "customer_id",
            shown(customer_id),
            "must be one customer id (a str or an int)",
            "Pass a single id of log.customer_ids.",
        )
    ids = log.customer_ids
    if ids.dtype.kind == "O":
        matches = np.flatnonzero([plain(i) == value and type(plain(i)) is type(value) for i in ids])
    else:
        matches = np.flatnonzero(ids == value)
    if matches.size == 0:
        kind = "str" if ids.dtype.kind in "USO" else "int"
        examples = ", ".join(repr(plain(i)) for i in ids[:3])
        raise invalid(
            "customer_id",
            value,
            "is not a customer of the log",
            f"The log has {ids.size} customers with {kind} ids, e.g. {examples}.",
        )
    return int(matches[0])
