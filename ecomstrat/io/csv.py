r"""Read a :class:`TransactionLog` from a delimited text file, without pandas.

The reference reader uses the standard library and numpy. When pyarrow is installed it
tokenizes and converts the file faster; its result is identical, because any value it cannot
handle exactly like the reference reader sends the whole file back to the reference reader,
which also words every error (with the line number).

Examples
--------
>>> import io
>>> text = io.StringIO(
...     "customer_id,date,value\n"
...     "00007,20240105,12.00\n"
...     "00003,20240101,30.00\n"
...     "00007,20240201,8.50\n"
... )
>>> log = read_csv(text, time="date", amount="value", time_format="%Y%m%d")
>>> log.customer_ids.tolist(), log.customer_index.tolist()
(['00007', '00003'], [0, 1, 0])
>>> log.times[0], log.amounts.sum()
(np.datetime64('2024-01-05T00:00:00.000000000'), np.float64(50.5))
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import os
from collections.abc import Callable, Sequence
from typing import Any, Literal, TextIO

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, invalid
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import factorize
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.io._common import MIXED, Where, datetime_ns, make_log, missing_column

__all__ = ["read_csv"]

Column = str | int
Source = str | os.PathLike[str] | TextIO

_ENGINES = ("auto", "pyarrow", "python")
#: Words ``delimiter`` also takes, and the separator each stands for (None: runs of whitespace).
DELIMITERS: dict[str, str | None] = {"whitespace": None, "tab": "\t", "\\t": "\t"}
_ZERO, _NINE = ord("0"), ord("9")
#: ASCII characters ``str.split()`` treats as whitespace but Arrow does not.
_PYTHON_ONLY_SPACE = "\x1c\x1d\x1e\x1f"


class _ArrowUnsupportedError(Exception):
    """The pyarrow path cannot guarantee the reference result; use the reference reader."""


def read_csv(
    path: Source,
    *,
    customer_id: Column = "customer_id",
    time: Column = "time",
    amount: Column = "amount",
    margin: Column | None = None,
    currency: str | None = None,
    delimiter: str = ",",
    time_format: str | None = None,
    header: bool = True,
    id_type: type[str] | type[int] = str,
    engine: Literal["auto", "pyarrow", "python"] = "auto",
) -> TransactionLog:
    """Read orders from a delimited text file into a :class:`TransactionLog`.

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8, an initial byte-order mark is skipped) or an open text stream.
    customer_id, time, amount : str or int
        Columns of customer ids, order times and order values: header names, or 0-based
        positions (the only choice when ``header=False``).
    margin : str or int, optional
        Column of gross margins per order.
    currency : str, optional
        ISO 4217 code of the amounts.
    delimiter : str, default ","
        One-character field separator (quoted fields allowed), ``"tab"``, or
        ``"whitespace"`` for fields separated by any run of spaces and tabs (no quoting), as
        in the CDNOW files (the words as ``ecomstrat report --delimiter`` takes them).
    time_format : str, optional
        :func:`~datetime.datetime.strptime` format of the times; ``"%Y%m%d"`` takes a fast
        path (exactly eight digits). By default times are ISO 8601: ``YYYY-MM-DD``, optionally
        followed by ``T`` or a space and a time, and by ``Z`` or a UTC offset; offset times
        are converted to UTC (``timezone="UTC"``) and cannot be mixed with naive ones.
    header : bool, default True
        Whether the first non-blank line holds the column names.
    id_type : {str, int}, default str
        Keep customer ids as strings (``"00001"`` stays ``"00001"``) or parse them as integers.
    engine : {"auto", "pyarrow", "python"}, default "auto"
        ``"auto"`` uses pyarrow when it is installed and ``path`` is a file; the results of
        both engines are identical.

    Returns
    -------
    TransactionLog
        Customers in order of first appearance as in :meth:`TransactionLog.from_arrays`,
        rows in file order.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    EmptyInputError
        If the file holds no data row.
    UnknownCodeError
        If a column is not in the header (the message lists the header's names).
    InvalidInputError
        For a malformed line, an unparsable time or a non-numeric amount, naming the line
        number, the column and the value.
    """
    options = _Options(
        customer_id, time, amount, margin, currency, delimiter, time_format, header, id_type
    )
    check_choice("engine", engine, _ENGINES)
    if isinstance(path, str | os.PathLike):
        name, stream = os.fspath(path), None
        if not os.path.isfile(name):
            raise FileNotFoundError(f"path={name!r}: no such file.")
    elif hasattr(path, "read"):
        name, stream = "<stream>", path
    else:
        raise invalid("path", f"<{type(path).__name__}>", "must be a file path or a text stream")
    if engine == "pyarrow":
        if stream is not None:
            raise invalid("engine", engine, "needs a file path, not a stream", "Use 'python'.")
        import_optional("pyarrow.csv", "pyarrow")
    if stream is None and (engine == "pyarrow" or (engine == "auto" and _has_pyarrow())):
        try:
            return _read_arrow(name, options)
        except Exception:  # any doubt: the reference reader decides, and words any error
            pass
    text = _read_text(name) if stream is None else stream.read()
    if not isinstance(text, str):
        raise invalid(
            "path",
            "<binary stream>",
            "must be opened in text mode",
            "Wrap it in io.TextIOWrapper(stream, encoding='utf-8').",
        )
    return _read_python(text.removeprefix("\ufeff"), name, options)


class _Options:
    """Validated arguments of :func:`read_csv`."""

    def __init__(
        self,
        customer_id: Column,
        time: Column,
        amount: Column,
        margin: Column | None,
        currency: str | None,
        delimiter: str,
        time_format: str | None,
        header: bool,
        id_type: type[str] | type[int],
    ) -> None:
        word = delimiter.strip().lower() if isinstance(delimiter, str) else None
        if word in DELIMITERS:
            separator = DELIMITERS[word]
        elif (
            not isinstance(delimiter, str)
            or len(delimiter) != 1
            or delimiter in '\r\n"'
            or delimiter.isalnum()
        ):
            raise invalid(
                "delimiter",
                delimiter,
                "must be one character (not a letter, digit, quote or line break), 'tab',"
                " or 'whitespace' for any run of spaces and tabs",
            )
        else:
            separator = delimiter
        if id_type not in (str, int):
            raise invalid("id_type", id_type, "must be str or int")
        if time_format is not None and not isinstance(time_format, str):
            raise invalid("time_format", time_format, "must be a strptime format string")
        self.columns: dict[str, Column] = {
            "customer_id": customer_id,
            "time": time,
            "amount": amount,
        }
        if margin is not None:
            self.columns["margin"] = margin
        for arg, column in self.columns.items():
            if isinstance(column, bool) or not isinstance(column, str | int):
                raise invalid(arg, column, "must be a column name (str) or position (int)")
            if not header and isinstance(column, str):
                raise invalid(
                    arg,
                    column,
                    "names a column but header=False",
                    "Refer to columns by 0-based position, e.g. 0.",
                )
        self.currency = currency
        self.delimiter = separator
        self.time_format = time_format
        self.header = bool(header)
        self.id_type = id_type

    def positions(self, names: Sequence[str] | None, width: int, source: str) -> dict[str, int]:
        """Map each argument to a 0-based field position."""
        out = {}
        for arg, column in self.columns.items():
            if isinstance(column, int):
                if not 0 <= column < width:
                    raise invalid(
                        arg,
                        column,
                        f"is not a column position: lines have {width}"
                        f" fields, so positions run from 0 to {width - 1}",
                    )
                out[arg] = column
            elif names is not None and column in names:
                out[arg] = list(names).index(column)
            else:
                raise missing_column(arg, column, list(names or []), f"the header of {source}")
        return out


def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _read_columns(
    path: str | os.PathLike[str] | Any, columns: dict[str, Column], options: _Options
) -> tuple[dict[str, AnyArray], Callable[[str], Where]]:
    """The named ``columns`` of a delimited file as string arrays, and a cell locator.

    Shared by the readers of events, tickets and reviews: checks each column argument (a name,
    or a 0-based position without a header), reads a file path or a text stream, checks that
    every line has as many fields as the first, and returns each column's cells (one per data
    line) with ``where_in(arg)``, which names a cell as ``'<file>' line N, column 'c'``.
    """
    for arg, column in columns.items():
        if isinstance(column, bool) or not isinstance(column, str | int):
            raise invalid(arg, column, "must be a column name (str) or position (int)")
        if not options.header and isinstance(column, str):
            raise invalid(
                arg, column, "names a column but header=False",
                "Refer to columns by 0-based position, e.g. 0.",
            )  # fmt: skip
    options.columns = columns
    if isinstance(path, str | os.PathLike):
        source = os.fspath(path)
        if not os.path.isfile(source):
            raise FileNotFoundError(f"path={source!r}: no such file.")
        text = _read_text(source)
    elif hasattr(path, "read"):
        source, text = "<stream>", path.read()
    else:
        raise invalid("path", f"<{type(path).__name__}>", "must be a file path or a text stream")
    rows, lines = _tokenize(text.removeprefix("\ufeff"), options.delimiter)
    if not rows:
        raise EmptyInputError(f"{source!r} is empty: it holds no line with data.")
    width = len(rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise invalid(
                f"{source!r} line {line}",
                (options.delimiter or " ").join(row)[:60],
                f"has {len(row)} fields but line {lines[0]} has {width}",
                "Fix or remove that line.",
            )
    start = 1 if options.header else 0
    if len(rows) == start:
        raise EmptyInputError(f"{source!r} holds a header but no data row.")
    positions = options.positions(rows[0] if options.header else None, width, repr(source))
    data_lines = lines[start:]

    def where_in(arg: str) -> Where:
        label = f", column {columns[arg]!r}"
        return lambda i: f"{source!r} line {data_lines[i]}{label}"

    fields = {
        arg: np.array([row[p] for row in rows[start:]], dtype=str) for arg, p in positions.items()
    }
    return fields, where_in


def _read_text(name: str) -> str:
    with open(name, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


# --- the reference reader -----------------------------------------------------------------


def _read_python(text: str, source: str, options: _Options) -> TransactionLog:
    rows, lines = _tokenize(text, options.delimiter)
    if not rows:
        raise EmptyInputError(f"{source!r} is empty: it holds no line with data.")
    names = rows[0] if options.header else None
    width = len(rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise invalid(
                f"{source!r} line {line}",
                _clip(row, options.delimiter),
                f"has {len(row)} fields but line {lines[0]} has {width}",
                "Fix or remove that line.",
            )
    start = 1 if options.header else 0
    if len(rows) == start:
        raise EmptyInputError(f"{source!r} holds a header but no data row.")
    positions = options.positions(names, width, repr(source))
    data_lines = lines[start:]

    def where_in(arg: str) -> Where:
        label = f", column {options.columns[arg]!r}"
        return lambda i: f"{source!r} line {data_lines[i]}{label}"

    fields = {
        arg: np.array([row[p] for row in rows[start:]], dtype=str) for arg, p in positions.items()
    }
    if options.id_type is int:
        ids: AnyArray = _parse_ints(fields["customer_id"], where_in("customer_id"))
    else:
        ids = fields["customer_id"]
    codes, uniques = factorize("customer_id", ids)
    times, timezone = _parse_times(fields["time"], options.time_format, where_in("time"))
    amounts = (_parse_floats(fields["amount"], where_in("amount")), where_in("amount"))
    margins = None
    if "margin" in fields:
        margins = (_parse_floats(fields["margin"], where_in("margin")), where_in("margin"))
    return make_log(codes, uniques, times, timezone, amounts, margins, options.currency)


def _tokenize(text: str, delimiter: str | None) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows and the (1-based) line each one ends on."""
    if delimiter is None:
        lines = text.splitlines()
        rows = [line.split() for line in lines]
        numbers = [k for k, row in enumerate(rows, 1) if row]
        return [row for row in rows if row], numbers
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers = [], []
    for row in reader:
        if row:
            rows.append(row)
            numbers.append(reader.line_num)
    return rows, numbers


