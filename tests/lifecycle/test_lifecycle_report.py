"""The lifecycle sections of the demo report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import Duration, RuleBasedPolicy
from ecomstrat.report import render
from ecomstrat.report.lifecycle import lifecycle_overview

LOG = TransactionLog.from_arrays(
    ["a", "b", "c", "c"],
    ["2024-12-21", "2024-06-14", "2023-08-19", "2024-01-01"],
    [30.0, 500.0, 90.0, 10.0],
    currency="EUR",
)


def test_sections_hand_checked() -> None:
    overview = lifecycle_overview(LOG, observation_end="2024-12-31", previous="2024-06-30")
    stages, migration, tiers = overview.sections()
    assert stages.title == "Lifecycle stages at 2024-12-31"
    # a: new (10 days); b: one purchase 200 days ago -> declining; c: idle 365 (not > 365),
    # mean gap 135, 365 > 2 * 135 overdue -> declining
    assert {row[0]: row[1] for row in stages.rows} == {
        "prospect": "0",
        "new": "1",
        "growing": "0",
        "mature": "0",
        "declining": "2",
        "churned": "0",
        "reactivated": "0",
    }
    # On 2024-06-30: a had not bought (prospect); b new (16 days); c: idle 181 (not churned),
    # mean gap 135 (181 <= 270: not overdue), last 180 days: 0 purchases, the 180 before: 2
    # (181 and 316 days ago) -> declining.
    rows = {row[0]: row[1:] for row in migration.rows}
    assert rows["prospect"][1] == "100.0%"
    assert rows["prospect"][-1] == "1"  # a: -> new
    assert rows["new"][4] == "100.0%"  # b: new -> declining
    assert rows["declining"][4] == "100.0%"  # c stays declining
    assert rows["mature"] == ("-",) * 7 + ("0",)
    assert migration.header[0] == "from \\ to"
    assert len(migration.header) == 9
    # Values: revenue to 2024-12-31: a 30, b 500, c 100; top 1% / 10% of 3 -> room 1 each:
    # b alone in the top 1%, nobody else fits in the top 10% -> a and c in the rest.
    assert [row[:2] for row in tiers.rows] == [("top 1%", "1"), ("top 10%", "0"), ("rest", "2")]
    assert tiers.rows[0][3] == "79.4%"  # 500 / 630
    assert "revenue (EUR) up to 2024-12-31" in tiers.notes[0]
    text = render([stages, migration, tiers])
    assert "Stage migration 2024-06-30 -> 2024-12-31" in text


def test_overview_is_json_and_takes_values_and_policy() -> None:
    policy = RuleBasedPolicy(new_window=Duration(30), churn_after=Duration(180))
    overview = lifecycle_overview(
        LOG,
        observation_end="2024-12-31",
        previous="2024-06-30",
        policy=policy,
        values=[1.0, 2.0, 3.0, 0.0],
        prospects=["p"],
        top_shares=(0.25,),
    )
    data = json.loads(json.dumps(overview.to_dict()))
    assert data["n_customers"] == 4
    assert data["observation_end"].startswith("2024-12-31")
    assert data["stage_counts"]["prospect"] == 1
    assert data["stage_counts"]["churned"] == 2  # b idle 200 > 180, c idle 365 > 180
    assert data["tier_counts"] == {"top 25%": 1, "rest": 3}
    assert data["value_basis"] == "the values given"
    assert data["migration_shares"][3] == [None] * 7  # nobody mature on 2024-06-30
    assert "churned after 180 days" in data["policy"]
    assert sum(data["phase_shares"].values()) == pytest.approx(1.0)
    with pytest.raises(InvalidInputError, match="equal lengths"):
        lifecycle_overview(LOG, observation_end="2024-12-31", previous="2024-06-30", values=[1.0])
    with pytest.raises(InvalidInputError, match=r"values=.*one-dimensional"):
        lifecycle_overview(
            LOG, observation_end="2024-12-31", previous="2024-06-30", values=np.ones((3, 1))
        )
