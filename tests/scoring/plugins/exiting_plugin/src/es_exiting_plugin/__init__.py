"""Exits on import, as a script-like module guarded by nothing would."""

from __future__ import annotations

import sys

sys.exit("es_exiting_plugin is a command-line tool")

exits_on_import = None