def _clip(row: list[str], delimiter: str | None) -> str:
    shown = (delimiter or " ").join(row)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _first_bad(values: AnyArray, convert: Callable[[str], object]) -> int | None:
    for i, value in enumerate(values.tolist()):
        try:
            convert(value)
        except (ValueError, TypeError, OverflowError):
            return i
    return None


def _parse_floats(values: AnyArray, where: Where) -> FloatArray:
    try:
        return values.astype(np.float64)
    except (ValueError, OverflowError) as error:
        i = _first_bad(values, float)
        if i is None:
            raise invalid(where(0), "<column>", str(error)) from error
        rule = "is empty" if not values[i].strip() else "is not a number"
        raise invalid(where(i), str(values[i]), rule, "Amounts must be plain numbers.") from None


def _parse_ints(values: AnyArray, where: Where) -> IntArray:
    try:
        return values.astype(np.int64)
    except (ValueError, OverflowError) as error:
        i = _first_bad(values, int)
        if i is None:
            raise invalid(where(0), "<column>", str(error)) from error
        raise invalid(
            where(i),
            str(values[i]),
            "is not an integer id",
            "Keep ids as strings with id_type=str.",
        ) from None


def _parse_times(
    values: AnyArray, time_format: str | None, where: Where
) -> tuple[DatetimeArray, str | None]:
    if time_format is None:
        return _parse_iso(values, where)
    if time_format == "%Y%m%d":
        return _parse_ymd(values, where), None
    return _parse_strptime(values, time_format, where)


