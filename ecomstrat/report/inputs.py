r"""Read the report's inputs besides the transaction log: a CSV file of campaigns.

Examples
--------
>>> import io
>>> text = io.StringIO(
...     "campaign_id,channel,spend,currency,start,end\n"
...     "spring,search,1200.50,EUR,2024-03-01,2024-03-31\n"
... )
>>> [(c.campaign_id, str(c.spend)) for c in read_campaigns(text)]
[('spring', '1200.50 EUR')]
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from decimal import Decimal, InvalidOperation
from typing import TextIO

from ecomstrat._validation import invalid
from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.money import Money
from ecomstrat.exceptions import EcomstratError, EmptyInputError, InvalidInputError
from ecomstrat.io._common import missing_column

__all__ = ["CAMPAIGN_COLUMNS", "read_campaigns"]

#: Columns a campaigns file must have (``customers_acquired`` is optional).
CAMPAIGN_COLUMNS = ("campaign_id", "channel", "spend", "currency", "start", "end")


def _date(value: str, where: str, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise invalid(
            f"{where}, column {column!r}", value, "is not a date", "Write dates as YYYY-MM-DD."
        ) from None


def read_campaigns(
    path: str | os.PathLike[str] | TextIO, *, delimiter: str = ","
) -> list[Campaign]:
    """Read campaigns from a delimited file with a header line.

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8). Columns: ``campaign_id, channel, spend, currency, start, end``
        (dates ``YYYY-MM-DD``, both included) and optionally ``customers_acquired``; other
        columns are ignored.
    delimiter : str, default ","
        The field separator.

    Returns
    -------
    list of Campaign
        In file order.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    EmptyInputError
        If the file has no campaign.
    UnknownCodeError
        If a column is missing (the message lists the file's columns).
    InvalidInputError
        For a bad value, naming the line and the column.
    """
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if not os.path.isfile(name):
            raise FileNotFoundError(f"path={name!r}: no such file.")
        with open(name, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    else:
        name, text = "<stream>", path.read()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(reader.line_num, row) for row in reader if row and any(c.strip() for c in row)]
    if not rows:
        raise EmptyInputError(f"{name!r} is empty: it holds no line with data.")
    header = [h.strip() for h in rows[0][1]]
    for column in CAMPAIGN_COLUMNS:
        if column not in header:
            raise missing_column(column, column, header, f"the header of {name!r}")
    position = {column: header.index(column) for column in header}
    campaigns = []
    for line, row in rows[1:]:
        where = f"{name!r} line {line}"
        if len(row) != len(header):
            raise invalid(where, delimiter.join(row), f"has {len(row)} fields, not {len(header)}")

        def field(column: str, row: list[str] = row) -> str:
            return row[position[column]].strip()

        try:
            spend = Decimal(field("spend"))
        except InvalidOperation:
            raise invalid(f"{where}, column 'spend'", field("spend"), "is not a number") from None
        acquired = field("customers_acquired") if "customers_acquired" in position else ""
        try:
            campaigns.append(
                Campaign(
                    field("campaign_id"),
                    field("channel"),
                    Money(spend, field("currency")),
                    _date(field("start"), where, "start"),
                    _date(field("end"), where, "end"),
                    int(acquired) if acquired else None,
                )
            )
        except ValueError as error:
            if isinstance(error, EcomstratError) and str(error).startswith(repr(name)):
                raise
            raise InvalidInputError(f"{where}: {error}") from error
    if not campaigns:
        raise EmptyInputError(f"{name!r} holds a header but no campaign.")
    return campaigns
