"""Discovery through importlib.metadata: built-ins, installed plugins, laziness, caching."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ecomstrat.scoring import Scorer, ScorerEntry, ScorerRegistry, ScoringContext
from ecomstrat.scoring.registry import BUILTIN_SCORERS, DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = Path(__file__).resolve().parent / "plugins"
Install = Callable[..., Path]
BUILTINS = ("churn_risk", "clv", "lead", "p_alive", "rfm")


def test_builtins_are_available_from_the_source_tree_without_installing(
    registry: ScorerRegistry,
) -> None:
    # the dev venv has no ecomstrat distribution: the built-in table is all there is
    assert registry.available() == BUILTINS
    assert all(entry.origin == "builtin" for entry in registry.entries())


def test_pyproject_entry_points_match_the_builtin_table() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        declared = tomllib.load(file)["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert declared == dict(BUILTIN_SCORERS)
    for name, value in declared.items():
        scorer = metadata.EntryPoint(name, value, ENTRY_POINT_GROUP).load()
        assert isinstance(scorer, Scorer)
        assert scorer.name == name
        assert scorer.description.strip()


def test_installed_plugin_is_discovered_with_its_distribution(
    install: Install, registry: ScorerRegistry
) -> None:
    install("good_plugin")
    assert registry.available() == (*BUILTINS[:3], "orders", "p_alive", "rfm", "spend_per_week")
    entries = {entry.name: entry for entry in registry.entries()}
    assert entries["spend_per_week"] == ScorerEntry(
        "spend_per_week",
        "plugin",
        "es_good_plugin:spend_per_week",
        "ecomstrat-good-plugin 0.1.0",
    )
    assert entries["spend_per_week"].describe() == (
        "entry point 'spend_per_week = es_good_plugin:spend_per_week' of distribution"
        " 'ecomstrat-good-plugin 0.1.0'"
    )
    assert entries["rfm"].describe() == (
        "built-in entry point 'rfm = ecomstrat.scoring.builtin:rfm_score'"
    )


def test_dist_info_is_built_from_the_plugins_own_pyproject(install: Install) -> None:
    install("good_plugin")
    with (PLUGINS / "good_plugin" / "pyproject.toml").open("rb") as file:
        declared = tomllib.load(file)["project"]["entry-points"][ENTRY_POINT_GROUP]
    dist = metadata.distribution("ecomstrat-good-plugin")
    found = {ep.name: ep.value for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP}
    assert found == declared


def test_available_imports_no_plugin_module(install: Install, registry: ScorerRegistry) -> None:
    install("good_plugin", "broken_plugin", "faulty_plugin")
    names = registry.available()
    assert {"spend_per_week", "broken", "wrong_shape"} <= set(names)
    registry.entries()
    for module in ("es_good_plugin", "es_broken_plugin", "es_faulty_plugin"):
        assert module not in sys.modules
    registry.get("spend_per_week")
    assert "es_good_plugin" in sys.modules
    assert "es_faulty_plugin" not in sys.modules


def test_get_loads_once_and_caches(install: Install, registry: ScorerRegistry) -> None:
    install("good_plugin")
    first = registry.get("spend_per_week")
    del sys.modules["es_good_plugin"]  # a second import would build a new object
    assert registry.get("spend_per_week") is first


def test_names_are_discovered_once(
    install: Install, registry: ScorerRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = metadata.entry_points

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["group"])
        return real(**kwargs)

    monkeypatch.setattr("importlib.metadata.entry_points", counting)
    install("good_plugin")
    registry.available()
    registry.get("orders")
    registry.entries()
    assert calls == [ENTRY_POINT_GROUP]
    registry.refresh()
    registry.available()
    assert calls == [ENTRY_POINT_GROUP, ENTRY_POINT_GROUP]


def test_a_plugin_installed_later_appears_after_refresh(
    install: Install, registry: ScorerRegistry
) -> None:
    site = install("good_plugin")
    assert "broken" not in registry.available()
    install("faulty_plugin", site=site)
    assert "wrong_shape" not in registry.available()  # cached names
    registry.refresh()
    assert "wrong_shape" in registry.available()


def test_refresh_forgets_loaded_scorers(install: Install, registry: ScorerRegistry) -> None:
    install("good_plugin")
    first = registry.get("orders")
    del sys.modules["es_good_plugin"]
    registry.refresh()
    again = registry.get("orders")
    assert again is not first
    assert type(again).__name__ == "Orders"


def test_plugin_scores_like_a_builtin(
    install: Install, registry: ScorerRegistry, context: ScoringContext
) -> None:
    install("good_plugin")
    out = registry.score(context, names=["spend_per_week", "orders", "rfm"])
    assert list(out) == ["spend_per_week", "orders", "rfm"]
    # orders per customer: a 1, b 2, c 3, d 5, e 1 (see conftest.ORDERS)
    assert out["orders"].tolist() == [1.0, 2.0, 3.0, 5.0, 1.0]
    # total_value / max(T in weeks, 1): a 20 / 1 (T = 5/7 week), b 50 / (40/7) = 8.75, ...
    np.testing.assert_allclose(
        out["spend_per_week"], [20.0, 50 / (40 / 7), 90 / (60 / 7), 400 / (55 / 7), 10 / (90 / 7)]
    )


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_environment_switch_disables_plugins_not_builtins(
    install: Install,
    registry: ScorerRegistry,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    install("good_plugin", "broken_plugin")
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, value)
    assert not registry.plugins_enabled
    assert registry.available() == BUILTINS
    with pytest.raises(LookupError, match=r"ECOMSTRAT_DISABLE_PLUGINS is set"):
        registry.get("spend_per_week")


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_environment_switch_off_values_keep_plugins(
    install: Install, registry: ScorerRegistry, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    install("good_plugin")
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, value)
    assert "spend_per_week" in registry.available()


def test_environment_switch_is_read_at_discovery(
    install: Install, registry: ScorerRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    install("good_plugin")
    assert "orders" in registry.available()
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "1")
    assert "orders" in registry.available()  # cached until refresh
    registry.refresh()
    assert "orders" not in registry.available()


def test_plugins_parameter_overrides_the_environment(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    install("good_plugin")
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "1")
    assert "orders" in ScorerRegistry(plugins=True).available()
    monkeypatch.delenv(DISABLE_PLUGINS_ENV)
    assert ScorerRegistry(plugins=False).available() == BUILTINS


def test_installed_ecomstrat_metadata_does_not_duplicate_the_builtins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: ScorerRegistry
) -> None:
    # what `pip install -e .` leaves: an ecomstrat dist-info with the pyproject's entry points
    dist_info = tmp_path / "ecomstrat-0.0.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: ecomstrat\nVersion: 0.0.0\n")
    table = "".join(f"{name} = {value}\n" for name, value in BUILTIN_SCORERS.items())
    stale = "rfm_old = ecomstrat.scoring.builtin:gone\n"
    (dist_info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{table}{stale}")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert registry.available() == BUILTINS  # no duplicate warning, stale names ignored


def test_import_ecomstrat_never_discovers_plugins(install: Install) -> None:
    site = install("broken_plugin")
    code = (
        "import sys, ecomstrat; ecomstrat.CustomerSummary;"
        " print('ecomstrat.scoring.registry' in sys.modules, 'numba' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "False"]


def test_importing_scoring_and_listing_stays_light() -> None:
    code = (
        "import sys; from ecomstrat.scoring import available, get;"
        " available(); get('rfm');"
        " print('numba' in sys.modules,"
        " any(m.startswith(('ecomstrat.models', 'ecomstrat.metrics')) for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "False"]
