"""``to_pandas`` / ``to_polars`` / ``to_arrow`` for every table-like frame and result."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ecomstrat._typing import AnyArray

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["Tabular"]


class Tabular:
    """Mixin for objects that are a table of equal-length named columns.

    Subclasses implement :meth:`columns`; the converters import their library lazily and
    raise :class:`~ecomstrat.MissingDependencyError` naming the extra to install.
    """

    __slots__ = ()

    #: Column that becomes the pandas index (``None``: a default RangeIndex).
    _pandas_index: ClassVar[str | None] = None

    def columns(self) -> dict[str, AnyArray]:
        """The table as named columns of equal length."""
        raise NotImplementedError

    def _export_timezone(self) -> str | None:
        """Timezone of the datetime columns (``"UTC"`` makes them aware on export)."""
        return None

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (needs pandas)."""
        from ecomstrat.io.pandas import columns_to_pandas

        return columns_to_pandas(
            self.columns(), index=self._pandas_index, timezone=self._export_timezone()
        )

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (needs polars)."""
        from ecomstrat.io.polars import columns_to_polars

        return columns_to_polars(self.columns(), timezone=self._export_timezone())

    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow Table (needs pyarrow)."""
        from ecomstrat.io.arrow import columns_to_arrow

        return columns_to_arrow(self.columns(), timezone=self._export_timezone())
