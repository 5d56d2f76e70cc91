"""Import of optional dependencies, with an error that says which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from ecomstrat.exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, extra: str) -> ModuleType:
    """Import and return ``module``, or raise :class:`MissingDependencyError` naming ``extra``.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"pyarrow.parquet"``.
    extra : str
        The ecomstrat extra that installs it, e.g. ``"pyarrow"``.

    Returns
    -------
    types.ModuleType
        The imported module.

    Raises
    ------
    MissingDependencyError
        If the module is not installed, or is installed but fails to import.

    Examples
    --------
    >>> import_optional("math", "none").sqrt(4.0)
    2.0
    >>> try:
    ...     import_optional("no_such_module", "pandas")
    ... except ImportError as error:
    ...     print(error)
    this feature needs the optional package 'no_such_module', which is not installed.
    Install it with: pip install 'ecomstrat[pandas]'
    """
    install = f"pip install 'ecomstrat[{extra}]'"
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        root = module.partition(".")[0]
        if error.name not in (module, root):
            raise _broken(module, error, install) from error
        raise MissingDependencyError(
            f"this feature needs the optional package {root!r}, which is not installed."
            f" Install it with: {install}"
        ) from error
    except ImportError as error:
        raise _broken(module, error, install) from error


def _broken(module: str, error: ImportError, install: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"the optional package {module!r} is installed but failed to import ({error})."
        f" Reinstall it with: {install}"
    )
