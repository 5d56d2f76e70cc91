"""build_report, the HTML renderer and the campaign reader, without the command line."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from ecomstrat import InvalidInputError, TransactionLog, simulate_transactions
from ecomstrat.exceptions import EmptyInputError, UnknownCodeError
from ecomstrat.report import Section
from ecomstrat.report.html import Image, render_html
from ecomstrat.report.inputs import read_campaigns
from ecomstrat.report.pipeline import ReportOptions, build_report


@pytest.fixture(scope="module")
def sim():
    return simulate_transactions(500, seed=8, start="2024-01-01")


def test_parts_follow_the_options(sim):
    steps: list[str] = []
    report = build_report(sim.log, progress=steps.append)
    assert "holdout" not in report.parts
    assert "model_check" not in report.parts
    assert report.data.tracking.calibration_end is None
    assert steps[0] == "summarising"
    assert "fitting BG/NBD" in steps
    assert "calibration vs holdout" not in steps
    json.dumps(report.to_dict(), allow_nan=False)
    assert all(isinstance(s, Section) for s in report.sections())

    report = build_report(sim.log, options=ReportOptions(holdout_weeks=20, scorers=["rfm"]))
    assert report.parts["model_check"].holdout_length == pytest.approx(20.0, abs=1 / 7)
    assert list(report.parts["scorers"].scorers) == ["rfm"]


def test_clv_tiers_and_plot_data_agree(sim):
    report = build_report(sim.log, options=ReportOptions(gross_margin_rate=0.3))
    data = report.data
    assert data.clv.shape == (500,)
    assert report.parts["clv"].total_clv == pytest.approx(data.clv.sum())
    assert report.parts["clv"].margin == 0.3
    cutoffs = data.tier_cutoffs
    assert list(cutoffs) == ["top 1%", "top 10%"]
    assert (data.clv >= cutoffs["top 10%"]).sum() <= 50
    assert report.parts["lifecycle"].value_basis == "predicted CLV over 12 months"


def test_observation_end_truncates_and_dates_are_checked(sim):
    report = build_report(sim.log, options=ReportOptions(observation_end="2024-06-30"))
    assert report.parts["data"].last_order < np.datetime64("2024-07-01")
    with pytest.raises(EmptyInputError, match="before the first order"):
        build_report(sim.log, options=ReportOptions(observation_end="2023-01-01"))
    with pytest.raises(InvalidInputError, match="cannot be combined"):
        ReportOptions(holdout_weeks=10, calibration_end="2024-06-01")
    with pytest.raises(InvalidInputError, match="gross_margin_rate=40"):
        ReportOptions(gross_margin_rate=40)


def test_html_escapes_and_embeds():
    page = render_html(
        [
            Section("A <b>", [["x & y", "1"]], header=["", "n"], notes=["<script>"]),
            Image("plot", b"\x89PNG\r\n", "alt <text>"),
        ],
        title="T",
    )
    assert "A &lt;b&gt;" in page
    assert "x &amp; y" in page
    assert "&lt;script&gt;" in page
    assert "<script" not in page
    assert 'src="data:image/png;base64,iVBORw0K"' in page
    assert 'alt="alt &lt;text&gt;"' in page
    assert '<td class="num">1</td>' in page


def test_read_campaigns_errors():
    header = "campaign_id,channel,spend,currency,start,end\n"
    with pytest.raises(UnknownCodeError, match="'campaign_id', 'channel', 'spend'"):
        read_campaigns(io.StringIO("campaign_id,channel,spend\n"))
    with pytest.raises(EmptyInputError):
        read_campaigns(io.StringIO(header))
    with pytest.raises(InvalidInputError, match=r"line 2, column 'start'.*YYYY-MM-DD"):
        read_campaigns(io.StringIO(header + "a,search,10,USD,01/02/2024,2024-02-01\n"))
    with pytest.raises(InvalidInputError, match=r"line 2, column 'spend'"):
        read_campaigns(io.StringIO(header + "a,search,lots,USD,2024-01-01,2024-02-01\n"))
    with pytest.raises(InvalidInputError, match=r"line 2: end="):
        read_campaigns(io.StringIO(header + "a,search,10,USD,2024-03-01,2024-02-01\n"))


def test_customers_acquired_on_the_report_date(sim):
    log = sim.log
    last = log.times.max()
    ids = np.concatenate([log.customer_ids[log.customer_index].astype(str), ["newcomer"]])
    times = np.concatenate([log.times, [last]])
    amounts = np.concatenate([log.amounts, [25.0]])
    grown = TransactionLog.from_arrays(ids, times, amounts, currency="USD")
    report = build_report(
        grown, options=ReportOptions(calibration_end=last - np.timedelta64(1, "D"))
    )
    assert report.parts["clv"].n_customers == 501
    assert any("age T = 0" in note for note in report.notes)
    assert report.sections()[-1].title == "Notes"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_offset": -3}, "max_offset=-3 is invalid: must be >= 0."),
        ({"max_offset": 2.5}, "max_offset=2.5 is invalid: must be an int."),
        ({"migration_weeks": 0}, "migration_weeks=0 is invalid: must be >= 1."),
        ({"horizon": -1}, "horizon=-1.0 is invalid: must be > 0."),
        (
            {"horizon": "12"},
            "horizon='12' is invalid: must be a number, not str. Convert text to numbers first,"
            " e.g. float(value).",
        ),
        ({"holdout_weeks": 0}, "holdout_weeks=0 is invalid: must be > 0."),
        ({"holdout_weeks": True}, "holdout_weeks=True is invalid: must be a number, not bool."),
        (
            {"annual_discount_rate": 10},
            "annual_discount_rate=10.0 is invalid: must lie in [0, 1]. Give rates as fractions"
            " (0.2, not 20).",
        ),
        ({"gross_margin_rate": -0.2}, "gross_margin_rate=-0.2 is invalid: must be > 0."),
        (
            {"gross_margin_rate": 40},
            "gross_margin_rate=40 is invalid: must lie in (0, 1]. 40% is 0.4.",
        ),
        ({"top_shares": (0.5, 0.1)}, "top_shares=(0.5, 0.1) is invalid: must be strictly"),
        ({"top_shares": (0.1, 1.5)}, "top_shares[1]=1.5 is invalid: must lie in (0, 1)."),
        ({"top_shares": None}, "top_shares=None is invalid: must be a sequence of shares."),
        ({"top_shares": ["a"]}, "top_shares[0]='a' is invalid: must be a number, not str."),
        ({"scorers": 5}, "scorers=5 is invalid: must be a sequence of scorer names."),
    ],
)
def test_report_options_check_every_number(kwargs, message):
    with pytest.raises(InvalidInputError) as caught:
        ReportOptions(**kwargs)
    assert str(caught.value).startswith(message)


def test_report_options_take_numpy_numbers():
    options = ReportOptions(max_offset=np.int64(3), horizon=np.float32(6), top_shares=[0.05])
    assert (options.max_offset, options.horizon, options.top_shares) == (3, 6.0, (0.05,))
    assert type(options.max_offset) is int
