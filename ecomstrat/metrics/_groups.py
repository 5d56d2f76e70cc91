"""Join rows keyed by customer id to a labelled assignment (stages, segments, tiers).

One helper for every "metric by group" function: each row gets its customer's label code,
or ``len(groups.names)`` when the customer is absent from the grouping.
"""

from __future__ import annotations

import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, IntArray
from ecomstrat._validation import invalid, shown
from ecomstrat.exceptions import UnknownCodeError
from ecomstrat.frames._ids import IdIndex
from ecomstrat.frames._labels import LabelledAssignment

__all__ = ["check_groups", "row_group_codes"]


def check_groups(groups: object) -> LabelledAssignment:
    """``groups`` if it is a labelled assignment, else a typed error saying what to pass."""
    if not isinstance(groups, LabelledAssignment):
        raise invalid(
            "groups",
            shown(groups),
            "must be a labelled assignment",
            "Pass lifecycle stages, rfm_segments(...) or value_tiers(...).",
        )
    return groups


def row_group_codes(
    name: str, ids: AnyArray, groups: LabelledAssignment, *, raise_unknown: bool, what: str
) -> tuple[IntArray, BoolArray]:
    """Label code of each row's customer (``len(groups.names)`` if unknown) and the unknown mask.

    With ``raise_unknown``, a row whose customer is absent from ``groups`` raises
    :class:`~ecomstrat.UnknownCodeError` naming the first (``name[i]``) and how many
    ``what`` (e.g. "review(s)") are affected.
    """
    index = IdIndex(name)
    grouped = index.encode(groups.customer_ids)
    n_grouped = len(index)
    position = index.encode(ids)
    unknown = position >= n_grouped
    if unknown.any() and raise_unknown:
        i = int(np.argmax(unknown))
        raise UnknownCodeError(
            f"{name}[{i}]={ids[i].item()!r} is not known: {int(unknown.sum())} {what}"
            f" come from customers absent from the {groups._label_column}s. Pass"
            " unknown_ids='unmatched' to report them in a row of their own."
        )
    code_of = np.full(n_grouped, -1, dtype=np.int64)
    code_of[grouped] = groups.codes
    codes = np.full(ids.size, len(groups.names), dtype=np.int64)
    codes[~unknown] = code_of[position[~unknown]]
    return codes, unknown
