"""The CLV part of the demo report: fitted models and the CLV distribution as sections."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ecomstrat.datasets import simulate_transactions
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import GammaGamma, NonPositiveSpendWarning
from ecomstrat.report.clv import clv_overview, clv_section, purchase_model_overview
from ecomstrat.report.section import Section
from ecomstrat.report.text import render


@pytest.fixture(scope="module")
def summary():
    return simulate_transactions(4_000, seed=12).summary()


def test_overview_numbers_match_the_models(summary) -> None:
    overview = clv_overview(summary, horizon=2, horizon_unit="year", margin=0.3)
    bgnbd = BGNBD().fit(summary)
    spend = GammaGamma().fit(summary)
    clv = customer_lifetime_value(
        summary,
        purchase_model=bgnbd,
        spend=spend,
        horizon=2,
        horizon_unit="year",
        gross_margin_rate=0.3,
    ).clv
    purchases, _ = purchase_model_overview(summary, bgnbd)
    assert purchases.fit.estimates == pytest.approx(bgnbd.params.to_dict())
    assert overview.spend.estimates == pytest.approx(spend.params.to_dict())
    assert overview.total_clv == pytest.approx(float(clv.sum()), rel=1e-12)
    assert overview.clv_quantiles["0.5"] == pytest.approx(float(np.median(clv)), rel=1e-12)
    top = np.sort(clv)[-400:].sum() / clv.sum()  # ceil(4000 / 10) customers
    assert overview.top_decile_clv_share == pytest.approx(top, rel=1e-12)
    assert overview.n_customers == purchases.fit.n_customers == 4000
    assert overview.basis == "gross margin"
    assert json.loads(json.dumps(overview.to_dict()))["horizon_unit"] == "year"


def test_sections_render(summary) -> None:
    sections = clv_section(summary)
    assert all(isinstance(s, Section) for s in sections)
    assert [s.title for s in sections] == [
        "Gamma-Gamma spend model",
        "Predicted CLV (12 months, revenue)",
    ]
    assert [row[0] for row in sections[0].rows][:3] == ["p", "q", "gamma"]
    text = render(sections)
    assert "Log-likelihood" in text
    assert "The top 10% of customers by predicted CLV hold" in text
    assert "50% quantile" in text


def test_zero_spenders_are_valued_not_refused(summary) -> None:
    repeat = np.flatnonzero(summary.frequency > 0)[:2]
    monetary = summary.monetary.copy()
    monetary[repeat] = 0.0
    zero = CustomerSummary.from_arrays(
        summary.frequency, summary.recency, summary.T, monetary, time_unit=summary.time_unit
    )
    with pytest.warns(NonPositiveSpendWarning, match=r"^2 repeat buyer\(s\)"):
        overview = clv_overview(zero, margin=0.3)
    assert overview.n_customers == 4000
    assert math.isfinite(overview.total_clv)
    assert overview.spend.n_customers == int((summary.frequency > 0).sum()) - 2
