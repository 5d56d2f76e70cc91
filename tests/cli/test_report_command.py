"""``ecomstrat report FILE``: text, JSON, HTML, and one-line errors, on small files."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from ecomstrat import simulate_transactions
from ecomstrat.cli import main
from ecomstrat.datasets.campaigns import simulate_campaigns

N_CUSTOMERS = 400
PNG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A simulated order file (with margins) and its campaigns, as CSV."""
    folder = tmp_path_factory.mktemp("report")
    sim = simulate_transactions(N_CUSTOMERS, seed=11, start="2024-01-01")
    log = sim.log
    orders = folder / "orders.csv"
    with orders.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer", "ordered_at", "value", "gross_margin"])
        for k, (i, t, a) in enumerate(zip(log.customer_index, log.times, log.amounts, strict=True)):
            stamp = str(t.astype("datetime64[s]")).replace("T", " ")
            writer.writerow(
                [k, f"c{int(log.customer_ids[i]):05d}", stamp, f"{a:.2f}", f"{0.4 * a:.2f}"]
            )
    campaigns = folder / "campaigns.csv"
    with campaigns.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["campaign_id", "channel", "spend", "currency", "start", "end"])
        for c in simulate_campaigns(sim, seed=11):
            writer.writerow([c.campaign_id, c.channel, str(c.spend.amount), "USD", c.start, c.end])
    return {"orders": orders, "campaigns": campaigns, "folder": folder}


