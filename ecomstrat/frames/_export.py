"""``to_pandas`` / ``to_polars`` / ``to_arrow`` for every table-like frame and result.

A leaf of the package: it imports pandas, polars or pyarrow only inside the converters (through
:func:`ecomstrat._optional.import_optional`), and nothing from :mod:`ecomstrat.io`, which builds
on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["Tabular", "columns_to_arrow", "columns_to_pandas", "columns_to_polars"]


class Tabular:
    """Base of the objects that are a table of equal-length named columns.

    Subclasses implement :meth:`columns`; the converters import their library lazily and
    raise :class:`~ecomstrat.MissingDependencyError` naming the extra to install.
    """

    __slots__ = ()

    #: Column that becomes the pandas index (``None``: a default RangeIndex).
    _pandas_index: ClassVar[str | None] = None

    def columns(self) -> dict[str, AnyArray]:
        """The table as named columns of equal length."""
        raise NotImplementedError

    def _export_index(self) -> str | None:
        """Column that becomes the pandas index (by default :attr:`_pandas_index`)."""
        return self._pandas_index

    def _export_timezone(self) -> str | None:
        """Timezone of the datetime columns (``"UTC"`` makes them aware on export)."""
        return None

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (needs pandas)."""
        return columns_to_pandas(
            self.columns(), index=self._export_index(), timezone=self._export_timezone()
        )

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (needs polars)."""
        return columns_to_polars(self.columns(), timezone=self._export_timezone())

    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow Table (needs pyarrow)."""
        return columns_to_arrow(self.columns(), timezone=self._export_timezone())


def columns_to_pandas(
    columns: Mapping[str, AnyArray], index: str | None = None, *, timezone: str | None = None
) -> pd.DataFrame:
    """Return named columns as a pandas DataFrame (the arrays are copied).

    Parameters
    ----------
    columns : mapping of str to ndarray
        Equal-length one-dimensional arrays.
    index : str, optional
        Column to use as the index.
    timezone : {None, "UTC"}
        With ``"UTC"``, ``datetime64`` columns become timezone-aware UTC columns.

    Returns
    -------
    pandas.DataFrame
    """
    import_optional("pandas", "pandas")
    import pandas as pd

    data: dict[str, Any] = {}
    for name, values in columns.items():
        if values.dtype.kind == "M" and timezone is not None:
            data[name] = pd.DatetimeIndex(values).tz_localize(timezone)
        else:
            data[name] = values
    frame = pd.DataFrame(data)
    return frame.set_index(index) if index is not None else frame


def columns_to_polars(
    columns: Mapping[str, AnyArray], *, timezone: str | None = None
) -> pl.DataFrame:
    """Return named columns as a polars DataFrame.

    Parameters
    ----------
    columns : mapping of str to ndarray
        Equal-length one-dimensional arrays; ``datetime64[ns]`` becomes ``Datetime("ns")``.
    timezone : {None, "UTC"}
        With ``"UTC"``, datetime columns get the UTC time zone.

    Returns
    -------
    polars.DataFrame
    """
    import_optional("polars", "polars")
    import polars as pl

    series = []
    for name, values in columns.items():
        column = pl.Series(name, values)
        if values.dtype.kind == "M" and timezone is not None:
            column = column.dt.replace_time_zone(timezone)
        series.append(column)
    return pl.DataFrame(series)


def columns_to_arrow(columns: Mapping[str, AnyArray], *, timezone: str | None = None) -> pa.Table:
    """Return named columns as a pyarrow Table.

    Parameters
    ----------
    columns : mapping of str to ndarray
        Equal-length one-dimensional arrays: ``datetime64`` becomes ``timestamp("ns")``,
        integer ids ``int64`` and string ids ``string``.
    timezone : {None, "UTC"}
        With ``"UTC"``, timestamps carry the UTC time zone.

    Returns
    -------
    pyarrow.Table
    """
    pa = import_optional("pyarrow", "pyarrow")
    arrays: dict[str, Any] = {}
    for name, values in columns.items():
        if values.dtype.kind == "M":
            arrays[name] = pa.array(
                values.astype("datetime64[ns]", copy=False), type=pa.timestamp("ns", tz=timezone)
            )
        elif values.dtype.kind == "U":
            arrays[name] = pa.array(values, type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)
