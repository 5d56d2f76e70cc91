"""One base for results that give each customer one label of a fixed vocabulary.

Lifecycle stages, RFM segments and value tiers all hold a code per customer into an ordered
tuple of names; :class:`LabelledAssignment` gives them the same members (``names``,
``codes``, ``labels()``, ``counts``, ``shares``, ``ids_in(label)``) and the same table.
"""

from __future__ import annotations

from typing import ClassVar, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._typing import AnyArray
from ecomstrat._validation import check_choice, check_same_length, invalid
from ecomstrat.exceptions import UnknownCodeError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular

__all__ = ["LabelCodes", "LabelledAssignment"]

#: One label code per customer: an index into ``names``.
LabelCodes: TypeAlias = NDArray[np.int8]


class LabelledAssignment(Tabular):
    """Each customer's label, stored as a code into an ordered vocabulary of names.

    Subclasses provide ``customer_ids``, ``codes`` (int8, ``names[codes[i]]`` is customer
    ``i``'s label) and ``names``, call :meth:`_freeze_codes` once built, and set
    ``_label_column`` (``"stage"``, ``"segment"``, ``"tier"``) for :meth:`columns`.
    """

    __slots__ = ()

    _pandas_index: ClassVar[str | None] = "customer_id"
    #: Name of the label column of :meth:`columns` (its code column adds ``_code``).
    _label_column: ClassVar[str] = "label"

    @property
    def customer_ids(self) -> AnyArray:
        """One id per customer."""
        raise NotImplementedError

    @property
    def codes(self) -> LabelCodes:
        """Label code of each customer (int8): an index into :attr:`names`."""
        raise NotImplementedError

    @property
    def names(self) -> tuple[str, ...]:
        """The label vocabulary, indexed by code."""
        raise NotImplementedError

    def _freeze_codes(self) -> None:
        """Check ``codes`` against the customers and ``names``; store a read-only view."""
        codes = self.codes
        check_same_length(customer_ids=self.customer_ids, codes=codes)
        if len(set(self.names)) != len(self.names):
            raise invalid("names", self.names, "must be distinct")
        if not isinstance(codes, np.ndarray) or codes.dtype != np.int8:
            raise invalid("codes", f"<{getattr(codes, 'dtype', type(codes))}>", "must be int8")
        if codes.size and not 0 <= codes.min() <= codes.max() < len(self.names):
            raise invalid("codes", "out of range", f"must lie in [0, {len(self.names)})")
        object.__setattr__(self, "codes", frozen_view(codes))

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.codes.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def _repr_context(self) -> str:
        """What the repr says before the counts (e.g. the date staged), ending in ``", "``."""
        return ""

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={count}" for name, count in self.counts.items() if count)
        return (
            f"{type(self).__name__}({self._repr_context()}{self.n_customers} customers: {counts})"
        )

    def labels(self) -> AnyArray:
        """The label of each customer, as a fixed-width string array."""
        return np.asarray(self.names)[self.codes]

    @property
    def counts(self) -> dict[str, int]:
        """Customers per label, every name listed in code order (zeros included)."""
        counts = np.bincount(self.codes, minlength=len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts, strict=True)}

    @property
    def shares(self) -> dict[str, float]:
        """Share of the customers under each label (sums to 1; all 0 when there is none)."""
        total = max(self.n_customers, 1)
        return {name: count / total for name, count in self.counts.items()}

    def ids_in(self, label: str | int) -> AnyArray:
        """Ids of the customers with ``label``: one of :attr:`names`, or its code.

        Raises
        ------
        UnknownCodeError
            If ``label`` is not one of :attr:`names` (the message lists them) nor a code.
        """
        if isinstance(label, int | np.integer) and not isinstance(label, bool):
            if not 0 <= label < len(self.names):
                raise UnknownCodeError(
                    f"label={int(label)!r} is not known: codes run from 0 to"
                    f" {len(self.names) - 1} ({', '.join(map(repr, self.names))})."
                )
            code = int(label)
        else:
            code = self.names.index(check_choice("label", label, self.names))
        ids: AnyArray = self.customer_ids[self.codes == code]
        return ids

    def _more_columns(self) -> dict[str, AnyArray]:
        """Columns of the table after the label and its code."""
        return {}

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, the label, its code (``<label>_code``), then any other columns."""
        return {
            "customer_id": self.customer_ids,
            self._label_column: self.labels(),
            f"{self._label_column}_code": self.codes,
            **self._more_columns(),
        }
