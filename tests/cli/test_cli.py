"""The ``ecomstrat`` command line, called in-process through ``main``."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import ecomstrat
from ecomstrat.cli import COMPILE_NOTICE, _compile_notice, main

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
        "BG/NBD purchase model (weeks)",
        "Gamma-Gamma spend model",
        "P(alive), BG/NBD",
        "Predicted CLV (12 months, gross margin)",
        "Model check: holdout purchases, predicted vs actual",
        "Tracking: repeat purchases by week",
        "Model check: verdict",
        "Value tiers at 2025-06-30",
        "Cohort retention (monthly)",
        "CAC payback per campaign",
        "AARRR funnel KPIs",
        "AARRR by channel",
        "AARRR by month",
        "Product affinity (top rules by lift)",
        "Next-best products",
        "Scores (300 customers)",
        "Which market next? (USD)",
    ):
        assert f"\n{title}\n{'=' * len(title)}\n" in out
    # stderr is not a terminal: no progress line, only the notice when kernels compile
    assert err in ("", f"{COMPILE_NOTICE}\n")
    assert "Traceback" not in out


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_demo_shows_progress_on_a_terminal(capsys, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*SMALL, "--json"]) == 0
    progress = terminal.getvalue()
    assert "\recomstrat: warm-up..." in progress
    assert "\recomstrat: fitting BG/NBD..." in progress
    last = progress.rstrip("\n").split("\r")[-1]
    assert last.startswith("ecomstrat: done in ")
    json.loads(capsys.readouterr().out)  # stdout holds the JSON only


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
        "business_phase",
        "aarrr",
        "carts",
        "baskets",
        "products",
        "service",
        "reviews",
        "covariates",
        "markets",
        "model",
        "clv",
        "model_check",
        "tracking",
        "scorers",
        "warnings",
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
    for row, count in zip(
        lifecycle["migration_shares"], lifecycle["migration_counts"], strict=True
    ):
        if sum(count):
            assert sum(row) == pytest.approx(1.0)
    campaigns = report["acquisition"]["campaigns"]
    assert sum(campaigns["customers"]) == 300
    retention = report["acquisition"]["retention"]
    assert all(row[0] == 1.0 for row in retention["values"])  # everyone buys in month 0
    covariates = report["covariates"]
    assert covariates["customers"] == 300
    assert [(e["covariate"], e["process"]) for e in covariates["effects"]] == [
        ("offline", "purchase"),
        ("newsletter", "purchase"),
        ("offline", "dropout"),
        ("newsletter", "dropout"),
    ]
    assert covariates["likelihood_ratio"] >= 0.0
    assert all(e["lower"] <= e["multiplier"] <= e["upper"] for e in covariates["effects"])
    markets = report["markets"]
    assert sorted(markets["country"]) == ["AU", "DE", "GB"]
    assert holdout["holdout_rate"] < holdout["calibration_rate"]  # customers drop out
    clv = report["clv"]
    assert clv["n_customers"] == 300
    assert clv["margin"] == 0.4
    assert 0 < clv["clv_quantiles"]["0.1"] <= clv["clv_quantiles"]["0.5"] <= clv["mean_clv"]
    assert clv["total_clv"] == pytest.approx(300 * clv["mean_clv"])
    assert set(report["model"]["fit"]["estimates"]) == {"r", "alpha", "a", "b"}
    tiers = lifecycle["tier_value_shares"]
    assert tiers["top 1%"] + tiers["top 10%"] + tiers["rest"] == pytest.approx(1.0)
    check = report["model_check"]
    assert check["n_customers"] == holdout["n_customers"]
    assert check["actual_purchases"] == holdout["holdout_purchases"]
    assert 0.5 < check["expected_purchases"] / check["actual_purchases"] < 2.0
    tracking = report["tracking"]
    assert len(tracking["actual_cumulative"]) == len(tracking["expected_cumulative"]) >= 78
    assert tracking["actual_cumulative"] == sorted(tracking["actual_cumulative"])
    assert 0.5 < tracking["expected_cumulative"][-1] / tracking["actual_cumulative"][-1] < 2.0
    scorers = report["scorers"]["scorers"]
    assert {"rfm", "p_alive", "churn_risk", "clv"} <= set(scorers)
    assert 0.0 <= scorers["p_alive"]["minimum"] <= scorers["p_alive"]["maximum"] <= 1.0
    assert scorers["rfm"]["minimum"] >= 3
    assert scorers["rfm"]["maximum"] <= 15
    assert "lead" in report["scorers"]["skipped"]  # no engagement data in the demo
    assert report["warnings"] == []


def without_timings(value):
    """The report without the fits' wall-clock seconds, the one part that varies by run."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def test_demo_json_is_reproducible(capsys):
    first = run_json(capsys)
    assert first["model"]["fit"]["seconds"] >= 0
    assert without_timings(first) == without_timings(run_json(capsys))
    assert without_timings(run_json(capsys, "--seed", "4")) != without_timings(first)


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


def test_the_compile_notice_is_said_once_and_only_when_numba_compiles() -> None:
    import numba

    stream = io.StringIO()
    with _compile_notice(stream):
        numba.njit(lambda x: x + 1)(1)  # a new function: compiled here
        numba.njit(lambda x: x + 2)(1)
    assert stream.getvalue() == f"{COMPILE_NOTICE}\n"
    quiet = io.StringIO()
    compiled = numba.njit(lambda x: x + 3)
    compiled(1)
    with _compile_notice(quiet):
        assert compiled(2) == 5  # compiled before: nothing to compile
    assert quiet.getvalue() == ""
