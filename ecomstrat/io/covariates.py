r"""Read customer covariates from delimited text files, without pandas.

:func:`read_customer_covariates` reads one row per customer into a
:class:`~ecomstrat.frames.covariates.CustomerCovariates`, :func:`read_time_varying_covariates`
one row per customer and period into a
:class:`~ecomstrat.frames.covariates.TimeVaryingCovariates` (the layout of CLVTools'
``apparelStaticCov`` and ``apparelDynCov``). The fields are split by the reader of
:func:`~ecomstrat.io.read_csv`; every covariate cell must be a number (``true``/``false``
count as 1/0), and errors name the file, line and column.

Examples
--------
>>> import io
>>> text = io.StringIO("customer_id,gender,channel\n1,0,1\n2,1,0\n")
>>> cov = read_customer_covariates(text)
>>> cov.customer_ids.tolist(), cov.names, cov.values.tolist()
(['1', '2'], ('gender', 'channel'), [[0.0, 1.0], [1.0, 0.0]])
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_choice, invalid, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.covariates import CustomerCovariates, TimeVaryingCovariates
from ecomstrat.io._common import Where

__all__ = ["read_customer_covariates", "read_time_varying_covariates"]

Source = str | os.PathLike[str] | Any


def read_customer_covariates(
    path: Source,
    *,
    id_column: str = "customer_id",
    columns: Sequence[str] | None = None,
    delimiter: str = ",",
    id_type: type[str] | type[int] = str,
    engine: Literal["auto", "pyarrow", "python"] = "auto",
) -> CustomerCovariates:
    """Read static covariates (one row per customer) from a delimited text file.

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8, with a header line) or an open text stream.
    id_column : str, default "customer_id"
        Column of customer ids (distinct).
    columns : sequence of str, optional
        The covariate columns; by default every column but ``id_column``.
    delimiter : str, default ","
        As in :func:`~ecomstrat.io.read_csv` (``"tab"``, ``"whitespace"``...).
    id_type : {str, int}, default str
        Keep ids as strings (as :func:`~ecomstrat.io.read_csv` does by default) or parse
        them as integers. Ids of the two kinds still match by their text when a model
        aligns covariates to its customers.
    engine : {"auto", "pyarrow", "python"}, default "auto"
        ``"auto"`` splits and converts a file with pyarrow when it is installed (about ten
        times faster); any cell it cannot convert exactly like the reference reader sends the
        file to that reader, which words every error. The results are identical.

    Returns
    -------
    CustomerCovariates
        Rows in file order.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    EmptyInputError
        If the file holds no data row.
    UnknownCodeError
        If a column is not in the header (the message lists the header's names).
    InvalidInputError
        For a cell that is not a number, NaN or infinite (naming the line and column), or a
        duplicated id.
    """
    fast = _read_arrow(path, id_column, None, columns, delimiter, id_type, engine)
    if fast is not None:
        ids = fast.pop(id_column)
        return CustomerCovariates.from_arrays(ids, fast, id_column=id_column)
    fields, where_in = _read(path, id_column, None, columns, delimiter, id_type)
    ids = fields.pop(id_column)
    values = {name: _numbers(raw, where_in(name)) for name, raw in fields.items()}
    return CustomerCovariates.from_arrays(ids, values, id_column=id_column)


def read_time_varying_covariates(
    path: Source,
    *,
    id_column: str = "customer_id",
    date_column: str = "cov_date",
    columns: Sequence[str] | None = None,
    period: TimeUnit | str = "week",
    delimiter: str = ",",
    time_format: str | None = None,
    id_type: type[str] | type[int] = str,
    engine: Literal["auto", "pyarrow", "python"] = "auto",
) -> TimeVaryingCovariates:
    r"""Read time-varying covariates (one row per customer and period) from a delimited file.

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8, with a header line) or an open text stream.
    id_column : str, default "customer_id"
        Column of customer ids.
    date_column : str, default "cov_date"
        Column of period starts (ISO dates by default).
    columns : sequence of str, optional
        The covariate columns; by default every column but ``id_column`` and ``date_column``.
    period : {"week", "day"}, default "week"
        Length of a period, as in :meth:`TimeVaryingCovariates.from_table`.
    delimiter, time_format, id_type
        As in :func:`~ecomstrat.io.read_csv`.
    engine : {"auto", "pyarrow", "python"}, default "auto"
        As in :func:`read_customer_covariates` (a ``time_format`` uses the reference reader).

    Returns
    -------
    TimeVaryingCovariates
        Customers in order of first appearance.

    Raises
    ------
    FileNotFoundError, EmptyInputError, UnknownCodeError
        As in :func:`read_customer_covariates`.
    InvalidInputError
        For a cell that is not a number or a date (naming the line and column), and as in
        :meth:`TimeVaryingCovariates.from_table` for the grid (a missing or duplicated
        period of a customer, a date off the grid).

    Examples
    --------
    >>> import io
    >>> text = io.StringIO(
    ...     "customer_id,cov_date,high_season\n"
    ...     "1,2005-01-02,0\n1,2005-01-09,1\n2,2005-01-02,0\n2,2005-01-09,1\n"
    ... )
    >>> cov = read_time_varying_covariates(text)
    >>> cov.values[:, :, 0].tolist(), str(cov.period_starts[0])
    ([[0.0, 1.0], [0.0, 1.0]], '2005-01-02')
    """
    from ecomstrat.io.csv import _parse_times

    if not isinstance(date_column, str):
        raise invalid("date_column", shown(date_column), "must be a column name (str)")
    fast = None
    if time_format is None:
        fast = _read_arrow(path, id_column, date_column, columns, delimiter, id_type, engine)
    if fast is not None:
        names = [name for name in fast if name not in (id_column, date_column)]
        return TimeVaryingCovariates.from_table(
            fast, id_column=id_column, date_column=date_column, columns=names, period=period
        )
    fields, where_in = _read(path, id_column, date_column, columns, delimiter, id_type)
    ids = fields.pop(id_column)
    dates, timezone = _parse_times(fields.pop(date_column), time_format, where_in(date_column))
    if timezone is not None:
        raise invalid(
            date_column, "<times with a UTC offset>", "must be dates (the first day of a period)"
        )
    table: dict[str, AnyArray] = {id_column: ids, date_column: dates}
    for name, raw in fields.items():
        table[name] = _numbers(raw, where_in(name))
    return TimeVaryingCovariates.from_table(
        table, id_column=id_column, date_column=date_column, columns=list(fields), period=period
    )


def _read(
    path: Source,
    id_column: str,
    date_column: str | None,
    columns: Sequence[str] | None,
    delimiter: str,
    id_type: type[str] | type[int],
) -> tuple[dict[str, AnyArray], Any]:
    """The id, date and covariate columns as string arrays (ids parsed as ``id_type``)."""
    from ecomstrat.io.csv import _Options, _parse_ints, _read_columns

    if not isinstance(id_column, str):
        raise invalid("id_column", shown(id_column), "must be a column name (str)")
    options = _Options(id_column, id_column, id_column, None, None, delimiter, None, True, id_type)
    fixed = [id_column] if date_column is None else [id_column, date_column]
    if columns is None:
        path, header = _header(path, options.delimiter)
        names = [name for name in header if name not in fixed]
        if not names:
            raise EmptyInputError(
                f"the file has no covariate column besides {', '.join(map(repr, fixed))}."
            )
    elif isinstance(columns, str) or not isinstance(columns, Sequence):
        raise invalid("columns", shown(columns), "must be a sequence of column names")
    else:
        names = list(columns)
        for i, name in enumerate(names):
            if not isinstance(name, str) or name in fixed or name in names[:i]:
                raise invalid(
                    f"columns[{i}]",
                    shown(name),
                    "must be a column name (str), each once, other than the id and date columns",
                )
    wanted: dict[str, str | int] = {name: name for name in (*fixed, *names)}
    fields, where_in = _read_columns(path, wanted, options)
    if id_type is int:
        fields[id_column] = _parse_ints(fields[id_column], where_in(id_column))
    elif not (np.char.str_len(np.char.strip(fields[id_column])) > 0).all():
        empty = np.char.str_len(np.char.strip(fields[id_column])) == 0
        raise invalid(
            where_in(id_column)(int(np.argmax(empty))), "", "is empty: every row needs an id"
        )
    return fields, where_in


def _read_arrow(
    path: Source,
    id_column: str,
    date_column: str | None,
    columns: Sequence[str] | None,
    delimiter: str,
    id_type: type[str] | type[int],
    engine: str,
) -> dict[str, AnyArray] | None:
    """The columns parsed by pyarrow, or None when the reference reader must decide.

    Ids stay strings (or become int64), dates must be ISO dates (``date32``) and covariates
    finite float64; anything else (a bad cell, a missing column, a blank id, ``true``) returns
    None, and the reference reader reads the file again and words the error.
    """
    from ecomstrat.io.csv import DELIMITERS, _arrow_delimited, _has_pyarrow, _Options

    check_choice("engine", engine, ("auto", "pyarrow", "python"))
    is_file = isinstance(path, str | os.PathLike) and os.path.isfile(os.fspath(path))
    word = delimiter.strip().lower() if isinstance(delimiter, str) else None
    if engine == "python" or not is_file or word in DELIMITERS or not _has_pyarrow():
        return None
    try:
        pa = import_optional("pyarrow", "pyarrow")
        import_optional("pyarrow.compute", "pyarrow")
        pc = pa.compute
        options = _Options(
            id_column, id_column, id_column, None, None, delimiter, None, True, id_type
        )
        fixed = [id_column] if date_column is None else [id_column, date_column]
        if columns is None:
            _, header = _header(path, options.delimiter)
            names = [name for name in header if name not in fixed]
        else:
            names = list(columns)
        if not names or len(set(names)) != len(names) or set(names) & set(fixed):
            return None
        options.columns = {name: name for name in (*fixed, *names)}
        table = _arrow_delimited(pa, os.fspath(path), options)
        out: dict[str, AnyArray] = {}
        ids = table[id_column]
        if id_type is int:
            out[id_column] = np.asarray(ids.cast(pa.int64()).to_numpy())
        else:
            if pc.any(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(ids)), 0)).as_py():
                return None
            out[id_column] = np.asarray(ids.to_numpy(zero_copy_only=False)).astype(str)
        if date_column is not None:
            out[date_column] = np.asarray(
                table[date_column].cast(pa.date32()).to_numpy(zero_copy_only=False)
            ).astype("datetime64[D]")
        for name in names:
            values = np.asarray(table[name].cast(pa.float64()).to_numpy(), dtype=np.float64)
            if not np.isfinite(values).all():
                return None
            out[name] = values
        return out
    except Exception:  # any doubt: the reference reader decides, and words any error
        return None


def _header(path: Source, delimiter: str | None) -> tuple[Source, list[str]]:
    """The header's names; a stream is read and handed back as a new one (files are reopened)."""
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if not os.path.isfile(name):
            raise FileNotFoundError(f"path={name!r}: no such file.")
        with open(name, encoding="utf-8-sig", newline="") as handle:
            first = next((line for line in handle if line.strip()), "")
        return path, _split(first, delimiter)
    if hasattr(path, "read"):
        text = path.read()
        if not isinstance(text, str):
            raise invalid("path", "<binary stream>", "must be opened in text mode")
        text = text.removeprefix("\ufeff")
        first = next((line for line in text.splitlines() if line.strip()), "")
        return io.StringIO(text), _split(first, delimiter)
    raise invalid("path", f"<{type(path).__name__}>", "must be a file path or a text stream")


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return next(csv.reader([line], delimiter=delimiter), [])


def _numbers(values: AnyArray, where: Where) -> FloatArray:
    """A column of numbers (``true``/``false`` as 1/0), finite, naming the first bad cell."""
    try:
        out = values.astype(np.float64)
    except (ValueError, OverflowError):
        words = np.char.lower(np.char.strip(values))
        truth = (words == "true") | (words == "false")
        values = np.where(truth, np.where(words == "true", "1", "0"), values)
        for i, value in enumerate(values.tolist()):
            try:
                float(value)
            except (ValueError, OverflowError):
                rule = "is empty" if not value.strip() else "is not a number"
                raise invalid(
                    where(i),
                    value,
                    f"{rule}: covariates are numbers (true/false count as 1/0)",
                    "Encode categories as 0/1 dummy columns, and fill or drop missing values.",
                ) from None
        out = values.astype(np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(
            f"{where(i)}={str(values[i])!r} is invalid: covariates must be finite numbers"
            f" ({int(bad.sum())} such value(s) in all). Drop those rows or impute the values."
        )
    return out
