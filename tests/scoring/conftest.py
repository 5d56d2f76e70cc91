"""Fixtures of the scorer-registry tests: real plugin distributions on ``sys.path``.

Each plugin under ``plugins/`` is a project with its own ``pyproject.toml``. :func:`install`
reads that file (name, version, entry points, wheel packages) and lays the distribution out the
way an installer does: the package copied into a site directory next to a
``<name>-<version>.dist-info`` folder holding ``METADATA``, ``entry_points.txt`` and ``RECORD``.
With that directory on ``sys.path``, :mod:`importlib.metadata` discovers the entry points as it
would after ``pip install``: nothing is mocked.
"""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ecomstrat import CustomerSummary, TransactionLog, rfm_summary
from ecomstrat.scoring import ScorerRegistry, ScoringContext
from ecomstrat.scoring.registry import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP

PLUGINS = Path(__file__).resolve().parent / "plugins"

# The plugin packages are data for the tests, not test modules (--doctest-modules would import
# them, and the broken one cannot be imported).
collect_ignore = ["plugins"]

Install = Callable[..., Path]


def project_table(plugin: str) -> dict[str, Any]:
    """The ``pyproject.toml`` of ``plugins/<plugin>`` as a dict."""
    with (PLUGINS / plugin / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def plugin_modules(plugin: str) -> list[str]:
    """Top-level module names a plugin's wheel installs."""
    table = project_table(plugin)
    packages = table["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    return [Path(package).name for package in packages]


ALL_PLUGIN_MODULES = [
    module
    for plugin in sorted(p.name for p in PLUGINS.iterdir())
    for module in plugin_modules(plugin)
]


def write_dist_info(plugin: str, site: Path) -> Path:
    """Install ``plugins/<plugin>`` into ``site`` from its pyproject; return the dist-info."""
    table = project_table(plugin)
    project = table["project"]
    name, version = project["name"], project["version"]
    files: list[str] = []
    for package in project_table(plugin)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        source = PLUGINS / plugin / package
        target = site / source.name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        files += [path.relative_to(site).as_posix() for path in target.rglob("*.py")]
    stem = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"
    dist_info = site / f"{stem}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]"]
    lines += [
        f"{key} = {value}" for key, value in project["entry-points"][ENTRY_POINT_GROUP].items()
    ]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (dist_info / "INSTALLER").write_text("ecomstrat-tests\n", encoding="utf-8")
    record = [f"{path},," for path in files]
    record += [f"{dist_info.name}/{part},," for part in ("METADATA", "entry_points.txt")]
    (dist_info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
    return dist_info


def forget_plugin_modules() -> None:
    for module in list(sys.modules):
        if module.split(".")[0] in ALL_PLUGIN_MODULES:
            del sys.modules[module]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No plugin switch from the caller's environment; no plugin module left imported."""
    monkeypatch.delenv(DISABLE_PLUGINS_ENV, raising=False)
    forget_plugin_modules()
    yield
    forget_plugin_modules()


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Install:
    """``install(*plugins, site=None)``: install plugins into a new (or given) site dir.

    A new site directory is put first on ``sys.path`` (undone after the test).
    """
    count = 0

    def install_(*plugins: str, site: Path | None = None) -> Path:
        nonlocal count
        if site is None:
            count += 1
            site = tmp_path / f"site-{count}"
            site.mkdir()
            monkeypatch.syspath_prepend(str(site))
        for plugin in plugins:
            write_dist_info(plugin, site)
        return site

    return install_


@pytest.fixture
def registry() -> ScorerRegistry:
    """A fresh registry (nothing discovered, nothing registered)."""
    return ScorerRegistry()


#: Observation end of the hand-checked base.
END = np.datetime64("2024-04-01")
#: (customer, days before END, amount): five customers, twelve orders.
ORDERS = [
    ("a", 5, 20.0),
    ("b", 40, 20.0),
    ("b", 30, 30.0),
    ("c", 60, 20.0),
    ("c", 45, 35.0),
    ("c", 30, 35.0),
    ("d", 55, 20.0),
    ("d", 40, 95.0),
    ("d", 30, 95.0),
    ("d", 20, 95.0),
    ("d", 5, 95.0),
    ("e", 90, 10.0),
]


@pytest.fixture(scope="session")
def log() -> TransactionLog:
    """The twelve orders of the hand-checked base."""
    return TransactionLog.from_arrays(
        [row[0] for row in ORDERS],
        [END - np.timedelta64(row[1], "D") for row in ORDERS],
        [row[2] for row in ORDERS],
    )


@pytest.fixture(scope="session")
def summary(log: TransactionLog) -> CustomerSummary:
    """In days: x = [0, 1, 2, 4, 0], t_x = [0, 10, 30, 50, 0], T = [5, 40, 60, 55, 90],
    total_value = [20, 50, 90, 400, 10] (checked in test_registry_builtin)."""
    return rfm_summary(log, observation_end=END)


@pytest.fixture
def context(summary: CustomerSummary, log: TransactionLog) -> ScoringContext:
    """The hand-checked base with its log and engagement counts (no model)."""
    return ScoringContext(
        summary,
        log=log,
        engagement={
            "visits": [0, 3, 10, 1, 0],
            "carts": [0, 1, 2, 0, 0],
            "email_clicks": [0, 0, 5, 0, 0],
        },
    )
