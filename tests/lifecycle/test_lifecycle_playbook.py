"""The playbook: actions by stage and value tier, one overridable table."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import (
    DEFAULT_PLAYBOOK,
    STAGE_NAMES,
    LifecycleStages,
    Play,
    Playbook,
    recommend_actions,
    stage_customers,
)
from ecomstrat.metrics.value_tiers import value_tiers, value_tiers_by_threshold

OBSERVATION_END = "2024-12-31"


def _stages() -> LifecycleStages:
    # Default policy. a: one purchase 10 days ago (< 90) -> new; b: one purchase 200 days
    # ago (not new, not idle > 365) -> declining; c: 500 days idle -> churned; p: prospect.
    log = TransactionLog.from_arrays(
        ["a", "b", "c"],
        ["2024-12-21", "2024-06-14", "2023-08-19"],
        [30.0, 500.0, 90.0],
    )
    return stage_customers(log, observation_end=OBSERVATION_END, prospects=["p"])


def test_default_playbook_covers_every_stage() -> None:
    for stage in STAGE_NAMES:
        assert DEFAULT_PLAYBOOK.actions_for(stage), stage
    assert DEFAULT_PLAYBOOK.actions_for("new") == ("onboarding offer",)
    assert DEFAULT_PLAYBOOK.actions_for("mature") == ("cross-sell",)
    assert DEFAULT_PLAYBOOK.actions_for("declining") == ("feedback survey", "win-back offer")
    assert DEFAULT_PLAYBOOK.actions_for("churned") == ("reactivation campaign",)
    vip = ("cross-sell", "VIP loyalty programme")
    assert DEFAULT_PLAYBOOK.actions_for("mature", tier=0) == vip
    assert DEFAULT_PLAYBOOK.actions_for("mature", tier=1) == ("cross-sell",)


def test_recommendations_by_stage_and_tier() -> None:
    stages = _stages()
    assert stages.labels().tolist() == ["new", "declining", "churned", "prospect"]
    # values 30, 500, 90, 0 with thresholds (400, 50): b high (tier 0), c mid, a and p low
    tiers = value_tiers_by_threshold(
        [30.0, 500.0, 90.0, 0.0], thresholds=(400, 50), customer_ids=["a", "b", "c", "p"]
    )
    r = recommend_actions(stages, tiers=tiers)
    assert [r.actions_of(i) for i in range(4)] == [
        ("onboarding offer",),
        ("feedback survey", "win-back offer", "VIP loyalty programme"),
        ("reactivation campaign",),
        ("first-purchase incentive",),
    ]
    assert {action: n for action, n in r.counts.items() if n} == {
        "onboarding offer": 1,
        "feedback survey": 1,
        "win-back offer": 1,
        "VIP loyalty programme": 1,
        "reactivation campaign": 1,
        "first-purchase incentive": 1,
    }
    assert r.counts["cross-sell"] == 0  # the table's other actions are listed with 0
    assert r.plan_codes.dtype == np.int16
    # without tiers, the tier plays never apply
    plain = recommend_actions(stages)
    assert plain.actions_of(1) == ("feedback survey", "win-back offer")


def test_override_the_table() -> None:
    stages = _stages()
    mine = Playbook(
        [p for p in DEFAULT_PLAYBOOK.plays if p.stage != "churned"]
        + [Play("churned", None, "remove from paid audiences"), Play(None, None, "newsletter")]
    )
    r = recommend_actions(stages, playbook=mine)
    assert r.actions_of(2) == ("remove from paid audiences", "newsletter")
    assert r.actions_of(0) == ("onboarding offer", "newsletter")
    empty = recommend_actions(stages, playbook=Playbook([]))
    assert empty.actions_of(0) == ()
    assert empty.counts == {}
    assert list(DEFAULT_PLAYBOOK.columns()) == ["stage", "tier", "action"]
    assert Play("new", None, "x").matches(1, tier=None)


def test_to_pandas() -> None:
    pytest.importorskip("pandas")
    frame = recommend_actions(_stages()).to_pandas()
    assert frame.loc["b", "actions"] == "feedback survey; win-back offer"
    assert DEFAULT_PLAYBOOK.to_pandas()["action"].iloc[0] == "first-purchase incentive"


def test_errors() -> None:
    with pytest.raises(UnknownCodeError, match="'lapsed' is not known"):
        Play("lapsed", None, "x")
    with pytest.raises(InvalidInputError, match="tier=-1 is invalid"):
        Play("new", -1, "x")
    with pytest.raises(InvalidInputError, match="action='' is invalid"):
        Play("new", None, "")
    with pytest.raises(InvalidInputError, match=r"plays\[0\]=.*must be a Play"):
        Playbook([("new", None, "x")])  # type: ignore[list-item]
    stages = _stages()
    wrong = value_tiers([1.0, 2.0, 3.0, 4.0], customer_ids=["a", "b", "c", "x"])
    with pytest.raises(InvalidInputError, match=r"tiers=.*must hold the customers of stages"):
        recommend_actions(stages, tiers=wrong)
