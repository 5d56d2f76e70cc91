"""Lifecycle stages, relationship phases, and the policies that decide a customer's stage.

Import these names from :mod:`ecomstrat.lifecycle`. See :doc:`/lifecycle` for the definitions
and their sources.
"""

from __future__ import annotations

import enum
import math
from typing import NamedTuple, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels import lifecycle as _codes
from ecomstrat._validation import check_unit_interval, invalid
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.models._protocols import TransactionModel

__all__ = [
    "PHASE_NAMES",
    "PHASE_OF_STAGE",
    "STAGE_NAMES",
    "Duration",
    "LifecyclePolicy",
    "ModelBasedPolicy",
    "RelationshipPhase",
    "RuleBasedPolicy",
    "Stage",
]


class Stage(enum.IntEnum):
    """Lifecycle stage of a customer; the value is the code stored in result arrays (int8).

    Examples
    --------
    >>> Stage.MATURE, int(Stage.MATURE), Stage.MATURE.label
    (<Stage.MATURE: 3>, 3, 'mature')
    """

    PROSPECT = _codes.PROSPECT
    NEW = _codes.NEW
    GROWING = _codes.GROWING
    MATURE = _codes.MATURE
    DECLINING = _codes.DECLINING
    CHURNED = _codes.CHURNED
    REACTIVATED = _codes.REACTIVATED

    @property
    def label(self) -> str:
        """The lower-case name used in tables and DataFrames."""
        return self.name.lower()


#: Stage labels indexed by stage code.
STAGE_NAMES: tuple[str, ...] = tuple(stage.label for stage in Stage)


class RelationshipPhase(enum.IntEnum):
    """Phase of the buyer-seller relationship (four phases, plus awareness for prospects).

    The four phases follow the relationship life-cycle literature: Dwyer, Schurr & Oh (1987)
    and Jap & Ganesan (2000) (exploration, build-up, maturity, decline). ``AWARENESS`` is
    Dwyer, Schurr & Oh's pre-exchange phase, used for prospects only. See :doc:`/lifecycle`.
    """

    AWARENESS = 0
    EXPLORATION = 1
    FORMATION = 2
    STABILITY = 3
    DECLINE = 4

    @property
    def label(self) -> str:
        """The lower-case name used in tables and DataFrames."""
        return self.name.lower()


#: Phase labels indexed by phase code.
PHASE_NAMES: tuple[str, ...] = tuple(phase.label for phase in RelationshipPhase)

#: Relationship phase of each lifecycle stage, indexed by stage code.
PHASE_OF_STAGE: NDArray[np.int8] = np.array(
    [
        RelationshipPhase.AWARENESS,  # prospect
        RelationshipPhase.EXPLORATION,  # new
        RelationshipPhase.FORMATION,  # growing
        RelationshipPhase.STABILITY,  # mature
        RelationshipPhase.DECLINE,  # declining
        RelationshipPhase.DECLINE,  # churned: the end of decline (dissolution)
        RelationshipPhase.EXPLORATION,  # reactivated: the relationship is tried again
    ],
    dtype=np.int8,
)
PHASE_OF_STAGE.flags.writeable = False


class Thresholds(NamedTuple):
    """The durations of a :class:`RuleBasedPolicy` in days, as the kernel takes them."""

    new_window: float
    churn_after: float
    reactivation_window: float
    overdue_factor: float
    trend_window: float


