"""Customer covariates for the BTYD models: static (one row per customer) and time-varying.

:class:`CustomerCovariates` holds one row of numbers per customer (gender, channel, a
segment dummy...), :class:`TimeVaryingCovariates` one row per customer per period of a common
weekly or daily grid (a high season, a marketing contact...), as an ``(n_customers, n_periods,
k)`` array. Both are built from a pandas, polars or Arrow table, or from a mapping of column
names to arrays; booleans count as 0/1, and every value must be a finite number. Rows are
matched to a model's customers by id (:meth:`CustomerCovariates.align`), through the hash
tables of :mod:`ecomstrat.frames._ids` (O(rows), no sort).

The covariates are used raw (no centring or scaling), as CLVTools does: a coefficient ``γ``
multiplies the value itself (see :mod:`ecomstrat.models._covariates`).

Examples
--------
>>> cov = CustomerCovariates.from_arrays(["a", "b", "c"], {"gender": [0, 1, 1]})
>>> cov.align(["c", "a"]).matrix(["gender"]).tolist()
[[1.0], [0.0]]
>>> weekly = TimeVaryingCovariates.from_table({
...     "customer_id": [7, 7, 8, 8],
...     "cov_date": ["2005-01-02", "2005-01-09", "2005-01-02", "2005-01-09"],
...     "high_season": [0, 1, 0, 1],
... })
>>> weekly.values.shape, str(weekly.period_starts[-1])
((2, 2, 1), '2005-01-09')
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid, plain, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, UnknownCodeError
from ecomstrat.frames._arrays import as_ids, factorize, freeze_arrays, unique_ids
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._foreign import _listing, frame_column, frame_library, frame_names
from ecomstrat.frames._ids import IdIndex
from ecomstrat.frames._time import to_datetime64

__all__ = ["CustomerCovariates", "TimeVaryingCovariates"]

#: Length in days of the periods a time-varying covariate may be constant over.
_PERIOD_DAYS = {TimeUnit.DAY: 1, TimeUnit.WEEK: 7}
#: Customers listed by an error about missing ids.
_SHOWN_IDS = 5

ArrayLike = Sequence[Any] | AnyArray


# ---------------------------------------------------------------------------------------------
# Reading a table or a mapping of columns
# ---------------------------------------------------------------------------------------------


def _table_columns(
    table: object, wanted: Sequence[str], *, source: str, ids: Sequence[str] = ()
) -> tuple[dict[str, AnyArray], list[str]]:
    """Columns ``wanted`` of ``table`` as numpy arrays, and every column name it has.

    The columns ``ids`` keep their dtype (pandas would otherwise give integers as float64).

    ``table`` is a pandas, polars or Arrow table or a mapping of names to array-likes. A
    pandas index named like a wanted column counts as that column (``customer_id`` index).
    """
    library = frame_library(table)
    if library is None:
        if not isinstance(table, Mapping):
            raise invalid(
                source,
                f"<{type(table).__name__}>",
                "must be a pandas, polars or Arrow table or a mapping of column names to arrays",
                "E.g. {'customer_id': [1, 2], 'gender': [0, 1]}.",
            )
        names = [str(name) for name in table]
        out = {}
        for name in wanted:
            if name not in table:
                raise UnknownCodeError(
                    f"{source} has no column {name!r}: its columns are {_listing(name, names)}"
                )
            out[name] = _column_array(f"{source}[{name!r}]", table[name])
        return out, names
    names = frame_names(table)
    out = {}
    index_name = (
        getattr(getattr(table, "index", None), "name", None) if library == "pandas" else None
    )
    for name in wanted:
        if name not in names and index_name == name:
            out[name] = np.asarray(table.index.to_numpy())  # type: ignore[attr-defined]
        elif library == "pandas" and name in ids and name in names:
            series = table[name]  # type: ignore[index]
            if series.isna().any():
                i = int(np.argmax(series.isna().to_numpy()))
                raise invalid(f"{name}[{i}]", None, "is missing", "Drop rows without an id.")
            out[name] = np.asarray(series.to_numpy())
        else:
            out[name] = frame_column(table, name, source=source)
    if index_name is not None and str(index_name) not in names:
        names = [str(index_name), *names]
    return out, names


def _column_array(name: str, values: object) -> AnyArray:
    """One column of a mapping as a one-dimensional numpy array."""
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise invalid(name, shown(values), "must be a sequence of values (one per row)")
    module = type(values).__module__.partition(".")[0]
    try:
        if module == "polars":
            array = np.asarray(values.to_numpy())  # type: ignore[attr-defined]
        elif module == "pyarrow":
            array = np.asarray(values.to_numpy(zero_copy_only=False))  # type: ignore[attr-defined]
        else:
            array = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        raise invalid(name, f"<{type(values).__name__}>", "must be one-dimensional") from None
    if array.ndim != 1:
        raise invalid(name, f"<array of shape {array.shape}>", "must be one-dimensional")
    return array


def _customer_ids(name: str, values: AnyArray) -> AnyArray:
    """Ids held as Python objects as one native dtype (str or int64), checked by ``as_ids``."""
    if values.dtype == object:
        kinds = {type(value) for value in values.tolist()}
        if kinds == {str}:
            values = values.astype(str)
        elif kinds == {int}:
            try:
                values = values.astype(np.int64)
            except OverflowError:
                values = values.astype(np.uint64)
    return as_ids(name, values)


def _numeric(name: str, values: AnyArray) -> FloatArray:
    """A column of numbers (booleans as 0/1) as float64; NaN where missing."""
    kind = values.dtype.kind
    if kind in "biuf":
        return np.asarray(values, dtype=np.float64)
    if kind == "O":
        out = np.empty(values.shape[0], dtype=np.float64)
        for i, value in enumerate(values.tolist()):
            if value is None:
                out[i] = np.nan
            elif isinstance(value, bool | int | float | np.bool_ | np.number):
                out[i] = float(value)
            else:
                raise invalid(
                    f"{name}[{i}]",
                    shown(value),
                    f"must be a number (covariates are numeric), not {type(value).__name__}",
                    "Encode categories as 0/1 dummy columns first.",
                )
        return out
    raise invalid(
        name,
        f"<column of {values.dtype}>",
        "must hold numbers (covariates are numeric)",
        "Encode categories as 0/1 dummy columns first.",
    )


def _name_tuple(names: object) -> Any:
    """``names`` as a tuple when it is a non-string sequence (validated later)."""
    return tuple(names) if isinstance(names, list | tuple) else names


def _check_names(names: Sequence[str], *, reserved: Sequence[str] = ()) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Sequence | tuple):
        raise invalid("names", shown(names), "must be a sequence of column names")
    out = tuple(names)
    seen: set[str] = set()
    for i, name in enumerate(out):
        if not isinstance(name, str) or not name.strip():
            raise invalid(f"names[{i}]", shown(name), "must be a non-empty str")
        if name in seen:
            raise invalid(f"names[{i}]", name, "is duplicated: each covariate once")
        if name in reserved:
            raise invalid(f"names[{i}]", name, "is reserved for the ids (or dates) column")
        seen.add(name)
    return out


def _covariate_columns(
    available: Sequence[str], columns: Sequence[str] | None, skip: Sequence[str]
) -> tuple[str, ...]:
    """The covariate columns: ``columns`` if given, else every column but ``skip``."""
    if columns is None:
        chosen = tuple(name for name in available if name not in skip)
        if not chosen:
            raise EmptyInputError(
                f"the table has no covariate column besides {', '.join(map(repr, skip))}."
            )
        return chosen
    if isinstance(columns, str):
        raise invalid("columns", columns, "must be a sequence of column names", "E.g. [ ... ].")
    return _check_names(list(columns), reserved=skip)


def _finite(name: str, values: FloatArray, ids: AnyArray) -> None:
    """Raise naming the column, the first customer and value that is NaN or infinite."""
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"{name}[{i}]",
            plain(values[i]),
            f"covariates must be finite numbers ({int(bad.sum())} such value(s) in all)",
            "Drop those customers or impute the values first.",
            where=f" (customer {plain(ids[i])!r})",
        )


def _positions(own: AnyArray, wanted: object, *, what: str) -> IntArray:
    """Position in ``own`` (distinct ids) of each of ``wanted``; missing ids raise naming ``what``.

    Integer and string ids are matched by their text when the two sides differ in kind
    (``7`` matches ``"7"``). O(len(own) + len(wanted)) through :class:`IdIndex`.
    """
    ids = _customer_ids("customer_ids", _column_array("customer_ids", wanted))
    mine = own
    if (mine.dtype.kind in "iu") != (ids.dtype.kind in "iu"):
        mine, ids = mine.astype(str), ids.astype(str)
    index = IdIndex("customer_ids", expected=len(mine))
    index.encode(mine)
    codes = index.encode(ids)
    missing = codes >= len(mine)
    if missing.any():
        absent = ids[missing]
        first = [plain(v) for v in dict.fromkeys(absent.tolist())][:_SHOWN_IDS]
        count = len(set(absent.tolist()))
        raise invalid(
            what,
            f"<covariates of {len(mine)} customers>",
            f"lack {count} of the customers asked for, e.g. {', '.join(map(repr, first))}",
            "Give every customer a covariate row (the ids must match those of the data).",
        )
    return codes


# ---------------------------------------------------------------------------------------------
# Static covariates
# ---------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class CustomerCovariates(Tabular):
    """Static covariates: one row of numbers per customer.

    Build it with :meth:`from_table` (pandas, polars, Arrow or a mapping of columns),
    :meth:`from_arrays` or :func:`~ecomstrat.io.covariates.read_customer_covariates`. The
    constructor takes converted arrays and checks every invariant; arrays are stored
    read-only.

    Parameters
    ----------
    customer_ids : ndarray
        Distinct customer ids (integers or strings), one per row.
    names : tuple of str
        The covariate columns, distinct and non-empty.
    values : ndarray of float64
        Shape ``(n_customers, len(names))``; finite numbers (booleans as 0/1).

    Notes
    -----
    Covariates enter the models raw, as in CLVTools (Bachmann, Meierer & Näf 2021, "The
    role of time-varying contextual factors in latent attrition models for customer base
    analysis", Marketing Science 40(4)): e.g. the Pareto/NBD's purchase scale of customer
    ``i`` is ``α₀·exp(−γ·x_i)``. See :doc:`/models-covariates`.

    Examples
    --------
    >>> cov = CustomerCovariates.from_arrays([1, 2], {"gender": [0, 1], "channel": [True, False]})
    >>> cov.names, cov.values.tolist()
    (('gender', 'channel'), [[0.0, 1.0], [1.0, 0.0]])
    >>> cov.matrix(["channel"]).ravel().tolist()
    [1.0, 0.0]
    """

    customer_ids: AnyArray
    names: tuple[str, ...] = attrs.field(converter=_name_tuple)
    values: FloatArray

    _pandas_index = "customer_id"

    def __attrs_post_init__(self) -> None:
        _check_names(self.names, reserved=("customer_id",))
        ids, values = self.customer_ids, self.values
        if not isinstance(ids, np.ndarray) or ids.ndim != 1:
            raise invalid("customer_ids", shown(ids), "must be a one-dimensional array of ids")
        if not isinstance(values, np.ndarray) or values.dtype != np.float64:
            raise invalid(
                "values", shown(values), "must be a float64 array", "Use from_arrays to convert."
            )
        n = ids.shape[0]
        if n == 0:
            raise EmptyInputError("the covariates are empty: at least one customer is needed.")
        if values.shape != (n, len(self.names)):
            raise invalid(
                "values",
                f"<array of shape {values.shape}>",
                f"must have shape (n_customers, n_names) = ({n}, {len(self.names)})",
            )
        for j, name in enumerate(self.names):
            _finite(name, values[:, j], ids)
        unique_ids("customer_ids", ids)
        freeze_arrays(self)

    @classmethod
    def from_table(
        cls,
        table: object,
        *,
        id_column: str = "customer_id",
        columns: Sequence[str] | None = None,
    ) -> CustomerCovariates:
        """Build the covariates from a table with one row per customer.

        Parameters
        ----------
        table : pandas, polars or Arrow table, or mapping of str to array-like
            One row per customer. A pandas index named ``id_column`` serves as the ids.
        id_column : str, default "customer_id"
            Column of customer ids (integers or strings, distinct, none missing).
        columns : sequence of str, optional
            The covariate columns; by default every column but ``id_column``.

        Returns
        -------
        CustomerCovariates

        Raises
        ------
        UnknownCodeError
            If ``id_column`` or one of ``columns`` is absent (the message lists the columns).
        InvalidInputError
            For a non-numeric, NaN or infinite value (naming the column, row and customer),
            duplicated or missing ids, duplicated column names.

        Examples
        --------
        >>> import pytest; pd = pytest.importorskip("pandas")
        >>> df = pd.DataFrame({"customer_id": ["a", "b"], "gender": [0, 1], "vip": [1.5, 0.0]})
        >>> CustomerCovariates.from_table(df, columns=["vip"]).values.ravel().tolist()
        [1.5, 0.0]
        """
        if not isinstance(id_column, str):
            raise invalid("id_column", shown(id_column), "must be a column name (str)")
        _, available = _table_columns(table, [], source="covariates")
        names = _covariate_columns(available, columns, (id_column,))
        raw, _ = _table_columns(table, [id_column, *names], source="covariates", ids=(id_column,))
        return cls.from_arrays(raw.pop(id_column), raw, id_column=id_column)

    @classmethod
    def from_arrays(
        cls,
        customer_ids: ArrayLike,
        columns: Mapping[str, ArrayLike],
        *,
        id_column: str = "customer_id",
    ) -> CustomerCovariates:
        """Build the covariates from ids and one array per covariate (in the ids' order).

        Parameters
        ----------
        customer_ids : array-like of int or str
            One distinct id per customer.
        columns : mapping of str to array-like
            Covariate name -> one number (or bool) per customer.
        id_column : str, default "customer_id"
            How errors name the ids.

        Returns
        -------
        CustomerCovariates

        Examples
        --------
        >>> CustomerCovariates.from_arrays(["x"], {"age": [31]}).columns()["age"].tolist()
        [31.0]
        """
        if not isinstance(columns, Mapping):
            raise invalid(
                "columns", shown(columns), "must be a mapping of covariate names to arrays",
                "E.g. {'gender': [0, 1]}.",
            )  # fmt: skip
        names = _check_names(list(columns), reserved=(id_column,))
        ids = _customer_ids(id_column, _column_array(id_column, customer_ids))
        n = ids.shape[0]
        values = np.empty((n, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            column = _numeric(name, _column_array(name, columns[name]))
            if column.shape != (n,):
                raise invalid(
                    name,
                    f"<column of length {column.shape[0]}>",
                    f"must have one value per customer ({n} ids)",
                )
            values[:, j] = column
        return cls(ids, names, values)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return int(self.customer_ids.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def __repr__(self) -> str:
        return f"CustomerCovariates({self.n_customers} customers; {', '.join(self.names)})"

    def matrix(self, names: Sequence[str]) -> FloatArray:
        """The columns ``names`` as a C-contiguous ``(n_customers, len(names))`` float64 array.

        Raises
        ------
        UnknownCodeError
            If a name is not a covariate (the message lists the covariates).
        """
        return _take_columns(self.values, self.names, names)

    def positions(self, customer_ids: ArrayLike) -> IntArray:
        """Row of each of ``customer_ids`` (which may repeat), as int64 positions.

        Integer and string ids are matched by their text when the two differ in kind (``7``
        matches ``"7"``). O(rows) through a hash table.

        Raises
        ------
        InvalidInputError
            Naming ``covariates``, how many customers have no row and the first few of them.

        Examples
        --------
        >>> cov = CustomerCovariates.from_arrays([1, 2, 3], {"vip": [0, 1, 0]})
        >>> cov.positions(["3", "2", "3"]).tolist()
        [2, 1, 2]
        """
        return _positions(self.customer_ids, customer_ids, what="covariates")

    def align(self, customer_ids: ArrayLike) -> CustomerCovariates:
        """The rows of the distinct ``customer_ids``, in that order (see :meth:`positions`).

        Raises
        ------
        InvalidInputError
            Naming ``covariates``, how many customers have no row and the first few of them;
            naming ``customer_ids`` for a repeated id.

        Examples
        --------
        >>> cov = CustomerCovariates.from_arrays([1, 2, 3], {"vip": [0, 1, 0]})
        >>> cov.align([3, 2]).customer_ids.tolist()
        [3, 2]
        """
        rows = self.positions(customer_ids)
        if rows.shape[0] == self.n_customers and np.array_equal(rows, np.arange(rows.shape[0])):
            return self
        return CustomerCovariates(
            self.customer_ids[rows], self.names, np.ascontiguousarray(self.values[rows])
        )

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id`` and one column per covariate."""
        out: dict[str, AnyArray] = {"customer_id": self.customer_ids}
        for j, name in enumerate(self.names):
            out[name] = self.values[:, j]
        return out


def _take_columns(values: FloatArray, have: tuple[str, ...], names: Sequence[str]) -> FloatArray:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise invalid("names", shown(names), "must be a sequence of covariate names")
    position = {name: j for j, name in enumerate(have)}
    chosen = []
    for name in names:
        if name not in position:
            raise UnknownCodeError(
                f"covariate {name!r} is not among the covariates: they are"
                f" {_listing(str(name), list(have))} Add the column, or name another one."
            )
        chosen.append(position[name])
    return np.ascontiguousarray(values[..., chosen], dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Time-varying covariates
# ---------------------------------------------------------------------------------------------


def _period(value: object) -> TimeUnit:
    unit = TimeUnit.parse(value)  # type: ignore[arg-type]
    if unit not in _PERIOD_DAYS:
        raise invalid(
            "period",
            unit.value,
            "must be 'week' or 'day' (periods of a fixed length)",
            "Resample monthly covariates to weeks first.",
        )
    return unit


def _dates(name: str, values: AnyArray) -> DatetimeArray:
    """A column of period starts as ``datetime64[D]``; times other than midnight are refused."""
    days: DatetimeArray | None = None
    if values.dtype.kind in "USO":
        try:
            with warnings.catch_warnings():  # aware datetimes warn: they take the slow path
                warnings.simplefilter("error")
                days = np.asarray(values.astype("datetime64[D]"))
        except (TypeError, ValueError, OverflowError, Warning):
            days = None
    if days is None or np.isnat(days).any():
        stamps, _ = to_datetime64(name, values)  # names the first bad row
        values = stamps
        days = None
    if days is None:
        days = values.astype("datetime64[D]")
        off = days != values
        if off.any():
            i = int(np.argmax(off))
            raise invalid(
                f"{name}[{i}]",
                str(values[i]),
                "must be a date (the start of a period), not a time of day",
            )
    return days


@attrs.frozen(eq=False, repr=False)
class TimeVaryingCovariates(Tabular):
    """Time-varying covariates: one row per customer per period of one common grid.

    ``values[i, p, j]`` is covariate ``names[j]`` of customer ``customer_ids[i]`` during the
    period starting ``period_starts[p]`` (constant within the period). Every customer has
    every period; memory is linear in customers x periods x covariates.

    Parameters
    ----------
    customer_ids : ndarray
        Distinct customer ids, in order of first appearance in the table.
    period_starts : ndarray of datetime64[D]
        First day of each period, consecutive and equally spaced by ``period``.
    names : tuple of str
        The covariate columns.
    values : ndarray of float64
        Shape ``(n_customers, n_periods, len(names))``; finite numbers.
    period : TimeUnit
        Length of a period: ``week`` (7 days, starting on any weekday) or ``day``.

    Notes
    -----
    The layout of the dynamic-covariate Pareto/NBD of Bachmann, Meierer & Näf (2021),
    Marketing Science 40(4), as CLVTools stores it (``apparelDynCov``: weekly rows from each
    customer's first transaction to the end of the prediction period). See
    :doc:`/models-time-varying-covariates`.

    Examples
    --------
    >>> cov = TimeVaryingCovariates.from_table({
    ...     "customer_id": ["a", "b", "a", "b"],
    ...     "cov_date": ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02"],
    ...     "promo": [0, 0, 1, 0],
    ... }, period="day")
    >>> cov.customer_ids.tolist(), cov.values[:, :, 0].tolist()
    (['a', 'b'], [[0.0, 1.0], [0.0, 0.0]])
    """

    customer_ids: AnyArray
    period_starts: DatetimeArray
    names: tuple[str, ...] = attrs.field(converter=_name_tuple)
    values: FloatArray
    period: TimeUnit = attrs.field(default=TimeUnit.WEEK, converter=_period)

    def __attrs_post_init__(self) -> None:
        _check_names(self.names, reserved=("customer_id", "period_start"))
        ids, starts, values = self.customer_ids, self.period_starts, self.values
        if not isinstance(ids, np.ndarray) or ids.ndim != 1:
            raise invalid("customer_ids", shown(ids), "must be a one-dimensional array of ids")
        if not isinstance(starts, np.ndarray) or starts.dtype != np.dtype("datetime64[D]"):
            raise invalid(
                "period_starts", shown(starts), "must be a datetime64[D] array",
                "Use TimeVaryingCovariates.from_table to convert.",
            )  # fmt: skip
        if not isinstance(values, np.ndarray) or values.dtype != np.float64:
            raise invalid("values", shown(values), "must be a float64 array")
        n, m = ids.shape[0], starts.shape[0]
        if n == 0 or m == 0:
            raise EmptyInputError(
                "the time-varying covariates are empty: at least one customer and period needed."
            )
        if values.shape != (n, m, len(self.names)):
            raise invalid(
                "values",
                f"<array of shape {values.shape}>",
                f"must have shape (n_customers, n_periods, n_names) = ({n}, {m},"
                f" {len(self.names)})",
            )
        step = np.diff(starts.astype(np.int64))
        wrong = step != _PERIOD_DAYS[self.period]
        if wrong.any():
            p = int(np.argmax(wrong))
            raise invalid(
                f"period_starts[{p + 1}]",
                str(starts[p + 1]),
                f"must follow {starts[p]} by one {self.period.value}"
                f" ({_PERIOD_DAYS[self.period]} day(s))",
            )
        bad = ~np.isfinite(values)
        if bad.any():
            i, p, j = (int(v) for v in np.unravel_index(int(np.argmax(bad)), values.shape))
            raise invalid(
                self.names[j],
                plain(values[i, p, j]),
                f"covariates must be finite numbers ({int(bad.sum())} such value(s) in all)",
                "Drop those customers or impute the values first.",
                where=f" (customer {plain(ids[i])!r}, period {starts[p]})",
            )
        unique_ids("customer_ids", ids)
        freeze_arrays(self)

    @classmethod
    def from_table(
        cls,
        table: object,
        *,
        id_column: str = "customer_id",
        date_column: str = "cov_date",
        columns: Sequence[str] | None = None,
        period: TimeUnit | str = "week",
    ) -> TimeVaryingCovariates:
        """Build the covariates from a long table: one row per customer and period.

        The grid starts at the earliest date and steps by ``period``; each row's date must
        be a period start on it, and every customer must have every period of the grid
        exactly once (rows in any order). Runs in O(rows): ids are numbered by a hash table
        and each row is written to its (customer, period) cell.

        Parameters
        ----------
        table : pandas, polars or Arrow table, or mapping of str to array-like
            The rows (other columns are ignored when ``columns`` is given).
        id_column : str, default "customer_id"
            Column of customer ids (integers or strings).
        date_column : str, default "cov_date"
            Column of period starts: dates (``datetime64``, ``date``, ISO strings).
        columns : sequence of str, optional
            The covariate columns; by default every column but ``id_column`` and
            ``date_column``.
        period : {"week", "day"}, default "week"
            Length of a period (a week may start on any weekday, e.g. Sunday).

        Returns
        -------
        TimeVaryingCovariates
            Customers in order of first appearance.

        Raises
        ------
        UnknownCodeError
            If a column is absent (the message lists the table's columns).
        InvalidInputError
            For a date off the grid or not a date, a duplicated (customer, period), a
            customer without some period of the grid (naming the customer and the period),
            a non-numeric, NaN or infinite value (naming the column and the row).

        Examples
        --------
        >>> cov = TimeVaryingCovariates.from_table({
        ...     "customer_id": [1, 1],
        ...     "cov_date": ["2005-01-02", "2005-01-09"],
        ...     "high_season": [0, 1],
        ... })
        >>> cov.period.value, cov.columns()["period_start"].tolist()
        ('week', [datetime.date(2005, 1, 2), datetime.date(2005, 1, 9)])
        """
        unit = _period(period)
        for arg, value in (("id_column", id_column), ("date_column", date_column)):
            if not isinstance(value, str):
                raise invalid(arg, shown(value), "must be a column name (str)")
        _, available = _table_columns(table, [], source="covariates")
        names = _covariate_columns(available, columns, (id_column, date_column))
        raw, _ = _table_columns(
            table, [id_column, date_column, *names], source="covariates", ids=(id_column,)
        )
        ids = _customer_ids(id_column, raw[id_column])
        rows = ids.shape[0]
        if rows == 0:
            raise EmptyInputError("the covariates table has no row.")
        for name in (date_column, *names):
            if raw[name].shape != (rows,):
                raise invalid(name, f"<column of length {raw[name].shape[0]}>",
                              f"must have one value per row ({rows})")  # fmt: skip
        codes, uniques = factorize(id_column, ids)
        days = _dates(date_column, raw[date_column]).astype(np.int64)
        step = _PERIOD_DAYS[unit]
        first = int(days.min())
        offset = days - first
        off_grid = offset % step != 0
        if off_grid.any():
            i = int(np.argmax(off_grid))
            raise invalid(
                f"{date_column}[{i}]",
                str(np.datetime64(int(days[i]), "D")),
                f"is not a period start of the {unit.value}ly grid that starts on"
                f" {np.datetime64(first, 'D')} (every {step} day(s))",
                "Give every row the first day of its period.",
                where=f" (customer {plain(ids[i])!r})",
            )
        position = offset // step
        n, m = uniques.shape[0], int(position.max()) + 1
        cell = codes * m + position
        counts = np.bincount(cell, minlength=n * m)
        starts = (first + step * np.arange(m)).astype("datetime64[D]")
        repeated = counts > 1
        if repeated.any():
            c = int(np.argmax(repeated))
            raise invalid(
                f"({id_column}, {date_column})",
                f"({plain(uniques[c // m])!r}, {starts[c % m]})",
                f"is duplicated ({int(counts[c])} rows): one row per customer and period",
            )
        absent = counts == 0
        if absent.any():
            c = int(np.argmax(absent))
            raise invalid(
                date_column,
                str(starts[c % m]),
                f"is missing for customer {plain(uniques[c // m])!r}: every customer needs"
                f" every period of the grid {starts[0]} .. {starts[-1]}"
                f" ({int(absent.sum())} (customer, period) row(s) missing in all)",
                "Add the missing rows (e.g. carry the last value forward).",
            )
        values = np.empty((n * m, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            column = _numeric(name, raw[name])
            bad = ~np.isfinite(column)
            if bad.any():
                i = int(np.argmax(bad))
                raise invalid(
                    f"{name}[{i}]",
                    plain(column[i]),
                    f"covariates must be finite numbers ({int(bad.sum())} such value(s) in all)",
                    "Drop those customers or impute the values first.",
                    where=f" (customer {plain(ids[i])!r}, {date_column} {starts[position[i]]})",
                )
            values[cell, j] = column
        return cls(uniques, starts, names, values.reshape(n, m, len(names)), unit)

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.customer_ids.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of periods of the grid."""
        return int(self.period_starts.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def __repr__(self) -> str:
        return (
            f"TimeVaryingCovariates({self.n_customers} customers x {self.n_periods}"
            f" {self.period.value}s from {self.period_starts[0]}; {', '.join(self.names)})"
        )

    def matrix(self, names: Sequence[str]) -> FloatArray:
        """The covariates ``names`` as a C-contiguous ``(n_customers, n_periods, len(names))``.

        Raises
        ------
        UnknownCodeError
            If a name is not a covariate (the message lists the covariates).
        """
        return _take_columns(self.values, self.names, names)

    def align(self, customer_ids: ArrayLike) -> TimeVaryingCovariates:
        """The customers ``customer_ids``, in that order (same grid).

        Raises
        ------
        InvalidInputError
            Naming ``covariates``, how many customers have no rows and the first few.
        """
        rows = _positions(self.customer_ids, customer_ids, what="covariates")
        if rows.shape[0] == self.n_customers and np.array_equal(rows, np.arange(rows.shape[0])):
            return self
        return TimeVaryingCovariates(
            self.customer_ids[rows],
            self.period_starts,
            self.names,
            np.ascontiguousarray(self.values[rows]),
            self.period,
        )

    def static(self, names: Sequence[str]) -> CustomerCovariates:
        """The covariates ``names`` that never change over time, as :class:`CustomerCovariates`.

        Raises
        ------
        InvalidInputError
            If one changes for some customer (naming the covariate, the customer and the
            first period where it changes).

        Examples
        --------
        >>> cov = TimeVaryingCovariates.from_table({
        ...     "customer_id": [1, 1], "cov_date": ["2005-01-02", "2005-01-09"],
        ...     "gender": [1, 1], "season": [0, 1]})
        >>> cov.static(["gender"]).values.tolist()
        [[1.0]]
        """
        block = self.matrix(names)
        changes = block != block[:, :1, :]
        if changes.any():
            i, p, j = (int(v) for v in np.unravel_index(int(np.argmax(changes)), changes.shape))
            raise invalid(
                str(names[j]),
                plain(block[i, p, j]),
                f"changes over time (it was {plain(block[i, 0, j])!r} in the first period):"
                " not a static covariate",
                where=f" (customer {plain(self.customer_ids[i])!r}, period"
                f" {self.period_starts[p]})",
            )
        return CustomerCovariates(
            self.customer_ids, tuple(names), np.ascontiguousarray(block[:, 0])
        )

    def columns(self) -> dict[str, AnyArray]:
        """Long format: ``customer_id``, ``period_start`` and one column per covariate."""
        n, m = self.n_customers, self.n_periods
        out: dict[str, AnyArray] = {
            "customer_id": np.repeat(self.customer_ids, m),
            "period_start": np.tile(self.period_starts, n),
        }
        for j, name in enumerate(self.names):
            out[name] = self.values[:, :, j].reshape(n * m)
        return out
