"""A real ``pip install`` of the test plugin, then discovery of what pip wrote."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from ecomstrat.scoring import ScorerRegistry, ScoringContext

GOOD_PLUGIN = Path(__file__).resolve().parent / "plugins" / "good_plugin"


@pytest.mark.slow
def test_pip_installed_plugin_is_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, context: ScoringContext
) -> None:
    if importlib.util.find_spec("pip") is None or importlib.util.find_spec("hatchling") is None:
        pytest.skip("pip and hatchling are needed to build the plugin without network access")
    target = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            str(GOOD_PLUGIN),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in target.glob("*.dist-info")) == [
        "ecomstrat_good_plugin-0.1.0.dist-info"
    ]
    monkeypatch.syspath_prepend(str(target))
    registry = ScorerRegistry()
    assert {"orders", "spend_per_week"} <= set(registry.available())
    entry = {e.name: e for e in registry.entries()}["orders"]
    assert entry.distribution == "ecomstrat-good-plugin 0.1.0"
    assert registry.score(context, names=["orders"])["orders"].tolist() == [1.0, 2.0, 3.0, 5.0, 1.0]
    assert sys.modules["es_good_plugin"].__file__.startswith(str(target))  # type: ignore[union-attr]