def _code_points(values: AnyArray, width: int) -> AnyArray:
    """``(n, width)`` array of the first ``width`` code points of each string (0-padded)."""
    padded = values.astype(f"<U{max(width, values.dtype.itemsize // 4, 1)}")
    points = padded.view(np.uint32).reshape(len(values), -1)
    return points[:, :width]


def _parse_ymd(values: AnyArray, where: Where) -> DatetimeArray:
    points = _code_points(values, 9)
    digits = (points[:, :8] >= _ZERO) & (points[:, :8] <= _NINE)
    shaped = digits.all(axis=1) & (points[:, 8] == 0)
    if not shaped.all():
        i = int(np.argmin(shaped))
        raise invalid(
            where(i),
            str(values[i]),
            "does not match time_format='%Y%m%d'",
            "The fast path needs exactly eight digits, e.g. 20240131.",
        )
    weights = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    return _ymd_to_datetime((points[:, :8].astype(np.int64) - _ZERO) @ weights, values, where)


def _ymd_to_datetime(numbers: IntArray, values: AnyArray, where: Where) -> DatetimeArray:
    """Turn ``YYYYMMDD`` integers into ``datetime64[ns]``, naming the first invalid date."""
    year, month, day = numbers // 10000, numbers // 100 % 100, numbers % 100
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1)
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (days.astype("datetime64[M]") == months)
    if not valid.all():
        i = int(np.argmin(valid))
        raise invalid(where(i), str(values[i]), "is not a valid date (YYYYMMDD)")
    return datetime_ns(days, where)


