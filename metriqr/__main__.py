"""`python -m metriqr …`: the command line (see metriqr.cli)."""
from metriqr.cli import main

raise SystemExit(main())
