"""The playbook: recommended actions for each lifecycle stage and value tier, as one table.

Import these names from :mod:`ecomstrat.lifecycle`. A :class:`Playbook` is a tuple of
:class:`Play` rows ``(stage, tier, action)``; a customer gets the action of every row whose
stage and tier match theirs, in table order. Override it by building your own table, e.g.
from ``DEFAULT_PLAYBOOK.plays``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ecomstrat._typing import AnyArray
from ecomstrat._validation import check_choice, invalid
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.lifecycle.policy import STAGE_NAMES

if TYPE_CHECKING:
    from ecomstrat.lifecycle.stages import LifecycleStages
    from ecomstrat.metrics.affinity import NextBestProducts
    from ecomstrat.metrics.value_tiers import ValueTiers

__all__ = [
    "CROSS_SELL_STAGES",
    "DEFAULT_PLAYBOOK",
    "Play",
    "Playbook",
    "Recommendations",
    "recommend_actions",
]

#: The stages whose cross-sell plays name products when next-best products are given.
CROSS_SELL_STAGES = ("growing", "mature")


def _stage(instance: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None:
        check_choice("stage", value, STAGE_NAMES)


def _tier(instance: object, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise invalid(
            "tier", value, "must be None (any tier) or a tier code >= 0 (0: the top tier)"
        )


def _action(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise invalid("action", value, "must be a non-empty string")


@attrs.frozen
class Play:
    """One row of a playbook: for customers in ``stage`` and ``tier``, do ``action``.

    Parameters
    ----------
    stage : str or None
        A stage label (``"new"``, ``"mature"``…), or None for any stage.
    tier : int or None
        A value-tier code (0 is the most valuable tier), or None for any tier.
    action : str
        What to do.
    """

    stage: str | None = attrs.field(validator=_stage)
    tier: int | None = attrs.field(validator=_tier)
    action: str = attrs.field(validator=_action)

    def matches(self, stage: int, *, tier: int | None) -> bool:
        """Whether this play applies to stage code ``stage`` and tier code ``tier``."""
        stage_ok = self.stage is None or STAGE_NAMES[stage] == self.stage
        tier_ok = self.tier is None or (tier is not None and tier == self.tier)
        return stage_ok and tier_ok


def _plays(rows: Iterable[Play]) -> tuple[Play, ...]:
    plays = tuple(rows)
    for i, play in enumerate(plays):
        if not isinstance(play, Play):
            raise invalid(
                f"plays[{i}]", f"<{type(play).__name__}>", "must be a Play(stage, tier, action)"
            )
    return plays


@attrs.frozen
class Playbook(Tabular):
    """Recommended actions by lifecycle stage and value tier, in one overridable table.

    Examples
    --------
    >>> mine = Playbook([*DEFAULT_PLAYBOOK.plays, Play("new", 0, "personal welcome call")])
    >>> mine.actions_for("new", tier=0)
    ('onboarding offer', 'VIP loyalty programme', 'personal welcome call')
    >>> DEFAULT_PLAYBOOK.actions_for("declining")
    ('feedback survey', 'win-back offer')
    """

    plays: tuple[Play, ...] = attrs.field(converter=_plays)

    def actions_for(self, stage: str, *, tier: int | None = None) -> tuple[str, ...]:
        """The actions for customers in ``stage`` (a label) and ``tier`` (a code, or None)."""
        code = STAGE_NAMES.index(check_choice("stage", stage, STAGE_NAMES))
        return self._actions(code, tier)

    def _actions(self, stage: int, tier: int | None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.action for p in self.plays if p.matches(stage, tier=tier)))

    def columns(self) -> dict[str, AnyArray]:
        """The table as columns ``stage``, ``tier`` (-1: any) and ``action``."""
        return {
            "stage": np.array(["*" if p.stage is None else p.stage for p in self.plays]),
            "tier": np.array([-1 if p.tier is None else p.tier for p in self.plays]),
            "action": np.array([p.action for p in self.plays]),
        }


#: The default playbook: one action per stage, two for declining customers, and VIP
#: treatment for the top value tier whatever the stage.
DEFAULT_PLAYBOOK = Playbook(
    [
        Play("prospect", None, "first-purchase incentive"),
        Play("new", None, "onboarding offer"),
        Play("growing", None, "loyalty programme invitation"),
        Play("mature", None, "cross-sell"),
        Play("declining", None, "feedback survey"),
        Play("declining", None, "win-back offer"),
        Play("churned", None, "reactivation campaign"),
        Play("reactivated", None, "welcome-back series"),
        Play(None, 0, "VIP loyalty programme"),
    ]
)


@attrs.frozen(eq=False, repr=False)
class Recommendations(Tabular):
    """The actions recommended for each customer.

    Parameters
    ----------
    customer_ids : ndarray
        The customers, as staged.
    plan_codes : ndarray of int16
        Index of each customer's plan in ``plans``.
    plans : tuple of tuple of str
        The distinct lists of actions.
    cross_sell_products : ndarray of str, optional
        With ``next_best`` given to :func:`recommend_actions`: the products the cross-sell play
        names for each customer (ids joined with ``", "``; empty outside the cross-sell
        stages or without an offer).
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    customer_ids: AnyArray
    plan_codes: NDArray[np.int16]
    plans: tuple[tuple[str, ...], ...]
    cross_sell_products: AnyArray | None = None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "customer_ids", frozen_view(self.customer_ids))
        object.__setattr__(self, "plan_codes", frozen_view(self.plan_codes))
        if self.cross_sell_products is not None:
            object.__setattr__(self, "cross_sell_products", frozen_view(self.cross_sell_products))

    def __len__(self) -> int:
        return int(self.plan_codes.shape[0])

    def __repr__(self) -> str:
        return f"Recommendations({len(self)} customers, {len(self.plans)} distinct plans)"

    def actions_of(self, position: int) -> tuple[str, ...]:
        """The actions for the customer at ``position``."""
        return self.plans[int(self.plan_codes[position])]

    def products_of(self, position: int) -> str:
        """The products named for the customer at ``position`` (``""``: none)."""
        if self.cross_sell_products is None:
            return ""
        return str(self.cross_sell_products[position])

    @property
    def counts(self) -> dict[str, int]:
        """Customers to whom each action is recommended (a customer can get several).

        Every action some stage and tier would get is listed, with 0 when nobody got it.
        """
        per_plan = np.bincount(self.plan_codes, minlength=len(self.plans))
        out: dict[str, int] = {}
        for plan, count in zip(self.plans, per_plan, strict=True):
            for action in plan:
                out[action] = out.get(action, 0) + int(count)
        return out

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id`` and ``actions`` (joined with ``"; "``) as named columns."""
        joined = np.array(["; ".join(plan) for plan in self.plans])
        out = {"customer_id": self.customer_ids, "actions": joined[self.plan_codes]}
        if self.cross_sell_products is not None:
            out["cross_sell_products"] = self.cross_sell_products
        return out


def recommend_actions(
    stages: LifecycleStages,
    *,
    tiers: ValueTiers | None = None,
    playbook: Playbook = DEFAULT_PLAYBOOK,
    next_best: NextBestProducts | None = None,
    cross_sell_stages: tuple[str, ...] = CROSS_SELL_STAGES,
) -> Recommendations:
    """Look up each customer's actions in ``playbook`` by stage and (optional) value tier.

    Parameters
    ----------
    stages : LifecycleStages
        The customers' lifecycle stages.
    tiers : ValueTiers, optional
        Their value tiers, aligned with ``stages`` (same customers, same order). Without
        tiers, plays that name a tier never apply.
    playbook : Playbook, default DEFAULT_PLAYBOOK
        The table of plays.
    next_best : NextBestProducts, optional
        From :func:`~ecomstrat.metrics.affinity.next_best_products`: the cross-sell plays of
        customers in ``cross_sell_stages`` then name their next-best products
        (:attr:`Recommendations.cross_sell_products`, and a ``cross_sell_products`` column).
    cross_sell_stages : tuple of str, default ("growing", "mature")
        The stages whose customers get the named products.

    Returns
    -------
    Recommendations

    Examples
    --------
    >>> from ecomstrat import TransactionLog
    >>> from ecomstrat.lifecycle import stage_customers
    >>> from ecomstrat.metrics.value_tiers import value_tiers
    >>> log = TransactionLog.from_arrays(["a", "b"], ["2023-01-01", "2024-06-01"], [900.0, 20.0])
    >>> stages = stage_customers(log, observation_end="2024-06-30")
    >>> tiers = value_tiers([900.0, 20.0], top_shares=(0.5,), customer_ids=["a", "b"])
    >>> r = recommend_actions(stages, tiers=tiers)
    >>> r.actions_of(0), r.actions_of(1)
    (('reactivation campaign', 'VIP loyalty programme'), ('onboarding offer',))
    """
    n_tiers = 0
    tier_index = np.full(stages.n_customers, 0, dtype=np.intp)
    if tiers is not None:
        if tiers.n_customers != stages.n_customers or not np.array_equal(
            tiers.customer_ids, stages.customer_ids
        ):
            raise invalid(
                "tiers",
                repr(tiers),
                "must hold the customers of stages, in the same order",
                "Build the tiers from values aligned with stages.customer_ids.",
            )
        n_tiers = len(tiers.names)
        tier_index = tiers.codes.astype(np.intp)
    plans: dict[tuple[str, ...], int] = {}
    lookup = np.empty((len(STAGE_NAMES), max(n_tiers, 1)), dtype=np.int16)
    for stage in range(len(STAGE_NAMES)):
        for tier in range(max(n_tiers, 1)):
            actions = playbook._actions(stage, tier if n_tiers else None)
            lookup[stage, tier] = plans.setdefault(actions, len(plans))
    codes = lookup[stages.codes.astype(np.intp), tier_index]
    products = None
    if next_best is not None:
        products = _cross_sell_products(stages, next_best, cross_sell_stages)
    return Recommendations(stages.customer_ids, codes, tuple(plans), products)


def _cross_sell_products(
    stages: LifecycleStages, next_best: NextBestProducts, cross_sell_stages: tuple[str, ...]
) -> AnyArray:
    from ecomstrat.metrics.affinity import NextBestProducts

    if not isinstance(next_best, NextBestProducts):
        raise invalid(
            "next_best",
            f"<{type(next_best).__name__}>",
            "must be NextBestProducts",
            "Use ecomstrat.metrics.affinity.next_best_products.",
        )
    wanted = [
        STAGE_NAMES.index(check_choice("cross_sell_stages", s, STAGE_NAMES))
        for s in cross_sell_stages
    ]
    offers = {c: ", ".join(str(p) for p in ps) for c, ps in next_best.by_customer().items()}
    in_stage = np.isin(stages.codes, wanted)
    return np.array(
        [
            offers.get(c, "") if ok else ""
            for c, ok in zip(stages.customer_ids.tolist(), in_stage.tolist(), strict=True)
        ],
        dtype=str,
    )
