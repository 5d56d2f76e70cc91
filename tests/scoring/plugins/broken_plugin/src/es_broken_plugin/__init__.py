"""Fails on import: it needs a dependency that is not installed."""

from __future__ import annotations

import no_such_dependency_for_ecomstrat_tests  # type: ignore[import-not-found]  # noqa: F401

broken = None
