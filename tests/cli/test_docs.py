"""The README, the docs pages and the examples run as written."""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ecomstrat

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not part of the sdist")


def blocks(path: Path) -> list[tuple[str, str]]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


def test_readme_quick_start_prints_what_it_says():
    fenced = blocks(ROOT / "README.md")
    languages = [language for language, _ in fenced]
    i = languages.index("python")
    assert languages[i + 1] == "text"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(fenced[i][1], "README.md", "exec"), {})
    assert out.getvalue() == fenced[i + 1][1]


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_docs_examples_run(page):
    source = "\n".join(code for language, code in blocks(DOCS / page) if language == "python")
    test = doctest.DocTestParser().get_doctest(source, {}, page, page, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()


def test_api_page_documents_every_public_name():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto(?:class|function|exception):: (\w+)$", text, re.M))
    assert documented >= set(ecomstrat.__all__) - {"__version__"}


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_examples_run(script):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout
