"""Parts that cannot be computed are skipped with a reason; the per-customer table."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

from ecomstrat import TransactionLog, simulate_transactions
from ecomstrat.exceptions import MissingDependencyError, UnknownCodeError
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.report import render
from ecomstrat.report.customers import write_customers
from ecomstrat.report.pipeline import ReportOptions, build_report
from ecomstrat.report.section import SkippedPart
from ecomstrat.scoring import CLVScorer, ScoringContext


@pytest.fixture(scope="module")
def sim():
    return simulate_transactions(600, seed=21, start="2024-01-01")


@pytest.fixture(scope="module")
def report(sim):
    return build_report(sim.log, options=ReportOptions(gross_margin_rate=0.3))


def one_time_log(log: TransactionLog) -> TransactionLog:
    first = np.unique(log.customer_index, return_index=True)[1]
    return TransactionLog.from_arrays(
        log.customer_ids[log.customer_index[first]], log.times[first], log.amounts[first]
    )


def test_one_time_buyers_only_skip_the_model_parts_and_say_why(sim):
    report = build_report(one_time_log(sim.log), options=ReportOptions(holdout_weeks=2))
    skipped = {name for name, part in report.parts.items() if isinstance(part, SkippedPart)}
    absent = {"aarrr", "carts", "baskets", "products", "service", "reviews", "covariates"}
    assert skipped - {"business_phase"} == {"model", "clv", "model_check", "tracking"} | absent
    for name in absent:
        assert report.parts[name].reason.startswith("no "), name
        assert "FILE)" in report.parts[name].reason, name
    for name in skipped:
        assert report.to_dict()[name]["skipped"]
    assert "frequency" in report.parts["model"].reason  # the library's own reason
    text = render(report.sections())
    assert "Skipped: " in text
    assert "Lifecycle stages at" in text
    assert "Cohort retention (monthly)" in text
    assert report.data.clv is None
    assert report.data.p_alive is None
    assert set(report.figures()) == {"stage_migration", "retention"}
    table = report.data.customers
    assert len(table) == 600
    assert np.isnan(table.clv).all()
    assert np.isnan(table.clv_upper).all()
    assert (table.x == 0).all()


def test_all_zero_amounts_skip_the_clv_only(sim):
    log = sim.log
    zero = TransactionLog.from_arrays(
        log.customer_ids[log.customer_index], log.times, np.zeros(log.n_transactions)
    )
    report = build_report(zero)
    assert isinstance(report.parts["clv"], SkippedPart)
    assert "positive spend" in report.parts["clv"].reason
    assert not isinstance(report.parts["model"], SkippedPart)
    assert not isinstance(report.parts["tracking"], SkippedPart)
    assert np.isfinite(report.data.customers.p_alive).all()
    html = report.to_html()
    assert "Skipped: no repeat buyers with a positive spend" in html


def test_a_short_log_measures_migration_from_its_first_order(sim):
    log = sim.log
    early = log.times < np.datetime64("2024-02-15")
    short = TransactionLog.from_arrays(
        log.customer_ids[log.customer_index[early]], log.times[early], log.amounts[early]
    )
    report = build_report(short)
    assert str(report.parts["lifecycle"].previous)[:10] == str(short.times.min())[:10]
    assert any("stage migration is measured from the first order" in n for n in report.notes)


def test_purchase_model_choice(sim):
    bgnbd = build_report(sim.log)
    mbgnbd = build_report(sim.log, options=ReportOptions(model="mbgnbd"))
    pnbd = build_report(sim.log, options=ReportOptions(model="pnbd"))
    one_time = bgnbd.data.summary.frequency == 0
    assert (bgnbd.data.p_alive[one_time] == 1.0).all()
    assert (mbgnbd.data.p_alive[one_time] < 1.0).all()
    assert (pnbd.data.p_alive[one_time] < 1.0).all()
    assert mbgnbd.parts["model"].name == "MBG/NBD"
    assert [s.title for s in pnbd.parts["model"].sections()] == [
        "Pareto/NBD purchase model (weeks)",
        "P(alive), Pareto/NBD",
    ]
    notes = " ".join(bgnbd.parts["model"].sections()[1].notes)
    assert "P(alive) = 1" in notes
    assert "MBG/NBD" in notes
    with pytest.raises(UnknownCodeError, match="model='bgbb'"):
        ReportOptions(model="bgbb")


def test_clv_scorer_report_and_customers_share_one_definition(sim, report):
    summary = report.data.summary
    bgnbd = BGNBD().fit(summary)
    spend = GammaGamma().fit(summary)
    library = customer_lifetime_value(
        summary,
        purchase_model=bgnbd,
        spend=spend,
        horizon=12,
        horizon_unit="month",
        annual_discount_rate=0.1,
        gross_margin_rate=0.3,
    )
    scorer = CLVScorer(gross_margin_rate=0.3, spend_model=spend)
    scored = scorer.score(ScoringContext(summary, model=bgnbd))
    np.testing.assert_array_equal(report.data.customers.clv, library.clv)
    np.testing.assert_array_equal(scored, library.clv)
    np.testing.assert_array_equal(
        report.data.customers.expected_purchases, library.expected_purchases
    )
    clv_part = report.parts["clv"]
    assert clv_part.basis == "gross margin"
    assert clv_part.mean_clv == pytest.approx(library.clv.mean())
    assert report.parts["scorers"].scorers["clv"].mean == pytest.approx(library.clv.mean())
    assert "30 % gross margin" in report.parts["scorers"].scorers["clv"].description


def test_customer_table_columns_and_files(report, tmp_path):
    table = report.data.customers
    assert list(table.columns()) == [
        "customer_id",
        "x",
        "t_x",
        "T",
        "monetary",
        "p_alive",
        "expected_purchases",
        "clv",
        "clv_lower",
        "clv_upper",
        "lifecycle_stage",
        "rfm_segment",
        "value_tier",
        "recommended_action",
    ]
    assert len(table) == 600
    assert (table.clv_lower <= table.clv).all()
    assert (table.clv <= table.clv_upper).all()
    assert set(table.value_tier) <= {"top 1%", "top 10%", "rest"}
    assert all(action for action in table.recommended_action)
    path = write_customers(table, tmp_path / "c.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 600
    assert [float(r["clv"]) for r in rows] == table.clv.tolist()  # full precision
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    written = pq.read_table(write_customers(table, tmp_path / "c.parquet"))
    assert written.num_rows == 600
    np.testing.assert_array_equal(written.column("clv").to_numpy(), table.clv)


def test_parquet_without_pyarrow_names_the_extra(report, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match=r"ecomstrat\[pyarrow\]"):
        write_customers(report.data.customers, tmp_path / "c.parquet")
