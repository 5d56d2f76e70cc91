"""The report building blocks, on a tiny log whose numbers are worked out by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecomstrat import (
    CustomerSummary,
    InvalidInputError,
    TransactionLog,
    calibration_holdout_summary,
    rfm_summary,
)
from ecomstrat.report import (
    Section,
    data_overview,
    holdout_overview,
    render,
    simulation_overview,
    summary_overview,
)
from ecomstrat.report.text import render_section

# a: Jan 1 (two orders, one purchase of 15), Jan 15 (20), Jan 29 (30) -> x=2, t_x=4 w, T=8 w
# b: Jan 8 (8)                                                        -> x=0,          T=7 w
# c: Jan 22 (40), Feb 5 (60)                                           -> x=1, t_x=2 w, T=5 w
# d: Feb 19 (2)                                                        -> x=0,          T=1 w
ROWS = [
    ("a", "2024-01-01T09:00", 10.0),
    ("a", "2024-01-01T17:30", 5.0),
    ("a", "2024-01-15", 20.0),
    ("a", "2024-01-29", 30.0),
    ("b", "2024-01-08", 8.0),
    ("c", "2024-01-22", 40.0),
    ("c", "2024-02-05", 60.0),
    ("d", "2024-02-19", 2.0),
]
END = "2024-02-26"


@pytest.fixture
def log() -> TransactionLog:
    ids, times, amounts = zip(*ROWS, strict=True)
    return TransactionLog.from_arrays(list(ids), list(times), list(amounts), currency="EUR")


def test_data_overview(log):
    o = data_overview(log)
    assert (o.n_customers, o.n_orders, o.revenue, o.margin) == (4, 8, 175.0, None)
    assert (o.orders_per_customer, o.mean_order_value) == (2.0, 21.875)
    assert o.first_order == np.datetime64("2024-01-01T09:00")
    assert o.last_order == np.datetime64("2024-02-19")
    assert o.to_dict()["first_order"] == "2024-01-01T09:00:00"


def test_summary_overview(log):
    o = summary_overview(rfm_summary(log, observation_end=END, time_unit="week"))
    assert o.repeat_purchase_counts == {"0": 2, "1": 1, "2": 1, "3+": 0}
    assert o.repeat_purchase_shares == {"0": 0.5, "1": 0.25, "2": 0.25, "3+": 0.0}
    assert o.one_time_buyers_share == 0.5
    assert (o.frequency.mean, o.frequency.median) == (0.75, 0.5)
    assert (o.recency.mean, o.recency.median) == (1.5, 1.0)
    assert (o.T.mean, o.T.median) == (5.25, 6.0)
    assert (o.monetary.mean, o.monetary.median) == (42.5, 42.5)  # (20+30)/2 and 60
    assert o.total_value.mean == 175.0 / 4
    assert o.top_decile_value_share == pytest.approx(100.0 / 175.0)  # customer c alone
    assert (o.time_unit, o.period) == ("week", "day")


def test_summary_overview_without_values():
    o = summary_overview(CustomerSummary.from_arrays([0, 0], [0.0, 0.0], [3.0, 1.0]))
    assert o.monetary is None
    assert o.total_value is None
    assert o.top_decile_value_share is None
    text = render(o.sections())
    assert "monetary" not in text
    assert "top 10%" not in text


def test_holdout_overview(log):
    split = calibration_holdout_summary(
        log, calibration_end="2024-01-31", observation_end=END, time_unit="week"
    )
    o = holdout_overview(split, max_frequency=2)
    assert (o.n_customers, o.n_excluded) == (3, 1)  # d first buys after the calibration end
    assert (o.calibration_repeat_purchases, o.holdout_purchases) == (2, 1)
    # ages at Jan 31: a 30 days, b 23, c 9; holdout Feb 1 .. Feb 26 is 26 days for 3 customers
    assert o.calibration_exposure == pytest.approx(62 / 7)
    assert o.holdout_exposure == pytest.approx(3 * 26 / 7)
    assert o.calibration_rate == pytest.approx(2 / (62 / 7))
    assert o.holdout_rate == pytest.approx(1 / (78 / 7))
    assert (o.calibration_spend_per_purchase, o.holdout_spend_per_purchase) == (25.0, 60.0)
    assert o.calibration_active_share == o.holdout_active_share == pytest.approx(1 / 3)
    buckets = [
        (b.calibration_frequency, b.customers, b.mean_holdout_purchases, b.active_share)
        for b in o.buckets
    ]
    assert buckets == [("0", 2, 0.5, 0.5), ("2+", 1, 0.0, 0.0)]


def test_holdout_overview_rejects_bad_max_frequency(log):
    split = calibration_holdout_summary(log, calibration_end="2024-01-31", observation_end=END)
    with pytest.raises(InvalidInputError, match="max_frequency=0 is invalid"):
        holdout_overview(split, max_frequency=0)


def test_overviews_are_strict_json(log):
    from ecomstrat import simulate_transactions

    split = calibration_holdout_summary(log, calibration_end="2024-01-31", observation_end=END)
    parts = [
        data_overview(log),
        summary_overview(rfm_summary(log)),
        holdout_overview(split),
        simulation_overview(simulate_transactions(50, seed=1)),
    ]
    for part in parts:
        assert json.loads(json.dumps(part.to_dict(), allow_nan=False)) == part.to_dict()
        assert all(isinstance(s, Section) for s in part.sections())


def test_section_checks_row_widths():
    with pytest.raises(InvalidInputError, match=r"rows\[1\].*has 1 cells but the section has 2"):
        Section("t", [["a", "1"], ["b"]])
    with pytest.raises(InvalidInputError, match="has 2 cells but the section has 3"):
        Section("t", [["a", "1"]], header=["", "x", "y"])
    assert Section("empty", []).width == 0


def test_render_aligns_columns_and_wraps_notes():
    section = Section(
        "Table",
        [["one", "1", "1.50"], ["three", "333", "22.25"]],
        header=["name", "n", "value"],
        notes=["word " * 12],
    )
    assert render_section(section, width=30).splitlines() == [
        "Table",
        "=====",
        "  name      n   value",
        "  ----      -   -----",
        "  one       1    1.50",
        "  three   333   22.25",
        "  word word word word word",
        "  word word word word word",
        "  word word",
    ]


def test_render_joins_sections_with_a_blank_line():
    text = render([Section("A", [["x", "1"]]), Section("B", [], notes=["only a note"])])
    assert text == "A\n=\n  x   1\n\nB\n=\n  only a note"
