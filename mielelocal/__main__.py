"""Entry point of ``python -m mielelocal``."""

import sys

from .cli import main

sys.exit(main(prog="python -m mielelocal"))
