"""Private numba kernels: arrays and scalars in, arrays out.

Modules here import only numpy, numba and math; they know nothing of the rest of the package.
Every kernel has a plain-Python reference in ``tests/reference.py``.
"""
