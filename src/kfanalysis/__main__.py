"""Allow ``python -m kfanalysis``."""

from kfanalysis.cli import main

raise SystemExit(main())