def columns(files: dict[str, Path]) -> list[str]:
    return [
        str(files["orders"]),
        "--customer-id",
        "customer",
        "--time",
        "ordered_at",
        "--amount",
        "value",
    ]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["report", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_text_report(files, capsys):
    status, out, err = run(capsys, *columns(files), "--holdout-weeks", "26")
    assert status == 0, err
    assert err == ""
    assert out.startswith("ecomstrat ")
    assert "strategy report: orders.csv" in out
    for title in (
        "Transaction log",
        "RFM summary (weeks)",
        "BG/NBD purchase model (weeks)",
        "Gamma-Gamma spend model",
        "P(alive), BG/NBD",
        "Predicted CLV (12 months, revenue)",
        "Calibration vs holdout",
        "Model check: holdout purchases, predicted vs actual",
        "Tracking: repeat purchases by week",
        "Model check: verdict",
        "Cohort retention (monthly)",
        f"Scores ({N_CUSTOMERS} customers)",
    ):
        assert f"\n{title}\n{'=' * len(title)}\n" in out
    assert "CAC payback" not in out  # no campaigns given
    text = " ".join(out.split())
    assert "(revenue: no gross margin rate was given)" in text  # no margin: a revenue CLV
    assert "P(alive) = 1" in text
    assert "--model mbgnbd" in text


def test_json_report_with_campaigns_and_margins(files, capsys):
    status, out, err = run(
        capsys,
        *columns(files),
        "--margin",
        "gross_margin",
        "--currency",
        "USD",
        "--campaigns",
        str(files["campaigns"]),
        "--calibration-end",
        "2024-09-30",
        "--scorers",
        "rfm,p_alive",
        "--json",
    )
    assert status == 0, err
    report = json.loads(out)
    assert set(report) >= {
        "settings",
        "data",
        "summary",
        "model",
        "clv",
        "holdout",
        "model_check",
        "tracking",
        "lifecycle",
        "acquisition",
        "scorers",
        "warnings",
    }
    assert "markets" not in report
    assert report["settings"]["columns"] == {
        "customer_id": "customer",
        "time": "ordered_at",
        "amount": "value",
        "margin": "gross_margin",
    }
    data = report["data"]
    assert data["n_customers"] == N_CUSTOMERS
    assert data["margin"] == pytest.approx(0.4 * data["revenue"], rel=1e-3)
    assert report["clv"]["margin"] == pytest.approx(0.4, abs=1e-3)
    assert report["clv"]["mean_clv"] > 0
    assert report["holdout"]["calibration_end"].startswith("2024-09-30")
    campaigns = report["acquisition"]["campaigns"]
    assert sum(campaigns["customers"]) == N_CUSTOMERS
    assert all(cac > 0 for cac in campaigns["cac"])
    assert set(report["scorers"]["scorers"]) == {"rfm", "p_alive"}
    tiers = report["lifecycle"]["tier_counts"]
    assert sum(tiers.values()) == N_CUSTOMERS


def test_observation_end_drops_later_orders(files, capsys):
    status, out, err = run(capsys, *columns(files), "--observation-end", "2024-12-31", "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["data"]["last_order"] <= "2024-12-31T23:59:59"
    assert report["summary"]["observation_end"].startswith("2024-12-31")


def test_html_report_is_self_contained(files, capsys):
    pytest.importorskip("matplotlib")
    page = files["folder"] / "report.html"
    status, _out, err = run(
        capsys,
        *columns(files),
        "--margin",
        "gross_margin",
        "--currency",
        "USD",
        "--campaigns",
        str(files["campaigns"]),
        "--holdout-weeks",
        "26",
        "--html",
        str(page),
    )
    assert status == 0, err
    text = page.read_text(encoding="utf-8")
    assert text.count(PNG) == 11  # every figure of ecomstrat.report.figures.FIGURES
    for title in (
        "Distribution of predicted CLV",
        "Tracking: cumulative repeat purchases",
        "CAC payback curves",
    ):
        assert f"<figcaption>{title}</figcaption>" in text
    assert not re.search(r"(?:src|href)=\"(?!data:|#)", text)  # nothing to fetch
    assert "http://" not in text
    assert "https://" not in text
    assert "<script" not in text
    assert "<h2>Predicted CLV (12 months, gross margin)</h2>" in text


def test_html_without_matplotlib_is_a_clear_error(files, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = run(capsys, *columns(files), "--html", str(files["folder"] / "x.html"))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "pip install 'ecomstrat[plot]'" in err


def test_whitespace_delimiter_and_positions_without_header(tmp_path, capsys):
    sim = simulate_transactions(300, seed=2)
    lines = [
        f"{int(sim.log.customer_ids[i]):05d}  {str(t)[:10].replace('-', '')}   {a:.2f}"
        for i, t, a in zip(sim.log.customer_index, sim.log.times, sim.log.amounts, strict=True)
    ]
    path = tmp_path / "orders.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, err = run(
        capsys,
        str(path),
        "--no-header",
        "--delimiter",
        "whitespace",
        "--time-format",
        "%Y%m%d",
        "--json",
    )
    assert status == 0, err
    report = json.loads(out)
    assert report["data"]["n_customers"] == 300
    assert report["settings"]["columns"] == {"customer_id": 0, "time": 1, "amount": 2}


# ------------------------------------------------------------------------------------ errors


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("ecomstrat: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_missing_column_names_it_and_lists_the_columns(files, capsys):
    err = one_line_error(capsys, str(files["orders"]), "--customer-id", "customer")
    assert "--time time is not a column of the header of" in err
    for name in ("order_id", "customer", "ordered_at", "value", "gross_margin"):
        assert f"'{name}'" in err
    assert "--time" in err


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert "is empty" in one_line_error(capsys, str(path))
    path.write_text("customer_id,time,amount\n", encoding="utf-8")
    assert "holds a header but no data row" in one_line_error(capsys, str(path))


def test_missing_file(tmp_path, capsys):
    err = one_line_error(capsys, str(tmp_path / "nowhere.csv"))
    assert "no such file" in err


def test_bad_date(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,time,amount\na,2024-01-05,10\nb,2024-13-45,5\n", "utf-8")
    err = one_line_error(capsys, str(path))
    assert "line 3" in err
    assert "'2024-13-45'" in err


def test_non_numeric_amount(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,time,amount\na,2024-01-05,10\nb,2024-01-06,ten\n", "utf-8")
    err = one_line_error(capsys, str(path))
    assert "line 3" in err
    assert "'ten'" in err
    assert "is not a number" in err


def test_bad_option_values(files, capsys):
    base = columns(files)
    assert "--observation-end yesterday is invalid" in one_line_error(
        capsys, *base, "--observation-end", "yesterday"
    )
    err = one_line_error(capsys, *base, "--scorers", "rfm,nope")
    assert "'nope'" in err
    assert "'rfm'" in err
    err = one_line_error(capsys, *base, "--calibration-end", "2030-01-01")
    assert "--calibration-end 2030-01-01 is invalid" in err
    assert "calibration_end" not in err
    err = one_line_error(capsys, *base, "--markets", "DE")
    assert "--currency" in err
    err = one_line_error(capsys, *base, "--campaigns", str(files["campaigns"]))
    assert "--currency USD" in err


def test_cdnow_report(shared_data, capsys, tmp_path):
    """The CDNOW cohort, as in Fader, Hardie & Lee (2005): 39 weeks of calibration."""
    argv = [
        str(shared_data / "cdnow_master.txt"),
        "--delimiter",
        "whitespace",
        "--time",
        "date",
        "--amount",
        "dollar_value",
        "--time-format",
        "%Y%m%d",
        "--holdout-weeks",
        "39",
        "--json",
    ]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    report = json.loads(out)
    assert report["data"]["n_customers"] == 23_570
    assert report["data"]["n_orders"] == 69_659
    assert report["holdout"]["calibration_end"].startswith("1997-09-30")
    check = report["model_check"]
    assert check["n_customers"] == 23_570
    assert check["verdict"] in {"good", "acceptable", "poor"}
    assert 0.7 < check["expected_purchases"] / check["actual_purchases"] < 1.1
    r = report["model"]["fit"]["estimates"]["r"]
    assert 0.2 < r < 0.35  # the published 1/10 sample gives 0.243
    assert report["clv"]["n_excluded_from_spend_fit"] == 1  # one repeat buyer spent 0


def test_parquet_by_extension(files, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from ecomstrat import read_csv

    log = read_csv(files["orders"], customer_id="customer", time="ordered_at", amount="value")
    table = pa.table(
        {
            "customer": log.customer_ids[log.customer_index],
            "ordered_at": log.times,
            "value": log.amounts,
        }
    )
    path = files["folder"] / "orders.parquet"
    pq.write_table(table, path)
    argv = [str(path), "--customer-id", "customer", "--time", "ordered_at", "--amount", "value"]
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    assert json.loads(out)["data"]["n_orders"] == log.n_transactions
    err = one_line_error(capsys, str(path), "--amount", "total")
    assert "'value'" in err


def test_markets_need_rates_for_other_currencies(files, capsys):
    base = [
        *columns(files),
        "--currency",
        "USD",
        "--gross-margin-rate",
        "0.4",
        "--markets",
        "GB,DE",
    ]
    status, out, err = run(capsys, *base, "--fx", "GBP=0.79,EUR=0.91")
    assert status == 0, err
    assert "Assumed for each market: 60 orders a month of" in " ".join(out.split())
    status, out, err = run(capsys, *base, "--fx", "GBP=0.79", "--json")
    assert status == 2
    assert "--fx EUR=" in err
    status, out, err = run(capsys, *base[:-1], "GB", "--fx", "GBP=0.79", "--json")
    assert status == 0, err
    assert json.loads(out)["markets"]["country"] == ["GB"]


CDNOW_COLUMNS = [
    "--delimiter",
    "whitespace",
    "--time",
    "date",
    "--amount",
    "dollar_value",
    "--time-format",
    "%Y%m%d",
]


def test_cdnow_customers_file_holds_the_library_clv(shared_data, capsys, tmp_path):
    """Acceptance: one row per CDNOW customer, CLV as customer_lifetime_value computes it."""
    from ecomstrat.io import read_csv
    from ecomstrat.metrics.clv import customer_lifetime_value
    from ecomstrat.metrics.summary import rfm_summary
    from ecomstrat.models.bgnbd import BGNBD
    from ecomstrat.models.gamma_gamma import GammaGamma, NonPositiveSpendWarning

    path = shared_data / "cdnow_master.txt"
    out_csv = tmp_path / "out.csv"
    argv = [str(path), *CDNOW_COLUMNS, "--gross-margin-rate", "0.3", "--customers", str(out_csv)]
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    report = json.loads(out)
    assert "customer '10244'" in " ".join(report["warnings"])  # spent $0: said, not hidden
    with out_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 23_570

    log = read_csv(
        path, time="date", amount="dollar_value", delimiter="whitespace", time_format="%Y%m%d"
    )
    summary = rfm_summary(log, time_unit="week")
    with pytest.warns(NonPositiveSpendWarning):
        library = customer_lifetime_value(
            summary,
            purchase_model=BGNBD().fit(summary),
            spend=GammaGamma().fit(summary),
            horizon=12,
            horizon_unit="month",
            annual_discount_rate=0.10,
            gross_margin_rate=0.3,
        )
    assert [r["customer_id"] for r in rows] == [str(c) for c in library.customer_ids]
    clv = np.array([float(r["clv"]) for r in rows])
    np.testing.assert_allclose(clv, library.clv, rtol=1e-12)
    lower = np.array([float(r["clv_lower"]) for r in rows])
    upper = np.array([float(r["clv_upper"]) for r in rows])
    assert (lower <= clv).all()
    assert (clv <= upper).all()
    assert (lower < upper).all()
    assert report["clv"]["mean_clv"] == pytest.approx(library.clv.mean())
    assert report["scorers"]["scorers"]["clv"]["mean"] == pytest.approx(library.clv.mean())
    row = rows[[r["customer_id"] for r in rows].index("10244")]
    assert float(row["clv"]) > 0  # a defined CLV for the $0 repeat buyer


def test_two_months_of_cdnow_report_every_part(shared_data, capsys, tmp_path):
    """The first 20,200 orders by date: the migration window is longer than the log."""
    lines = (shared_data / "cdnow_master.txt").read_text(encoding="utf-8").splitlines()
    orders = sorted(lines[1:], key=lambda line: line.split()[1])[:20_200]
    short = tmp_path / "cdnow_2m.txt"
    short.write_text("\n".join([lines[0], *orders]) + "\n", encoding="utf-8")
    status, out, err = run(capsys, str(short), *CDNOW_COLUMNS, "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["data"]["n_orders"] == 20_200
    for part in ("model", "clv", "tracking", "lifecycle", "acquisition"):
        assert "skipped" not in report[part], part
    assert set(report["scorers"]["scorers"]) == {"churn_risk", "clv", "p_alive", "rfm"}
    assert report["lifecycle"]["previous"].startswith("1997-01-01")


def test_one_time_buyers_skip_model_parts_with_a_reason(files, capsys, tmp_path):
    first_orders = tmp_path / "first.csv"
    with files["orders"].open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    seen: set[str] = set()
    kept = [rows[0]] + [r for r in rows[1:] if not (r[1] in seen or seen.add(r[1]))]
    with first_orders.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(kept)
    argv = [str(first_orders), *columns(files)[1:]]
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    report = json.loads(out)
    assert "frequency" in report["model"]["skipped"]
    assert report["clv"]["skipped"]
    assert report["tracking"]["skipped"]
    assert report["lifecycle"]["n_customers"] == N_CUSTOMERS
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert "Skipped: frequency=" in out


def test_model_flag_and_customers_parquet(files, capsys, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    target = tmp_path / "customers.parquet"
    status, out, err = run(
        capsys, *columns(files), "--model", "mbgnbd", "--customers", str(target), "--json"
    )
    assert status == 0, err
    report = json.loads(out)
    assert report["settings"]["model"] == "mbgnbd"
    assert report["model"]["name"] == "MBG/NBD"
    table = pq.read_table(target)
    assert table.num_rows == N_CUSTOMERS
    assert table.column_names[:3] == ["customer_id", "x", "t_x"]


def test_customers_parquet_without_pyarrow_fails_first(files, capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    status, out, err = run(capsys, *columns(files), "--customers", str(tmp_path / "c.parquet"))
    assert status == 2
    assert out == ""
    assert "ecomstrat[pyarrow]" in err
    assert not (tmp_path / "c.parquet").exists()


def test_errors_name_the_flags(files, capsys):
    err = one_line_error(capsys, *columns(files), "--time-format", "%Y%m%d")
    assert "--time-format '%Y%m%d'" in err
    assert "time_format" not in err
    err = one_line_error(capsys, *columns(files), "--holdout-weeks", "500")
    assert err.startswith("ecomstrat: error: --holdout-weeks 500 is invalid")
