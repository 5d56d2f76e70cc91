"""The report's covariates part: effects as rate multipliers, the LR test, and how it degrades."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.cli import main
from ecomstrat.report.covariates import covariates_overview
from ecomstrat.report.pipeline import ReportOptions, build_report
from ecomstrat.report.section import SkippedPart

SIM = es.simulate_covariate_transactions(1_500, seed=11)
SUMMARY = es.rfm_summary(SIM.log, observation_end=SIM.observation_end, time_unit="week")


def test_effects_are_the_fitted_coefficients_with_wald_intervals() -> None:
    part = covariates_overview(SUMMARY, SIM.covariates)
    fitted = part.model
    assert fitted.fit is not None
    assert (part.n_customers, part.n_without, part.dropped) == (1_500, 0, ())
    for effect in part.effects:
        name = f"{effect.process}.{effect.covariate}"
        se = fitted.fit.standard_errors[name]
        assert effect.coefficient == fitted.coefficients[name]
        assert effect.multiplier == pytest.approx(math.exp(effect.coefficient))
        # 95 % Wald interval on the log scale: exp(g ± 1.96 se)
        assert effect.lower == pytest.approx(math.exp(effect.coefficient - 1.959964 * se))
        assert effect.upper == pytest.approx(math.exp(effect.coefficient + 1.959964 * se))
    # LR = 2 (ℓ_cov − ℓ_plain) on 4 coefficients; the simulated effects are strong
    assert part.degrees_of_freedom == 4
    assert part.likelihood_ratio == pytest.approx(
        2 * (fitted.fit.log_likelihood - part.baseline.fit.log_likelihood)  # type: ignore[union-attr]
    )
    assert part.p_value < 1e-6
    document = json.loads(json.dumps(part.to_dict(), allow_nan=False))
    assert [e["covariate"] for e in document["effects"]] == ["offline", "newsletter"] * 2


def test_missing_customers_and_constant_columns_are_left_out_and_named() -> None:
    ids = SIM.covariates.customer_ids[:1_000]  # 500 customers without covariates
    values = SIM.covariates.values[:1_000]
    covariates = es.CustomerCovariates.from_arrays(
        ids, {"offline": values[:, 0], "newsletter": values[:, 1], "region": np.ones(1_000)}
    )
    part = covariates_overview(SUMMARY, covariates)
    assert (part.n_customers, part.n_without, part.dropped) == (1_000, 500, ("region",))
    notes = " ".join(part.sections()[0].notes)
    assert "500 customers without covariates" in notes
    assert "constant across these customers: region" in notes


def test_covariates_of_other_customers_skip_the_part_with_a_reason() -> None:
    other = es.CustomerCovariates.from_arrays(["a", "b"], {"offline": [0.0, 1.0]})
    report = build_report(SIM.log, options=ReportOptions(holdout_weeks=13), covariates=other)
    part = report.parts["covariates"]
    assert isinstance(part, SkippedPart)
    assert "covariates" in part.reason


def test_cli_reads_a_covariates_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = tmp_path / "orders.csv"
    columns = SIM.log.columns()
    days = columns["time"].astype("datetime64[D]")
    ids, amounts = columns["customer_id"], columns["amount"]
    rows = [f"{c},{d},{a:.2f}" for c, d, a in zip(ids, days, amounts, strict=True)]
    orders.write_text("customer_id,date,amount\n" + "\n".join(rows) + "\n")
    covariates = tmp_path / "covariates.csv"
    table = SIM.covariates
    lines = [
        f"{i},{int(o)},{int(n)}" for i, (o, n) in zip(table.customer_ids, table.values, strict=True)
    ]
    covariates.write_text("customer_id,offline,newsletter\n" + "\n".join(lines) + "\n")
    arguments = ["report", str(orders), "--time", "date", "--covariates", str(covariates)]
    assert main([*arguments, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["settings"]["covariates"] == str(covariates)
    assert report["covariates"]["customers"] == 1_500
    assert len(report["covariates"]["effects"]) == 4
