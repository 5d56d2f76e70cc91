"""``python -m ecomstrat``: the same command line as the ``ecomstrat`` script."""

from ecomstrat.cli import main

raise SystemExit(main())
