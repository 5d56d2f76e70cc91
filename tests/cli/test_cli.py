"""The ``ecomstrat`` command line, called in-process through ``main``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ecomstrat
from ecomstrat.cli import main

SMALL = ["demo", "--customers", "300", "--seed", "3"]


def run_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    assert main([*SMALL, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_prints_every_section(capsys):
    assert main(SMALL) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"ecomstrat {ecomstrat.__version__} demo: 300 simulated customers")
    for title in (
        "Simulated customer base",
        "Transaction log",
        "RFM summary (weeks)",
        "Repeat purchases",
        "Calibration vs holdout",
        "Holdout purchases by calibration frequency",
        "Cohort retention (monthly)",
        "CAC payback per campaign",
        "Which market next? (USD)",
    ):
        assert f"\n{title}\n{'=' * len(title)}\n" in out
    assert "warm-up" in err
    assert "Traceback" not in out + err


def test_demo_json_has_sane_numbers(capsys):
    report = run_json(capsys)
    assert set(report) == {
        "ecomstrat",
        "settings",
        "simulation",
        "data",
        "summary",
        "holdout",
        "lifecycle",
        "acquisition",
        "markets",
    }
    assert report["settings"] == {
        "customers": 300,
        "seed": 3,
        "time_unit": "week",
        "start": "2024-01-01",
        "calibration_end": "2024-09-30",
    }
    data, summary, holdout = report["data"], report["summary"], report["holdout"]
    assert data["n_customers"] == summary["n_customers"] == 300
    assert data["n_orders"] >= 300
    assert sum(summary["repeat_purchase_counts"].values()) == 300
    assert sum(summary["repeat_purchase_shares"].values()) == pytest.approx(1.0)
    assert summary["one_time_buyers_share"] == summary["repeat_purchase_shares"]["0"]
    assert 0.1 <= summary["top_decile_value_share"] <= 1.0
    assert summary["T"]["mean"] <= 78.0
    assert summary["recency"]["mean"] <= summary["T"]["mean"]
    assert holdout["n_customers"] + holdout["n_excluded"] == 300
    assert holdout["holdout_length"] == pytest.approx(39.0)
    assert sum(b["customers"] for b in holdout["buckets"]) == holdout["n_customers"]
    lifecycle = report["lifecycle"]
    assert sum(lifecycle["stage_counts"].values()) == 300
    for row, count in zip(lifecycle["migration_shares"], lifecycle["migration_counts"]):
        if sum(count):
            assert sum(row) == pytest.approx(1.0)
    campaigns = report["acquisition"]["campaigns"]
    assert sum(campaigns["customers"]) == 300
    retention = report["acquisition"]["retention"]
    assert all(row[0] == 1.0 for row in retention["values"])  # everyone buys in month 0
    markets = report["markets"]
    assert sorted(markets["country"]) == ["AU", "DE", "GB"]
    assert holdout["holdout_rate"] < holdout["calibration_rate"]  # customers drop out


def test_demo_json_is_reproducible(capsys):
    assert run_json(capsys) == run_json(capsys)
    assert run_json(capsys, "--seed", "4") != run_json(capsys)


def test_demo_time_unit_scales_durations(capsys):
    weeks, days = run_json(capsys), run_json(capsys, "--time-unit", "day")
    assert days["summary"]["T"]["mean"] == pytest.approx(7 * weeks["summary"]["T"]["mean"])
    assert days["holdout"]["holdout_length"] == pytest.approx(273.0)


def test_library_error_is_one_line_and_exit_2(capsys):
    assert main(["demo", "--customers", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "ecomstrat: error: n_customers=0 is invalid: must be >= 1.\n"


def test_multiline_error_is_folded_into_one_line(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ecomstrat.InvalidInputError("first line\n  second line")

    monkeypatch.setattr(ecomstrat, "simulate_transactions", broken)
    assert main(SMALL) == 2
    assert capsys.readouterr().err == "ecomstrat: error: first line second line\n"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"ecomstrat {ecomstrat.__version__}\n"


@pytest.mark.parametrize("argv", [[], ["demo", "--customers", "many"], ["fly"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage: ecomstrat" in capsys.readouterr().err


def test_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "ecomstrat.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"ecomstrat {ecomstrat.__version__}"
