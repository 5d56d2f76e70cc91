"""The covariate, GGom/NBD and CNBD-k models on CDNOW master (23,570 customers), end to end.

CDNOW has no covariates of its own, so the tests derive real ones from the log: whether a
customer first bought in January 1997 (static), and the holiday quarter (time-varying). Each
model is fitted, its predictions feed the CLV, and the fits are compared with the models they
extend: a model that nests another cannot fit worse.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ecomstrat as es

pytestmark = pytest.mark.reference_data

N_CUSTOMERS = 23_570


@pytest.fixture(scope="module")
def cdnow(shared_data: Path) -> dict[str, Any]:
    log = es.read_csv(
        shared_data / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
    )
    summary = es.rfm_summary(log, time_unit="week")
    assert summary.first_purchase is not None
    january = summary.first_purchase < np.datetime64("1997-02-01")
    covariates = es.CustomerCovariates.from_arrays(
        summary.customer_ids, {"january": january.astype(float)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", es.NonPositiveSpendWarning)
        spend = es.GammaGamma().fit(summary)
    return {"log": log, "summary": summary, "covariates": covariates, "spend": spend}


def test_static_covariates_nest_the_pareto_nbd_and_value_every_customer(
    cdnow: dict[str, Any],
) -> None:
    summary = cdnow["summary"]
    plain = es.ParetoNBD().fit(summary)
    model = es.CovariateParetoNBD(purchase="january", dropout="january").fit(
        summary, cdnow["covariates"]
    )
    assert model.fit is not None
    assert plain.fit is not None
    assert model.fit.log_likelihood >= plain.fit.log_likelihood - 1e-6
    assert all(np.isfinite(v) for v in model.fit.standard_errors.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", es.NonPositiveSpendWarning)
        clv = es.customer_lifetime_value(
            summary, purchase_model=model, spend=cdnow["spend"], horizon=12
        )
    assert len(clv.clv) == N_CUSTOMERS
    assert np.isfinite(clv.clv).all()
    assert (clv.clv >= 0).all()


def test_ggom_nbd_reaches_at_least_the_pareto_nbd(cdnow: dict[str, Any]) -> None:
    summary = cdnow["summary"]
    plain = es.ParetoNBD().fit(summary)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", es.BoundaryEstimateWarning)  # the Pareto/NBD limit
        ggom = es.GGomNBD().fit(summary)
    assert ggom.fit is not None
    assert plain.fit is not None
    assert ggom.fit.log_likelihood >= plain.fit.log_likelihood - 1e-4
    alive = ggom.probability_alive(summary)
    assert alive.shape == (N_CUSTOMERS,)
    assert ((alive >= 0) & (alive <= 1)).all()


def test_cnbd_chooses_k_and_nests_the_bg_nbd(cdnow: dict[str, Any]) -> None:
    summary = cdnow["summary"]
    litt = es.log_inter_transaction_times(cdnow["log"], time_unit="week")
    model = es.BGCNBD().fit(summary, litt=litt)
    plain = es.BGNBD().fit(summary)
    assert model.fit is not None
    assert plain.fit is not None
    assert model.k >= 1
    # the k = 1 likelihood is the BG/NBD's; the chosen k does at least as well
    assert model.fit.log_likelihood >= plain.fit.log_likelihood - 1e-6
    expected = model.conditional_expected_purchases(52, summary)
    assert np.isfinite(expected).all()


def test_time_varying_covariates_fit_and_predict(cdnow: dict[str, Any]) -> None:
    ids = cdnow["summary"].customer_ids
    weeks = np.datetime64("1996-12-29") + 7 * np.arange(80)  # Sundays through mid-1998
    holiday = np.isin(weeks.astype("datetime64[M]").astype(int) % 12, [9, 10, 11])
    covariates = es.TimeVaryingCovariates.from_table(
        {
            "customer_id": np.repeat(ids, len(weeks)),
            "cov_date": np.tile(weeks, len(ids)),
            "holiday": np.tile(holiday.astype(float), len(ids)),
        }
    )
    model = es.DynamicParetoNBD(purchase="holiday", dropout="holiday").fit(
        cdnow["log"], covariates, calibration_end="1997-12-31"
    )
    assert model.fit is not None
    summary = model.customers
    assert summary is not None
    assert len(summary) == N_CUSTOMERS
    expected = model.conditional_expected_purchases(13, summary)
    assert np.isfinite(expected).all()
    assert (expected >= 0).all()
