"""Published CDNOW summaries reproduced, and parity with lifetimes' summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecomstrat import TransactionLog, calibration_holdout_summary, rfm_summary

pytestmark = pytest.mark.reference_data


def _cdnow(path: Path, id_column: int, date_column: int, skip_header: bool) -> TransactionLog:
    rows = [line.split() for line in path.read_text().splitlines()[int(skip_header) :]]
    ids = np.array([row[id_column] for row in rows])
    dates = np.array(
        [f"{r[date_column][:4]}-{r[date_column][4:6]}-{r[date_column][6:]}" for r in rows],
        dtype="datetime64[ns]",
    )
    return TransactionLog.from_arrays(ids, dates, np.array([float(r[-1]) for r in rows]))


def test_cdnow_sample_summary_reproduced(shared_data: Path) -> None:
    """FHL (2005) 39-week calibration summary of the 2,357-customer sample, in weeks."""
    log = _cdnow(shared_data / "cdnow_sample.txt", id_column=1, date_column=2, skip_header=False)
    s = rfm_summary(log, observation_end="1997-09-30", time_unit="week")
    published = np.genfromtxt(shared_data / "cdnow_sample_summary.csv", delimiter=",", names=True)
    spend = np.genfromtxt(shared_data / "cdnow_sample_summary_spend.csv", delimiter=",", names=True)
    assert len(s) == 2357
    np.testing.assert_array_equal(s.customer_ids.astype(int), published["ID"])
    np.testing.assert_array_equal(s.frequency, published["frequency"])
    # published values are rounded to 2 decimals
    np.testing.assert_allclose(s.recency, published["recency"], rtol=0, atol=0.005)
    np.testing.assert_allclose(s.T, published["T"], rtol=0, atol=0.005)
    np.testing.assert_allclose(s.monetary, spend["zbar"], rtol=0, atol=0.005 + 1e-9)
    assert s.frequency.sum() == 2457  # repeat transactions in the calibration period (FHL 2005)


def test_cdnow_sample_holdout(shared_data: Path) -> None:
    log = _cdnow(shared_data / "cdnow_sample.txt", id_column=1, date_column=2, skip_header=False)
    split = calibration_holdout_summary(
        log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
    )
    assert len(split) == 2357
    assert split.n_excluded == 0
    np.testing.assert_allclose(split.duration_holdout, 273 / 7)
    full = rfm_summary(log, observation_end="1998-06-30")
    np.testing.assert_array_equal(
        split.calibration.frequency + split.frequency_holdout, full.frequency
    )


def test_cdnow_master_matches_lifetimes(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    utils = pytest.importorskip("lifetimes.utils")
    path = shared_data / "cdnow_master.txt"
    log = _cdnow(path, id_column=0, date_column=1, skip_header=True)
    frame = pd.DataFrame(log.columns())
    expected = utils.summary_data_from_transaction_data(
        frame,
        "customer_id",
        "time",
        monetary_value_col="amount",
        freq="D",
        observation_period_end="1998-06-30",
    )
    s = rfm_summary(log, observation_end="1998-06-30")
    assert len(s) == len(expected) == 23570
    expected = expected.loc[s.customer_ids]
    np.testing.assert_array_equal(s.frequency, expected["frequency"].to_numpy())
    np.testing.assert_array_equal(s.recency, expected["recency"].to_numpy())
    np.testing.assert_array_equal(s.T, expected["T"].to_numpy())
    np.testing.assert_allclose(
        s.monetary, expected["monetary_value"].to_numpy(), rtol=1e-9, atol=1e-9
    )
