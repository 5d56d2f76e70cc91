from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ecomstrat.io
from ecomstrat._optional import import_optional
from ecomstrat.exceptions import MissingDependencyError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_public_surface() -> None:
    assert ecomstrat.io.__all__ == sorted(ecomstrat.io.__all__)
    for name in ecomstrat.io.__all__:
        assert callable(getattr(ecomstrat.io, name))


def test_import_optional_returns_the_module() -> None:
    assert import_optional("json", "unused").dumps([1]) == "[1]"


def test_missing_module_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'ecomstrat\[polars\]'") as info:
        import_optional("surely_not_installed_xyz.sub", "polars")
    assert "'surely_not_installed_xyz', which is not installed" in str(info.value)
    assert isinstance(info.value, ImportError)


def test_broken_module_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_optional_xyz.py").write_text("import another_missing_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingDependencyError, match="is installed but failed to import"):
        import_optional("broken_optional_xyz", "pandas")


@pytest.mark.parametrize(
    ("blocked", "method", "extra"),
    [
        ("pandas", "to_pandas", "pandas"),
        ("polars", "to_polars", "polars"),
        ("pyarrow", "to_arrow", "pyarrow"),
    ],
)
def test_frames_say_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, blocked: str, method: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, blocked, None)
    log = TransactionLog.from_arrays([1], ["2024-01-01"], [1.0])
    summary = CustomerSummary.from_arrays([1], [2.0], [3.0])
    for frame in (log, summary):
        with pytest.raises(MissingDependencyError, match=rf"pip install 'ecomstrat\[{extra}\]'"):
            getattr(frame, method)()


def test_importing_io_loads_no_optional_library() -> None:
    result = _run(
        """
        import sys
        import ecomstrat.io
        loaded = {"pandas", "polars", "pyarrow"} & set(sys.modules)
        assert not loaded, loaded
        """
    )
    assert result.returncode == 0, result.stderr


def test_read_csv_works_without_optional_libraries(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,time,amount\nb,2024-01-02,2\na,2024-01-01,1\n")
    result = _run(
        f"""
        import sys
        sys.modules.update(pandas=None, polars=None, pyarrow=None)
        from ecomstrat.io import read_csv
        log = read_csv({str(path)!r})
        assert log.customer_ids.tolist() == ["b", "a"], log.customer_ids
        try:
            log.to_pandas()
        except ImportError as error:
            assert "pip install 'ecomstrat[pandas]'" in str(error)
        else:
            raise AssertionError("to_pandas worked without pandas")
        """
    )
    assert result.returncode == 0, result.stderr


def test_columns_dtypes_survive_every_library() -> None:
    columns = {
        "customer_id": np.array(["a", "b"]),
        "n": np.array([1, 2]),
        "t": np.array(["2024-01-01", "2024-01-02"], dtype="M8[ns]"),
    }
    pd = pytest.importorskip("pandas")
    frame = ecomstrat.io.columns_to_pandas(columns, index="customer_id", timezone="UTC")
    assert frame.index.tolist() == ["a", "b"]
    assert isinstance(frame["t"].dtype, pd.DatetimeTZDtype)
    assert frame["n"].dtype == np.int64
