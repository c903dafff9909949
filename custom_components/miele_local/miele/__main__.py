"""Entry point of ``python -m custom_components.miele_local.miele``."""

import sys

from .cli import main

sys.exit(main())
