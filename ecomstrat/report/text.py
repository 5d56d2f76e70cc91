"""Render report sections as aligned plain-text tables (ASCII only, no dependencies)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from ecomstrat.report.section import Section

__all__ = ["render", "render_section"]

#: Spaces between two columns.
GAP = "   "
#: Notes are wrapped to this many characters.
WIDTH = 88


def render_section(section: Section, *, indent: int = 2, width: int = WIDTH) -> str:
    """Lay one section out as text: title, underline, table, notes.

    The first column is left-aligned, the others (numbers) right-aligned; a header gets a
    dashed rule beneath it. Notes are wrapped to ``width`` characters; table rows are not.

    Examples
    --------
    >>> s = Section("Orders", [["customers", "3"], ["orders", "12"]], header=["", "count"],
    ...             notes=["Naive times."])
    >>> print(render_section(s))
    Orders
    ======
                  count
                  -----
      customers       3
      orders         12
      Naive times.
    """
    lines = [section.title, "=" * len(section.title)]
    pad = " " * indent
    table = [section.header, *section.rows] if section.header else list(section.rows)
    if table:
        widths = [max(len(row[j]) for row in table) for j in range(section.width)]

        def line(cells: Iterable[str]) -> str:
            parts = [
                cell.ljust(w) if j == 0 else cell.rjust(w)
                for j, (cell, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return (pad + GAP.join(parts)).rstrip()

        if section.header:
            lines.append(line(section.header))
            lines.append(line("-" * len(h) if h else "" for h in section.header))
        lines.extend(line(row) for row in section.rows)
    lines.extend(
        textwrap.fill(note, width, initial_indent=pad, subsequent_indent=pad)
        for note in section.notes
    )
    return "\n".join(lines)


def render(sections: Iterable[Section], *, indent: int = 2, width: int = WIDTH) -> str:
    """Render sections one after the other, separated by a blank line.

    Examples
    --------
    >>> print(render([Section("A", [["x", "1"]]), Section("B", [["y", "22"]])]))
    A
    =
      x   1
    <BLANKLINE>
    B
    =
      y   22
    """
    return "\n\n".join(render_section(s, indent=indent, width=width) for s in sections)