def _parse_iso(values: AnyArray, where: Where) -> tuple[DatetimeArray, str | None]:
    points = _code_points(values, max(11, values.dtype.itemsize // 4))
    digit = (points[:, :10] >= _ZERO) & (points[:, :10] <= _NINE)
    dash = ord("-")
    shaped = (
        digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1)
        & (points[:, 4] == dash)
        & (points[:, 7] == dash)
        & np.isin(points[:, 10], [0, ord("T"), ord(" ")])
    )
    if not shaped.all():
        i = int(np.argmin(shaped))
        raise invalid(
            where(i),
            str(values[i]),
            "is not an ISO 8601 date or time (YYYY-MM-DD...)",
            "Pass time_format (a strptime format), e.g. '%d/%m/%Y'.",
        )
    marks = [ord("Z"), ord("z"), ord("+"), dash]
    aware = np.asarray(np.isin(points[:, 10:], marks).any(axis=1), dtype=bool)
    if aware.any():
        return _parse_aware(values, aware, where), "UTC"
    years = (points[:, :4].astype(np.int64) - _ZERO) @ np.array([1000, 100, 10, 1])
    # Nanoseconds keep every digit but wrap silently outside their range: parse those as
    # microseconds and let datetime_ns name the row that does not fit.
    dtype = np.dtype(
        "datetime64[ns]" if ((years >= 1678) & (years <= 2261)).all() else "datetime64[us]"
    )
    try:
        parsed = values.astype(dtype)
    except ValueError as error:
        bad = _first_bad(values, lambda v: np.array(v).astype(dtype))
        if bad is None:
            raise invalid(where(0), "<column>", str(error)) from error
        raise invalid(
            where(bad), str(values[bad]), "is not a valid ISO 8601 date or time"
        ) from None
    return datetime_ns(parsed, where), None


def _parse_aware(values: AnyArray, aware: AnyArray, where: Where) -> DatetimeArray:
    if not aware.all():
        i = int(np.argmax(aware != aware[0]))
        raise invalid(where(i), str(values[i]), MIXED)
    out = []
    for i, value in enumerate(values.tolist()):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise invalid(where(i), value, "is not a valid ISO 8601 date or time") from None
        out.append(parsed.astimezone(dt.UTC).replace(tzinfo=None))
    return datetime_ns(np.array(out, dtype="datetime64[us]"), where)


def _parse_strptime(
    values: AnyArray, time_format: str, where: Where
) -> tuple[DatetimeArray, str | None]:
    out = []
    awareness: bool | None = None
    for i, value in enumerate(values.tolist()):
        try:
            parsed = dt.datetime.strptime(value, time_format)
        except ValueError:
            raise invalid(where(i), value, f"does not match time_format={time_format!r}") from None
        aware = parsed.utcoffset() is not None
        if awareness is None:
            awareness = aware
        elif aware != awareness:
            raise invalid(where(i), value, MIXED)
        out.append(parsed.astimezone(dt.UTC).replace(tzinfo=None) if aware else parsed)
    times = datetime_ns(np.array(out, dtype="datetime64[us]"), where)
    return times, ("UTC" if awareness else None)


# --- the pyarrow reader -------------------------------------------------------------------


def _read_arrow(name: str, options: _Options) -> TransactionLog:
    import_optional("pyarrow.compute", "pyarrow")
    pa = import_optional("pyarrow", "pyarrow")
    if options.delimiter is None:
        columns = _arrow_whitespace(pa, name, options)
    else:
        columns = _arrow_delimited(pa, name, options)
    pc = pa.compute

    def where(i: int) -> str:  # any problem sends the file to the reference reader
        raise _ArrowUnsupportedError

    ids = columns["customer_id"]
    codes, uniques = factorize(
        "customer_id", ids.cast(pa.int64()) if options.id_type is int else ids
    )
    stamps = columns["time"]
    if options.time_format == "%Y%m%d":
        eight = pc.all(pc.equal(pc.utf8_length(stamps), 8)).as_py()
        if not (eight and pc.all(pc.ascii_is_decimal(stamps)).as_py()):
            raise _ArrowUnsupportedError
        numbers = stamps.cast(pa.int64()).to_numpy()
        times, timezone = _ymd_to_datetime(numbers, numbers, where), None
    else:
        text = stamps.to_numpy(zero_copy_only=False).astype(str)
        times, timezone = _parse_times(text, options.time_format, where)
    amounts = (columns["amount"].cast(pa.float64()).to_numpy(), where)
    margins = None
    if "margin" in columns:
        margins = (columns["margin"].cast(pa.float64()).to_numpy(), where)
    return make_log(codes, uniques, times, timezone, amounts, margins, options.currency)


def _arrow_whitespace(pa: Any, name: str, options: _Options) -> dict[str, Any]:
    text = _read_text(name)
    if not text.isascii() or any(c in text for c in _PYTHON_ONLY_SPACE):
        raise _ArrowUnsupportedError
    pc = pa.compute
    lines = pc.ascii_trim_whitespace(pa.array(text.splitlines(), type=pa.string()))
    tokens = pc.ascii_split_whitespace(lines.filter(pc.greater(pc.utf8_length(lines), 0)))
    if len(tokens) <= (1 if options.header else 0):
        raise _ArrowUnsupportedError
    lengths = pc.list_value_length(tokens)
    width = lengths[0].as_py()
    if not pc.all(pc.equal(lengths, width)).as_py():
        raise _ArrowUnsupportedError
    names = tokens[0].as_py() if options.header else None
    positions = options.positions(names, width, repr(name))
    flat = pc.list_flatten(tokens)
    first = width if options.header else 0
    return {arg: flat.take(np.arange(first + p, len(flat), width)) for arg, p in positions.items()}


def _arrow_delimited(pa: Any, name: str, options: _Options) -> dict[str, Any]:
    pacsv = import_optional("pyarrow.csv", "pyarrow")
    with open(name, encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise _ArrowUnsupportedError
    first = next(csv.reader([first_line], delimiter=options.delimiter or ","))
    width = len(first)
    names = first if options.header else None
    if names is not None and len(set(names)) != width:
        raise _ArrowUnsupportedError
    positions = options.positions(names, width, repr(name))
    arrow_names = names if names is not None else [f"f{k}" for k in range(width)]
    wanted = sorted(set(positions.values()))
    table = pacsv.read_csv(
        name,
        read_options=pacsv.ReadOptions(autogenerate_column_names=not options.header),
        parse_options=pacsv.ParseOptions(delimiter=options.delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types={arrow_names[p]: pa.string() for p in wanted},
            include_columns=[arrow_names[p] for p in wanted],
            strings_can_be_null=False,
        ),
    )
    if table.num_rows == 0:
        raise _ArrowUnsupportedError
    return {arg: table.column(arrow_names[p]) for arg, p in positions.items()}
