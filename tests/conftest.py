"""Shared fixtures: hypothesis profiles and the reference data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# JIT compilation makes the first example slow; deadlines would flag it as flaky.
settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", parent=settings.get_profile("default"), max_examples=150, derandomize=True
)
settings.register_profile("dev", parent=settings.get_profile("default"), max_examples=20)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

#: The published reference data sets live beside the project, never inside it.
SHARED_DATA = Path(
    os.environ.get(
        "ECOMSTRAT_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (set ECOMSTRAT_SHARED_DATA)")
    return SHARED_DATA