def _number(value: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise invalid("value", value, "must be a number") from error


def _factor(value: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise invalid("overdue_factor", value, "must be a number") from error


def _finite_non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise invalid("value", value, "must be a finite number >= 0")


@attrs.frozen
class Duration:
    """A length of time with its unit, e.g. ``Duration(90, "day")`` or ``Duration(6, "week")``.

    Months and years are the mean Gregorian lengths of :class:`~ecomstrat.TimeUnit`.

    Examples
    --------
    >>> Duration(6, "week").days, str(Duration(6, "week"))
    (42.0, '6 weeks')
    """

    value: float = attrs.field(converter=_number, validator=_finite_non_negative)
    unit: TimeUnit = attrs.field(default=TimeUnit.DAY, converter=to_time_unit)

    @property
    def days(self) -> float:
        """The length in days."""
        return self.value * self.unit.days

    def __str__(self) -> str:
        plural = "" if self.value == 1 else "s"
        return f"{self.value:g} {self.unit.value}{plural}"


def _positive_duration(
    instance: object, attribute: attrs.Attribute[Duration], value: Duration
) -> None:
    if not isinstance(value, Duration):
        raise invalid(
            attribute.name,
            value,
            "must be a Duration with an explicit unit",
            f"Write e.g. {attribute.name}=Duration({value!r}, 'day').",
        )
    if value.value <= 0:
        raise invalid(attribute.name, str(value), "must be longer than 0")


def _at_least_one(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 1):
        raise invalid(
            attribute.name,
            value,
            "must be a finite number >= 1",
            "It multiplies the customer's own mean gap between purchases.",
        )


@attrs.frozen(kw_only=True)
class RuleBasedPolicy:
    """Stage customers by inactivity thresholds and their own purchase rhythm.

    Purchases are counted per calendar day; the as-of day counts in full. With ``P`` a
    customer's purchase days up to the as-of day ``d``, ``idle`` the time since the last of
    them and ``age`` the time since the first, the stage is the first of these rules that
    holds:

    1. *prospect*: no purchase yet;
    2. *churned*: ``idle > churn_after``;
    3. *reactivated*: the customer had been churned on the day before a purchase (the gap to
       the previous purchase, minus that day, exceeds ``churn_after``), and that purchase lies
       within ``reactivation_window`` of ``d``;
    4. *new*: ``age < new_window``;
    5. *declining*: a single purchase (not new any more), or overdue
       (``idle > overdue_factor`` x the customer's mean gap between purchases), or fewer
       purchases in the last ``trend_window`` than in the ``trend_window`` before it;
    6. *growing*: more purchases in the last ``trend_window`` than in the one before;
    7. *mature*: a repeat buyer buying as often as before and not overdue.

    "Within a window" means strictly less than its length before ``d``.

    Parameters
    ----------
    new_window : Duration, default Duration(90, "day")
        How long after the first purchase a customer is new.
    churn_after : Duration, default Duration(365, "day")
        Inactivity after which a customer counts as churned (at least ``new_window`` and
        ``reactivation_window``).
    overdue_factor : float, default 2.0
        A repeat buyer is overdue when idle for more than this many mean gaps (>= 1).
    trend_window : Duration, default Duration(180, "day")
        Length of the two windows whose purchase counts give the rate trend.
    reactivation_window : Duration, default Duration(90, "day")
        How long after the returning purchase a customer counts as reactivated.

    Raises
    ------
    InvalidInputError
        If a duration is not a :class:`Duration` longer than 0, ``overdue_factor < 1``, or
        ``churn_after`` is shorter than ``new_window`` or ``reactivation_window``.

    Notes
    -----
    Inactivity thresholds are how e-commerce tools stage customers without a model (Ordinary:
    new / due reorder / lapsed / lost at 30/60/90 days; Omnisend: 40/90 days; Clutch: relative
    to the customer's own gaps between purchases). The defaults are a neutral starting point
    for a catalogue bought a few times a year: set them from the distribution of gaps between
    purchases in your data (e.g. ``churn_after`` near its 90th percentile). See
    :doc:`/lifecycle`.

    Examples
    --------
    >>> RuleBasedPolicy().in_days().churn_after
    365.0
    >>> policy = RuleBasedPolicy(new_window=Duration(4, "week"), churn_after=Duration(6, "month"))
    >>> policy.in_days().new_window, policy.in_days().churn_after
    (28.0, 182.62125)
    """

    new_window: Duration = attrs.field(default=Duration(90), validator=_positive_duration)
    churn_after: Duration = attrs.field(default=Duration(365), validator=_positive_duration)
    overdue_factor: float = attrs.field(default=2.0, converter=_factor, validator=_at_least_one)
    trend_window: Duration = attrs.field(default=Duration(180), validator=_positive_duration)
    reactivation_window: Duration = attrs.field(default=Duration(90), validator=_positive_duration)

    def __attrs_post_init__(self) -> None:
        for name in ("new_window", "reactivation_window"):
            value: Duration = getattr(self, name)
            if value.days > self.churn_after.days:
                raise invalid(
                    name,
                    str(value),
                    f"must not be longer than churn_after={self.churn_after}",
                    "A customer cannot be churned while still in that window;"
                    " lengthen churn_after or shorten the window.",
                )

    def in_days(self) -> Thresholds:
        """The thresholds with durations converted to days."""
        return Thresholds(
            self.new_window.days,
            self.churn_after.days,
            self.reactivation_window.days,
            self.overdue_factor,
            self.trend_window.days,
        )


def _transaction_model(
    instance: object, attribute: attrs.Attribute[TransactionModel], value: TransactionModel
) -> None:
    if not isinstance(value, TransactionModel):
        raise invalid(
            "model",
            f"<{type(value).__name__}>",
            "must be a fitted purchase model: time_unit, probability_alive(data),"
            " conditional_expected_purchases(t, data) and probability_of_purchases(n, t)",
            "Pass a fitted BG/NBD, MBG/NBD or Pareto/NBD model.",
        )


def _threshold(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_unit_interval(attribute.name, value)


@attrs.frozen
class ModelBasedPolicy:
    """Stage customers like :class:`RuleBasedPolicy`, but churned means ``P(alive)`` is low.

    A customer with at least one purchase is *churned* when the model's probability that
    they are still alive is below ``alive_threshold``; customers whose first purchase falls
    on the as-of day are taken as alive. Every other rule (new, reactivated, declining,
    growing, mature) is that of ``rules``; ``rules.churn_after`` then only says which past
    gaps count as a churn for *reactivated*.

    Parameters
    ----------
    model : TransactionModel
        A fitted purchase model (:class:`~ecomstrat.TransactionModel`); it is given a
        summary in its own ``time_unit``.
    alive_threshold : float, default 0.5
        Churned when ``P(alive) < alive_threshold`` (in [0, 1]).
    rules : RuleBasedPolicy, default RuleBasedPolicy()
        Windows and factors of the other stages.

    Notes
    -----
    In a non-contractual setting the moment a customer leaves is never observed (Fader &
    Hardie 2009); BTYD models such as BG/NBD (Fader, Hardie & Lee 2005) and Pareto/NBD
    (Schmittlein, Morrison & Colombo 1987) give its probability instead. The threshold is a
    business choice, 0.5 being common. Under BG/NBD a one-time buyer is always alive
    (dropout can only follow a repeat purchase), so such customers are never churned by
    this policy: they stay *declining*.

    Examples
    --------
    >>> from ecomstrat.models.paretonbd import ParetoNBD
    >>> model = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
    >>> policy = ModelBasedPolicy(model, alive_threshold=0.4)
    >>> policy.alive_threshold, policy.rules.in_days().churn_after
    (0.4, 365.0)
    """

    model: TransactionModel = attrs.field(validator=_transaction_model)
    alive_threshold: float = attrs.field(default=0.5, validator=_threshold, kw_only=True)
    rules: RuleBasedPolicy = attrs.field(factory=RuleBasedPolicy, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.rules, RuleBasedPolicy):
            raise invalid(
                "rules",
                f"<{type(self.rules).__name__}>",
                "must be a RuleBasedPolicy",
                "Build one with RuleBasedPolicy(new_window=..., ...).",
            )


#: Either kind of policy.
LifecyclePolicy: TypeAlias = RuleBasedPolicy | ModelBasedPolicy
