"""Adapters between ecomstrat frames and pandas, polars, Arrow and CSV.

Importing this package imports none of pandas, polars or pyarrow: each function imports the
library it needs when called, and raises :class:`~ecomstrat.exceptions.MissingDependencyError`
(naming the extra to install) when it is absent. :func:`read_csv` needs neither.
"""

from __future__ import annotations

from ecomstrat.frames._export import columns_to_arrow, columns_to_pandas, columns_to_polars
from ecomstrat.io.arrow import log_from_arrow, read_parquet, summary_from_arrow
from ecomstrat.io.covariates import read_customer_covariates, read_time_varying_covariates
from ecomstrat.io.csv import read_csv
from ecomstrat.io.events import events_from_pandas, events_from_polars, read_events_csv
from ecomstrat.io.order_lines import (
    order_lines_from_pandas,
    order_lines_from_polars,
    read_order_lines_csv,
)
from ecomstrat.io.pandas import log_from_pandas, summary_from_pandas
from ecomstrat.io.polars import log_from_polars, summary_from_polars
from ecomstrat.io.reviews import read_reviews_csv, reviews_from_pandas, reviews_from_polars
from ecomstrat.io.stream import stream_calibration_holdout_summary, stream_rfm_summary
from ecomstrat.io.tickets import read_tickets_csv, tickets_from_pandas, tickets_from_polars

__all__ = [
    "columns_to_arrow",
    "columns_to_pandas",
    "columns_to_polars",
    "events_from_pandas",
    "events_from_polars",
    "log_from_arrow",
    "log_from_pandas",
    "log_from_polars",
    "order_lines_from_pandas",
    "order_lines_from_polars",
    "read_csv",
    "read_customer_covariates",
    "read_events_csv",
    "read_order_lines_csv",
    "read_parquet",
    "read_reviews_csv",
    "read_tickets_csv",
    "read_time_varying_covariates",
    "reviews_from_pandas",
    "reviews_from_polars",
    "stream_calibration_holdout_summary",
    "stream_rfm_summary",
    "summary_from_arrow",
    "summary_from_pandas",
    "summary_from_polars",
    "tickets_from_pandas",
    "tickets_from_polars",
]
