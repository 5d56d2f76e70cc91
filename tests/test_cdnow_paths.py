"""The documented paths run on CDNOW master (23,570 customers), the canonical real data set.

The tutorial's CDNOW block (docs/tutorial.md, "The same path on real data") is executed as
written, in the reference data folder; the migration guide's calls
(docs/howto-migrate-lifetimes.md) are made on the same log read through pandas. Both check real
values: the counts, the fitted parameters (lifetimes 0.11.3 finds the same), the one repeat
buyer who spent $0 (customer 10244) counted in a warning, and a finite CLV for everyone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import GammaGamma

pytestmark = pytest.mark.reference_data

DOCS = Path(__file__).resolve().parents[1] / "docs"
N_CUSTOMERS = 23_570
N_ORDERS = 69_659
ZERO_SPENDER = "10244"
#: Maximum-likelihood estimates on the whole cohort through 1998-06-30 (lifetimes agrees, 1e-6).
BGNBD_WEEKS = {"r": 0.267128, "alpha": 5.986492, "a": 0.483517, "b": 2.111608}
GAMMA_GAMMA = {"p": 5.086044, "q": 3.995121, "gamma": 21.252238}
#: What the warnings say about customer 10244.
FIT_WARNING = (
    r"^1 repeat buyer\(s\) with monetary <= 0 were left out of the fit, the first"
    r" monetary\[10243\]=0.0 \(customer '10244'\)"
)
CLV_WARNING = (
    r"^1 repeat buyer\(s\) with monetary <= 0 get the population mean spend p\*gamma/\(q-1\)"
    r" = 36.0886, like one-time buyers, the first monetary\[10243\]=0.0 \(customer '10244'\)"
)


def _tutorial_block() -> str:
    """The python block of the tutorial's CDNOW section, as written."""
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    section = text.split("## 6. The same path on real data: CDNOW", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return str(code)


@pytest.fixture(scope="module")
def tutorial(shared_data: Path) -> dict[str, Any]:
    """The namespace left by the tutorial's block, run in the reference data folder."""
    namespace: dict[str, Any] = {}
    code = compile(_tutorial_block(), "docs/tutorial.md", "exec")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(shared_data)
        with pytest.warns(es.NonPositiveSpendWarning) as caught:
            exec(code, namespace)
    namespace["warnings"] = [str(w.message) for w in caught]
    return namespace


def test_tutorial_reads_the_whole_cohort(tutorial: dict[str, Any]) -> None:
    log, summary = tutorial["log"], tutorial["summary"]
    assert (log.n_customers, log.n_transactions) == (N_CUSTOMERS, N_ORDERS)
    assert len(summary) == N_CUSTOMERS
    assert summary.time_unit is es.TimeUnit.WEEK
    assert int((summary.frequency == 0).sum()) == 12_054
    assert int((summary.frequency > 0).sum()) == 11_516


def test_tutorial_fits_match_the_maximum_likelihood_estimates(tutorial: dict[str, Any]) -> None:
    purchases, spend = tutorial["purchases"], tutorial["spend"]
    assert purchases.params.to_dict() == pytest.approx(BGNBD_WEEKS, rel=1e-5)
    assert purchases.fit.log_likelihood == pytest.approx(-173_425.916, abs=1e-2)
    assert spend.params.to_dict() == pytest.approx(GAMMA_GAMMA, rel=1e-5)
    assert spend.fit.log_likelihood == pytest.approx(-49_496.524, abs=1e-2)
    assert spend.fit.diagnostics.n_customers == 11_515  # the repeat buyers minus customer 10244


def test_tutorial_counts_the_zero_spender_and_values_everyone(tutorial: dict[str, Any]) -> None:
    summary, spend, clv = tutorial["summary"], tutorial["spend"], tutorial["clv"]
    fit_warning, clv_warning = tutorial["warnings"]
    assert re.match(FIT_WARNING, fit_warning), fit_warning
    assert re.match(CLV_WARNING, clv_warning), clv_warning
    i = int(np.flatnonzero(summary.customer_ids == ZERO_SPENDER)[0])
    assert (summary.frequency[i], summary.monetary[i]) == (1, 0.0)
    assert clv.expected_spend[i] == spend.params.mean_spend == pytest.approx(36.0886, abs=1e-4)
    assert len(clv) == N_CUSTOMERS
    assert np.isfinite(clv.clv).all()
    assert (clv.clv > 0).all()
    assert clv.total == pytest.approx(317_224.19, abs=0.05)
    assert float(np.median(clv.clv)) == pytest.approx(2.4172, abs=1e-4)
    assert tutorial["tiers"].counts == {"top 1%": 236, "top 10%": 2121, "rest": 21213}
    assert tutorial["tiers"].value_shares["top 1%"] == pytest.approx(0.2295, abs=1e-4)


def test_the_old_strictness_is_one_keyword_away(tutorial: dict[str, Any]) -> None:
    summary = tutorial["summary"]
    match = r"^monetary\[10243\]=0.0 \(customer '10244'\) is invalid: must be > 0 for a repeat"
    with pytest.raises(es.InvalidInputError, match=match):
        GammaGamma().fit(summary, non_positive="raise")
    with pytest.raises(es.InvalidInputError, match=match):
        customer_lifetime_value(
            summary,
            purchase_model=tutorial["purchases"],
            spend=tutorial["spend"],
            horizon=12,
            non_positive="raise",
        )


@pytest.mark.filterwarnings("ignore::ecomstrat.NonPositiveSpendWarning")
def test_tutorial_report_step_on_cdnow(tutorial: dict[str, Any]) -> None:
    from ecomstrat.report import render
    from ecomstrat.report.pipeline import ReportOptions, build_report

    options = ReportOptions(holdout_weeks=26, gross_margin_rate=0.4)
    report = build_report(tutorial["log"], options=options)
    assert {"data", "summary", "clv", "holdout", "model_check", "lifecycle"} <= set(report.parts)
    clv = report.parts["clv"]
    assert clv.n_customers == N_CUSTOMERS
    assert clv.total_clv == pytest.approx(tutorial["clv"].total, rel=1e-12)
    assert "Model check" in render(report.sections())


# --- the migration guide: pandas in, the lifetimes calls' counterparts -------------------------


@pytest.fixture(scope="module")
def cdnow_frame(shared_data: Path) -> Any:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(
        shared_data / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str}
    )
    frame = frame.rename(columns={"customer_id": "id", "dollar_value": "amount"})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def test_migration_guide_path(cdnow_frame: Any) -> None:
    log = es.log_from_pandas(cdnow_frame, customer_id="id", time="date", amount="amount")
    summary = es.rfm_summary(log, time_unit="day")
    assert len(summary) == N_CUSTOMERS
    fitted = BGNBD().fit(summary)
    expected = {**BGNBD_WEEKS, "alpha": BGNBD_WEEKS["alpha"] * 7}
    assert fitted.params.to_dict() == pytest.approx(expected, rel=1e-5)
    # "repeat buyers are selected for you": no filtering before the Gamma-Gamma fit
    with pytest.warns(es.NonPositiveSpendWarning, match=FIT_WARNING):
        spend = GammaGamma().fit(summary)
    assert spend.params.to_dict() == pytest.approx(GAMMA_GAMMA, rel=1e-5)
    with pytest.warns(es.NonPositiveSpendWarning, match=CLV_WARNING):
        expected_spend = spend.conditional_expected_spend(summary)
    with pytest.warns(es.NonPositiveSpendWarning, match=CLV_WARNING):
        clv = customer_lifetime_value(
            summary,
            purchase_model=fitted,
            spend=spend,
            horizon=12,
            horizon_unit="month",
            annual_discount_rate=0.10,
        )
    np.testing.assert_array_equal(clv.expected_spend, expected_spend)
    assert np.isfinite(clv.clv).all()
    assert (clv.clv > 0).all()
    assert len(clv.to_pandas()) == N_CUSTOMERS


def test_migration_guide_matches_lifetimes(cdnow_frame: Any) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    log = es.log_from_pandas(cdnow_frame, customer_id="id", time="date", amount="amount")
    summary = es.rfm_summary(log, time_unit="day")
    with pytest.warns(es.NonPositiveSpendWarning):
        spend = GammaGamma().fit(summary)
    # lifetimes needs the selection by hand (it refuses a monetary value <= 0)
    with pytest.raises(ValueError, match="non-positive"):
        lifetimes.GammaGammaFitter().fit(summary.frequency, summary.monetary)
    keep = (summary.frequency > 0) & (summary.monetary > 0)
    theirs = lifetimes.GammaGammaFitter().fit(summary.frequency[keep], summary.monetary[keep])
    assert spend.params.to_tuple() == pytest.approx(tuple(theirs.params_), rel=1e-6)
    ours = spend.conditional_expected_spend((summary.frequency[keep], summary.monetary[keep]))
    np.testing.assert_allclose(
        ours,
        theirs.conditional_expected_average_profit(summary.frequency[keep], summary.monetary[keep]),
        rtol=1e-6,
    )
