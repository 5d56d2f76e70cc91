"""Every numba kernel module is covered by the comparison table that drives tests and benchmarks."""

from __future__ import annotations

import importlib
import pkgutil

import ecomstrat._kernels
from tests.reference import all_comparisons

#: Modules with helpers only (no kernel of their own to compare) or compared elsewhere.
NOT_KERNELS = {"_jit", "special", "landed_cost"}  # landed_cost: benchmarks/landed_cost.py table


def test_every_entry_has_numba_and_a_reference() -> None:
    for kernel, implementations in all_comparisons().items():
        assert "numba" in implementations, kernel
        assert {"python", "numpy"} & set(implementations), f"{kernel} has no plain reference"


def _module_of(implementation: object) -> str:
    declared = getattr(implementation, "kernel_module", None)  # a test-side wrapper says so
    if declared is not None:
        return str(declared)
    function = getattr(implementation, "py_func", implementation)  # numba dispatcher or not
    return str(getattr(function, "__module__", ""))


def test_every_kernel_module_is_compared() -> None:
    compared = {_module_of(impl["numba"]) for impl in all_comparisons().values()}
    for info in pkgutil.iter_modules(ecomstrat._kernels.__path__):
        if info.name in NOT_KERNELS:
            continue
        module = f"ecomstrat._kernels.{info.name}"
        importlib.import_module(module)
        assert module in compared, f"{module} has no entry in the comparison tables"
