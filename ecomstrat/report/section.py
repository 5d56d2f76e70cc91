"""The unit a report is made of: a titled table of already formatted cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import attrs

from ecomstrat._validation import invalid

__all__ = ["Reportable", "Section", "SkippedPart"]


def _cells(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


def _rows(rows: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_cells(row) for row in rows)


@attrs.frozen
class Section:
    """One block of a report: a title, an optional header, rows of cells, and notes.

    Cells are strings, formatted by whoever builds the section; renderers only lay them out
    (see :func:`ecomstrat.report.text.render`). Every row has the same number of cells, and
    as many as the header when there is one.

    Parameters
    ----------
    title : str
        One line naming the section.
    rows : sequence of sequences
        The table body; cells are converted with ``str``.
    header : sequence of str, optional
        Column names (empty for a label/value list).
    notes : sequence of str, optional
        Sentences printed under the table.

    Examples
    --------
    >>> s = Section("Orders", [["customers", "3"], ["orders", "5"]])
    >>> s.rows
    (('customers', '3'), ('orders', '5'))
    >>> s.width
    2
    """

    title: str
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)
    header: tuple[str, ...] = attrs.field(default=(), converter=_cells)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_cells)

    def __attrs_post_init__(self) -> None:
        width = self.width
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise invalid(
                    f"rows[{i}]",
                    row,
                    f"has {len(row)} cells but the section has {width} columns",
                    "Give every row as many cells as the header (or the first row).",
                )

    @property
    def width(self) -> int:
        """Number of columns (0 for a section with neither header nor rows)."""
        if self.header:
            return len(self.header)
        return len(self.rows[0]) if self.rows else 0


class Reportable(Protocol):
    """What a report part offers: plain JSON-able data and sections to render.

    :class:`~ecomstrat.report.DataOverview`, :class:`~ecomstrat.report.SummaryOverview` and
    :class:`~ecomstrat.report.HoldoutOverview` implement it; so will the CLV, lifecycle and
    CAC parts.
    """

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (``json.dumps`` works on it)."""
        ...

    def sections(self) -> Sequence[Section]:
        """The numbers formatted as sections, in reading order."""
        ...


@attrs.frozen
class SkippedPart:
    """A report part that could not be computed on these data, and why.

    Parameters
    ----------
    title : str
        The title the part's section would have had.
    reason : str
        Why it was skipped, in one or two sentences (e.g. the library's error message).

    Examples
    --------
    >>> part = SkippedPart("Gamma-Gamma spend model", "no repeat buyer spent more than 0.")
    >>> part.to_dict()
    {'skipped': 'no repeat buyer spent more than 0.'}
    >>> part.sections()[0].notes
    ('Skipped: no repeat buyer spent more than 0.',)
    """

    title: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """``{"skipped": reason}``."""
        return {"skipped": self.reason}

    def sections(self) -> tuple[Section, ...]:
        """One section with no rows and the reason as its note."""
        return (Section(self.title, [], notes=[f"Skipped: {self.reason}"]),)
