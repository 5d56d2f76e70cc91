"""Sphinx configuration: MyST markdown pages, numpydoc docstrings, autodoc reference."""

from __future__ import annotations

import sys
from pathlib import Path

# Build from a clone without installing: import the package from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecomstrat import __version__

project = "ecomstrat"
author = "ecomstrat developers"
copyright = "ecomstrat developers"
version = release = __version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "matplotlib.sphinxext.plot_directive",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

autodoc_typehints = "none"  # numpydoc sections carry the types; signatures stay readable
autodoc_member_order = "bysource"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Figures of the ```{plot} blocks: drawn at build time, one PNG each, no source links.
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

html_theme = "alabaster"
html_title = f"ecomstrat {__version__}"
html_static_path: list[str] = []
